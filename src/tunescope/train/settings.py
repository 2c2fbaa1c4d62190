"""What `tunescope serve --trainer hf` was told: base models, adapter, learning rate, device, launcher.

Light on purpose (no torch): `commands/serve.py` parses its flags into `TrainSettings` and checks
`missing_packages()` before anything heavy is imported, so a machine without the `train` extra
gets one line saying what to install instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import shlex
from dataclasses import dataclass, field
from pathlib import Path

EXTRA_PACKAGES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets")
INSTALL_HINT = "pip install 'tunescope[train]'"
ADAPTERS = ("lora", "full")
DEVICES = ("auto", "cpu", "cuda")
DEFAULT_LEARNING_RATE = 1e-4
DEFAULT_MAX_LENGTH = 2048
DEFAULT_MAX_COMPLETION_LENGTH = 256
SUPPORTED_METHODS = ("supervised", "dpo", "reinforcement")
"""What the real trainer trains; other methods are refused when a job is created (reinforcement: with an offline
grader only, see reward.OFFLINE_GRADERS)."""


def missing_packages() -> list[str]:
    """The packages of the `train` extra that are not installed (found without importing them)."""
    return [name for name in EXTRA_PACKAGES if importlib.util.find_spec(name) is None]


def parse_base_model(text: str) -> tuple[str, str]:
    """`NAME=PATH_OR_HUB_ID` -> (name, source); ValueError with what is wrong."""
    name, sep, source = text.partition("=")
    name, source = name.strip(), source.strip()
    if not sep or not name or not source:
        raise ValueError(f"--base-model {text!r}: expected NAME=PATH_OR_HUB_ID, e.g. qwen=Qwen/Qwen2.5-0.5B-Instruct")
    if name.startswith("ft:") or ":" in name:
        raise ValueError(f"--base-model {text!r}: the name may not contain ':' (fine-tuned model ids use it)")
    return name, source


@dataclass
class TrainSettings:
    base_models: dict[str, str] = field(default_factory=dict)
    """Model name clients use -> local directory or Hugging Face hub id."""
    adapter: str = "lora"
    learning_rate: float = DEFAULT_LEARNING_RATE
    """The base rate; a job's `learning_rate_multiplier` scales it."""
    max_length: int = DEFAULT_MAX_LENGTH
    max_completion_length: int = DEFAULT_MAX_COMPLETION_LENGTH
    """Tokens a reinforcement (GRPO) job generates per completion at most."""
    device: str = "auto"
    launcher: str = ""
    """A command prefix such as `accelerate launch --num_processes 8`; empty runs plain python."""
    python: str = ""
    """The interpreter for the training process; empty means the server's own."""

    def __post_init__(self) -> None:
        if self.adapter not in ADAPTERS:
            raise ValueError(f"adapter must be one of {', '.join(ADAPTERS)}, not {self.adapter!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")
        if self.learning_rate <= 0 or self.max_length < 8 or self.max_completion_length < 1:
            raise ValueError("learning rate must be > 0, max length at least 8 tokens, max completion length >= 1")

    def source_of(self, name: str) -> str | None:
        """Where the base model `name` is loaded from (a directory path or a hub id)."""
        source = self.base_models.get(name)
        if source is None:
            return None
        return str(Path(source).expanduser().resolve()) if Path(source).expanduser().exists() else source

    def launcher_argv(self) -> list[str]:
        return shlex.split(self.launcher)

    def methods_of_base_models(self) -> dict[str, tuple[str, ...]]:
        """What the server's ServerConfig.base_models takes: each base model with the methods trained here."""
        return {name: SUPPORTED_METHODS for name in self.base_models}
