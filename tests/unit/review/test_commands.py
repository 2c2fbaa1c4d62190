"""review.commands: what each key of the dataset screen does, as Outcomes (no Textual)."""

from __future__ import annotations

import json
import os

import orjson

from tests.unit.review.helpers import chat, review_of, write_rows
from tunescope.review.json_text import EditorUnavailable, json_problem
from tunescope.review.outcome import Outcome
from tunescope.review.saving import Saved, SaveRefusal
from tunescope.review.saving import write_rows as write_session


def rows_of(review) -> list[dict]:
    return [orjson.loads(review.session.get(i)) for i in range(len(review.session))]


def test_keys_are_greyed_out_with_a_reason_until_they_can_work(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")]), check=False)
    assert review.availability("delete") is True and review.availability("goto_line") is True
    assert review.availability("undo") is None and review.unavailable_reason("undo") == "Nothing to undo."
    assert review.availability("save") is None and "No unsaved edits" in review.unavailable_reason("save")
    review.delete(0)
    assert review.availability("undo") is True and review.availability("save") is True
    review.delete(0)
    assert review.availability("edit") is None and "the list is empty" in review.unavailable_reason("edit")


def test_an_edit_says_what_changed_and_invalid_json_brings_the_editor_back(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")]), check=False)
    opened = review.open_editor(1)
    assert opened.editor.title == "line 2" and json.loads(opened.editor.text) == chat("b")
    done = review.edit(1, json.dumps(chat("changed"), indent=2))
    assert done.refresh_rows and done.toast_text == "edit row 2 — u to undo"
    assert rows_of(review)[1] == chat("changed")
    same = review.edit(1, json.dumps(chat("changed")))
    assert same.toast is None and same.notice.text == "no change" and same.refresh_rows
    broken = review.edit(0, '{"messages": [}')
    assert not broken.refresh_rows and broken.editor.row == 0 and "line 1" in broken.editor.error
    assert broken.editor.text == '{"messages": [}'                       # the text comes back as typed
    assert review.edit(0, '{"x": NaN}').editor is not None                # one parser: NaN is refused
    assert review.open_editor(None).editor is None


def test_the_editor_validates_with_the_sessions_parser():
    assert json_problem('{"a": 1}') is None
    assert json_problem('{"a": NaN}').startswith("invalid JSON at line 1, column")
    assert json_problem('{\n  "a": 1\n  "b": 2\n}').startswith("invalid JSON at line 3, column")
    assert json_problem("[1, 2]") == "an example must be a JSON object, not list"
    assert json_problem('{"big": 123456789012345678901234567890}') is None


def test_delete_undo_and_redo(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b"), chat("c")]), check=False)
    assert review.delete(1).toast_text == "delete row 2 — u to undo" and len(review.session) == 2
    assert review.undo().toast == "undid: delete row 2" and len(review.session) == 3
    assert review.redo().toast == "redid: delete row 2" and len(review.session) == 2
    assert review.redo().toast == "nothing to redo"
    assert review.delete(None) == Outcome()


def test_weight_toggles_on_the_selected_assistant_message_and_says_why_not(tmp_path):
    dpo = {"input": {"messages": [{"role": "user", "content": "Hi"}]},
           "preferred_output": [{"role": "assistant", "content": "Hello"}],
           "non_preferred_output": [{"role": "assistant", "content": "Go away"}]}
    prompt_only = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]}
    review = review_of(write_rows(tmp_path / "d.jsonl", [dpo, prompt_only, chat("q")]), check=False)
    assert "no messages list" in review.toggle_weight(0, None, True).notice.text
    assert "no assistant message" in review.toggle_weight(1, 0, True).notice.text
    assert "Select an assistant message first" in review.toggle_weight(2, 1, True).notice.text   # the user's
    assert "Select an assistant message first" in review.toggle_weight(2, 2, False).notice.text  # not shown
    assert not review.session.dirty
    assert review.toggle_weight(2, 2, True).refresh_rows
    assert rows_of(review)[2]["messages"][2]["weight"] == 0
    review.toggle_weight(2, 2, True)
    assert "weight" not in rows_of(review)[2]["messages"][2]


def test_fixes_preview_apply_and_say_when_nothing_changes(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat(" padded "), chat("b"), chat("b")]), check=False)
    assert review.fix_preview("strip_whitespace") == 1 and review.fix_preview("dedupe") == 1
    done = review.apply_fix("dedupe")
    assert done.refresh_rows and done.undo_hint == "u to undo" and len(review.session) == 2
    assert review.apply_fix("dedupe").notice.text.endswith("nothing to change")
    assert review.apply_fix("no_such_fix").notice.severity == "error"


