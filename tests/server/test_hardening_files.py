"""Issue 9, the server: Uploads and Files that could be bent (oversized parts, expired Uploads left on
disk, any mime_type, control characters in names, empty Uploads), --strict-spec purposes, and the
multipart `expires_after` sent as one JSON part. Through the real SDK, raw httpx where the SDK cannot."""

from __future__ import annotations

import json
import sqlite3
import time

import openai
import pytest

from tests.server.conftest import httpx

ROW = b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n'


def test_upload_parts_cannot_pass_the_declared_size(server, client):
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=10, mime_type="text/jsonl")
    first = client.uploads.parts.create(up.id, data=b"123456")
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.parts.create(up.id, data=b"7890AB")   # 12 bytes in all, 10 declared
    assert err.value.code == "upload_part_too_large" and err.value.param == "data"
    assert "only 4 more" in err.value.message
    with pytest.raises(openai.BadRequestError):
        client.uploads.parts.create(up.id, data=b"x" * 100_000)
    last = client.uploads.parts.create(up.id, data=b"7890")
    done = client.uploads.complete(up.id, part_ids=[first.id, last.id])
    assert client.files.content(done.file.id).read() == b"1234567890"
    leftovers = list((server.data_dir / "tmp").iterdir())
    assert leftovers == []


def _expire(db_path, upload_id):
    """Move an Upload's expiry into the past (no sleeping: a loaded machine would make it race)."""
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE uploads SET expires_at=? WHERE id=?", (int(time.time()) - 1, upload_id))
    db.close()


def test_expired_uploads_are_cleaned_up_without_being_touched(server, client):
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=6, mime_type="text/jsonl")
    client.uploads.parts.create(up.id, data=b"abc")
    parts_dir = server.data_dir / "uploads" / up.id
    assert parts_dir.is_dir()
    _expire(server.config.db_path, up.id)
    client.uploads.create(filename="b.jsonl", purpose="fine-tune", bytes=3, mime_type="text/jsonl")
    assert not parts_dir.exists()
    assert server.state.store.get_upload(up.id)["status"] == "expired"


def test_expired_uploads_are_cleaned_up_when_the_server_starts(make_server, make_client, tmp_path):
    server = make_server(tmp_path / "srv")
    client = make_client(server)
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=6, mime_type="text/jsonl")
    client.uploads.parts.create(up.id, data=b"abc")
    server.stop()
    _expire(server.config.db_path, up.id)
    again = make_server(tmp_path / "srv")
    assert not (again.data_dir / "uploads" / up.id).exists()
    assert again.state.store.get_upload(up.id)["status"] == "expired"


@pytest.mark.parametrize("purpose, mime_type", [
    ("fine-tune", "image/png"), ("fine-tune", "jsonl"), ("batch", "application/pdf"), ("vision", "text/jsonl"),
    ("fine-tune", "text/jsonl\r\nx-evil: 1"),
])
def test_mime_type_must_suit_the_purpose(client, purpose, mime_type):
    name = "a.png" if purpose == "vision" else "a.jsonl"
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.create(filename=name, purpose=purpose, bytes=3, mime_type=mime_type)
    assert err.value.param == "mime_type" and err.value.code == "invalid_value"
    assert f"purpose '{purpose}'" in err.value.message


@pytest.mark.parametrize("mime_type", ["text/jsonl", "application/jsonl", "application/json; charset=utf-8"])
def test_jsonl_mime_types_are_accepted_for_fine_tuning(client, mime_type):
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=3, mime_type=mime_type)
    assert up.status == "pending"


def test_a_nul_byte_in_a_filename_is_refused(server, client):
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.create(filename="a\x00b.jsonl", purpose="fine-tune", bytes=3, mime_type="text/jsonl")
    assert err.value.param == "filename" and "control character '\\x00' at position 1" in err.value.message
    boundary = "tsboundary"
    body = (f"--{boundary}\r\ncontent-disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n"
            f"--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a\x00b.jsonl\"\r\n"
            f"content-type: application/jsonl\r\n\r\n").encode() + ROW + f"\r\n--{boundary}--\r\n".encode()
    r = httpx.post(f"{server.base_url}/files", content=body,
                   headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "file" and "control character" in r.text
    assert client.files.list().data == []


def test_an_empty_upload_is_refused_like_an_empty_file(client):
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=0, mime_type="text/jsonl")
    assert err.value.param == "bytes" and err.value.code == "integer_below_min_value"
    with pytest.raises(openai.BadRequestError) as err:
        client.files.create(file=("a.jsonl", b""), purpose="fine-tune")
    assert "empty" in err.value.message


def test_upload_errors_name_json_types(client):
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=-1, mime_type="text/jsonl")
    assert "got int instead" not in err.value.message
    assert err.value.body["message"].startswith("Invalid 'bytes': integer below minimum value. Expected a value >= 1, "
                                                "but got -1 instead.")
    with pytest.raises(openai.BadRequestError) as err:
        client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes="3", mime_type="text/jsonl")
    assert err.value.body["message"] == "Invalid type for 'bytes': expected an integer, but got a string instead."


def test_strict_spec_refuses_evals_so_strict_clients_can_read_every_file(make_server, make_client):
    server = make_server(strict_spec=True)
    client = make_client(server, strict=True, _strict_response_validation=True)
    with pytest.raises(openai.BadRequestError) as err:
        client.files.create(file=("evals.jsonl", ROW), purpose="evals")
    assert err.value.param == "purpose" and "--strict-spec" in err.value.message
    with pytest.raises(openai.BadRequestError):
        client.uploads.create(filename="e.jsonl", purpose="evals", bytes=3, mime_type="text/jsonl")
    kept = client.files.create(file=("u.jsonl", ROW), purpose="user_data")
    assert [f.id for f in client.files.list().data] == [kept.id]


def test_evals_files_are_kept_without_strict_spec_and_unlisted_with_it(make_server, make_client, tmp_path):
    loose = make_server(tmp_path / "srv")
    kept = make_client(loose).files.create(file=("evals.jsonl", ROW), purpose="evals")
    assert kept.purpose == "evals"
    loose.stop()
    strict = make_server(tmp_path / "srv", strict_spec=True)
    client = make_client(strict, strict=True, _strict_response_validation=True)
    assert client.files.list().data == []


def test_multipart_expires_after_as_one_json_part_is_applied(server, client):
    expires = {"anchor": "created_at", "seconds": 7200}
    r = httpx.post(f"{server.base_url}/files", data={"purpose": "fine-tune", "expires_after": json.dumps(expires)},
                   files={"file": ("a.jsonl", ROW, "application/jsonl")})
    assert r.status_code == 200, r.text
    f = r.json()
    assert f["expires_at"] == f["created_at"] + 7200
    bad = httpx.post(f"{server.base_url}/files", data={"purpose": "fine-tune", "expires_after": "7200"},
                     files={"file": ("a.jsonl", ROW, "application/jsonl")})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "expires_after"
    short = httpx.post(f"{server.base_url}/files",
                       data={"purpose": "fine-tune", "expires_after": json.dumps({**expires, "seconds": 60})},
                       files={"file": ("a.jsonl", ROW, "application/jsonl")})
    assert short.status_code == 400 and short.json()["error"]["param"] == "expires_after.seconds"
    with pytest.raises(openai.BadRequestError):  # the SDK's bracket fields are checked as before
        client.files.create(file=("a.jsonl", ROW), purpose="fine-tune",
                            expires_after={"anchor": "created_at", "seconds": 60})
