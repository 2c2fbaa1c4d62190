"""Every string value of a record with the JSON path that reaches it, path built only on demand.

The model sees more than message contents: content parts, tool-call arguments (JSON in a
string), tool results, tool definitions, DPO outputs and RFT grader fields. A scan that must
cover all of them walks every string value; building a path string per value would cost more
than most scans, so the walk yields the path as a tuple and `json_path` formats it when a
finding needs it.
"""

from __future__ import annotations

from collections.abc import Iterator

Path = tuple[str | int, ...]


def iter_strings(value, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, text) for each string value under `value` (dict keys are not values), in document order.
    Iterative: a row nested a thousand levels deep (orjson accepts 1024) must not hit the recursion limit."""
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            stack.extend(((*where, k), v) for k, v in reversed(node.items()) if isinstance(v, (str, dict, list)))
        elif isinstance(node, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(node)))
                         if isinstance(v, (str, dict, list)))


def json_path(path: Path) -> str:
    """`$.messages[2].tool_calls[0].function.arguments` for ("messages", 2, "tool_calls", 0, ...)."""
    out = ["$"]
    for p in path:
        if isinstance(p, int):
            out.append(f"[{p}]")
        elif p.isidentifier():
            out.append(f".{p}")
        else:
            out.append(f"[{p!r}]")
    return "".join(out)


def message_index(path: Path) -> int | None:
    """The message a path is in (`messages[i]` at the top or under `input`), else None."""
    if len(path) >= 2 and path[0] == "messages" and isinstance(path[1], int):
        return path[1]
    if len(path) >= 3 and path[0] == "input" and path[1] == "messages" and isinstance(path[2], int):
        return path[2]
    return None


def replace_strings(value, change):
    """A copy of `value` with each string s replaced by change(s) (containers rebuilt only when changed)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        out = {k: replace_strings(v, change) for k, v in value.items()}
        return value if all(out[k] is value[k] for k in value) else out
    if isinstance(value, list):
        items = [replace_strings(v, change) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    return value
