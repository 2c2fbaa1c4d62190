"""Behaviour of servers that are not OpenAI's: files that need processing time (Azure reports
pending/running first), missing endpoints, plain-text metrics. A small stdlib HTTP server
plays the vendor; the client is the real openai SDK. A third-party provider for that vendor,
registered through the entry-point group at test time, runs `tunescope jobs` against it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import EntryPoint
from typing import Mapping

import openai
import pytest

from tests.jobs.conftest import write_chat
from tunescope import cli
from tunescope.jobs import registry
from tunescope.jobs.client import JobsClient, JobsError
from tunescope.jobs.connection import Connection
from tunescope.jobs.profiles import BackendProfile, load_backends
from tunescope.providers.base import Option, Provider, keyed_connection, missing_key, sdk_options


class Vendor(BaseHTTPRequestHandler):
    file_polls = 0

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _file(self, status: str) -> dict:
        return {"id": "file-v1", "object": "file", "bytes": 10, "created_at": 1, "filename": "t.jsonl",
                "purpose": "fine-tune", "status": status}

    def do_GET(self):
        if self.path.startswith("/v1/files/file-v1"):
            type(self).file_polls += 1
            return self._send(200, self._file("running" if self.file_polls < 2 else "processed"))
        if self.path.startswith("/v1/files"):
            return self._send(200, {"object": "list", "data": [], "has_more": False})
        if self.path.startswith("/v1/fine_tuning/jobs/ftjob-v1/events"):
            return self._send(200, {"object": "list", "has_more": False, "data": [
                {"id": "ev2", "object": "fine_tuning.job.event", "created_at": 2, "level": "info",
                 "message": "Step 11/30: training loss=0.71", "type": "metrics"},
                {"id": "ev1", "object": "fine_tuning.job.event", "created_at": 1, "level": "info",
                 "message": "Job started"}]})
        return self._send(404, {"error": {"message": "Resource not found", "type": "invalid_request_error",
                                          "param": None, "code": "404"}})

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/v1/files"):
            return self._send(200, self._file("pending"))
        if self.path.endswith("/pause"):
            return self._send(405, {"error": {"message": "Method not allowed", "type": "invalid_request_error",
                                              "param": None, "code": None}})
        return self._send(404, {"error": {"message": "Resource not found", "type": "invalid_request_error",
                                          "param": None, "code": "404"}})


@pytest.fixture
def vendor_url():
    """The base URL of a fresh Vendor server."""
    Vendor.file_polls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Vendor)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()


@pytest.fixture
def vendor(vendor_url):
    client = openai.OpenAI(base_url=vendor_url, api_key="k", max_retries=0)
    yield JobsClient(client)
    client.close()


def test_upload_waits_until_the_file_is_processed(vendor, tmp_path, monkeypatch):
    from tunescope.jobs import upload as jobs_upload

    real = jobs_upload.Uploader.wait_processed
    monkeypatch.setattr(jobs_upload.Uploader, "wait_processed",
                        lambda self, up, cancel=None: real(self, up, cancel, interval=0.01))
    up = vendor.upload(write_chat(tmp_path / "t.jsonl"))
    assert up.status == "processed" and Vendor.file_polls == 2


def test_missing_operations_and_text_only_metrics(vendor):
    with pytest.raises(JobsError) as err:
        vendor.pause("ftjob-v1")
    assert err.value.kind == "unsupported" and "does not offer" in str(err.value)
    events = vendor.events("ftjob-v1")
    assert [e.id for e in events] == ["ev1", "ev2"]
    assert (events[1].metrics.step, events[1].metrics.total_steps, events[1].metrics.train_loss) == (11, 30, 0.71)
    with pytest.raises(JobsError) as err:
        vendor.get("ftjob-other")
    assert err.value.kind == "not_found" and "operations they lack" in str(err.value)


class AcmeProvider(Provider):
    """What a third-party package would ship: one class, registered under `tunescope.providers`."""

    name = "acme"
    OPTIONS = (Option("acme_url", "base URL of the Acme fine-tuning API", metavar="URL"),)
    key_env = "ACME_API_KEY"
    implied_by = ("acme_url",)

    def where(self, profile: BackendProfile) -> str:
        return f"Acme at {profile.options.get('acme_url') or '(no URL)'}"

    def connect(self, profile: BackendProfile, environ: Mapping[str, str], max_retries: int) -> Connection:
        key = profile.resolve_key(environ)
        if not key:
            raise missing_key(profile)
        client = openai.OpenAI(base_url=profile.options["acme_url"], api_key=key, **sdk_options(profile, 0))
        return keyed_connection(profile, client, key)


@pytest.fixture
def acme(monkeypatch):
    """AcmeProvider installed: the entry points read by the registry include it."""
    real = registry.entry_points
    extra = EntryPoint("acme", f"{__name__}:AcmeProvider", registry.GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [*real(group=group), extra])
    registry.refresh()
    yield
    registry.refresh()


def test_a_third_party_provider_is_found_and_used(acme, vendor_url, monkeypatch, capsys):
    assert registry.kinds() == ("openai", "azure", "compatible", "local", "together", "fireworks", "acme")
    monkeypatch.setenv("ACME_API_KEY", "acme-SECRET-0123456789")

    assert cli.main(["jobs", "events", "ftjob-v1", "--backend", "acme", "--acme-url", vendor_url,
                     "--format", "json"]) == 0
    assert [e["id"] for e in json.loads(capsys.readouterr().out)] == ["ev1", "ev2"]
    assert cli.main(["jobs", "events", "ftjob-v1", "--acme-url", vendor_url]) == 0  # the option implies the kind
    assert "Step 11/30" in capsys.readouterr().out

    assert cli.main(["jobs", "pause", "ftjob-v1", "--acme-url", vendor_url]) == 2
    assert "does not offer" in capsys.readouterr().err

    assert cli.main(["jobs", "backends", "save", "work", "--backend", "acme", "--acme-url", vendor_url,
                     "--default"]) == 0
    profiles, default = load_backends()
    assert default == "work" and profiles["work"].options == {"acme_url": vendor_url}
    assert cli.main(["jobs", "backends", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"* work [acme] Acme at {vendor_url}; key ...6789 from ACME_API_KEY" in listed
    assert "acme-SECRET" not in listed
    assert cli.main(["jobs", "events", "ftjob-v1", "--format", "json"]) == 0  # the saved default
    assert len(json.loads(capsys.readouterr().out)) == 2

    monkeypatch.delenv("ACME_API_KEY")
    assert cli.main(["jobs", "events", "ftjob-v1"]) == 2
    assert "set the environment variable ACME_API_KEY" in capsys.readouterr().err
