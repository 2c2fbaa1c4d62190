"""Tools, legacy functions and the tool-call graph of one conversation.

OpenAI-correct by design: `content: null` (or absent) next to `tool_calls` or
`function_call` is valid, the `tool` role and legacy `function` role are
valid, `parallel_tool_calls` is a valid top-level key, and ids are free-form
(the cookbook's literal "call_id" is fine).
"""

from __future__ import annotations

import re

import orjson

from tunescope.checks.example.content import scan_text
from tunescope.checks.context import Ctx, describe
from tunescope.checks.example.tool_schema import schema_problem
from tunescope.checks.registry import E, W, check

TOOLS_NOT_LIST = check("tools_not_list", E, "tools", "tools is not a list",
                       "'tools' must be a list (T11 when it is a JSON string).", ref="T11", tags=("tools",))
TOOL_DEFINITION_INVALID = check("tool_definition_invalid", E, "tools", "Invalid tool definition",
                                "A tool is not {type: function, function: {name, ...}} (T09).", ref="T09",
                                tags=("tools",))
FUNCTION_NAME_INVALID = check("function_name_invalid", E, "tools", "Invalid function name",
                              "Function names must match ^[a-zA-Z0-9_-]{1,64}$ (T07).", ref="T07", tags=("tools",))
PARAMETERS_INVALID_SCHEMA = check("parameters_invalid_schema", E, "tools", "Invalid parameters schema",
                                  "A function's parameters are not a valid JSON Schema object (T08).", ref="T08",
                                  tags=("tools",))
DUPLICATE_TOOL_NAME = check("duplicate_tool_name", W, "tools", "Duplicate tool name",
                            "The same function is defined twice in one example.", tags=("tools",))
FUNCTIONS_INVALID = check("functions_invalid", E, "tools", "Invalid functions list",
                          "Legacy 'functions' must be a list of 1-128 definitions (T12).", ref="T12", tags=("tools",))
TOOLS_AND_FUNCTIONS = check("tools_and_functions", W, "tools", "Both tools and functions",
                            "The example mixes 'tools' and deprecated 'functions'.", tags=("tools",))
PARALLEL_TOOL_CALLS_NOT_BOOL = check("parallel_tool_calls_not_bool", E, "tools", "parallel_tool_calls not boolean",
                                     "'parallel_tool_calls' must be true or false.", tags=("tools",))
TOOL_CALLS_INVALID = check("tool_calls_invalid", E, "tools", "Invalid tool call",
                           "tool_calls not a non-empty list, or a call without id/function/name/arguments (T01/T02).",
                           ref="T01/T02", tags=("tools",))
TOOL_CALL_MISSING_TYPE = check("tool_call_missing_type", E, "tools", "Tool call without type",
                               "A tool call lacks \"type\": \"function\"; the API requires it.", tags=("tools",))
DUPLICATE_TOOL_CALL_ID = check("duplicate_tool_call_id", W, "tools", "Duplicate tool call id",
                               "Two calls in one message share an id (T05).", ref="T05", tags=("tools",))
PARALLEL_CALLS_DISABLED = check("parallel_calls_disabled", W, "tools", "Parallel calls while disabled",
                                "Several calls in one message with parallel_tool_calls: false.", tags=("tools",))
TOOL_CALL_UNKNOWN_FUNCTION = check("tool_call_unknown_function", W, "tools", "Call to undeclared function",
                                   "A call names a function the example's tools do not define.", tags=("tools",))
ARGUMENTS_NOT_STRING = check("arguments_not_string", E, "tools", "Arguments not a string",
                             "arguments must be a string containing JSON (T03).", ref="T03", tags=("tools",))
ARGUMENTS_INVALID_JSON = check("arguments_invalid_json", E, "tools", "Arguments not valid JSON",
                               "arguments do not parse as JSON (T03).", ref="T03", tags=("tools",))
ARGUMENTS_NOT_OBJECT = check("arguments_not_object", W, "tools", "Arguments not an object",
                             "arguments parse, but not to a JSON object.", tags=("tools",))
ARGUMENTS_SCHEMA_MISMATCH = check("arguments_schema_mismatch", W, "tools", "Arguments do not match parameters",
                                  "Missing required or unexpected arguments for the tool's schema.", tags=("tools",))
