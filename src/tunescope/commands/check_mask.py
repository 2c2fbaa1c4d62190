"""`tunescope check --tokenizer T [--show-mask LINE]`: counts and mask findings under a real tokenizer.

Kept apart from `check.py` so the plain check never loads the trainer's modules: this module is
imported only when `--tokenizer` is given. The counting and the findings live in
`train/mask_preview.py`; here are only the text and JSON shapes.
"""

from __future__ import annotations

import sys

import orjson

from tunescope.train.mask_preview import (MaskPreview, MaskScan, TokenizerUnavailable, chat_example,
                                          load_tokenizer, preview_example, scan_file)
from tunescope.train.render import TemplateError

TRAINED_OPEN, TRAINED_CLOSE, CUT_MARK = "\u27e6", "\u27e7", "\u2702"   # ⟦trained⟧, ✂ where truncation cuts


def open_tokenizer(args):
    """The tokenizer of `--tokenizer`, or an error message (str)."""
    try:
        return load_tokenizer(args.tokenizer)
    except TokenizerUnavailable as exc:
        return str(exc)


def scans(args, tokenizer) -> dict[str, MaskScan]:
    return {path: scan_file(path, tokenizer, args.tokenizer, args.max_length) for path in args.files}


def scan_text(scan: MaskScan, max_findings: int) -> str:
    out = [f"\nUnder tokenizer {scan.tokenizer} (chat template, max length {scan.max_length})",
           f"  {scan.examples} chat examples: {scan.total_tokens} tokens, {scan.trained_tokens} trained, "
           f"longest {scan.longest}" + (f"; {scan.skipped} rows skipped (not chat examples)" if scan.skipped else "")]
    by_check: dict[str, list] = {}
    for f in scan.findings:
        by_check.setdefault(f.check, []).append(f)
    if not by_check:
        out.append("  no mask findings")
    for check_id, found in by_check.items():
        out.append(f"  {found[0].severity.value} {check_id}: {len(found)} example(s)")
        for f in found[:max_findings]:
            out.append(f"    line {f.line} {f.path}: {f.message} ({f.hint})")
        if len(found) > max_findings:
            out.append(f"    ... {len(found) - max_findings} more")
    return "\n".join(out) + "\n"


def scan_worst(scan: MaskScan, strict: bool) -> int:
    severities = {f.severity.value for f in scan.findings}
    return 1 if "error" in severities or (strict and "warning" in severities) else 0


def mask_text(preview: MaskPreview) -> str:
    """The rendered example with trained text in ⟦ ⟧, a ✂ where truncation cuts, then tokens per message."""
    body = []
    cut_shown = False
    for text, trained, cut in preview.pieces():
        if cut and not cut_shown:
            body.append(f"{CUT_MARK}[cut at {preview.max_length} tokens]")
            cut_shown = True
        body.append(f"{TRAINED_OPEN}{text}{TRAINED_CLOSE}" if trained else text)
    r = preview.rendered
    lines = ["".join(body), "",
             f"{r.full_length} tokens, {r.trained_tokens} trained (the text in double brackets), "
             + (f"cut at {preview.max_length}" if r.truncated else f"max length {preview.max_length}, not cut")]
    for m in preview.messages:
        lines.append(f"  message {m.index + 1:<3} {m.role:<10} {m.tokens:>6} tokens  {m.trained:>6} trained")
    if not preview.messages:
        lines.append("  (tokens per message unavailable: the template renders a cut conversation differently)")
    for f in preview.findings:
        lines.append(f"{f.severity.value} {f.check} {f.path}: {f.message} ({f.hint})")
    return "\n".join(lines) + "\n"


def mask_json(preview: MaskPreview) -> dict:
    r = preview.rendered
    return {"text": r.text, "input_ids": r.input_ids, "mask": r.mask, "full_length": r.full_length,
            "truncated": r.truncated, "max_length": preview.max_length, "cut_at_char": preview.cut_at,
            "messages": [vars(m) for m in preview.messages], "findings": [f.to_dict() for f in preview.findings]}


def show_mask(args) -> int:
    """Print one line of the first file as the trainer sees it; 2 when it cannot be shown."""
    tokenizer = open_tokenizer(args)
    if isinstance(tokenizer, str):
        return _fail(tokenizer)
    path, wanted = args.files[0], args.show_mask
    with open(path, "rb") as handle:
        raw = next((row for number, row in enumerate(handle, start=1) if number == wanted), None)
    if raw is None:
        return _fail(f"{path}: there is no line {wanted}")
    example = chat_example(raw)
    if example is None:
        return _fail(f"{path}:{wanted}: not a chat example (a JSON object with a `messages` list of objects)")
    try:
        preview = preview_example(tokenizer, example, args.max_length, line=wanted, index=wanted - 1)
    except TemplateError as exc:
        return _fail(f"{path}:{wanted}: {exc}")
    if args.output == "json":
        sys.stdout.buffer.write(orjson.dumps(mask_json(preview), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write(mask_text(preview))
    return 1 if any(f.severity.value == "error" for f in preview.findings) else 0


def _fail(msg: str) -> int:
    print(f"tunescope check: {msg}", file=sys.stderr)
    return 2
