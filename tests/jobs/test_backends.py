"""Backend profiles: resolution, storage without secrets (0600 only with a saved key), connecting."""

from __future__ import annotations

import os
import stat

import pytest

from tests.jobs.conftest import FAKE_KEY
from tunescope.jobs.connection import connect
from tunescope.jobs.profiles import (BackendError, backends_file, load_backends, remove_backend, resolve_backend,
                                     save_backend)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_profiles_live_in_tunescope_home(isolated_home):
    assert backends_file() == isolated_home / "config" / "backends.toml"
    assert resolve_backend().kind == "openai"
    assert resolve_backend(local_data_dir="/x").kind == "local"
    assert resolve_backend(base_url="http://h/v1").kind == "compatible"
    with pytest.raises(BackendError, match="unknown backend 'nope'"):
        resolve_backend("nope")


def test_saved_without_key_unless_asked(monkeypatch):
    monkeypatch.setenv("MY_VENDOR_KEY", FAKE_KEY)
    prof = resolve_backend("compatible", base_url="https://llm.example/v1", api_key_env="MY_VENDOR_KEY")
    prof.name = "vendor"
    prof.api_key = prof.resolve_key()
    path = save_backend(prof, make_default=True)
    text = path.read_text()
    assert FAKE_KEY not in text and "MY_VENDOR_KEY" in text and "api_key =" not in text
    assert _mode(path) != 0o600
    profiles, default = load_backends()
    assert default == "vendor" and profiles["vendor"].base_url == "https://llm.example/v1"
    assert resolve_backend().name == "vendor"  # the default profile

    save_backend(prof, save_key=True)
    assert FAKE_KEY in path.read_text() and _mode(path) == 0o600
    monkeypatch.delenv("MY_VENDOR_KEY")
    loaded = resolve_backend("vendor")
    assert loaded.resolve_key() == FAKE_KEY
    line = loaded.describe()
    assert FAKE_KEY not in line and "sk-...WXYZ" in line

    save_backend(prof)  # saved again without --save-key: the key is dropped
    assert FAKE_KEY not in path.read_text()
    assert remove_backend("vendor") and not remove_backend("vendor")
    assert load_backends() == ({}, None)


def test_missing_key_and_endpoint_messages(monkeypatch):
    with pytest.raises(BackendError) as err:
        connect(resolve_backend("openai"))
    assert "OPENAI_API_KEY" in str(err.value) and "--api-key-env" in str(err.value)
    with pytest.raises(BackendError, match="CORP_KEY"):
        connect(resolve_backend("openai", api_key_env="CORP_KEY"))
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    with pytest.raises(BackendError, match="--azure-endpoint"):
        connect(resolve_backend("azure"))
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", FAKE_KEY)
    conn = connect(resolve_backend("azure", azure_endpoint="https://unit.openai.azure.com", api_version="2025-04-01-preview"))
    assert "unit.openai.azure.com" in str(conn.client.base_url) and conn.client._api_version == "2025-04-01-preview"
    conn.close()
    with pytest.raises(BackendError, match="--base-url"):
        connect(resolve_backend("compatible"))


def test_local_backend_runs_jobs_and_a_second_connection_joins_its_server(tmp_path):
    from tunescope.server.embedded import start_embedded

    prof = resolve_backend("local", local_data_dir=str(tmp_path / "ld"), local_speed=0.002)
    with connect(prof) as conn:
        assert conn.is_local and conn.jobs.list().items == []
        with connect(prof) as second:      # the data dir is busy: talk to the server there (test_local_shared.py)
            assert second.is_local and second.server is None and second.client.base_url == conn.client.base_url
    with start_embedded(tmp_path / "ld2", speed=0.002) as srv:  # compatible backend on loopback needs no key
        with connect(resolve_backend("compatible", base_url=srv.base_url)) as conn:
            assert conn.jobs.list().items == []


def test_local_reuse_survives_a_new_port_but_not_changed_content(tmp_path):
    from tests.jobs.conftest import write_chat

    path = write_chat(tmp_path / "train.jsonl")
    prof = resolve_backend("local", local_data_dir=str(tmp_path / "ld"), local_speed=0.002)
    with connect(prof) as conn:
        first = conn.jobs.upload(path)
    with connect(prof) as conn:  # a new embedded server: another port, same data directory
        again = conn.jobs.upload(path)
        assert (again.id, again.reused) == (first.id, True)
        path.write_bytes(path.read_bytes().replace(b"2 plus 2 is 4", b"2 plus 2 is 5"))
        changed = conn.jobs.upload(path)
        assert changed.id != first.id and not changed.reused
