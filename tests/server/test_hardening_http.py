"""Issue 9, the server: what one connection may cost (body size, slow bodies and headers) and how
errors are answered and logged (500s with their request id, logged once; client disconnects).

Raw sockets where the point is what a client sends on the wire; the real SDK where it can say it.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from contextlib import contextmanager

import openai
import pytest

from tests.server.conftest import httpx

LIMITED = {"max_json_bytes": 4096, "body_timeout": 0.5, "header_timeout": 0.5}


def _connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    return sock


def _read_all(sock: socket.socket, timeout: float = 5.0) -> bytes:
    sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return out


def _response(raw: bytes) -> tuple[int, dict[str, str], dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":  # one JSON chunk
        body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
    return int(lines[0].split()[1]), headers, json.loads(body)


def _head(path: str, extra: str) -> bytes:
    return (f"POST /v1{path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{extra}\r\n").encode()


@contextmanager
def _logged():
    """Every record the server's and uvicorn's loggers emit meanwhile (uvicorn's do not reach caplog)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("tunescope.server", "uvicorn.error", "uvicorn")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(keep)
    logging.getLogger("tunescope.server").setLevel(logging.INFO)
    try:
        yield records
    finally:
        for lg, level in zip(loggers, levels):
            lg.removeHandler(keep)
            lg.setLevel(level)


def test_a_declared_huge_body_is_refused_before_it_is_sent(make_server):
    server = make_server(**LIMITED)
    with _connect(server) as sock:
        sock.sendall(_head("/fine_tuning/jobs", "content-length: 2147483648\r\n"))
        started = time.monotonic()
        status, headers, body = _response(_read_all(sock, timeout=5))
    assert status == 413 and time.monotonic() - started < 4
    assert headers["x-request-id"].startswith("req_") and headers["content-type"].startswith("application/json")
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == "request_too_large" and "4096 bytes" in body["error"]["message"]


def test_a_chunked_body_is_cut_off_at_the_limit(make_server):
    server = make_server(**LIMITED)
    with _connect(server) as sock:
        sock.sendall(_head("/fine_tuning/jobs", "transfer-encoding: chunked\r\n"))
        chunk = b'{"model": "' + b"x" * 1000
        for _ in range(5):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            chunk = b"x" * 1000
        status, headers, body = _response(_read_all(sock))
    assert status == 413 and body["error"]["code"] == "request_too_large" and headers["x-request-id"]


def test_the_sdk_sees_a_413_in_the_real_envelope_and_small_bodies_still_work(make_server, make_client):
    client = make_client(make_server(**LIMITED))
    with pytest.raises(openai.APIStatusError) as err:
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc",
                                       metadata={f"k{i}": "v" * 500 for i in range(16)})
    assert err.value.status_code == 413 and err.value.code == "request_too_large"
    assert err.value.request_id.startswith("req_")
    with pytest.raises(openai.BadRequestError):  # a small body is read and answered as before
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc")


def test_a_stalled_body_times_out_with_408(make_server):
    server = make_server(**LIMITED)
    with _connect(server) as sock:
        sock.sendall(_head("/fine_tuning/jobs", "content-length: 100\r\n") + b'{"model": ')
        started = time.monotonic()
        status, headers, body = _response(_read_all(sock))
    assert status == 408 and body["error"]["code"] == "request_timeout" and headers["x-request-id"]
    assert time.monotonic() - started < 4


def test_slow_headers_get_408_and_the_connection_is_closed(make_server):
    server = make_server(**LIMITED)
    with _connect(server) as sock:
        sock.sendall(b"POST /v1/fine_tuning/jobs HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        started = time.monotonic()
        raw = _read_all(sock)
    assert raw.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 4
    assert json.loads(raw.partition(b"\r\n\r\n")[2])["error"]["code"] == "request_timeout"
    with _connect(server) as sock:  # a connection that never sends anything is closed too
        assert _read_all(sock).startswith(b"HTTP/1.1 408 ")


def test_slow_headers_on_a_kept_alive_connection_time_out_too(make_server):
    server = make_server(**LIMITED)
    with _connect(server) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        sock.settimeout(5)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        time.sleep(0.1)
        sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
        rest = _read_all(sock)
    assert b"HTTP/1.1 408 " in rest


def test_expires_after_that_is_not_an_object_is_a_400(server, client):
    for value in ("3600", 3600, ["created_at", 3600]):
        with pytest.raises(openai.BadRequestError) as err:
            client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=3, mime_type="text/jsonl",
                                  extra_body={"expires_after": value})
        assert err.value.param == "expires_after" and err.value.code == "invalid_type"
        assert "expected an object" in err.value.message


def test_a_500_has_a_request_id_the_real_envelope_and_is_logged_once(server, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server.state.files, "list_files", broken)
    with _logged() as records:
        with pytest.raises(openai.InternalServerError) as err:
            client.files.list()
        time.sleep(0.2)
    assert err.value.status_code == 500 and err.value.request_id.startswith("req_")
    assert err.value.body["type"] == "server_error" and "disk on fire" not in err.value.message
    assert "RuntimeError" not in err.value.message and err.value.request_id in err.value.message
    tracebacks = [r for r in records if r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert err.value.request_id in tracebacks[0].getMessage()


def test_a_client_that_disconnects_is_not_logged_as_an_unhandled_error(server):
    with _logged() as records:
        with _connect(server) as sock:
            sock.sendall(_head("/fine_tuning/jobs", "content-length: 1000\r\n") + b'{"model": "gpt')
            time.sleep(0.2)
        deadline = time.monotonic() + 5
        while not any("disconnected" in r.getMessage() for r in records) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert any("disconnected" in r.getMessage() for r in records)
    assert not [r for r in records if r.exc_info or r.levelno >= logging.ERROR], [r.getMessage() for r in records]
    assert httpx.get(f"{server.base_url}/models").status_code == 200  # and the server carries on
