"""QA: the result cache never serves one method's verdicts to another."""

import json

from tunescope.checks.run.runner import check_path, options_for_model


def rft_file(tmp_path):
    rows = [{"messages": [{"role": "developer", "content": "Answer with the city."},
                          {"role": "user", "content": f"Where is landmark {i}?"}],
             "reference_answer": f"city {i}"} for i in range(12)]
    p = tmp_path / "rft.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


def test_checking_with_another_method_does_not_poison_the_cache(tmp_path):
    p = rft_file(tmp_path)
    inferred = check_path(p, options_for_model(), use_cache=True)
    assert inferred.format == "reinforcement" and inferred.summary["errors"] == 0
    supervised = check_path(p, options_for_model(method="supervised"), use_cache=True)
    assert supervised.summary["errors"] > 0          # as supervised data every row lacks an assistant reply
    again = check_path(p, options_for_model(), use_cache=True)
    # was: the supervised verdicts came back from the cache (format chat, 36 errors)
    assert again.format == "reinforcement" and again.summary == inferred.summary