TOOL_MESSAGE_MISSING_ID = check("tool_message_missing_id", E, "tools", "Tool message without tool_call_id",
                                "A tool message needs the id of the call it answers (T04).", ref="T04", tags=("tools",))
ORPHAN_TOOL_MESSAGE = check("orphan_tool_message", E, "tools", "Orphan tool message",
                            "A tool message answers no preceding tool call (T05).", ref="T05", tags=("tools",))
DUPLICATE_TOOL_RESPONSE = check("duplicate_tool_response", E, "tools", "Tool call answered twice",
                                "Two tool messages answer the same call (T05).", ref="T05", tags=("tools",))
UNANSWERED_TOOL_CALL = check("unanswered_tool_call", W, "tools", "Unanswered tool call",
                             "A tool call gets no tool response before the conversation moves on (T05).", ref="T05",
                             tags=("tools",))

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_RULE = "must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64"


def check_definitions(ctx: Ctx, obj: dict, prefix: str = "$") -> dict[str, object] | None:
    """Validate top-level `tools`, `functions`, `parallel_tool_calls`.

    Returns {function name: parameters schema or None} of the declared tools, or
    None when the row declares no tools (so calls cannot be cross-checked).
    """
    tools = obj.get("tools")
    functions = obj.get("functions")
    ptc = obj.get("parallel_tool_calls")
    if ptc is not None and not isinstance(ptc, bool):
        ctx.add(PARALLEL_TOOL_CALLS_NOT_BOOL,
                f"{ctx.where()}: \"parallel_tool_calls\" must be true or false, found {describe(ptc)}.",
                "Use a JSON boolean: \"parallel_tool_calls\": false.", path=f"{prefix}.parallel_tool_calls")
    if tools is None and functions is None:
        return None
    # Tool definitions repeat on every line of most files: reuse the result of a clean validation.
    key = orjson.dumps((tools, functions))
    cached = _CLEAN_DEFINITIONS.get(key)
    if cached is not None:
        return cached
    before = len(ctx.findings)
    declared = _validate_definitions(ctx, tools, functions, prefix)
    if len(ctx.findings) == before and declared is not None:
        if len(_CLEAN_DEFINITIONS) >= 256:
            _CLEAN_DEFINITIONS.clear()
        _CLEAN_DEFINITIONS[key] = declared
    return declared


_CLEAN_DEFINITIONS: dict[bytes, dict] = {}


def _validate_definitions(ctx: Ctx, tools: object, functions: object, prefix: str) -> dict | None:
    declared: dict[str, object] | None = None
    if tools is not None:
        declared = {}
        if isinstance(tools, list):
            for j, tool in enumerate(tools):
                _check_tool(ctx, tool, f"{prefix}.tools[{j}]", declared)
        else:
            hint = "Make \"tools\" a JSON list of {\"type\": \"function\", \"function\": {...}} objects."
            if isinstance(tools, str):
                hint = "\"tools\" holds a JSON string; store the decoded list instead of a string."
            ctx.add(TOOLS_NOT_LIST, f"{ctx.where()}: \"tools\" must be a list, found {describe(tools)}.", hint,
                    path=f"{prefix}.tools")
    if functions is not None:
        declared = {} if declared is None else declared
        if not isinstance(functions, list) or not 1 <= len(functions) <= 128:
            size = f"{len(functions)} items" if isinstance(functions, list) else describe(functions)
            ctx.add(FUNCTIONS_INVALID,
                    f"{ctx.where()}: \"functions\" must be a list of 1 to 128 function definitions, found {size}.",
                    "Remove the empty \"functions\" key, or convert to \"tools\" (the current form).",
                    path=f"{prefix}.functions")
        else:
            for j, fn in enumerate(functions):
                _check_function(ctx, fn, f"{prefix}.functions[{j}]", declared)
        if tools is not None:
            ctx.add(TOOLS_AND_FUNCTIONS,
                    f"{ctx.where()} has both \"tools\" and the deprecated \"functions\".",
                    "Use only \"tools\" (move the functions into tools entries).", path=f"{prefix}.functions")
    return declared


