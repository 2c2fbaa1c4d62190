"""QA: checking data with a model that cannot train on its method says so (reference X03)."""


from tests.factories import pref, rft, write_jsonl
from tunescope.checks.run.runner import check_path, options_for_model

DEV = {"role": "developer", "content": "Answer with the city."}


def rft_rows():
    return [rft(DEV, {"role": "user", "content": f"Where is landmark {i}?"}, reference_answer=f"c{i}")
            for i in range(12)]


def pref_rows():
    return [pref([{"role": "user", "content": f"q{i}"}], f"good {i}", f"bad {i}") for i in range(12)]


def unsupported(report):
    return [f for f in report.findings if f.check == "model_method_unsupported"]


def test_reinforcement_data_on_a_supervised_model_is_flagged(tmp_path):
    p = write_jsonl(tmp_path, rft_rows())
    (f,) = unsupported(check_path(p, options_for_model(), use_cache=False))   # default gpt-4.1-mini
    assert "reinforcement" in f.message and "o4-mini" in f.message and f.severity.value == "warning"
    assert not unsupported(check_path(p, options_for_model("o4-mini-2025-04-16"), use_cache=False))


def test_preference_data_on_a_model_without_dpo_is_flagged(tmp_path):
    p = write_jsonl(tmp_path, pref_rows())
    assert unsupported(check_path(p, options_for_model("gpt-3.5-turbo-0125"), use_cache=False))
    assert not unsupported(check_path(p, options_for_model("gpt-4o-mini-2024-07-18"), use_cache=False))


def test_real_supervised_dataset_on_its_model_is_not_flagged(datasets_dir):
    report = check_path(datasets_dir / "cookbook_drone_tools.jsonl", options_for_model(), use_cache=False)
    assert not unsupported(report) and report.summary == {"errors": 0, "warnings": 0, "infos": 0}
