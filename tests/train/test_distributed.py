"""The distributed path: the same job through `accelerate launch --num_processes 2` (DDP) succeeds on CPU.

`accelerate launch --cpu` takes accelerate's single-process (or MPI) path, so two CPU processes are launched
as `--multi_gpu`: torch's launcher starts two ranks, which find no GPU and join over gloo (the worker is
told `--device cpu`)."""

from __future__ import annotations

import sys

import pytest

from tests.train.helpers import all_events, client_for, start_hf_server, wait_for
from tests.train.test_lifecycle import create

pytestmark = pytest.mark.slow


def test_accelerate_launch_two_processes(tiny_model, tmp_path):
    launcher = f"{sys.executable} -m accelerate.commands.launch --multi_gpu --num_processes 2 --num_machines 1 --mixed_precision no --dynamo_backend no"
    with start_hf_server(tmp_path / "server", tiny_model, launcher=launcher) as server:
        client = client_for(server)
        job = wait_for(client, create(client, n_epochs=2).id, timeout=240)
        assert job.status == "succeeded", job.error
        steps = [e.data["step"] for e in all_events(client, job.id) if e.type == "metrics"]
        assert steps == [1, 2]  # batch 10 over 2 processes of 5: one step per epoch, as planned
        job_dir = tmp_path / "server" / "train" / job.id
        assert (job_dir / "final" / "model.safetensors").exists()
        log = (job_dir / "train.log").read_text()
        assert "rank 0 of 2" in log and "rank 1 of 2" in log
