"""`tunescope eval` end to end against the local server: the must-show run (FT beats BASE on exact match)."""

from __future__ import annotations

import json

import yaml

from tests.eval.conftest import BASE, PIRATE, fine_tune
from tunescope import cli
from tunescope.server.chat.simulated import SIMULATION_MARK
from tunescope.server.embedded import start_embedded

FAST = {"speed": 0.002, "queue_delay": 0.05}


def _tuned_data_dir(tmp_path):
    data = tmp_path / "server"
    with start_embedded(data, **FAST) as srv:
        job_id, model = fine_tune(srv)
    return data, job_id, model


def test_fine_tune_beats_base_on_exact_match_over_its_training_file(tmp_path, capsys):
    data, job_id, model = _tuned_data_dir(tmp_path)
    argv = ["eval", str(PIRATE), "--model", BASE, "--model", job_id, "--backend", "local",
            "--local-data-dir", str(data), "--grader", "exact", "--format", "json"]
    assert cli.main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    rates = {m["model"]: m for m in report["models"]}
    assert rates[job_id]["resolved"] == model
    assert rates[job_id]["pass_rate"] == 1.0 and rates[BASE]["pass_rate"] == 0.0
    assert rates[job_id]["n"] == rates[BASE]["n"] == 10
    assert rates[job_id]["graders"]["exact"]["pass_rate"] == 1.0
    lo, hi = rates[job_id]["pass_ci"]
    assert 0.6 < lo < 1.0 == hi                      # Wilson interval of 10/10
    first = report["examples"][0]
    assert first["line"] == 1 and first["answers"][BASE]["answer"].startswith(SIMULATION_MARK)
    assert first["answers"][job_id]["answer"] == first["reference"] and first["answers"][job_id]["passed"]
    assert len(report["flips"]) == 10 and {f["change"] for f in report["flips"]} == {"better"}
    assert report["run"]["requests"] == 20 and report["run"]["cache_hits"] == 0

    # the same run again: every answer from the cache, no request
    assert cli.main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["run"]["requests"] == 0 and again["run"]["cache_hit_rate"] == 1.0
    assert [m["pass_rate"] for m in again["models"]] == [0.0, 1.0]

    # a new grader on the cached answers costs nothing either
    assert cli.main([*argv[:-4], "--grader", "similarity", "--format", "json"]) == 0
    graded = json.loads(capsys.readouterr().out)
    assert graded["run"]["requests"] == 0 and graded["models"][1]["graders"]["similarity"]["mean_score"] == 1.0


def test_fail_under_sample_text_and_export(tmp_path, capsys):
    data, job_id, _ = _tuned_data_dir(tmp_path)
    common = [str(PIRATE), "--backend", "local", "--local-data-dir", str(data), "--sample", "4", "--seed", "7"]
    assert cli.main(["eval", *common, "--model", BASE, "--fail-under", "0.5"]) == 1
    out, err = capsys.readouterr()
    assert "4 of 10 example(s)" in out and "pass" in out and "--fail-under missed" in err
    assert cli.main(["eval", *common, "--model", BASE, "--model", job_id, "--fail-under", "0.5",
                     "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    lines = [e["line"] for e in report["examples"]]
    # the Compare screen's comma-separated form works here too, with the same result
    assert cli.main(["eval", *common, "--model", f"{BASE}, {job_id}", "--fail-under", "0.5", "--format", "json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert [m["model"] for m in again["models"]] == [m["model"] for m in report["models"]] == [BASE, job_id]
    assert cli.main(["eval", *common, "--model", BASE, "--format", "json"]) == 0
    assert [e["line"] for e in json.loads(capsys.readouterr().out)["examples"]] == lines  # same seed, same lines

    out_dir = tmp_path / "pf"
    assert cli.main(["eval", *common, "--model", BASE, "--model", job_id, "--grader", "exact",
                     "--grader", "regex:Arr", "--export", "promptfoo", str(out_dir)]) == 0
    config = yaml.safe_load((out_dir / "promptfooconfig.yaml").read_text())
    tests = yaml.safe_load((out_dir / "tests.yaml").read_text())
    assert [p["label"] for p in config["providers"]] == [BASE, job_id]
    assert config["prompts"] == ["file://prompt.json"] and config["tests"] == "file://tests.yaml"
    assert len(tests) == 4 and tests[0]["assert"][0]["type"] == "equals"
    assert tests[0]["assert"][1] == {"type": "regex", "value": "Arr"}
    assert tests[0]["vars"]["messages"][-1]["role"] == "user"


def test_bad_input_is_one_line_not_a_traceback(tmp_path, capsys):
    assert cli.main(["eval", str(PIRATE), "--model", BASE, "--grader", "regex:(("]) == 2
    assert "not a valid regular expression" in capsys.readouterr().err
    assert cli.main(["eval", str(tmp_path / "missing.jsonl"), "--model", BASE]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert cli.main(["eval", str(PIRATE), "--model", BASE, "--grader", "nope"]) == 2
    assert "unknown grader 'nope'" in capsys.readouterr().err


def test_cost_above_the_limit_needs_yes(make_server, capsys):
    srv = make_server()
    common = ["eval", str(PIRATE), "--model", "gpt-4o-mini", "--backend", "compatible", "--base-url", srv.base_url]
    assert cli.main([*common, "--max-cost", "0"]) == 2
    err = capsys.readouterr().err
    assert "estimated $0.000" in err and "pass --yes" in err         # tokens are counted exactly, priced per model
    assert cli.main([*common, "--max-cost", "0", "--yes", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run"]["requests"] == 10 and report["cost"].startswith("about ")
    assert cli.main([*common, "--max-cost", "0"]) == 0              # every answer cached: nothing left to pay for
    capsys.readouterr()


def test_a_model_no_request_reached_fails_the_run_and_says_why(make_server, capsys):
    srv = make_server()
    common = ["eval", str(PIRATE), "--backend", "compatible", "--base-url", srv.base_url, "--sample", "3"]
    assert cli.main([*common, "--model", "gpt-4o-mini", "--model", "no-such-model"]) == 2
    out, err = capsys.readouterr()
    said = "The model 'no-such-model' does not exist"
    assert f"3 request(s) failed: {said}" in out                   # the text report quotes the error
    assert err.startswith(f"tunescope eval: every request to no-such-model failed: {said}")
    assert cli.main([*common, "--model", "gpt-4o-mini"]) == 0       # the model that answered alone: a result


def test_score_per_checkpoint(tmp_path, capsys):
    data, job_id, model = _tuned_data_dir(tmp_path)
    argv = ["eval", str(PIRATE), "--model", job_id, "--checkpoints", "--backend", "local",
            "--local-data-dir", str(data)]
    assert cli.main([*argv, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    curve = report["checkpoints"][job_id]
    steps = [p["step"] for p in curve]
    assert [p["model"] for p in curve] == [f"{job_id}:ckpt-{steps[0]}", job_id]   # 2 epochs: 2 checkpoints
    assert steps[0] * 2 == steps[1] and curve[0]["pass_rate"] == 0.5 and curve[1]["pass_rate"] == 1.0
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"{job_id} per checkpoint: step {steps[0]} 50% · step {steps[1]} 100% (best: step {steps[1]})" in out