def _check_tool(ctx: Ctx, tool: object, path: str, declared: dict) -> None:
    if not isinstance(tool, dict):
        ctx.add(TOOL_DEFINITION_INVALID, f"{ctx.where()}: each tool must be an object, found {describe(tool)}.",
                "Write tools as {\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": {...}}}.",
                path=path)
        return
    if tool.get("type") != "function":
        ctx.add(TOOL_DEFINITION_INVALID,
                f"{ctx.where()}: tool \"type\" must be \"function\", found {tool.get('type')!r}.",
                "Set \"type\": \"function\" on every tool.", path=f"{path}.type")
    fn = tool.get("function")
    if not isinstance(fn, dict):
        hint = "Put name/description/parameters inside a \"function\" object."
        if "name" in tool:
            hint = "This is the flat Responses-API tool shape; wrap name/description/parameters in \"function\"."
        ctx.add(TOOL_DEFINITION_INVALID, f"{ctx.where()}: tool has no \"function\" object.", hint, path=path)
        return
    _check_function(ctx, fn, f"{path}.function", declared)


def _check_function(ctx: Ctx, fn: object, path: str, declared: dict) -> None:
    if not isinstance(fn, dict):
        ctx.add(TOOL_DEFINITION_INVALID, f"{ctx.where()}: function definition must be an object, "
                f"found {describe(fn)}.", "Write {\"name\": ..., \"parameters\": {...}}.", path=path)
        return
    name = fn.get("name")
    if not isinstance(name, str):
        ctx.add(TOOL_DEFINITION_INVALID, f"{ctx.where()}: function definition has no \"name\" string.",
                "Give every function a name.", path=f"{path}.name")
        return
    if not _NAME.fullmatch(name):
        ctx.add(FUNCTION_NAME_INVALID, f"{ctx.where()}: function name {name!r} is invalid: it {NAME_RULE}.",
                "Rename the function (and every call to it) using only letters, digits, _ and -.",
                path=f"{path}.name")
    desc = fn.get("description")
    if desc is not None and not isinstance(desc, str):
        ctx.add(TOOL_DEFINITION_INVALID, f"{ctx.where()}: description of {name!r} must be a string.",
                "Make the description a string or remove it.", path=f"{path}.description")
    params = fn.get("parameters")
    _scan_definition(ctx, name, desc, params, path)
    if params is not None:
        problem = schema_problem(params)
        if problem:
            ctx.add(PARAMETERS_INVALID_SCHEMA,
                    f"{ctx.where()}: parameters of {name!r} are not a valid JSON Schema: {problem[1]}.",
                    "Fix the schema (an object schema: {\"type\": \"object\", \"properties\": {...}}); "
                    "for no parameters pass {} or omit the key.", path=f"{path}.parameters{problem[0]}")
            params = None
    if name in declared:
        ctx.add(DUPLICATE_TOOL_NAME, f"{ctx.where()} defines the function {name!r} more than once.",
                "Keep one definition per function name.", path=f"{path}.name")
    declared[name] = params


def _scan_definition(ctx: Ctx, name: str, desc: object, params: object, path: str) -> None:
    """Special-token text in a tool's name, description or parameter schema (the model reads them all)."""
    if "<|" in name:
        scan_text(ctx, name, None, f"{path}.name")
    if isinstance(desc, str) and "<|" in desc:
        scan_text(ctx, desc, None, f"{path}.description")
    if isinstance(params, dict):
        try:
            dumped = orjson.dumps(params).decode()
        except (orjson.JSONEncodeError, TypeError):
            return
        if "<|" in dumped:
            scan_text(ctx, dumped, None, f"{path}.parameters")


