"""A tunescope server with the real trainer (embedded, on 127.0.0.1) and the openai SDK pointed at it."""

from __future__ import annotations

import time

import openai

from tunescope.server.chat.service import ChatChoice, ChatResult
from tunescope.server.embedded import start_embedded
from tunescope.train.reward import unsupported_reason
from tunescope.train.settings import TrainSettings
from tunescope.train.wiring import hf_factories, result_types

TERMINAL = ("succeeded", "failed", "cancelled")


def start_hf_server(data_dir, model_dir, **settings):
    options = {"adapter": "full", "device": "cpu", "learning_rate": 3e-3, "max_length": 256, **settings}
    hf = TrainSettings(base_models={"tiny": str(model_dir)}, **options)
    return start_embedded(data_dir, speed=0.01, base_models=hf.methods_of_base_models(), grader_check=unsupported_reason,
                          **hf_factories(hf, result_types(ChatChoice, ChatResult)))


def client_for(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-local", max_retries=0, timeout=120)


def wait_for(client, job_id, statuses=TERMINAL, timeout=300.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")


def all_events(client, job_id):
    return list(reversed(client.fine_tuning.jobs.list_events(job_id, limit=1000).data))
