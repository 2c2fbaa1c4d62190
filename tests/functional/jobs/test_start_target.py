"""The start dialog and the chosen target (issue 13): which backends train it, and Azure's trainingType."""

from __future__ import annotations

import socket
import threading

from tests.functional.app_helpers import app_for, ready, wait_for
from tests.functional.app_helpers import shown as shown_screen
from tests.functional.jobs_helpers import copy_dataset, local_profile
from tunescope.config import Settings
from tunescope.jobs.profiles import BackendProfile
from tunescope.tui.dialogs.start_job import StartJobScreen
from tunescope.tui.dialogs.targets.training_target import TargetTraining, target_line
from tunescope.tui.jobs_poller import JobRequest, start_job
from tunescope.tui.messages import JobStarted


async def open_dialog(pilot) -> StartJobScreen:
    await ready(pilot)
    await pilot.press("T")
    return await shown_screen(pilot, StartJobScreen, 10, "the start dialog")


def shown(dialog) -> str:
    widget = dialog.query_one(TargetTraining)
    return str(widget.query_one("#start-target-line").render()) if widget.display else ""


async def test_the_start_dialog_says_which_backends_train_the_chosen_target(tmp_path, datasets_dir):
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    for target, expected in (("vertex", "none of tunescope's backends trains it"),
                             ("together", "trained by together, not by this backend (local)"),
                             ("openai", "this backend (local) is one of them"),
                             ("", "")):
        app = app_for(path, backend=local_profile(tmp_path), settings=Settings(target=target))
        async with app.run_test(size=(100, 40)) as pilot:
            dialog = await open_dialog(pilot)
            assert expected in shown(dialog) and bool(expected) == bool(shown(dialog)), (target, shown(dialog))
            assert not dialog.query_one("#start-training-type-row").display      # not Azure
            assert dialog.request().training_type is None


def test_every_backend_named_by_a_target_is_a_provider():
    from importlib.metadata import entry_points

    from tunescope.targets import TARGETS
    kinds = {ep.name for ep in entry_points(group="tunescope.providers")}
    named = {kind for t in TARGETS.values() for kind in t.trained_by}
    assert named and named <= kinds, named - kinds
    assert "tuningJobs" in target_line("vertex", "openai") and target_line("nothing", "openai") == ""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_azure_offers_training_type_and_the_job_request_carries_it(tmp_path, datasets_dir, monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "test-key-not-real")
    path = copy_dataset(tmp_path, "pirate_chat.jsonl")
    profile = BackendProfile(name="az", kind="azure", azure_endpoint=f"http://127.0.0.1:{closed_port()}")
    app = app_for(path, backend=profile, settings=Settings(target="azure"))
    async with app.run_test(size=(100, 40)) as pilot:
        dialog = await open_dialog(pilot)
        assert "this backend (azure) is one of them" in shown(dialog)
        assert dialog.query_one("#start-training-type-row").display
        assert dialog.request().training_type is None                     # Azure's default unless chosen
        dialog.query_one("#start-training-type").value = "developerTier"
        request = dialog.request()
    assert request.training_type == "developerTier"

    class Jobs:                 # records what the launcher asks of the jobs client
        created: dict = {}

        def ensure_can_start(self, model):
            pass

        def upload(self, *args, **kwargs):
            return "file-1"

        def create(self, model, train, **kwargs):
            self.created.update(kwargs)
            return type("Job", (), {"id": "ftjob-1"})()

    class Backend:
        started: dict = {}

        def jobs(self):
            return Jobs()

    done = threading.Event()
    posted = []
    start_job(Backend(), JobRequest(str(path), "gpt-4.1-mini", training_type="developerTier"),
              lambda m: (posted.append(m), done.set() if isinstance(m, JobStarted) else None), threading.Event())
    assert done.wait(10), posted
    assert Jobs.created["extra_body"] == {"trainingType": "developerTier"}
