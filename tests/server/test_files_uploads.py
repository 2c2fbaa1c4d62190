"""Files and Uploads APIs through the real SDK."""

from __future__ import annotations

import hashlib
import io
import re
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from tests.conftest import DATASETS
from tests.server.conftest import upload, wait_status

FAMILIES = ["pirate_chat.jsonl", "cookbook_drone_tools.jsonl", "foundry_dpo_orca_valid.jsonl",
            "foundry_rft_toolcall_valid.jsonl", "azure_prompt_completion_crlf.jsonl"]


def test_upload_each_dataset_family_round_trips_byte_for_byte(client):
    made = {}
    for name in FAMILIES:
        f = upload(client, DATASETS / name)
        assert re.fullmatch(r"file-[A-Za-z0-9]{24}", f.id)
        assert (f.filename, f.purpose, f.status, f.bytes) == (name, "fine-tune", "processed", (DATASETS / name).stat().st_size)
        assert f.expires_at is None
        assert client.files.retrieve(f.id).model_dump() == f.model_dump()
        assert client.files.content(f.id).read() == (DATASETS / name).read_bytes()
        made[f.id] = name
    listed = client.files.list()
    assert [f.id for f in listed.data] == list(reversed(made))  # newest first by default
    assert listed.model_extra["first_id"] == listed.data[0].id


def test_list_pagination_order_and_purpose_filter(client):
    ids = [upload(client, DATASETS / "pirate_chat.jsonl").id for _ in range(3)]
    other = client.files.create(file=("notes.txt", b"hello"), purpose="assistants")
    page = client.files.list(limit=2, order="asc")
    assert [f.id for f in page.data] == ids[:2] and page.has_more
    assert [f.id for f in client.files.list(limit=2, order="asc", after=ids[1]).data] == [ids[2], other.id]
    assert [f.id for f in client.files.list(limit=1, order="asc")] == ids + [other.id]  # SDK auto-paging
    assert [f.id for f in client.files.list(purpose="fine-tune")] == list(reversed(ids))
    assert [f.id for f in client.files.list(purpose="assistants")] == [other.id]


def test_delete_then_404(client):
    f = upload(client, DATASETS / "pirate_chat.jsonl")
    deleted = client.files.delete(f.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (f.id, True, "file")
    for call in (client.files.retrieve, client.files.delete, lambda i: client.files.content(i)):
        with pytest.raises(openai.NotFoundError) as exc:
            call(f.id)
        assert exc.value.body == {"message": f"No such File object: {f.id}", "type": "invalid_request_error",
                                  "param": "id", "code": None}


def test_fine_tune_purpose_requires_jsonl_and_expiry_is_honoured(client):
    with pytest.raises(openai.BadRequestError) as exc:
        client.files.create(file=("train.json", b'{"messages": []}\n'), purpose="fine-tune")
    assert exc.value.message == "Error code: 400 - Invalid file format for Fine-Tuning API. Must be .jsonl"
    with pytest.raises(openai.BadRequestError):
        client.files.create(file=("x.jsonl", b"{}\n"), purpose="fine-tune-results")
    f = client.files.create(file=("e.jsonl", b"{}\n"), purpose="fine-tune",
                            expires_after={"anchor": "created_at", "seconds": 3600})
    assert f.expires_at == f.created_at + 3600
    with pytest.raises(openai.BadRequestError):
        client.files.create(file=("e.jsonl", b"{}\n"), purpose="fine-tune", expires_after={"anchor": "created_at", "seconds": 60})


def test_size_limit_rejects_and_leaves_nothing_behind(make_server, make_client):
    srv = make_server(max_file_bytes=1000)
    client = make_client(srv)
    with pytest.raises(openai.BadRequestError) as exc:
        upload(client, DATASETS / "pirate_chat.jsonl")  # 2,927 bytes
    assert exc.value.code == "file_too_large"
    assert client.files.list().data == []
    assert list((srv.data_dir / "tmp").iterdir()) == [] and list((srv.data_dir / "files").iterdir()) == []


def test_ids_cannot_reach_outside_the_data_dir(server, client):
    secret = server.data_dir.parent / "secret.jsonl"
    secret.write_text("top secret\n")
    f = client.files.create(file=("../../secret.jsonl", b'{"a": 1}\n'), purpose="fine-tune")
    assert f.filename == "../../secret.jsonl"
    assert secret.read_text() == "top secret\n"
    for bad in ("../secret.jsonl", "..%2F..%2Fsecret.jsonl", "file-../../secret", "tunescope-server.sqlite3", ".lock"):
        with pytest.raises(openai.NotFoundError):
            client.files.content(bad)
    stored = [p.name for p in (server.data_dir / "files").iterdir()]
    assert stored == [f.id]


def test_uploads_api_in_several_parts_assembles_in_given_order(client):
    path = DATASETS / "cookbook_drone_tools.jsonl"
    data = path.read_bytes()
    chunks = [data[i:i + 100_000] for i in range(0, len(data), 100_000)]
    up = client.uploads.create(filename=path.name, purpose="fine-tune", bytes=len(data), mime_type="application/jsonl")
    assert up.status == "pending" and up.expires_at == up.created_at + 3600 and up.file is None
    with ThreadPoolExecutor(4) as pool:  # parts may arrive in parallel, in any order
        parts = list(pool.map(lambda c: client.uploads.parts.create(up.id, data=c), chunks))
    assert all(p.upload_id == up.id and p.object == "upload.part" for p in parts)
    done = client.uploads.complete(up.id, part_ids=[p.id for p in parts], md5=hashlib.md5(data).hexdigest())
    assert done.status == "completed" and done.file.bytes == len(data) and done.file.filename == path.name
    assert client.files.content(done.file.id).read() == data
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=done.file.id,
                                         method={"type": "supervised", "supervised": {"hyperparameters": {
                                             "n_epochs": 1, "batch_size": 16}}})
    assert wait_status(client, job.id).status == "succeeded"
    with pytest.raises(openai.BadRequestError):
        client.uploads.parts.create(up.id, data=b"more")


