"""Secrets (errors) and personal data (warnings) in every string the model would see.

Walks every string value of the row (message contents and parts, tool-call arguments, tool
results, tool definitions, DPO outputs, RFT grader fields) with tunescope.quality.sensitive.
A finding names the kind, the JSON path and a masked excerpt; the value itself never goes
into a finding, and the texts the analysis keeps for list views and dataset checks (preview,
system prompt, final reply, all cached on disk) are redacted when the row holds anything.
"""

from __future__ import annotations

from dataclasses import replace

from tunescope.checks.context import Ctx, an
from tunescope.checks.example.legacy import HEAD as LEGACY_HEAD, TAIL as LEGACY_TAIL
from tunescope.checks.model import RecordAnalysis
from tunescope.checks.registry import E, W, check
from tunescope.quality import sensitive
from tunescope.quality.strings import iter_strings, json_path, message_index

SECRET_IN_TEXT = check(
    "secret_in_text", E, "content", "Secret in text",
    "An API key, access token or private key (OpenAI, Anthropic, AWS, Google, GitHub, Slack, Stripe, JWT, PEM) "
    "in text the model would see; a model trained on it can repeat it.", tags=("privacy",))
EMAIL_ADDRESS = check("email_address", W, "content", "E-mail address",
                      "An e-mail address in text the model would see (personal data).", tags=("privacy",))
PHONE_NUMBER = check("phone_number", W, "content", "Phone number",
                     "A valid phone number (per libphonenumber) in text the model would see (personal data).",
                     tags=("privacy",))
PAYMENT_CARD_NUMBER = check("payment_card_number", W, "content", "Payment card number",
                            "A Luhn-valid payment card number in text the model would see (personal data).",
                            tags=("privacy",))
IBAN_NUMBER = check("iban_number", W, "content", "IBAN",
                    "A valid IBAN (country length and check digits) in text the model would see (personal data).",
                    tags=("privacy",))

_CHECK_OF = {sensitive.EMAIL: EMAIL_ADDRESS, sensitive.PHONE: PHONE_NUMBER, sensitive.CARD: PAYMENT_CARD_NUMBER,
             sensitive.IBAN: IBAN_NUMBER}
MAX_FINDINGS = 10          # per example; the rest are counted in the last one


def scan_sensitive(ctx: Ctx, obj: dict, an: RecordAnalysis, data: bytes) -> None:
    """Add a finding per secret or personal value in `obj` (parsed from the line `data`); redact
    the analysis' kept texts if any."""
    gate = sensitive.gates(data)
    if not gate:
        return
    found = 0
    for path, text in iter_strings(obj):
        if len(text) < 6:
            continue
        hits = sensitive.find(text, gate=gate)
        for hit in hits:
            found += 1
            if found <= MAX_FINDINGS:
                _report(ctx, hit, text, path)
    if found > MAX_FINDINGS:
        ctx.findings[-1] = _with_more(ctx.findings[-1], found - MAX_FINDINGS)
    if found:
        an.preview = _redacted(an.preview)
        an.system_prompt = _redacted(an.system_prompt)
        an.final_reply = _redacted(an.final_reply)
        if isinstance(an.facts, dict) and "p_head" in an.facts:
            _redact_legacy_heads(an.facts, obj)


def _report(ctx: Ctx, hit: sensitive.Hit, text: str, path: tuple) -> None:
    kind = hit.kind
    shown = sensitive.mask(text[hit.start:hit.end], kind)
    where = json_path(path)
    index = message_index(path)
    if kind.secret:
        ctx.add(SECRET_IN_TEXT,
                f"{ctx.where(index)}: {where} contains what looks like {an(kind.label)} ({shown}). A model trained "
                "on it can repeat it to anyone.",
                f"Remove or replace it (`tunescope fix FILE --redact-sensitive` writes {kind.placeholder}), and "
                "revoke the key: it has been in a data file.", path=where, message_index=index)
        return
    ctx.add(_CHECK_OF[kind],
            f"{ctx.where(index)}: {where} contains an {kind.label} ({shown})." if kind.label[0] in "aeiouAEIOU"
            else f"{ctx.where(index)}: {where} contains a {kind.label} ({shown}).",
            f"Replace personal data with a placeholder unless the model must learn it (`tunescope fix FILE "
            f"--redact-sensitive` writes {kind.placeholder}).", path=where, message_index=index)


def _redact_legacy_heads(facts: dict, obj: dict) -> None:
    """Prompt/completion rows keep the first and last characters of both texts (the dataset check
    quotes a prefix all prompts share); a head can hold a secret cut short, which `find` no longer
    sees, so both are cut again from the redacted whole texts."""
    for short, side in (("p", "prompt"), ("c", "completion")):
        text = obj.get(side)
        if isinstance(text, str):
            clean = sensitive.redact(text, sensitive.find(text))
            facts[f"{short}_head"], facts[f"{short}_tail"] = clean[:LEGACY_HEAD], clean[-LEGACY_TAIL:]


def _with_more(finding, more: int):
    return replace(finding, message=f"{finding.message} ({more} more secret or personal value(s) in this example)")


def _redacted(text: str | None) -> str | None:
    if not text:
        return text
    hits = sensitive.find(text)
    return sensitive.redact(text, hits) if hits else text
