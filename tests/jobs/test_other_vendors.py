"""Behaviour of servers that are not OpenAI's: files that need processing time (Azure reports
pending/running first), missing endpoints, plain-text metrics. A small stdlib HTTP server
plays the vendor; the client is the real openai SDK."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

from tests.jobs.conftest import write_chat
from tunescope.jobs.client import JobsClient, JobsError


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
def vendor():
    Vendor.file_polls = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Vendor)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{httpd.server_port}/v1", api_key="k", max_retries=0)
    yield JobsClient(client)
    client.close()
    httpd.shutdown()


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
