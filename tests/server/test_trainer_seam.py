"""The trainer seam of jobs/service.py, driven by hand the way a real trainer would drive it.

The other server tests go through the SDK with the simulated trainer; here a scripted trainer
makes the service calls itself, so the contract another trainer relies on is pinned: the
service owns every status change, refuses steps of a job that is no longer running, and
builds the results file from the metrics the trainer reported.
"""

from __future__ import annotations

import base64
import shutil

import pytest

from tests.conftest import DATASETS
from tunescope.server.app import ServerState
from tunescope.server.formdata import IncomingFile
from tunescope.server.jobs import spec
from tunescope.server.settings import ServerConfig


class ScriptedTrainer:
    """Records what the service tells it; moves nothing on its own."""

    def __init__(self, jobs, config):
        self.jobs, self.config = jobs, config
        self.changed: list[str] = []
        self.started = self.stopped = False

    def start(self):
        self.started = True

    def stop(self):
        self.stopped = True

    def job_changed(self, job_id):
        self.changed.append(job_id)


@pytest.fixture
def state(tmp_path):
    st = ServerState(ServerConfig(data_dir=tmp_path / "server"), make_trainer=ScriptedTrainer)
    yield st
    st.close()
    assert st.trainer.stopped


def _training_file(state, name="pirate_chat.jsonl") -> str:
    fd, tmp = state.blobs.temp()
    with open(fd, "wb") as out, open(DATASETS / name, "rb") as src:
        shutil.copyfileobj(src, out)
    incoming = IncomingFile(tmp, name, "application/jsonl", (DATASETS / name).stat().st_size)
    return state.files.create_file(incoming, {"purpose": "fine-tune"})["id"]


def _create(state, **extra) -> str:
    body = {"model": "gpt-4o-mini", "training_file": _training_file(state), "seed": 5,
            "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}}, **extra}
    return state.jobs.create(spec.parse_create(body))["id"]


def _messages(state, job_id) -> list[str]:
    rows, _ = state.store.list_events(job_id, None, 1000)
    return [r["message"] for r in reversed(rows)]


def _metrics(step, total):
    return {"step": step, "train_loss": 1.0 / step, "total_steps": total, "train_mean_token_accuracy": 0.5}


def test_a_trainer_drives_a_job_from_validation_to_success(state):
    jobs = state.jobs
    job_id = _create(state)
    assert state.trainer.changed == [job_id]
    assert jobs.moving() == [(job_id, "validating_files")]
    assert jobs.run(job_id) is None  # nothing to train before the files are validated

    check = jobs.check_files(job_id)
    assert check.failure is None and check.n_examples == 10 and check.tokens_per_epoch > 0
    assert jobs.files_checked(job_id, check)
    assert not jobs.files_checked(job_id, check)  # only from validating_files
    run = jobs.run(job_id)
    assert (run.step, run.total_steps, run.steps_per_epoch) == (0, 20, 10)
    assert run.method["supervised"]["hyperparameters"]["n_epochs"] == 2
    assert run.training_file.exists() and run.validation_file is None

    assert jobs.start(job_id, estimated_finish=123)
    assert jobs.get(job_id)["status"] == "running" and jobs.get(job_id)["estimated_finish"] == 123
    assert jobs.step(job_id, [_metrics(s, 20) for s in range(1, 11)], estimated_finish=None)
    with pytest.raises(ValueError):
        jobs.step(job_id, [_metrics(3, 20)], None)  # a step already recorded
    assert [c["step"] for c in state.store.list_checkpoints(job_id)[0]] == [10]
    assert jobs.step(job_id, [_metrics(s, 20) for s in range(11, 21)], None)
    assert jobs.succeed(job_id)

    done = jobs.get(job_id)
    assert done["status"] == "succeeded" and done["fine_tuned_model"].startswith("ft:gpt-4o-mini-2024-07-18:local::")
    assert done["trained_tokens"] == 2 * check.tokens_per_epoch
    messages = _messages(state, job_id)
    assert messages[:4] == [f"Created fine-tuning job: {job_id}", f"Validating training file: {done['training_file']}",
                            "Files validated, moving job to queued state", "Fine-tuning job started"]
    assert messages[4] == "Step 1/20: training loss=1.00" and messages[23] == "Step 20/20: training loss=0.05"
    assert messages[-1] == "The job has successfully completed"
    path, _ = state.files.content(done["result_files"][0])
    csv = base64.b64decode(path.read_bytes()).decode().splitlines()
    assert len(csv) == 21 and csv[1] == "1,1,0.5,," and csv[20].startswith("20,0.05,")
    assert state.models.find(done["fine_tuned_model"])[0] == done["fine_tuned_model"]


def test_requests_change_jobs_under_a_running_trainer(state):
    jobs = state.jobs
    job_id = _create(state)
    jobs.files_checked(job_id, jobs.check_files(job_id))
    jobs.start(job_id, None)
    jobs.step(job_id, [_metrics(1, 20)], None)
    jobs.pause(job_id)
    assert state.trainer.changed == [job_id, job_id]
    assert not jobs.step(job_id, [_metrics(2, 20)], None)  # paused: the step is refused, nothing recorded
    assert jobs.moving() == []
    jobs.resume(job_id)
    assert jobs.moving() == [(job_id, "queued")] and jobs.run(job_id).step == 1
    assert jobs.start(job_id, None)
    assert _messages(state, job_id).count("Fine-tuning job started") == 1
    jobs.cancel(job_id)
    assert not jobs.step(job_id, [_metrics(2, 20)], None) and not jobs.succeed(job_id)
    assert not jobs.fail(job_id, "internal_error", "boom")
    assert jobs.get(job_id)["status"] == "cancelled"


def test_a_trainer_can_fail_a_job(state):
    jobs = state.jobs
    job_id = _create(state)
    assert jobs.fail(job_id, "out_of_memory", "The job failed: out of memory.", None)
    doc = jobs.get(job_id)
    assert doc["status"] == "failed" and doc["error"] == {"code": "out_of_memory", "message": "The job failed: out of "
                                                          "memory.", "param": None}
    assert _messages(state, job_id)[-1] == "The job failed: out of memory."