def test_sdk_chunked_upload_helper(client, tmp_path):
    path = DATASETS / "foundry_gsm8k_chat_valid.jsonl"
    up = client.uploads.upload_file_chunked(file=path, mime_type="application/jsonl", purpose="fine-tune", part_size=10_000)
    assert up.status == "completed"
    assert client.files.content(up.file.id).read() == path.read_bytes()


def test_upload_byte_count_md5_cancel_and_unknown_parts(client):
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=10, mime_type="application/jsonl")
    p1 = client.uploads.parts.create(up.id, data=b"12345")
    with pytest.raises(openai.BadRequestError) as exc:
        client.uploads.complete(up.id, part_ids=[p1.id])
    assert exc.value.code == "bytes_mismatch" and "(5)" in exc.value.message
    p2 = client.uploads.parts.create(up.id, data=io.BytesIO(b"67890"))
    with pytest.raises(openai.BadRequestError):
        client.uploads.complete(up.id, part_ids=[p1.id, "part_unknown"])
    with pytest.raises(openai.BadRequestError) as exc:
        client.uploads.complete(up.id, part_ids=[p2.id, p1.id], md5="0" * 32)
    assert exc.value.param == "md5"
    reversed_ = client.uploads.complete(up.id, part_ids=[p2.id, p1.id])
    assert client.files.content(reversed_.file.id).read() == b"6789012345"

    other = client.uploads.create(filename="b.jsonl", purpose="fine-tune", bytes=3, mime_type="application/jsonl")
    cancelled = client.uploads.cancel(other.id)
    assert cancelled.status == "cancelled"
    with pytest.raises(openai.BadRequestError):
        client.uploads.parts.create(other.id, data=b"abc")
    with pytest.raises(openai.NotFoundError):
        client.uploads.cancel("upload_nope")
    with pytest.raises(openai.BadRequestError):
        client.uploads.create(filename="c.txt", purpose="fine-tune", bytes=3, mime_type="text/plain")


def test_uploads_expire(make_server, make_client):
    client = make_client(make_server(upload_ttl=3))   # room for the part on a loaded machine
    up = client.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=3, mime_type="application/jsonl")
    part = client.uploads.parts.create(up.id, data=b"abc")
    time.sleep(max(0.0, up.expires_at - time.time()) + 1.1)   # past expires_at (whole seconds), however long that took
    with pytest.raises(openai.BadRequestError) as exc:
        client.uploads.complete(up.id, part_ids=[part.id])
    assert "expired" in exc.value.message