def test_save_writes_in_a_worker_and_the_session_continues_on_the_written_file(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")])
    review = review_of(path)
    assert review.save().notice.text == "no unsaved edits"
    review.delete(0)
    asked = review.save()
    assert asked.save is not None and review.saving and review.availability("delete") is None
    assert "Saving" in review.unavailable_reason("delete") and review.availability("copy") is True
    assert review.session.dirty                                          # the worker changes nothing shared
    saved = write_session(asked.save)
    assert isinstance(saved, Saved) and saved.path == str(path) and "1 rows" in saved.detail
    assert review.session.dirty and review.session.index is not saved.index
    done = review.saved(saved)
    assert done.recheck and done.toast.startswith(f"saved {path}") and not review.saving
    assert not review.session.dirty and review.state.index is saved.index is review.session.index
    assert [json.loads(line) for line in path.read_text().splitlines()] == [chat("b")]


def test_a_save_refused_because_the_file_changed_offers_save_as(tmp_path):
    path = write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")])
    review = review_of(path)
    review.delete(1)
    request = review.save().save
    os.replace(write_rows(tmp_path / "other.jsonl", [chat("x")]), path)   # replaced by another program
    refusal = write_session(request)
    assert isinstance(refusal, SaveRefusal) and refusal.changed_on_disk and refusal.save_as_blocked is None
    said = review.save_refused(refusal)
    assert said.offer_save_as == refusal.reason and said.notice.title == "Not saved" and not review.saving
    assert review.save_as_default() == str(tmp_path / "d.edited.jsonl")
    saved = write_session(review.save(review.save_as_default()).save)      # elsewhere: works
    assert isinstance(saved, Saved) and json.loads((tmp_path / "d.edited.jsonl").read_text()) == chat("a")


def test_the_external_editor_round_trip(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a")]), check=False)

    def editor_writes(text: str):
        def run(command: list[str]) -> int:
            assert command[:2] == ["my-editor", "--wait"]
            with open(command[-1], "w") as fh:
                fh.write(text)
            return 0
        return run
    assert review.edit_externally(0, None, editor_writes("")).notice.title == "No external editor"
    assert review.edit_externally(0, "my-editor --wait", editor_writes(json.dumps(chat("new")))).refresh_rows
    assert rows_of(review) == [chat("new")]
    assert review.edit_externally(0, "my-editor --wait", editor_writes("{oops")).editor.error
    assert "status 3" in review.edit_externally(0, "my-editor --wait", lambda c: 3).notice.text

    def unavailable(command):
        raise EditorUnavailable("press e instead")
    assert review.edit_externally(0, "my-editor --wait", unavailable).notice.text == "press e instead"


def test_moving_around_and_copying(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), b"not json", chat("c"), b"{}"]))
    assert review.next_error(0, 1).cursor == 1 and review.next_error(1, 1).cursor == 3
    assert review.next_error(3, 1).notice.text == "no more examples with errors below"
    assert review.goto_line(3).cursor == 2
    assert "is not in this file (1–4)" in review.goto_line(9).notice.text
    review.delete(0)
    assert review.goto_line(1, missing="line 1 was deleted").notice.text == "line 1 was deleted"
    assert review.line_of(0) == 2 and review.line_of(None) is None
    copied = review.copy(0)
    assert copied.clipboard == "not json" and copied.notice.text.startswith("copied line 2 (8 characters)")


def test_the_file_notice_is_said_once(tmp_path):
    review = review_of(write_rows(tmp_path / "d.jsonl", [chat("a"), chat("b")]))
    notice = review.file_notice_for(review.state.report)
    assert notice.title == "About this file" and "examples" in notice.text
    assert review.file_notice_for(review.state.report) is None


def test_the_file_notice_quotes_the_first_sentence_of_each_finding():
    # every finding in full made a toast that covered half an 80x24 screen at every open
    from types import SimpleNamespace

    from tunescope.checks.findings import Finding, Severity
    from tunescope.review.outcome import GIST_CHARS, file_notice, gist

    deadline = ("gpt-4.1-mini-2025-04-14 shuts down on 2027-01-14 (in 39 days), and every fine-tune built on it "
                "goes the same day. OpenAI accepts new fine-tuning jobs until 2027-01-06. Azure OpenAI keeps training.")
    few = "The file has 10 examples; improvements usually appear from 50-100 well-crafted examples."
    report = SimpleNamespace(facts=SimpleNamespace(findings=[]), findings=[
        Finding("model_retiring", Severity.WARNING, deadline, "Start and evaluate jobs well before then. Then move."),
        Finding("few_examples", Severity.WARNING, few), Finding("empty_content", Severity.WARNING, "x", line=3)])
    notice, said = file_notice(report)
    assert notice.text.splitlines() == [
        "▲ gpt-4.1-mini-2025-04-14 shuts down on 2027-01-14 (in 39 days), and every fine-tune built on it goes the "
        "same day.", f"▲ {few}", "→ Start and evaluate jobs well before then."]
    assert said == ("few_examples", "model_retiring") and all(len(line) <= GIST_CHARS + 2 for line in notice.text.splitlines())
    assert gist("One. Two.") == "One." and gist("gpt-4.1-mini is fine") == "gpt-4.1-mini is fine"
    assert gist("x" * 200, 20) == "x" * 19 + "…"
