"""Where tunescope keeps its files, and the user's settings.

Every path can be redirected with TUNESCOPE_HOME (one folder holding config/,
cache/ and data/) or individually with TUNESCOPE_CONFIG_DIR,
TUNESCOPE_CACHE_DIR and TUNESCOPE_DATA_DIR, so tests never touch real ones.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import tomli_w

APP = "tunescope"


def _dir(env: str, sub: str, default) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    if os.environ.get("TUNESCOPE_HOME"):
        return Path(os.environ["TUNESCOPE_HOME"]) / sub
    return Path(default(APP, appauthor=False))


def config_dir() -> Path:
    return _dir("TUNESCOPE_CONFIG_DIR", "config", platformdirs.user_config_dir)


def cache_dir() -> Path:
    return _dir("TUNESCOPE_CACHE_DIR", "cache", platformdirs.user_cache_dir)


def data_dir() -> Path:
    return _dir("TUNESCOPE_DATA_DIR", "data", platformdirs.user_data_dir)


def config_file() -> Path:
    return config_dir() / "config.toml"


@dataclass
class Settings:
    """User settings from config.toml; unknown keys are refused with a message."""

    model: str = "gpt-4.1-mini-2025-04-14"
    """Default model for limits, encodings and cost."""
    backup: str = "none"
    """Backup before overwriting a dataset: "none", "bak" (FILE.bak) or "timestamp" (FILE.YYYYmmdd-HHMMSS.bak)."""
    theme: str = "textual-dark"
    """Textual theme name."""
    allow_estimate: bool = False
    """Fall back to estimated token counts when an encoding file is missing."""
    token_cache: bool = True
    """Keep a persistent token-count cache in the cache directory."""
    near_duplicate_threshold: float = 0.8
    """Similarity (0.5-1.0, MinHash estimate of word-bigram Jaccard) at which `tunescope check` reports
    near-duplicates and validation near-copies; 0 turns them off."""
    result_cache_mb: int = 0
    """Bound of the check result cache in MB (chunk sums that edits replaced go first, then the least recently
    used results); 0: half the file checked, at least 256 MB."""
    target: str = ""
    """Destination whose rules the app applies beside the model (`tunescope check --target`); "" for none."""
    tokenizer: str = ""
    """Hugging Face tokenizer of the TUI's loss-mask view (a local directory or a cached hub id)."""
    mask_max_length: int = 2048
    """Max length in tokens of the loss-mask view, as `serve --trainer hf --max-length`."""
    keymap: dict = field(default_factory=dict)
    """Binding id -> keys overrides, e.g. {"dataset.delete" = "D"}."""


class ConfigError(ValueError):
    pass


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_file()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return Settings(**data)


def near_duplicate_setting() -> float:
    """near_duplicate_threshold from config.toml (ConfigError when it is not 0 or within 0.5-1)."""
    value = load_settings().near_duplicate_threshold
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (value != 0 and not 0.5 <= value <= 1):
        raise ConfigError(f"{config_file()}: near_duplicate_threshold = {value!r}; give a similarity from 0.5 to 1, "
                          "or 0 to turn near-duplicate checks off")
    return float(value)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings the user chose: those already in the file and those that differ from the
    defaults. Writing every default would pin them: a later tunescope's better default (a new model
    when the old one retires) would never reach a user who once picked a target in the app. A config.toml
    that cannot be read is left as it is (ConfigError)."""
    path = path or config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        present = set(tomllib.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # a file the user is halfway through editing is theirs: never replace it with ours
        raise ConfigError(f"{path}: not saved, the file there cannot be read ({exc}); fix or remove it") from exc
    defaults = Settings()
    data = {f.name: getattr(settings, f.name) for f in fields(Settings)
            if f.name in present or getattr(settings, f.name) != getattr(defaults, f.name)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
    return path
