"""Mapping real provider messages back to the dataset, metrics from text, results decoding, masking."""

from __future__ import annotations

import base64

import pytest

from tunescope.jobs.client import parse_results
from tunescope.jobs.errors import mask_key, redact
from tunescope.jobs.types import Event, JobFailure, Metrics

# Real messages quoted in ../shared/reference/finetuning-api.md §2.5 and validation-checks.md
REAL = [
    ("invalid_training_file", "training_file",
     "The job failed due to an invalid training file. Invalid file format. Example 100, message 2 "
     "Discriminator 'role' is missing in value", ("training", 100, 1, None, None)),
    ("invalid_file_format", None,
     'The job failed due to a file format error in the training file. Invalid file format. Example 1 contains '
     'an extra "weight".', ("training", 1, None, "weight", None)),
    (None, None,
     "The job failed due to a file format error in the training file. Invalid file format. Example 6174 message "
     "contains an invalid token: <|fim_suffix|>.", ("training", 6174, None, None, None)),
    ("invalid_n_examples", "training_file", "Training file has 7 example(s), but must have at least 10 examples",
     ("training", None, None, None, 7)),
    ("invalid_validation_file", "validation_file",
     "The job failed due to an invalid validation file. Invalid file format. Example 3, message 1 "
     "Discriminator 'role' is missing in value", ("validation", 3, 0, None, None)),
    (None, None, "Invalid file format. Example 1 is missing key 'input'.", ("training", 1, None, "input", None)),
    (None, None, "Invalid file format. Example 1273 cannot be parsed. Error: line contains invalid json: "
     "Expecting ',' delimiter: line 1 column 79 (char 78) (line 1273)", ("training", 1273, None, None, None)),
    (None, None, "This training file was blocked by our moderation system because it contains too many examples "
     "that violate OpenAI's usage policies", ("training", None, None, None, None)),
]


@pytest.mark.parametrize("code,param,message,expected", REAL)
def test_failure_parse_real_messages(code, param, message, expected):
    f = JobFailure.parse(code, message, param)
    assert (f.file, f.line, f.message_index, f.key, f.n_examples) == expected
    assert f.message == message
    finding = f.finding()
    assert finding.line == f.line and finding.message_index == f.message_index
    assert finding.example == (f.line - 1 if f.line else None)


def test_metrics_from_data_and_from_text_only():
    data = {"step": 300, "train_loss": 0.00136, "valid_loss": 5.7e-05, "total_steps": 300,
            "full_valid_loss": 0.0531, "train_mean_token_accuracy": 1.0, "valid_mean_token_accuracy": 1.0,
            "full_valid_mean_token_accuracy": 0.6706, "train_reward_mean": 0.4}
    m = Metrics.from_data(data)
    assert (m.step, m.total_steps, m.full_valid_loss, m.full_valid_mean_token_accuracy) == (300, 300, 0.0531, 0.6706)
    assert m.extra == {"train_reward_mean": 0.4}
    # 2023-style event: no data payload, numbers only in the text
    ev = Event.from_sdk({"id": "ftevent-1", "created_at": 1, "level": "info", "type": "metrics", "data": None,
                         "message": "Step 131/303: training loss=0.45, validation loss=0.61"})
    assert (ev.metrics.step, ev.metrics.total_steps, ev.metrics.train_loss, ev.metrics.valid_loss) == (131, 303, 0.45, 0.61)
    plain = Event.from_sdk({"id": "ftevent-2", "created_at": 2, "level": "info", "message": "Fine-tuning job started",
                            "data": None, "type": "message"})
    assert plain.metrics is None


def test_results_csv_decodes_base64_and_plain():
    csv_text = b"step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,1.52347,0.0,,\n2,1.1,0.5,1.3,0.4\n"
    for raw in (base64.b64encode(csv_text), csv_text):
        rows = parse_results(raw)
        assert rows == [{"step": 1, "train_loss": 1.52347, "train_accuracy": 0.0, "valid_loss": None,
                         "valid_mean_token_accuracy": None},
                        {"step": 2, "train_loss": 1.1, "train_accuracy": 0.5, "valid_loss": 1.3,
                         "valid_mean_token_accuracy": 0.4}]


def test_keys_are_masked_and_redacted():
    key = "sk-proj-AbCdEf0123456789xyzWXYZ"
    assert mask_key(key) == "sk-...WXYZ"
    assert mask_key("short") == "***" and mask_key(None) == "(none)"
    text = f"Incorrect API key provided: {key}. And azure 0123456789abcdef0123456789abcdef."
    out = redact(text, (key,))
    assert key not in out and "0123456789abcdef0123456789abcdef" not in out and "sk-...WXYZ" in out


def test_findings_a_backend_reports_are_declared_checks():
    """`server_rejected` and `vendor_file_check` were bare strings: `tunescope checks` and the docs did not list them."""
    from tunescope.checks import CHECKS
    from tunescope.providers.vendor_sdk import FILE_CHECK

    finding = JobFailure.parse("invalid_training_file", "Example 3, message 2: bad role", None).finding()
    assert CHECKS[finding.check].area == "provider" and CHECKS[finding.check].severity == finding.severity
    assert CHECKS[FILE_CHECK].area == "provider"
