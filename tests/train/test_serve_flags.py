"""`tunescope serve --trainer hf` flags: what is missing or wrong is said in one line, exit 2, no traceback."""

from __future__ import annotations

import importlib.util

from tunescope.cli import main


def test_without_the_train_extra_it_says_what_to_install(monkeypatch, capsys, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("trl", "peft") else real(name, *a))
    code = main(["serve", "--trainer", "hf", "--base-model", f"tiny={tmp_path}", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "--trainer hf needs trl, peft, which are not installed" in err
    assert "pip install 'tunescope[train]'" in err and "Traceback" not in err


def test_hf_trainer_needs_a_base_model(capsys, tmp_path):
    assert main(["serve", "--trainer", "hf", "--data-dir", str(tmp_path)]) == 2
    assert "needs at least one --base-model NAME=PATH_OR_HUB_ID" in capsys.readouterr().err


def test_malformed_base_model_is_named(capsys, tmp_path):
    assert main(["serve", "--trainer", "hf", "--base-model", "tiny", "--data-dir", str(tmp_path)]) == 2
    assert "--base-model 'tiny': expected NAME=PATH_OR_HUB_ID" in capsys.readouterr().err


def test_base_model_needs_the_real_trainer(capsys, tmp_path):
    assert main(["serve", "--base-model", "tiny=x", "--data-dir", str(tmp_path)]) == 2
    assert "--base-model needs --trainer hf" in capsys.readouterr().err


def test_every_flag_is_documented(capsys):
    try:
        main(["serve", "--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    for flag in ("--trainer", "--base-model", "--adapter", "--learning-rate", "--max-length", "--device", "--launcher"):
        assert flag in out
