"""Secrets and personal data in one string: where they are, what kind, a masked excerpt.

Secrets are API keys and tokens with a recognisable shape (OpenAI, Anthropic, AWS, Google,
GitHub, Slack, Stripe, JWTs, PEM private keys), found by the patterns gitleaks and
detect-secrets publish; detect-secrets itself scans files line by line with per-plugin state,
which does not fit a scan of millions of short strings. Personal data: e-mail addresses,
phone numbers (validated by `phonenumbers`), payment card numbers (Luhn-checked by
`stdnum.luhn`, with a card brand's prefix and length) and IBANs (`stdnum.iban`: country
length and check digits). Each scan starts with a C-level substring or regex test, so
ordinary text costs little.

The matched value is never returned on its own for display: callers show `mask(...)`, which
keeps at most a short type prefix or the last few digits.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import orjson
from stdnum import luhn

from tunescope.quality.native import native as _native


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of sensitive value."""

    name: str           # "openai_api_key"
    label: str          # "OpenAI API key"
    secret: bool        # a credential (error) rather than personal data (warning)
    placeholder: str    # what the redact fix writes instead: "[REDACTED_API_KEY]"


@dataclass(frozen=True, slots=True)
class Hit:
    """A sensitive value at text[start:end]."""

    kind: Kind
    start: int
    end: int


API_KEY, TOKEN, PRIVATE_KEY = "[REDACTED_API_KEY]", "[REDACTED_TOKEN]", "[REDACTED_PRIVATE_KEY]"

