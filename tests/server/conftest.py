"""Fixtures: an embedded tunescope server on a free 127.0.0.1 port and an
`openai.OpenAI` client whose every response is validated against the spec."""

from __future__ import annotations

import time

import openai
import pytest

try:  # the HTTP client the installed openai SDK is built on (openai 3.x vendors it as httpx2)
    import httpx2 as httpx
except ImportError:  # pragma: no cover - openai 1.x/2.x use httpx itself
    import httpx

from tests.server.spec_check import SpecChecker
from tunescope.server.embedded import start_embedded

FAST = {"speed": 0.002, "queue_delay": 0.05}
TERMINAL = ("succeeded", "failed", "cancelled")


@pytest.fixture
def make_server(tmp_path):
    """Factory: start servers (stopped at teardown); default data dir is per test."""
    started = []

    def make(data_dir=None, **options):
        opts = {**FAST, **options}
        srv = start_embedded(data_dir or tmp_path / "server", **opts)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def make_client():
    checkers, clients = [], []

    def make(server, api_key="sk-local-test", strict=False, **kwargs):
        checker = SpecChecker(strict=strict)
        checkers.append(checker)
        http = openai.DefaultHttpxClient(event_hooks={"response": [checker.hook]})
        client = openai.OpenAI(base_url=server.base_url, api_key=api_key, max_retries=0, http_client=http, **kwargs)
        client.spec = checker
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    for checker in checkers:
        assert not checker.failures, "responses that do not match the spec:\n" + "\n".join(checker.failures[:20])


@pytest.fixture
def server(make_server):
    return make_server()


@pytest.fixture
def client(make_client, server):
    return make_client(server)


def upload(client, path, purpose="fine-tune"):
    with open(path, "rb") as fh:
        return client.files.create(file=fh, purpose=purpose)


def wait_status(client, job_id, statuses=TERMINAL, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")
        time.sleep(0.02)


class EventFollower:
    """Follows a job's events the way a client must: newest page first, then `after` towards older ones,
    stopping at the first event already seen; keeps everything in chronological order."""

    def __init__(self, client, job_id, page=50):
        self.client, self.job_id, self.page = client, job_id, page
        self.events = []
        self.ids = set()

    def poll(self):
        fresh, after = [], None
        while True:
            kwargs = {"limit": self.page} if after is None else {"limit": self.page, "after": after}
            page = self.client.fine_tuning.jobs.list_events(self.job_id, **kwargs)
            stop = False
            for ev in page.data:
                if ev.id in self.ids:
                    stop = True
                    break
                fresh.append(ev)
            if stop or not page.has_more or not page.data:
                break
            after = page.data[-1].id
        fresh.reverse()
        for ev in fresh:
            assert ev.id not in self.ids, f"event {ev.id} delivered twice"
            self.ids.add(ev.id)
        self.events.extend(fresh)
        return fresh

    def until_done(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            job = self.client.fine_tuning.jobs.retrieve(self.job_id)
            self.poll()
            if job.status in TERMINAL:
                self.poll()
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {self.job_id} still {job.status} after {timeout}s")
            time.sleep(0.02)

    @property
    def messages(self):
        return [e.message for e in self.events]
