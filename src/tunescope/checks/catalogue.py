"""The dataset-wide checks, still registered from a table (transitional).

Every per-example and file-level check is declared beside the code that emits it
(checks/registry.py). The rows below are the dataset-wide checks, which move into
their collectors in checks/dataset/; until then this module registers them, and
`tunescope.checks` imports it so that `CHECKS` is complete.
Reference ids (D01, L11, X02, ...) point at ../shared/reference/validation-checks.md.
"""

from __future__ import annotations

from tunescope.checks.registry import CHECKS, E, I, W, Severity, check  # noqa: F401  (CHECKS: read by checks/dataset)


_TABLE: list[tuple[str, str, Severity, str, str]] = [
    # area, id, severity, title, description
    ("dataset", "too_few_examples", E, "Fewer than 10 examples", "OpenAI refuses files with fewer than 10 examples (D01)."),
    ("dataset", "few_examples", W, "Fewer than 50 examples", "Improvements usually appear from 50-100 well-crafted examples."),
    ("dataset", "duplicate_example", W, "Exact duplicate", "The example is identical to an earlier one (D02)."),
    ("dataset", "conflicting_outputs", W, "Conflicting outputs", "The same input appears with different final outputs (label noise)."),
    ("dataset", "mixed_formats", E, "Mixed formats", "Rows of different formats in one file (S05)."),
    ("dataset", "prompt_only_examples", I, "Prompt-only examples", "Rows with only prompt messages, read as reinforcement data by file majority."),
    ("dataset", "system_prompts", I, "System prompts", "How many distinct system prompts the file has, with counts."),
    ("dataset", "system_prompt_missing", W, "Missing the usual system prompt", "Most examples use a system prompt this one lacks."),
    ("dataset", "system_prompt_variant", W, "Rare system prompt variant", "The example uses a rarely used variant of the system prompt."),
    ("dataset", "reply_distribution", I, "Reply distribution", "Classification-like data: distribution of final replies (D04)."),
    ("dataset", "reply_imbalance", W, "One reply dominates", "One final reply is most of the data (D04)."),
    ("dataset", "rft_grader_key_missing", W, "Grader key missing in some rows", "A grader key most rows have is missing from some (X02)."),
    ("dataset", "rft_grader_key_type", W, "Grader key type varies", "A grader key has different JSON types across rows (X02)."),
    ("dataset", "too_many_image_examples", E, "Over 50,000 image examples", "At most 50,000 examples may contain images (V10)."),
    ("dataset", "preference_length_bias", I, "Preferred outputs longer", "Preferred outputs are systematically longer than non-preferred ones."),
    ("dataset", "legacy_format_for_chat_model", E, "Legacy format for a chat model", "prompt/completion data only trains babbage-002/davinci-002."),
    ("dataset", "legacy_classification", I, "Looks like classification", "Few distinct completions: classification (L06)."),
    ("dataset", "legacy_prompts_identical", E, "All prompts identical", "Every prompt is the same (L11)."),
    ("dataset", "legacy_prompt_separator", I, "Common prompt separator", "All prompts end with the same separator (L11)."),
    ("dataset", "legacy_no_prompt_separator", W, "No prompt separator", "Prompts do not share a separator marking where the completion begins (L11)."),
    ("dataset", "legacy_common_prompt_prefix", W, "Common prompt prefix", "All prompts start with the same long prefix (L12)."),
    ("dataset", "legacy_common_completion_prefix", W, "Common completion prefix", "All completions start with the same prefix (L13)."),
    ("dataset", "legacy_completions_identical", E, "All completions identical", "Every completion is the same (L14)."),
    ("dataset", "legacy_completion_ending", I, "Common completion ending", "All completions end with the same string (L14)."),
    ("dataset", "legacy_no_completion_ending", W, "No completion ending", "Completions do not share an ending marking where they stop (L14)."),
    ("dataset", "legacy_completion_leading_space", W, "Completions without leading space", "Completions should start with a space (L15)."),
    ("dataset", "legacy_uppercase", W, "Mostly upper case", "More than a third of the prompts or completions is upper case (L09/L10)."),
    ("dataset", "model_method_unsupported", W, "Model does not support the method", "The chosen model cannot be fine-tuned with this data's method, e.g. reinforcement data on a supervised-only model (X03)."),
    ("dataset", "validation_overlap", W, "Validation overlaps training", "Validation examples identical to training examples (D03)."),
    ("dataset", "validation_input_overlap", I, "Validation prompts in training", "Validation examples whose input also appears in training (D03)."),
]

# Transitional: the rows above are registered here until each moves into its collector as a
# `check(...)` declaration (checks/registry.py). Rows are (area, id, severity, title, description).
for _area, _cid, _sev, _title, _desc in _TABLE:
    check(_cid, _sev, _area, _title, _desc)
