"""Secrets and personal data: each detector with a failing and a passing case, masks that never
reveal the value, the checks over every string the model sees, and the redact fix's round trip."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import write_jsonl
from tunescope.checks.example.analyze import analyze_line
from tunescope.checks.model import CheckOptions
from tunescope.checks.report_text import render_text
from tunescope.checks.run.runner import check_path
from tunescope.editing.session import EditSession
from tunescope.quality import sensitive

# Made-up values of each shape (none is a live credential).
OPENAI = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2
ANTHROPIC = "sk-ant-api03-" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe" * 3
AWS_ID = "AKIAZ3MPLE7QW2RT5YUI"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY"
GOOGLE = "AIzaSyD3" + "x7Kq9Lm2Np4Rs6Tu8Vw0Yz1Ab3Cd5Ef"
GITHUB = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
STRIPE = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZ"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ."
       "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----"

# (kind, text with the value, close variant without one, the value)
CASES = [
    ("openai_api_key", f"use {OPENAI} here", "use sk-proj-xxxx here", OPENAI),
    ("anthropic_api_key", f"ANTHROPIC_API_KEY={ANTHROPIC}", "ANTHROPIC_API_KEY=sk-ant-...", ANTHROPIC),
    ("aws_access_key_id", f"id {AWS_ID}", "id AKIA-EXAMPLE", AWS_ID),
    ("aws_secret_access_key", f"aws_secret_access_key = {AWS_SECRET}", f"secret = {AWS_SECRET[:20]}", AWS_SECRET),
    ("google_api_key", f"key={GOOGLE}", "key=AIza...", GOOGLE),
    ("github_token", f"token {GITHUB}", "token ghp_<your token>", GITHUB),
    ("slack_token", f"SLACK={SLACK}", "SLACK=xoxb-your-token", SLACK),
    ("stripe_secret_key", f"stripe {STRIPE}", "stripe pk_live_51HqLyjWDarjtT1zdp7dcXYZ", STRIPE),
    ("jwt", f"Authorization: Bearer {JWT}", "Authorization: Bearer eyJ.not.a.token", JWT),
    ("private_key", f"key:\n{PEM}\n", "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----", PEM),
    ("email", "write to jane.roe@gmail.com today", "write to jane.roe@example.com today", "jane.roe@gmail.com"),
    ("phone", "call +44 20 7946 0958 now", "call +44 20 79 now", "+44 20 7946 0958"),
    ("phone", "office (212) 456-7890.", "office (012) 456-7890.", "(212) 456-7890"),
    ("card", "card 4111 1111 1111 1111 exp 12/29", "card 4111 1111 1111 1112 exp 12/29", "4111 1111 1111 1111"),
    ("iban", "IBAN DE89 3704 0044 0532 0130 00.", "IBAN DE88 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"),
    ("iban", "to GB82WEST12345698765432", "to GB82WEST1234569876543", "GB82WEST12345698765432"),
]


@pytest.mark.parametrize("kind,bad,good,value", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_detector_finds_its_value_and_not_the_close_variant(kind, bad, good, value):
    hits = sensitive.find(bad)
    assert [(h.kind.name, bad[h.start:h.end]) for h in hits] == [(kind, value)]
    assert sensitive.find(good) == []
    assert sensitive.gates(bad.encode())     # the line gate lets the row through
    shown = sensitive.mask(value, hits[0].kind)
    assert value not in shown and not _shares_a_run(shown, value, 6)


def _shares_a_run(shown: str, value: str, n: int) -> bool:
    """Whether the mask shows any n consecutive characters of the value past its type prefix."""
    if value.startswith("-----BEGIN"):            # a PEM block: its header and footer are no secret
        body = "".join(line for line in value.splitlines() if not line.startswith("-----"))
    else:
        body = value[8:] if len(value) > 20 else value[3:]
    return any(body[i:i + n] in shown for i in range(len(body) - n + 1))


def test_ordinary_text_and_numbers_are_not_flagged():
    text = ("In 2024 the order 1234567890123 shipped; call ext. 4455 or see ISBN 978-3-16-148410-0. "
            "The sum is 123,456,789.00 and the id is 550e8400-e29b-41d4-a716-446655440000. sk-learn, ghp, eyJ.")
    assert sensitive.find(text) == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=40, max_size=60))
def test_masks_never_contain_the_value(body):
    for value, kind in ((f"sk-proj-{body}", "openai_api_key"), (f"ghp_{body[:36].ljust(36, 'x')}", "github_token")):
        hits = sensitive.find(f"x {value} y")
        assert [h.kind.name for h in hits] == [kind]
        shown = sensitive.mask(value, hits[0].kind)
        assert body[:12] not in shown and not _shares_a_run(shown, value, 5)


def _row(user: str, reply: str = "ok", **extra) -> bytes:
    return orjson.dumps({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
                         **extra})


def test_checks_cover_tool_arguments_tool_results_definitions_and_parts():
    row = orjson.dumps({
        "tools": [{"type": "function", "function": {"name": "send", "description": f"uses {GITHUB}",
                                                    "parameters": {"type": "object", "properties": {}}}}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "mail jane.roe@gmail.com"}]},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "send", "arguments": orjson.dumps({"key": OPENAI}).decode()}}]},
            {"role": "tool", "tool_call_id": "c1", "content": f"sent with {STRIPE}"},
            {"role": "assistant", "content": "Done."}]})
    _, an = analyze_line(row, 1, 0, CheckOptions())
    found = {(f.check, f.path) for f in an.findings if f.check in ("secret_in_text", "email_address")}
    assert found == {("secret_in_text", "$.tools[0].function.description"),
                     ("email_address", "$.messages[0].content[0].text"),
                     ("secret_in_text", "$.messages[1].tool_calls[0].function.arguments"),
                     ("secret_in_text", "$.messages[2].content")}
    secret = next(f for f in an.findings if f.path.endswith("arguments"))
    assert secret.severity.value == "error" and secret.message_index == 1 and "OpenAI API key" in secret.message
    for value in (GITHUB, OPENAI, STRIPE, "jane.roe@gmail.com"):
        assert all(value not in f.message + f.hint for f in an.findings)


def test_dpo_and_rft_fields_are_scanned():
    dpo = orjson.dumps({"input": {"messages": [{"role": "user", "content": "hi"}]},
                        "preferred_output": [{"role": "assistant", "content": f"key {AWS_ID}"}],
                        "non_preferred_output": [{"role": "assistant", "content": "no"}]})
    rft = orjson.dumps({"messages": [{"role": "user", "content": "What is the IBAN?"}],
                        "reference_answer": "DE89 3704 0044 0532 0130 00"})
    for row, check, path in ((dpo, "secret_in_text", "$.preferred_output[0].content"),
                             (rft, "iban_number", "$.reference_answer")):
        _, an = analyze_line(row, 1, 0, CheckOptions())
        assert (check, path) in {(f.check, f.path) for f in an.findings}


def test_report_and_cached_texts_never_hold_the_secret(tmp_path, isolated_home):
    path = write_jsonl(tmp_path, [_row(f"my key is {OPENAI}", f"Your card 4111 1111 1111 1111 and {SLACK}",
                                       ) for _ in range(2)] + [_row("plain", "text")])
    report = check_path(str(path), CheckOptions(), workers=1)
    assert {f.check for f in report.findings} >= {"secret_in_text", "payment_card_number"}
    out = render_text(report, 50) + orjson.dumps(report.to_json()).decode()
    for value in (OPENAI, SLACK, "4111 1111 1111 1111"):
        assert value not in out
    _, an = analyze_line(_row(f"my key is {OPENAI}"), 1, 0, CheckOptions())
    assert OPENAI not in an.preview and "[REDACTED_API_KEY]" in an.preview
    cache_bytes = b"".join(p.read_bytes() for p in isolated_home.rglob("*") if p.is_file())
    assert cache_bytes      # the result cache was written...
    assert OPENAI.encode() not in cache_bytes and SLACK.encode() not in cache_bytes


def test_prompt_completion_heads_never_hold_the_secret(tmp_path, isolated_home):
    # legacy rows keep the first 40 characters of each prompt for the shared-prefix check: a key cut
    # short there is no longer a key to `find`, so the heads are cut from the redacted texts
    rows = [orjson.dumps({"prompt": f"{OPENAI} question {i} ->", "completion": f" answer {i}\n"}) for i in range(20)]
    path = write_jsonl(tmp_path, rows)
    report = check_path(str(path), CheckOptions(), workers=1)
    assert "secret_in_text" in {f.check for f in report.findings}
    out = render_text(report, 50) + orjson.dumps(report.to_json()).decode()
    cache_bytes = b"".join(p.read_bytes() for p in isolated_home.rglob("*") if p.is_file())
    assert OPENAI[:12] not in out and OPENAI[:12].encode() not in cache_bytes
    assert "[REDACTED_API_KEY]" in out      # the shared prefix is still reported, redacted


def test_redact_fix_round_trip(tmp_path):
    args = orjson.dumps({"to": "jane.roe@gmail.com", "key": GOOGLE}).decode()
    rows = [
        _row(f"key {OPENAI} and mail jane.roe@gmail.com", "Call +44 20 7946 0958."),
        orjson.dumps({"messages": [{"role": "user", "content": "send"},
                                   {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
                                       "name": "send", "arguments": args}}]},
                                   {"role": "tool", "tool_call_id": "c", "content": "ok"},
                                   {"role": "assistant", "content": "sent"}]}),
        _row("nothing here", "fine"),
    ]
    s = EditSession.open(write_jsonl(tmp_path, rows))
    report = s.apply_fix("redact_sensitive")
    assert [c.row for c in report.changes] == [0, 1]
    assert all(OPENAI not in c.reason and "gmail" not in c.reason for c in report.changes)
    assert report.changes[0].reason == "redacted 1 OpenAI API key, 1 e-mail address, 1 phone number"
    first = orjson.loads(s.get(0))["messages"]
    assert first[0]["content"] == "key [REDACTED_API_KEY] and mail [EMAIL]"
    assert first[1]["content"] == "Call [PHONE]."
    call = orjson.loads(orjson.loads(s.get(1))["messages"][1]["tool_calls"][0]["function"]["arguments"])
    assert call == {"to": "[EMAIL]", "key": "[REDACTED_API_KEY]"}
    assert s.get(2) == rows[2]
    for i in range(3):     # nothing is left for the checks to find
        _, an = analyze_line(s.get(i), i + 1, i, CheckOptions())
        assert not [f for f in an.findings if f.check in ("secret_in_text", "email_address", "phone_number")]
    s.undo()
    assert [s.get(i) for i in range(3)] == rows


def test_redact_fix_secrets_only_keeps_personal_data(tmp_path):
    s = EditSession.open(write_jsonl(tmp_path, [_row(f"{STRIPE} jane.roe@gmail.com")]))
    s.apply_fix("redact_sensitive", secrets_only=True)
    assert orjson.loads(s.get(0))["messages"][0]["content"] == "[REDACTED_API_KEY] jane.roe@gmail.com"


def test_string_walk_is_in_document_order_and_survives_deep_nesting():
    from tunescope.quality.strings import iter_strings, json_path
    obj = {"a": "x", "b": [1, "y", {"c": "z"}], "d": None}
    assert [(json_path(p), t) for p, t in iter_strings(obj)] == [("$.a", "x"), ("$.b[1]", "y"), ("$.b[2].c", "z")]
    deep: object = "sk"
    for _ in range(5000):
        deep = [deep]
    assert [t for _, t in iter_strings(deep)] == ["sk"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="_-AKISaizxoyJeEcrt sk-gh.plack0P", max_size=40),
       st.sampled_from(sensitive._BYTE_MARKERS + (b"",)), st.integers(0, 40))
def test_the_grouped_line_gate_is_the_plain_marker_test(filler, marker, at):
    """gates() tests the markers in groups under one byte each; it opens exactly when some marker is
    in the line."""
    data = filler[:at].encode() + marker + filler[at:].encode()
    assert sensitive.gates(data).secrets == any(m in data for m in sensitive._BYTE_MARKERS)


def test_the_list_preview_never_shows_a_found_secret(tmp_path):
    # the list's text column quotes the first user message: for a row with a finding it is the checker's
    # redacted preview (the viewer still shows the row as it is)
    from tests.unit.review.helpers import review_of
    path = write_jsonl(tmp_path, [_row(f"my key is {OPENAI} please", "no"), _row("plain question", "answer")])
    review = review_of(path)
    state = review.state
    shown = [state.row_view(d).preview for d in range(state.display_count())]
    assert all(OPENAI[:12] not in p for p in shown)
    assert "[REDACTED_API_KEY]" in shown[0] and shown[1].startswith("plain question")
