"""Content parts: text parts, image parts (URL forms, data-URL type and size), where images may appear."""

from __future__ import annotations

import binascii

from tunescope.checks.example.content import scan_text
from tunescope.checks.context import Ctx, an, describe
from tunescope.checks.registry import E, W, check

CONTENT_PART_INVALID = check("content_part_invalid", E, "vision", "Invalid content part",
                             "A part is not an object with a valid type/text (V01/V03).", ref="V01/V03")
CONTENT_PART_TYPE_INVALID = check("content_part_type_invalid", E, "vision", "Unsupported part type",
                                  "Only text and image_url parts are supported for fine-tuning (V02).", ref="V02")
IMAGE_NOT_ALLOWED = check("image_not_allowed", E, "vision", "Image outside a user message",
                          "Images may appear only in user messages, and not in preference data (V04).", ref="V04",
                          tags=("images",))
IMAGE_URL_INVALID = check("image_url_invalid", E, "vision", "Invalid image_url",
                          "image_url must be {url: http(s) or data URL, detail?} (V05).", ref="V05", tags=("images",))
IMAGE_DATA_URL_INVALID = check("image_data_url_invalid", E, "vision", "Invalid image data URL",
                               "Data URLs must be base64 JPEG, PNG or WEBP (V06/V11).", ref="V06/V11", tags=("images",))
IMAGE_TYPE_MISMATCH = check("image_type_mismatch", W, "vision", "Image type mismatch",
                            "The data URL's MIME type differs from the image bytes.", tags=("images",))
IMAGE_TOO_LARGE = check("image_too_large", E, "vision", "Image over 10 MB",
                        "Each image can be at most 10 MB (V07).", ref="V07", tags=("images",))
TOO_MANY_IMAGES = check("too_many_images", E, "vision", "Too many images",
                        "At most 10 images per example (V08).", ref="V08", tags=("images",))

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGES_PER_EXAMPLE = 10
DATA_URL_TYPES = ("image/jpeg", "image/jpg", "image/png", "image/webp")
_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG", "png"), (b"RIFF", "webp"), (b"GIF8", "gif"), (b"BM", "bmp"),
)


def check_parts(ctx: Ctx, parts: list, i: int, role: str, path: str, allow_images: bool) -> int:
    """Validate a list content; returns the number of image parts."""
    images = 0
    for j, part in enumerate(parts):
        ppath = f"{path}[{j}]"
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            ctx.add(CONTENT_PART_INVALID,
                    f"Invalid file format. {ctx.where(i)}: content part {j + 1} must be an object with a \"type\" "
                    f"field, found {describe(part)}.",
                    "Write parts as {\"type\": \"text\", \"text\": ...} or {\"type\": \"image_url\", "
                    "\"image_url\": {\"url\": ...}}.", path=ppath, message_index=i)
            continue
        ptype = part["type"]
        if ptype == "text":
            text = part.get("text")
            if not isinstance(text, str):
                ctx.add(CONTENT_PART_INVALID,
                        f"Invalid file format. {ctx.where(i)}: text part {j + 1} needs a \"text\" string"
                        + (f", found {describe(text)}" if "text" in part else "") + ".",
                        "Put the text under the \"text\" key.", path=f"{ppath}.text", message_index=i)
            else:
                scan_text(ctx, text, i, f"{ppath}.text")
        elif ptype == "image_url":
            images += 1
            if role != "user" or not allow_images:
                ctx.add(IMAGE_NOT_ALLOWED,
                        f"Invalid file format. {ctx.where(i)}: only user messages can contain images"
                        + ("" if allow_images else " and this format is text-only") + f" (this is {an(role)} message).",
                        "Move the image into a user message, or remove it.", path=ppath, message_index=i)
            _check_image(ctx, part.get("image_url"), i, f"{ppath}.image_url")
        elif ptype == "refusal" and role == "assistant":
            if not isinstance(part.get("refusal"), str):
                ctx.add(CONTENT_PART_INVALID, f"Invalid file format. {ctx.where(i)}: refusal part needs a "
                        "\"refusal\" string.", "Add the refusal text.", path=ppath, message_index=i)
            else:
                scan_text(ctx, part["refusal"], i, f"{ppath}.refusal")
        else:
            extra = " (audio and file inputs are not supported for fine-tuning)" \
                if ptype in ("input_audio", "file", "input_file", "audio") else ""
            ctx.add(CONTENT_PART_TYPE_INVALID,
                    f"Invalid file format. {ctx.where(i)}: content part type {ptype!r} is not supported{extra}; "
                    "use \"text\" or \"image_url\".",
                    "Convert the part to a text or image_url part, or remove it.", path=f"{ppath}.type",
                    message_index=i)
    return images