# (kind, literal markers one of which the text must contain, pattern)
_SECRET_PATTERNS: tuple[tuple[Kind, tuple[str, ...], re.Pattern], ...] = (
    (Kind("anthropic_api_key", "Anthropic API key", True, API_KEY), ("sk-",),
     re.compile(r"\bsk-ant-[A-Za-z0-9_-]{32,}")),
    (Kind("openai_api_key", "OpenAI API key", True, API_KEY), ("sk-",),
     re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}")),
    (Kind("aws_access_key_id", "AWS access key ID", True, API_KEY), ("AKIA", "ASIA"),
     re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    (Kind("aws_secret_access_key", "AWS secret access key", True, API_KEY), ("ecret",),
     re.compile(r"(?i:aws_?secret_?access_?key|aws_?secret)[\"'\s:=]+([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])")),
    (Kind("google_api_key", "Google API key", True, API_KEY), ("AIza",),
     re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    (Kind("google_oauth_secret", "Google OAuth client secret", True, API_KEY), ("GOCSPX-",),
     re.compile(r"\bGOCSPX-[A-Za-z0-9_-]{28}")),
    (Kind("github_token", "GitHub token", True, TOKEN), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat"),
     re.compile(r"\b(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})\b")),
    (Kind("slack_token", "Slack token", True, TOKEN), ("xox",),
     re.compile(r"\bxox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{8,}")),
    (Kind("slack_webhook", "Slack webhook URL", True, TOKEN), ("hooks.slack.com",),
     re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
    (Kind("stripe_secret_key", "Stripe secret key", True, API_KEY), ("k_live_", "k_test_"),
     re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{20,}")),
    (Kind("jwt", "JSON Web Token", True, TOKEN), ("eyJ",),
     re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")),
    (Kind("private_key", "PEM private key", True, PRIVATE_KEY), ("-----BEGIN",),
     re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
                r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?")),
)

EMAIL = Kind("email", "e-mail address", False, "[EMAIL]")
PHONE = Kind("phone", "phone number", False, "[PHONE]")
CARD = Kind("card", "payment card number", False, "[CARD_NUMBER]")
IBAN = Kind("iban", "IBAN", False, "[IBAN]")
KINDS: tuple[Kind, ...] = tuple(k for k, _, _ in _SECRET_PATTERNS) + (EMAIL, PHONE, CARD, IBAN)

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}\b")
# international (+CC ...) or North-American (555) 123-4567 / 555-123-4567 shapes; phonenumbers decides
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d[\d .-]{5,14}\d"
                    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w])")
_CARD = re.compile(r"(?<![\d.,-])(?:\d[ -]?){12,18}\d(?![\d.,]\d)")
_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9])|3(?:0[0-5]|[68])|35")
_IBAN_START = re.compile(r"[A-Z]{2}\d{2}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# documentation domains (RFC 2606/6761): example addresses, not anyone's
_RESERVED = re.compile(r"[@.]example\.(?:com|org|net)$|\.(?:example|test|invalid|localhost)$", re.IGNORECASE)
# every phone, card or IBAN shape holds ten or more digits and separators in a row: one C-level gate
_NUMBER = re.compile(r"\d[\d ().-]{8,}\d")
_MARKERS = tuple(dict.fromkeys(m for _, markers, _ in _SECRET_PATTERNS for m in markers))
_BYTE_MARKERS = tuple(m.encode() for m in _MARKERS)
# the markers grouped under a byte each of them holds ("_", "-", "A"): one memchr rules out a group
_GROUPED_MARKERS = tuple(
    (key, tuple(m for m in _BYTE_MARKERS if key in m and not any(k in m for k in keys[:at])))
    for keys in ((b"_", b"-", b"A"),) for at, key in enumerate(keys))
_UNGROUPED_MARKERS = tuple(m for m in _BYTE_MARKERS if not any(m in group for _, group in _GROUPED_MARKERS))
_BYTE_NUMBER = re.compile(_NUMBER.pattern.encode())


@dataclass(frozen=True, slots=True)
class Gates:
    """Which scans can find anything in a text or a whole JSON line (cheap C-level tests)."""

    secrets: bool
    emails: bool
    numbers: bool

    def __bool__(self) -> bool:
        return self.secrets or self.emails or self.numbers


def gates(data: str | bytes, personal: bool = True) -> Gates:
    """The gates of `data`: a whole JSON line (the markers are ASCII, which JSON never escapes)
    tested once, so a row without any marker skips the per-string scans altogether."""
    if isinstance(data, bytes):
        if _native is not None:
            secrets, at_sign, number_like = _native.line_gates(data, _BYTE_MARKERS)
            return Gates(secrets, personal and at_sign, personal and number_like)
        secrets = any(map(data.__contains__, _UNGROUPED_MARKERS)) or any(
            key in data and any(map(data.__contains__, group)) for key, group in _GROUPED_MARKERS)
        number, at = _BYTE_NUMBER, b"@"
    else:
        secrets, number, at = any(map(data.__contains__, _MARKERS)), _NUMBER, "@"
    return Gates(secrets, personal and at in data, personal and number.search(data) is not None)


def find(text: str, personal: bool = True, gate: Gates | None = None) -> list[Hit]:
    """Sensitive values in `text`, by position, without overlaps (a secret wins over personal data).
    `gate`: the gates of the line `text` is in (a closed gate skips that scan)."""
    hits: list[Hit] = []
    if (gate is None or gate.secrets) and any(map(text.__contains__, _MARKERS)):
        _secrets(text, hits)
    if personal:
        if (gate is None or gate.emails) and "@" in text:
            hits.extend(Hit(EMAIL, *m.span()) for m in _EMAIL.finditer(text) if not _RESERVED.search(m.group(0)))
        if (gate is None or gate.numbers) and _NUMBER.search(text) is not None:
            _numbers(text, hits)
    return _without_overlaps(hits)


def _secrets(text: str, hits: list[Hit]) -> None:
    for kind, markers, pattern in _SECRET_PATTERNS:
        if any(map(text.__contains__, markers)):
            for m in pattern.finditer(text):
                if kind.name == "jwt" and not _is_jwt(m.group(0)):
                    continue
                span = m.span(1) if kind.name == "aws_secret_access_key" else m.span()
                hits.append(Hit(kind, *span))


def _numbers(text: str, hits: list[Hit]) -> None:
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(0))
        if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn.is_valid(digits) \
                and len(set(digits)) > 1:
            hits.append(Hit(CARD, *m.span()))
    if _IBAN_START.search(text):
        from stdnum import iban as stdnum_iban    # 0.2 s of import (its registry): only when a candidate shows up
        for m in _IBAN.finditer(text):
            if stdnum_iban.is_valid(m.group(0)):
                hits.append(Hit(IBAN, *m.span()))
    for m in _PHONE.finditer(text):
        import phonenumbers   # ~40 ms of import: only when a phone-shaped number shows up
        candidate = m.group(0)
        try:
            number = phonenumbers.parse(candidate, None if candidate.startswith("+") else "US")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            hits.append(Hit(PHONE, *m.span()))


def _is_jwt(token: str) -> bool:
    """The first segment decodes to a JSON object with "alg" (a JWT header)."""
    head = token.split(".", 1)[0]
    try:
        header = orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return False
    return isinstance(header, dict) and "alg" in header


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h.start, not h.kind.secret, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if out and h.start < out[-1].end:
            continue
        out.append(h)
    return out


def mask(value: str, kind: Kind) -> str:
    """A masked excerpt that tells what it is without revealing it: a short type prefix for keys
    (`sk-p…` 51 chars), the first letter and the domain's end for e-mail, the last digits for
    numbers (as receipts print cards)."""
    n = len(value)
    if kind is EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@***{domain[domain.rfind('.'):]}"
    if kind in (PHONE, CARD, IBAN):
        digits = re.sub(r"[^0-9A-Za-z]", "", value)
        keep = 2 if kind is PHONE else 4
        head = digits[:2] if kind is IBAN else ""
        return f"{head}{'*' * max(len(digits) - keep - len(head), 3)}{digits[-keep:]}"
    if kind.name == "private_key":
        return f"-----BEGIN … PRIVATE KEY----- ({n:,} chars)"
    prefix = re.match(r"[A-Za-z]+[-_](?:[a-z]+[-_])?", value) if kind.name != "jwt" else None
    shown = prefix.group(0)[:8] if prefix else value[:3]
    shown = shown[:min(len(shown), max(n // 5, 2))]
    return f"{shown}… ({n} chars)"


def redact(text: str, hits: list[Hit]) -> str:
    """`text` with each hit replaced by its kind's placeholder."""
    out = []
    last = 0
    for h in hits:
        out.append(text[last:h.start])
        out.append(h.kind.placeholder)
        last = h.end
    out.append(text[last:])
    return "".join(out)
