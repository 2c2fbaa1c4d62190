"""The status line at 80 columns: the active filter stays visible (it was dropped when long)."""

from textual.content import Content

from tunescope.tui.widgets.dataset.status_bar import Status, StatusBar

WIDTH = 78          # an 80-column terminal less the bar's padding


def line(**fields) -> str:
    base = dict(file="customer_support_train.jsonl", format="chat", lines=12_345, errors=2, warnings=5,
                model="gpt-4o-mini-2024-07-18")
    return Content.from_markup(StatusBar.render_status(Status(**{**base, **fields}), WIDTH)).plain


def test_a_long_filter_is_shortened_not_dropped_and_keeps_its_count():
    text = line(view="filter: check tool_call_arguments_invalid_json (1,234)")
    assert len(text) <= WIDTH
    assert "check tool_call_arg" in text and text.endswith("… (1,234)")
    assert "✗ 2 ▲ 5" in text


def test_the_filter_stays_while_checking_and_with_a_sort():
    text = line(view="filter: check assistant_message_missing (3), sorted by tokens", phase="checking",
                done=3, total=10)
    assert len(text) <= WIDTH and "check assistant" in text and "checking" in text


def test_a_short_filter_is_shown_whole():
    assert "filter: errors (3)" in line(view="filter: errors (3)")


def test_names_with_brackets_are_shown_as_written():
    # textual.markup.escape left "[EMAIL]" alone: it read as a tag and vanished from the file name
    text = line(file="train[v2] [EMAIL].jsonl", view="/[/]x match 1 of 2")
    assert "train[v2] [EMAIL].jsonl" in text and "/[/]x match 1 of 2" in text
    assert "team/[REDACTED]-ft (exact)" in line(file="t.jsonl", model="team/[REDACTED]-ft")
