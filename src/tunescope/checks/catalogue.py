"""Every check tunescope can report: id -> default severity, short title, description.

The TUI's filter menu and the docs read this table; `Ctx.add` takes the
default severity from it, and a test asserts every emitted id is listed.
Reference ids (J01, S03, T05, ...) point at ../shared/reference/validation-checks.md.
"""

from __future__ import annotations

from tunescope.checks.registry import CHECKS, Check, by_area, check  # noqa: F401  (re-exported)
from tunescope.checks.findings import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


CheckInfo = Check   # transitional alias


_TABLE: list[tuple[str, str, Severity, str, str]] = [
    # area, id, severity, title, description
    ("file", "file_empty", E, "Empty file", "The file has 0 bytes (F02)."),
    ("file", "file_extension", W, "Not .jsonl", "The fine-tuning API only accepts .jsonl files (F04)."),
    ("file", "file_too_large", W, "File too large", "Over 512 MB needs the Uploads API; over 8 GB is an error (F03)."),
    ("file", "binary_file", E, "Binary file", "NUL bytes or undecodable data near the start: not JSONL text (F05)."),
    ("file", "utf8_bom", W, "UTF-8 BOM", "Azure asks for a byte-order mark; Python's json and other providers reject it (F06)."),
    ("file", "crlf_line_endings", I, "CRLF line endings", "Windows line endings; accepted and kept on save (F07)."),
    ("file", "mixed_line_endings", W, "Mixed line endings", "Some lines end with CRLF, others with LF (concatenated files)."),
    ("file", "no_final_newline", I, "No final newline", "The last line has no newline; harmless, kept on save."),
    ("file", "not_jsonl", E, "Not JSONL", "Pretty-printed JSON or a JSON array instead of one object per line (F08/F09)."),
    ("line", "blank_line", E, "Blank line", "Empty or whitespace-only line; every JSONL line must be an object (J02)."),
    ("line", "bom_in_line", E, "BOM inside the file", "A UTF-8 byte-order mark at the start of a later line (concatenated files)."),
    ("line", "nul_byte", E, "NUL byte", "The line contains NUL bytes: binary data or UTF-16 text."),
    ("line", "invalid_utf8", E, "Not UTF-8", "The line is not valid UTF-8; reported with the byte position (F05)."),
    ("line", "invalid_json", E, "Invalid JSON", "The line does not parse as JSON; orjson's message and column (J01)."),
    ("line", "not_an_object", E, "Not a JSON object", "The line is valid JSON but not an object (J03)."),
    ("schema", "unknown_format", E, "Unknown format", "An object with none of the keys of a known training format (S06)."),
    ("schema", "missing_messages", E, "Missing messages", "The row has no 'messages' key (S01)."),
    ("schema", "messages_not_list", E, "messages is not a list", "'messages' must be a list of message objects (S02)."),
    ("schema", "empty_messages", E, "Empty messages", "'messages' is an empty list (S01)."),
    ("schema", "extra_top_level_key", E, "Extra top-level key", "A key the format does not define; OpenAI rejects it (S03/S04)."),
    ("schema", "format_method_mismatch", E, "Wrong format for method", "The row's format does not match the chosen fine-tuning method (S06)."),
    ("schema", "near_miss_format", E, "Near-miss format", "Data from another tool's format (LLaMA-Factory, ShareGPT, Alpaca, TRL...) that OpenAI rejects; names what was meant."),
    ("message", "message_not_object", E, "Message is not an object", "An entry of messages is not a JSON object (M01)."),
    ("message", "missing_role", E, "Missing role", "A message has no 'role' (M02)."),
    ("message", "invalid_role", E, "Invalid role", "A role the format does not allow, or a mis-cased/foreign role name (M05)."),
    ("message", "developer_role_in_supervised", W, "developer role in supervised data", "'developer' is defined for reinforcement data only; use 'system' (M05)."),
    ("message", "unknown_message_key", E, "Unknown message key", "A message key outside the OpenAI schema for its role (M04)."),
    ("message", "text_instead_of_content", E, "'text' instead of 'content'", "The message text is under 'text' (M07)."),
    ("message", "missing_content", E, "Missing content", "No 'content' on a message that needs it (M03); assistant tool calls are exempt."),
    ("message", "content_null", E, "Null content", "content is null where only assistant tool/function calls allow it (M06)."),
    ("message", "invalid_content_type", E, "Invalid content type", "content is neither a string nor a list of parts (M06)."),
    ("message", "empty_content", W, "Empty content", "content is empty or only whitespace (M06)."),
    ("message", "invalid_name", E, "Invalid name", "A message 'name' that is not a string."),
    ("message", "function_message_missing_name", E, "Function message without name", "A legacy 'function' message must name its function."),
    ("roles", "missing_assistant_message", E, "No assistant message", "Supervised examples need at least one assistant message (R01)."),
    ("roles", "missing_user_message", W, "No user message", "The example has no user message (R03)."),
    ("roles", "last_message_not_assistant", W, "Trailing non-assistant message", "Tokens after the last assistant reply are billed but not learned (R05)."),
    ("roles", "system_not_first", W, "System message not first", "The system message is not at the start (R06)."),
    ("roles", "multiple_system_messages", W, "Several system messages", "More than one system/developer message (R06)."),
    ("roles", "consecutive_user_messages", I, "Consecutive user messages", "Two user turns in a row (R04); allowed by OpenAI."),
    ("content", "special_token_text", E, "Special-token text", "Text such as <|endoftext|> or <|fim_suffix|>; OpenAI rejects the file (J04)."),
    ("content", "chat_template_text", W, "Chat-template markers", "Text contains another model's template markers (<|im_start|>, [INST], Human:)."),
    ("content", "replacement_character", W, "Replacement characters", "U+FFFD in text: characters were lost to a wrong encoding."),
    ("content", "surrounding_whitespace", I, "Leading/trailing whitespace", "Message text starts or ends with whitespace."),
    ("tools", "tools_not_list", E, "tools is not a list", "'tools' must be a list (T11 when it is a JSON string)."),
    ("tools", "tool_definition_invalid", E, "Invalid tool definition", "A tool is not {type: function, function: {name, ...}} (T09)."),
    ("tools", "function_name_invalid", E, "Invalid function name", "Function names must match ^[a-zA-Z0-9_-]{1,64}$ (T07)."),
    ("tools", "parameters_invalid_schema", E, "Invalid parameters schema", "A function's parameters are not a valid JSON Schema object (T08)."),
    ("tools", "duplicate_tool_name", W, "Duplicate tool name", "The same function is defined twice in one example."),
    ("tools", "functions_invalid", E, "Invalid functions list", "Legacy 'functions' must be a list of 1-128 definitions (T12)."),
    ("tools", "tools_and_functions", W, "Both tools and functions", "The example mixes 'tools' and deprecated 'functions'."),
    ("tools", "parallel_tool_calls_not_bool", E, "parallel_tool_calls not boolean", "'parallel_tool_calls' must be true or false."),
    ("tools", "tool_calls_invalid", E, "Invalid tool call", "tool_calls not a non-empty list, or a call without id/function/name/arguments (T01/T02)."),
    ("tools", "tool_call_missing_type", W, "Tool call without type", "A tool call lacks \"type\": \"function\"."),
    ("tools", "duplicate_tool_call_id", W, "Duplicate tool call id", "Two calls in one message share an id (T05)."),
    ("tools", "parallel_calls_disabled", W, "Parallel calls while disabled", "Several calls in one message with parallel_tool_calls: false."),
    ("tools", "tool_call_unknown_function", W, "Call to undeclared function", "A call names a function the example's tools do not define."),
    ("tools", "arguments_not_string", E, "Arguments not a string", "arguments must be a string containing JSON (T03)."),
    ("tools", "arguments_invalid_json", E, "Arguments not valid JSON", "arguments do not parse as JSON (T03)."),
    ("tools", "arguments_not_object", W, "Arguments not an object", "arguments parse, but not to a JSON object."),
    ("tools", "arguments_schema_mismatch", W, "Arguments do not match parameters", "Missing required or unexpected arguments for the tool's schema."),
    ("tools", "tool_message_missing_id", E, "Tool message without tool_call_id", "A tool message needs the id of the call it answers (T04)."),
    ("tools", "orphan_tool_message", E, "Orphan tool message", "A tool message answers no preceding tool call (T05)."),
    ("tools", "duplicate_tool_response", E, "Tool call answered twice", "Two tool messages answer the same call (T05)."),
    ("tools", "unanswered_tool_call", W, "Unanswered tool call", "A tool call gets no tool response before the conversation moves on (T05)."),
    ("weight", "weight_not_integer", E, "Weight not an integer", "weight must be the integer 0 or 1 (W01)."),
    ("weight", "weight_invalid_value", E, "Weight not 0 or 1", "weight must be 0 or 1 (W02)."),
    ("weight", "weight_on_non_assistant", W, "Weight on non-assistant", "weight is only defined on assistant messages (W03)."),
    ("weight", "all_assistant_weight_zero", W, "No trainable messages", "Every assistant message has weight 0 (W05)."),
    ("vision", "content_part_invalid", E, "Invalid content part", "A part is not an object with a valid type/text (V01/V03)."),
    ("vision", "content_part_type_invalid", E, "Unsupported part type", "Only text and image_url parts are supported for fine-tuning (V02)."),
    ("vision", "image_not_allowed", E, "Image outside a user message", "Images may appear only in user messages, and not in preference data (V04)."),
    ("vision", "image_url_invalid", E, "Invalid image_url", "image_url must be {url: http(s) or data URL, detail?} (V05)."),
    ("vision", "image_data_url_invalid", E, "Invalid image data URL", "Data URLs must be base64 JPEG, PNG or WEBP (V06/V11)."),
    ("vision", "image_type_mismatch", W, "Image type mismatch", "The data URL's MIME type differs from the image bytes."),
    ("vision", "image_too_large", E, "Image over 10 MB", "Each image can be at most 10 MB (V07)."),
    ("vision", "too_many_images", E, "Too many images", "At most 10 images per example (V08)."),
    ("preference", "preference_input_invalid", E, "Invalid preference input", "'input' must be an object with messages (P01/P02)."),
    ("preference", "preference_output_missing", E, "Missing preference output", "preferred_output or non_preferred_output is missing (P04)."),
    ("preference", "preference_output_invalid", E, "Invalid preference output", "Each output is a list of exactly one assistant message (P05)."),
    ("preference", "preference_input_ends_with_assistant", E, "Input ends with assistant", "The input conversation must not end with an assistant message (P03)."),
    ("preference", "preference_multi_turn", W, "Multi-turn preference input", "OpenAI trains preference data on one-turn conversations (P06)."),
    ("preference", "preference_outputs_identical", W, "Identical outputs", "Preferred and non-preferred outputs are the same (P08)."),
    ("preference", "preference_outputs_whitespace_only", W, "Outputs differ only in whitespace", "The pair differs only in whitespace (P08)."),
    ("reinforcement", "rft_last_message_not_user", W, "RFT prompt does not end with user", "Reinforcement prompts should end with a user/developer turn (X04)."),
    ("reinforcement", "rft_grader_key_name", W, "Grader key not an identifier", "Grader templates cannot reference this key as {{ item.X }}."),
    ("legacy", "legacy_key_case", E, "prompt/completion key case", "The key must be lowercase prompt/completion (L02/L03)."),
    ("legacy", "legacy_missing_key", E, "Missing prompt or completion", "A legacy row lacks prompt or completion (L02/L03)."),
    ("legacy", "legacy_not_string", E, "prompt/completion not a string", "prompt and completion must be strings."),
    ("legacy", "legacy_empty_completion", E, "Empty completion", "completion is an empty string (L05)."),
    ("legacy", "legacy_long_example", W, "Very long example", "prompt + completion over 10,000 characters (L08)."),
    ("internal", "internal_error", W, "Check failed internally", "tunescope could not finish checking this example (a bug); other findings may be missing."),
    ("tokens", "over_token_limit", W, "Over the token limit", "The example exceeds the model's per-example limit and will be truncated from the end (K01)."),
    ("tokens", "no_trained_tokens", W, "No trained tokens", "No assistant tokens are trained in this example (W05)."),
]

# Transitional: the rows above are registered here until each moves beside its emitter as a
# `check(...)` declaration (checks/registry.py). Rows are (area, id, severity, title, description).
for _area, _cid, _sev, _title, _desc in _TABLE:
    check(_cid, _sev, _area, _title, _desc)
import tunescope.checks.dataset.collectors  # noqa: F401  (declares the dataset checks: CHECKS complete)