def _check_image(ctx: Ctx, image_url: object, i: int, path: str) -> None:
    if not isinstance(image_url, dict) or not isinstance(image_url.get("url"), str):
        ctx.add(IMAGE_URL_INVALID,
                f"Invalid file format. {ctx.where(i)}: \"image_url\" must be an object with a \"url\" string, "
                f"found {describe(image_url)}.",
                "Write {\"type\": \"image_url\", \"image_url\": {\"url\": \"https://...\"}}.", path=path,
                message_index=i)
        return
    detail = image_url.get("detail")
    if detail is not None and detail not in ("auto", "low", "high"):
        ctx.add(IMAGE_URL_INVALID, f"{ctx.where(i)}: image \"detail\" must be auto, low or high, found {detail!r}.",
                "Use \"detail\": \"low\" (85 tokens), \"high\" or \"auto\".", path=f"{path}.detail", message_index=i)
    url = image_url["url"]
    upath = f"{path}.url"
    if url.startswith(("https://", "http://")):
        return
    if not url.startswith("data:"):
        ctx.add(IMAGE_URL_INVALID,
                f"{ctx.where(i)}: image url must be an http(s) URL or a base64 data URL, found {url[:40]!r}.",
                "Upload the image somewhere public or embed it as data:image/jpeg;base64,...", path=upath,
                message_index=i)
        return
    comma = url.find(",", 0, 100)
    header = url[5:comma] if comma > 0 else url[5:40]
    mime, _, enc = header.partition(";")
    if comma < 0 or enc != "base64" or mime.lower() not in DATA_URL_TYPES:
        ctx.add(IMAGE_DATA_URL_INVALID,
                f"{ctx.where(i)}: data URL must be a JPEG, PNG or WEBP base64-encoded image "
                f"('data:image/<format>;base64,...'), found {url[:40]!r}.",
                "Re-encode the image as JPEG, PNG or WEBP and embed it as data:image/png;base64,...",
                path=upath, message_index=i)
        return
    payload_len = len(url) - comma - 1
    size = payload_len * 3 // 4
    if size > MAX_IMAGE_BYTES:
        ctx.add(IMAGE_TOO_LARGE,
                f"{ctx.where(i)}: image is about {size / 1048576:.1f} MB; each image can be at most 10 MB.",
                "Downscale or recompress the image below 10 MB.", path=upath, message_index=i)
    head = url[comma + 1: comma + 1 + 24]
    try:
        magic = binascii.a2b_base64(head[: len(head) // 4 * 4])
    except (binascii.Error, ValueError):
        magic = b""
    kind = next((name for prefix, name in _MAGIC if magic.startswith(prefix)), None)
    claimed = mime.lower().split("/")[1].replace("jpg", "jpeg")
    if kind is None or kind in ("gif", "bmp"):
        ctx.add(IMAGE_DATA_URL_INVALID,
                f"{ctx.where(i)}: data URL says {mime} but the bytes are "
                + (f"a {kind.upper()} image" if kind else "not a JPEG, PNG or WEBP image") + ".",
                "Re-encode the image as JPEG, PNG or WEBP.", path=upath, message_index=i)
    elif kind != claimed:
        ctx.add(IMAGE_TYPE_MISMATCH,
                f"{ctx.where(i)}: data URL says {mime} but the bytes are a {kind.upper()} image.",
                f"Change the data URL prefix to data:image/{kind};base64,", path=upath, message_index=i)


def report_image_count(ctx: Ctx, count: int) -> None:
    if count > MAX_IMAGES_PER_EXAMPLE:
        ctx.add(TOO_MANY_IMAGES,
                f"{ctx.where()} contains {count} images; at most {MAX_IMAGES_PER_EXAMPLE} images are allowed per "
                "example.", "Split the example or drop images.", path="$.messages")
