"""Streaming multipart/form-data reader: file parts go straight to disk.

Starlette's own parser spools files to the system temp directory; here the file
part is written to a temporary file inside the data dir (renamed into place
later, no second copy) in 1 MB slices off the event loop, with the size limit
enforced while the bytes arrive, so a 1 GB upload never needs 1 GB of memory
and never blocks other requests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import anyio

try:
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import MultipartParser, parse_options_header
except ImportError:  # pragma: no cover - python-multipart < 0.0.13 ships the module as `multipart`
    from multipart.exceptions import FormParserError
    from multipart.multipart import MultipartParser, parse_options_header

from tunescope.server.errors import APIError, bad_request
from tunescope.server.limits import chunks

FLUSH = 1024 * 1024
MAX_FIELD = 64 * 1024
MAX_FIELDS = 64


@dataclass
class IncomingFile:
    path: Path
    filename: str
    content_type: str
    size: int = 0


def _too_large(limit: int, param: str) -> APIError:
    return bad_request(f"File is too large: the maximum size is {limit // (1024 * 1024)} MB "
                       f"({limit} bytes). For bigger files use the Uploads API.", param=param, code="file_too_large")


class _State:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.file: IncomingFile | None = None
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.content_type = b""
        self.name = ""
        self.is_file = False
        self.data = bytearray()
        self.pending = bytearray()
        self.done_file = False


async def read_form(request, blobs, file_field: str, max_bytes: int,
                    too_large: Callable[[int], APIError] | None = None) -> tuple[dict[str, str], IncomingFile | None]:
    """Parse the body; the caller owns (and must commit or delete) the returned temp file.
    `too_large(max_bytes)` is the error for a file part over `max_bytes` (default: the Files API's)."""
    too_large = too_large or (lambda limit: _too_large(limit, file_field))
    ctype = request.headers.get("content-type", "")
    kind, params = parse_options_header(ctype)
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise bad_request("Expected a multipart/form-data body with a boundary.", param=file_field)
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + MAX_FIELD:
        raise too_large(max_bytes)

    st = _State()
    fd, tmp_path = blobs.temp()
    out = os.fdopen(fd, "wb")

    def on_header_field(data, start, end):
        st.header_name += data[start:end]

    def on_header_value(data, start, end):
        st.header_value += data[start:end]

    def on_header_end():
        name = st.header_name.lower()
        if name == b"content-disposition":
            st.disposition = st.header_value
        elif name == b"content-type":
            st.content_type = st.header_value
        st.header_name, st.header_value = b"", b""

    def on_part_begin():
        st.disposition, st.content_type, st.data = b"", b"", bytearray()

    def on_headers_finished():
        _, opts = parse_options_header(st.disposition)
        st.name = opts.get(b"name", b"").decode("utf-8", "replace")
        st.is_file = st.name == file_field and b"filename" in opts
        if st.is_file:
            if st.file is not None:
                raise bad_request(f"Only one '{file_field}' part is allowed.", param=file_field)
            st.file = IncomingFile(tmp_path, opts[b"filename"].decode("utf-8", "replace"),
                                   st.content_type.decode("latin-1") or "application/octet-stream")

    def on_part_data(data, start, end):
        chunk = data[start:end]
        if st.is_file:
            st.file.size += len(chunk)
            if st.file.size > max_bytes:
                raise too_large(max_bytes)
            st.pending += chunk
        else:
            if len(st.data) + len(chunk) > MAX_FIELD:
                raise bad_request(f"Form field '{st.name}' is too long.", param=st.name)
            st.data += chunk

    def on_part_end():
        if not st.is_file:
            if len(st.fields) >= MAX_FIELDS:
                raise bad_request(f"Too many form fields (at most {MAX_FIELDS}).")
            st.fields[st.name] = st.data.decode("utf-8", "replace")

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in chunks(request):
            parser.write(chunk)
            if len(st.pending) >= FLUSH:
                data, st.pending = bytes(st.pending), bytearray()
                await anyio.to_thread.run_sync(out.write, data)
        parser.finalize()
        if st.pending:
            await anyio.to_thread.run_sync(out.write, bytes(st.pending))
        out.close()
    except BaseException as exc:
        out.close()
        tmp_path.unlink(missing_ok=True)
        if isinstance(exc, FormParserError):
            raise bad_request("Invalid multipart/form-data body.", param=file_field) from exc
        raise
    if st.file is None:
        tmp_path.unlink(missing_ok=True)
    return st.fields, st.file
