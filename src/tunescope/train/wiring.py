"""The factories `ServerState` takes (make_trainer, make_responder) for the real trainer.

The chat result types are the server's; they are handed in (`types`) so that train/ never
imports the server. `commands/serve.py` and tests call `hf_factories(settings, types)`.
"""

from __future__ import annotations

from types import SimpleNamespace

from tunescope.train.responder import HFResponder
from tunescope.train.trainer import HFTrainer
from tunescope.train.settings import TrainSettings


def hf_factories(settings: TrainSettings, types) -> dict:
    """`make_trainer`/`make_responder` for ServerState or start_embedded; `types` has `.choice` and `.result`."""
    return {"make_trainer": lambda jobs, config: HFTrainer(jobs, config, settings),
            "make_responder": lambda jobs, config: HFResponder(jobs, config, settings, types)}


def result_types(choice, result) -> SimpleNamespace:
    return SimpleNamespace(choice=choice, result=result)
