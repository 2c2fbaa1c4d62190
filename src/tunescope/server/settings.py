"""Knobs of one server instance (CLI flags and embedded-mode arguments)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024


@dataclass
class ServerConfig:
    data_dir: Path
    speed: float = 0.5
    """Seconds per simulated training step."""
    queue_delay: float | None = None
    """Seconds spent in `validating_files` and again in `queued`; default 4 x speed, at least 0.05 s."""
    api_key: str | None = None
    """When set, every request must carry `Authorization: Bearer <api_key>`."""
    strict_spec: bool = False
    """Emit only what the OpenAPI extract allows (no real-world extras such as `error: {}`)."""
    max_file_bytes: int = 512 * MB
    max_upload_bytes: int = 8 * 1024 * MB
    max_part_bytes: int = 64 * MB
    max_json_bytes: int = 32 * MB
    """A larger JSON request body answers 413 (before it is read when Content-Length says so)."""
    body_timeout: float = 30.0
    """Seconds a request body may stall between two chunks before the request answers 408."""
    header_timeout: float = 30.0
    """Seconds a connection may take to send a request's headers before it gets 408 and is closed."""
    upload_ttl: int = 3600
    """Seconds before a pending Upload expires."""
    max_active_jobs: int | None = None
    """Creating a job beyond this many unfinished ones answers 429."""
    requests_per_minute: int | None = None
    """Requests beyond this many per rolling minute answer 429 with Retry-After."""
    base_models: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Base models besides the model table's (a real trainer's, e.g. `--base-model`): name -> methods it trains."""
    grader_check: Callable[[dict], str | None] | None = None
    """A real trainer's test of a reinforcement job's grader: why it cannot be scored (400 at creation), or None."""

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if self.speed < 0:
            raise ValueError("speed must be >= 0 seconds per step")
        if self.queue_delay is None:
            self.queue_delay = max(0.05, 4 * self.speed) if self.speed > 0 else 0.0

    @property
    def db_path(self) -> Path:
        return self.data_dir / "tunescope-server.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    def prepare(self) -> None:
        for d in (self.data_dir, self.files_dir, self.uploads_dir, self.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
