"""Image token estimates for vision fine-tuning data (validation-checks §c.4).

low detail = 85 tokens; high/auto = gpt-4o tile formula: fit within 2048x2048, shrink so the
shortest side is at most 768, then 170 per 512-px tile + 85. The size comes from the header of a
base64 data URL (PNG, GIF, WEBP, JPEG) when present; otherwise we assume 1024x1024 (765 tokens),
a typical photo size. Training-time image counts are unpublished, so these are estimates.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct

LOW_DETAIL_TOKENS = 85
TILE_TOKENS = 170
BASE_TOKENS = 85
ASSUMED_SIZE = (1024, 1024)
_HEADER_B64_CHARS = 1 << 17      # decode at most ~96 KB of a data URL to find the size


def tile_tokens(width: int, height: int) -> int:
    """High-detail tokens of a width x height image (gpt-4o family formula)."""
    if width <= 0 or height <= 0:
        width, height = ASSUMED_SIZE
    scale = min(1.0, 2048 / max(width, height))
    width, height = width * scale, height * scale
    scale = min(1.0, 768 / min(width, height))
    width, height = width * scale, height * scale
    return BASE_TOKENS + TILE_TOKENS * math.ceil(width / 512) * math.ceil(height / 512)


def image_size(url: str) -> tuple[int, int] | None:
    """(width, height) from a base64 data URL's image header, or None."""
    if not url.startswith("data:"):
        return None
    comma = url.find(",", 0, 200)
    if comma < 0 or ";base64" not in url[:comma]:
        return None
    chunk = url[comma + 1: comma + 1 + _HEADER_B64_CHARS]
    chunk = chunk[: len(chunk) // 4 * 4]
    try:
        data = base64.b64decode(chunk)
    except (binascii.Error, ValueError):
        return None
    return _size_from_bytes(data)


def _size_from_bytes(data: bytes) -> tuple[int, int] | None:
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            kind = data[12:16]
            if kind == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return w, h
            if kind == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if kind == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            return None
        if data[:2] == b"\xff\xd8":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5: i + 9])
            return w, h
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2: i + 4])
        i += 2 + length
    return None


def image_tokens(image_url) -> int:
    """Estimated tokens of one `image_url` content part value ({"url", "detail"} or a bare URL)."""
    return image_tokens_and_guess(image_url)[0]


def image_tokens_and_guess(image_url) -> tuple[int, bool]:
    """(tokens, True when the image's size was unknown and ASSUMED_SIZE stood in for it)."""
    url, detail = "", "auto"
    if isinstance(image_url, str):
        url = image_url
    elif isinstance(image_url, dict):
        url = image_url.get("url") if isinstance(image_url.get("url"), str) else ""
        detail = image_url.get("detail") if isinstance(image_url.get("detail"), str) else "auto"
    if detail == "low":
        return LOW_DETAIL_TOKENS, False
    size = image_size(url) if url else None
    return tile_tokens(*(size or ASSUMED_SIZE)), size is None
