"""Model table (built-in + user override), epochs heuristic, billed tokens and cost."""

from __future__ import annotations

import json

import pytest

from tunescope import config
from tunescope.tokens import encodings
from tunescope.checks.model import RecordKind
from tunescope.tokens.cost import BilledTokens, billed_tokens, default_epochs, estimate, sum_min_tokens
from tunescope.tokens.models import DEFAULT_MODEL, ModelTableError, UnknownModel, load_models
from tunescope.tokens.count import TokenCounter


@pytest.mark.parametrize("n,epochs", [
    (1, 25), (3, 25), (4, 25), (5, 20), (10, 10), (20, 5), (32, 3), (33, 3), (100, 3), (8333, 3),
    (8334, 2), (12500, 2), (12501, 1), (100_000, 1),
])
def test_default_epochs_matches_cookbook_table(n, epochs):
    assert default_epochs(n) == epochs


def test_default_epochs_ranges():
    assert all(default_epochs(n) == 3 for n in range(33, 8334))
    assert all(default_epochs(n) == 2 for n in range(8334, 12501))
    assert all(default_epochs(n) == min(25, 100 // n) for n in range(1, 33))


def test_guide_cost_examples():
    table = load_models()
    mini = estimate(100, 100_000, table.get("gpt-4o-mini-2024-07-18"), n_epochs=3)
    assert (mini.epochs, mini.billed_tokens, mini.price_per_1m) == (3, 300_000, 3.0)
    assert mini.usd == pytest.approx(0.90)
    turbo = estimate(100, 100_000, table.get("gpt-3.5-turbo-0125"), n_epochs=3)
    assert turbo.usd == pytest.approx(2.40)
    assert "OAI-GUIDE-24" in mini.price_source and mini.price_date


def test_billed_tokens_caps_each_example_at_the_limit():
    totals = [10, 70_000, 5, 65_536]
    assert sum_min_tokens(totals, 65_536) == 10 + 65_536 + 5 + 65_536
    assert billed_tokens(totals, 65_536, 2) == 2 * (10 + 65_536 + 5 + 65_536)
    assert billed_tokens(totals, None, 1) == sum(totals)
    acc, other = BilledTokens(65_536), BilledTokens(65_536)
    for t in totals[:2]:
        acc.add(t)
    for t in totals[2:]:
        other.add(t)
    acc.merge(other)
    assert (acc.examples, acc.sum_min, acc.over_limit) == (4, sum_min_tokens(totals, 65_536), 1)
    assert billed_tokens(acc.sum_min, 65_536, 3) == 3 * acc.sum_min


def test_estimate_on_a_real_file(datasets_dir):
    table = load_models()
    info = table.get()
    counter = TokenCounter(info.encoding)
    acc = BilledTokens(info.token_limit)
    with open(datasets_dir / "medical_chat_lf.jsonl", encoding="utf-8") as fh:
        for line in fh:
            acc.add(counter.count_record(json.loads(line), RecordKind.CHAT).total)
    cost = estimate(acc.examples, acc.sum_min, info)
    assert acc.examples == 525 and cost.epochs == 3 and cost.epochs_auto
    assert cost.billed_tokens == 3 * acc.sum_min
    assert cost.usd == pytest.approx(cost.billed_tokens * 5.0 / 1e6)
    assert cost.to_dict()["price_source"] == info.price_source


def test_rft_is_billed_per_hour_not_per_token():
    o4 = load_models().get("o4-mini")
    assert o4.name == "o4-mini-2025-04-16" and o4.methods == ("reinforcement",)
    assert o4.price_per_1m is None and o4.price_per_hour == 100.0
    cost = estimate(50, 10_000, o4)
    assert cost.usd is None and cost.price_per_hour == 100.0


def test_builtin_table_is_consistent():
    table = load_models()
    assert table.default_model == DEFAULT_MODEL == table.get().name
    for name in table.names():
        info = table.get(name)
        assert info.encoding == encodings.encoding_for_model(name)
        assert info.price_source, name
        assert info.methods and set(info.methods) <= {"supervised", "dpo", "reinforcement"}
        if info.price_per_1m is not None:
            assert info.price_date, name


@pytest.mark.parametrize("requested,canonical", [
    ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
    ("GPT-4.1-mini", "gpt-4.1-mini-2025-04-14"),
    ("ft:gpt-4.1-mini-2025-04-14:acme:support:AbC123", "gpt-4.1-mini-2025-04-14"),
    ("ft:gpt-4o-mini-2024-07-18:personal:pinolo:9x9umRGJ:ckpt-step-80", "gpt-4o-mini-2024-07-18"),
    ("ft:gpt-4o-mini:openai:custom-model-name:7p4lURel", "gpt-4o-mini-2024-07-18"),
    ("gpt-3.5-turbo", "gpt-3.5-turbo-0125"),
])
def test_get_resolves_aliases_and_fine_tuned_names(requested, canonical):
    info = load_models().get(requested)
    assert info.name == canonical
    assert info.requested == ("" if requested == canonical else requested)


def test_unknown_model_lists_close_matches():
    with pytest.raises(UnknownModel) as err:
        load_models().get("gpt-4.1-mnii")
    assert "gpt-4.1-mini" in err.value.close
    assert "gpt-4.1-mini" in str(err.value) and "models.toml" in str(err.value)
    with pytest.raises(KeyError):
        load_models().get("totally-unrelated")


def test_user_override_merges_by_name():
    path = config.config_dir() / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'default_model = "my-model"\n'
        '[models."gpt-4.1-mini-2025-04-14"]\nprice_per_1m = 4.0\nprice_source = "my invoice"\nprice_date = "2026-01"\n'
        '[models."my-model"]\naliases = ["mine"]\nencoding = "cl100k_base"\ntoken_limit = 4096\n'
        'price_per_1m = 1.0\nprice_source = "contract"\nmethods = ["supervised", "dpo"]\n',
        encoding="utf-8")
    table = load_models()
    mini = table.get("gpt-4.1-mini")
    assert (mini.price_per_1m, mini.price_source, mini.price_date) == (4.0, "my invoice", "2026-01")
    assert mini.token_limit == 65536 and mini.methods == ("supervised", "dpo")   # untouched keys kept
    mine = table.get("mine")
    assert (mine.name, mine.encoding, mine.token_limit) == ("my-model", "cl100k_base", 4096)
    assert table.get().name == "my-model" and path in table.sources
    assert estimate(100, 1000, mine, n_epochs=1).usd == pytest.approx(0.001)


@pytest.mark.parametrize("text,needle", [
    ('[models."x"\nprice_per_1m = 1\n', "invalid TOML"),
    ('[models."x"]\nprice_per_1m = "cheap"\n', "models.x.price_per_1m has the wrong type"),
    ('[models."x"]\ncolour = "red"\n', "unknown key 'colour'"),
    ('[models."x"]\nencoding = "p50k_base"\n', "encoding must be one of"),
    ('[models."x"]\nmethods = ["rlhf"]\n', "methods: unknown"),
    ('default_model = "nope"\n', "default_model 'nope' is not in the model table"),
])
def test_broken_override_names_file_and_problem(text, needle):
    path = config.config_dir() / "models.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelTableError) as err:
        load_models()
    assert str(path) in str(err.value) and needle in str(err.value)


def test_get_or_guess_for_models_outside_the_table():
    table = load_models()
    assert table.get_or_guess("gpt-4.1-mini").token_limit == 65536
    guess = table.get_or_guess("ft:gpt-5-mini-2030-01-01:acme::x1")
    assert guess.encoding == "o200k_base" and guess.token_limit is None and guess.price_per_1m is None
    assert estimate(10, 1000, guess).usd is None
    assert table.get_or_guess("gpt-3.5-turbo-instruct-9999").encoding == "cl100k_base"