class ToolGraph:
    """Pairs assistant tool calls with tool responses inside one conversation."""

    __slots__ = ("ctx", "declared", "parallel_off", "pending", "answered", "seen_calls", "prefix")

    def __init__(self, ctx: Ctx, declared: dict | None, parallel_off: bool, prefix: str = "$.messages"):
        self.ctx = ctx
        self.prefix = prefix
        self.declared = declared
        self.parallel_off = parallel_off
        self.pending: dict[str, int] = {}     # call id -> index of the assistant message that made it
        self.answered: set[str] = set()
        self.seen_calls = False

    def assistant_calls(self, calls: object, i: int, path: str) -> None:
        ctx = self.ctx
        self._flush_unanswered(i)
        if not isinstance(calls, list):
            ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: \"tool_calls\" must be a list, "
                    f"found {describe(calls)}.", "Make tool_calls a list of {id, type, function} objects.",
                    path=path, message_index=i)
            return
        if not calls:
            ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: \"tool_calls\" is an empty list.",
                    "Remove the empty tool_calls key (or add the call).", path=path, message_index=i)
            return
        self.seen_calls = True
        if len(calls) > 1 and self.parallel_off:
            ctx.add(PARALLEL_CALLS_DISABLED,
                    f"{ctx.where(i)} makes {len(calls)} tool calls in one message but the example sets "
                    "\"parallel_tool_calls\": false.",
                    "Split the calls over several assistant turns, or drop \"parallel_tool_calls\": false.",
                    path=path, message_index=i)
        for j, call in enumerate(calls):
            cpath = f"{path}[{j}]"
            if not isinstance(call, dict):
                ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: tool call {j + 1} is "
                        f"{describe(call)}, not an object.", "Write {\"id\", \"type\": \"function\", \"function\"}.",
                        path=cpath, message_index=i)
                continue
            cid = call.get("id")
            if not isinstance(cid, str) or not cid:
                ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: tool call {j + 1} has no "
                        "\"id\" string.", "Give every tool call an id, e.g. \"call_1\", and use it as the "
                        "tool_call_id of the tool message answering it.", path=f"{cpath}.id", message_index=i)
            elif cid in self.pending:
                ctx.add(DUPLICATE_TOOL_CALL_ID, f"{ctx.where(i)} uses the tool call id {cid!r} twice.",
                        "Give each call in a message its own id so tool responses can be matched.",
                        path=f"{cpath}.id", message_index=i)
            else:
                self.pending[cid] = i
            ctype = call.get("type")
            if ctype != "function":
                ctx.add(TOOL_CALL_MISSING_TYPE if ctype is None else TOOL_CALLS_INVALID,
                        f"{ctx.where(i)}: tool call {j + 1} needs \"type\": \"function\""
                        + ("" if ctype is None else f", found {ctype!r}") + ".",
                        "Add \"type\": \"function\" to the tool call.", path=f"{cpath}.type", message_index=i)
            self.function(call.get("function"), i, f"{cpath}.function", "tool call")

    def function(self, fn: object, i: int, path: str, what: str = "function_call") -> None:
        """Check a {name, arguments} object (tool call function or legacy function_call)."""
        ctx = self.ctx
        if not isinstance(fn, dict):
            ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: the {what} has no \"function\" "
                    "object with name and arguments." if what == "tool call" else
                    f"Invalid file format. {ctx.where(i)}: \"function_call\" must be an object with name and "
                    "arguments.", "Write {\"name\": ..., \"arguments\": \"{...json...}\"}.", path=path,
                    message_index=i)
            return
        name = fn.get("name")
        if not isinstance(name, str):
            ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: the {what} has no function "
                    "\"name\".", "Add the name of the function being called.", path=f"{path}.name", message_index=i)
        elif not _NAME.fullmatch(name):
            ctx.add(FUNCTION_NAME_INVALID, f"{ctx.where(i)}: called function name {name!r} {NAME_RULE}.",
                    "Use the exact name of a declared function.", path=f"{path}.name", message_index=i)
        elif self.declared is not None and name not in self.declared:
            ctx.add(TOOL_CALL_UNKNOWN_FUNCTION,
                    f"{ctx.where(i)} calls {name!r}, which is not among the example's tools/functions "
                    f"({', '.join(sorted(self.declared)[:6]) or 'none'}).",
                    "Call a declared function, or add its definition to the example's tools.",
                    path=f"{path}.name", message_index=i)
        if "arguments" not in fn:
            ctx.add(TOOL_CALLS_INVALID, f"Invalid file format. {ctx.where(i)}: the {what} has no \"arguments\".",
                    "Add \"arguments\": \"{}\" (a JSON object encoded as a string).", path=path, message_index=i)
            return
        args = fn["arguments"]
        apath = f"{path}.arguments"
        if not isinstance(args, str):
            ctx.add(ARGUMENTS_NOT_STRING, f"Invalid file format. {ctx.where(i)}: \"arguments\" must be a string "
                    f"containing JSON, found {describe(args)}.",
                    "Encode the arguments object as a JSON string, e.g. \"{\\\"city\\\": \\\"Paris\\\"}\".",
                    path=apath, message_index=i)
            return
        try:
            parsed = orjson.loads(args)
        except orjson.JSONDecodeError as exc:
            ctx.add(ARGUMENTS_INVALID_JSON, f"{ctx.where(i)}: \"arguments\" is not valid JSON ({exc}).",
                    "Make arguments a valid JSON object string; the model would learn to emit broken JSON.",
                    path=apath, message_index=i)
            return
        if not isinstance(parsed, dict):
            ctx.add(ARGUMENTS_NOT_OBJECT, f"{ctx.where(i)}: \"arguments\" decodes to {describe(parsed)}, "
                    "not a JSON object.", "Function arguments should be a JSON object of named parameters.",
                    path=apath, message_index=i)
            return
        if "<|" in args:
            scan_text(ctx, args, i, apath)
        if self.declared and isinstance(name, str):
            schema = self.declared.get(name)
            if isinstance(schema, dict):
                self._match_schema(parsed, schema, name, i, apath)

    def _match_schema(self, args: dict, schema: dict, name: str, i: int, path: str) -> None:
        props = schema.get("properties")
        required = schema.get("required")
        problems = []
        if isinstance(required, list):
            missing = [r for r in required if isinstance(r, str) and r not in args]
            if missing:
                problems.append(f"missing required {', '.join(map(repr, missing[:4]))}")
        if isinstance(props, dict) and schema.get("additionalProperties") is False:
            extra = [k for k in args if k not in props]
            if extra:
                problems.append(f"unexpected {', '.join(map(repr, extra[:4]))}")
        if problems:
            self.ctx.add(ARGUMENTS_SCHEMA_MISMATCH,
                         f"{self.ctx.where(i)}: arguments of {name!r} do not match its parameters: "
                         f"{'; '.join(problems)}.",
                         "Fix the arguments (or the tool's parameters); the model learns to call tools exactly "
                         "as shown.", path=path, message_index=i)

    def tool_response(self, m: dict, i: int, path: str) -> None:
        ctx = self.ctx
        cid = m.get("tool_call_id")
        if cid is None:
            ctx.add(TOOL_MESSAGE_MISSING_ID,
                    f"Invalid file format. {ctx.where(i)}: tool message has no \"tool_call_id\".",
                    "Set tool_call_id to the id of the assistant tool call this message answers.",
                    path=path, message_index=i)
            return
        if not isinstance(cid, str):
            ctx.add(TOOL_MESSAGE_MISSING_ID, f"Invalid file format. {ctx.where(i)}: \"tool_call_id\" must be "
                    f"a string, found {describe(cid)}.", "Use the string id of the tool call.",
                    path=f"{path}.tool_call_id", message_index=i)
            return
        if cid in self.pending:
            del self.pending[cid]
            self.answered.add(cid)
            return
        if cid in self.answered:
            ctx.add(DUPLICATE_TOOL_RESPONSE, f"{ctx.where(i)} answers tool call {cid!r} a second time.",
                    "Remove the extra tool message or fix its tool_call_id.", path=f"{path}.tool_call_id",
                    message_index=i)
            return
        reason = ("no assistant tool call precedes it" if not self.seen_calls
                  else f"no pending tool call has the id {cid!r}")
        ctx.add(ORPHAN_TOOL_MESSAGE,
                f"Invalid file format. {ctx.where(i)}: tool message is not a response to a preceding assistant "
                f"tool call ({reason}).",
                "Match tool_call_id to an id in the preceding assistant message's tool_calls, or drop the message.",
                path=f"{path}.tool_call_id", message_index=i)

    def other_message(self, i: int) -> None:
        """A user/system/assistant-text message: earlier calls should have been answered."""
        if self.pending:
            self._flush_unanswered(i)

    def _flush_unanswered(self, i: int) -> None:
        if not self.pending:
            return
        ids = list(self.pending)
        first = self.pending[ids[0]]
        self.ctx.add(UNANSWERED_TOOL_CALL,
                     f"{self.ctx.where(first)}: tool call(s) {', '.join(map(repr, ids[:4]))} get no tool response "
                     f"before message {i + 1}.",
                     "Add a tool message with the matching tool_call_id after the call, or remove the call.",
                     path=f"{self.prefix}[{first}].tool_calls", message_index=first)
        self.pending.clear()
