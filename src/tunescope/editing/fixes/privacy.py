"""Redact secrets and personal data with typed placeholders ([REDACTED_API_KEY], [EMAIL], ...).

Uses the detector the `secret_in_text` / `email_address` / ... checks use
(tunescope.quality.sensitive), over every string value of the row, so what the checks flag
is what the fix replaces. The report's reasons name kinds and JSON paths, never the values.
"""

from __future__ import annotations

from collections import Counter

from tunescope.editing.fixes.plan import FixPlan, FixReport
from tunescope.editing.fixes.registry import Option, fix
from tunescope.editing.fixes.rows import iter_rows
from tunescope.editing.ops import compact_dumps
from tunescope.quality import sensitive
from tunescope.quality.strings import replace_strings


def fix_redact_sensitive(session, secrets_only: bool = False) -> FixPlan:
    """Replace each secret (and, unless `secrets_only`, each e-mail address, phone number, card
    number and IBAN) in every string of every row by its kind's placeholder."""
    plan = FixPlan(FixReport("redact_sensitive", "redact secrets and personal data"))
    personal = not secrets_only
    for r in iter_rows(session):
        if not isinstance(r.obj, dict):
            continue
        gate = sensitive.gates(r.data, personal)
        if not gate:
            continue
        kinds: Counter[str] = Counter()

        def change(text: str) -> str:
            hits = sensitive.find(text, personal, gate)
            kinds.update(h.kind.label for h in hits)
            return sensitive.redact(text, hits) if hits else text

        try:
            new = replace_strings(r.obj, change)
        except RecursionError:
            plan.report.notes.append(f"row {r.row + 1}: nested too deeply to rewrite; left as it is")
            continue
        if kinds:
            what = ", ".join(f"{n} {_plural(label) if n > 1 else label}" for label, n in kinds.items())
            plan.change(session, r.row, compact_dumps(new), f"redacted {what}")
    return plan


def _plural(label: str) -> str:
    return label + ("es" if label.endswith("s") else "s")


REDACT_SENSITIVE = fix(
    "redact_sensitive", fix_redact_sensitive, order=57, menu=27,
    label="Redact secrets and personal data",
    description="Replace API keys, tokens, e-mails, phone, card and IBAN numbers with [REDACTED_API_KEY], [EMAIL]...",
    cli_flag="--redact-sensitive", cli_help="replace secrets and personal data with typed placeholders",
    options=(Option("--secrets-only", "secrets_only", "with --redact-sensitive: leave personal data, redact "
                    "only keys, tokens and private keys", switch=True),),
    resolves=("secret_in_text", "email_address", "phone_number", "payment_card_number", "iban_number"))
