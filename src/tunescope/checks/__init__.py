"""The rule engine. Importing this package imports every rule module, so `CHECKS` is complete.

A check is declared once, beside the code that emits it (checks/registry.py); this is the one
list of the modules that declare checks, as ruff's `codes.rs` is. The dataset-wide checks
are declared by their collectors (checks/dataset/collectors/, imported last).

The order below is the order checks are listed in within an area (`by_area()`, `tunescope
checks`, docs/checks.md): roles before reinforcement (rft_last_message_not_user comes first),
schema before nearmiss, analyze (internal_error) before run.worker (tokenizer_failure).
"""

from __future__ import annotations

import tunescope.checks.file.rules  # noqa: F401  (each import declares that module's checks)
import tunescope.checks.example.parse  # noqa: F401
import tunescope.checks.example.schema  # noqa: F401
import tunescope.checks.example.nearmiss  # noqa: F401
import tunescope.checks.example.roles  # noqa: F401
import tunescope.checks.example.messages  # noqa: F401
import tunescope.checks.example.content  # noqa: F401
import tunescope.checks.example.privacy.sensitive  # noqa: F401
import tunescope.checks.example.tools  # noqa: F401
import tunescope.checks.example.weight  # noqa: F401
import tunescope.checks.example.vision  # noqa: F401
import tunescope.checks.example.preference  # noqa: F401
import tunescope.checks.example.reinforcement  # noqa: F401
import tunescope.checks.example.legacy  # noqa: F401
import tunescope.checks.example.analyze  # noqa: F401
import tunescope.checks.run.worker  # noqa: F401
import tunescope.checks.dataset.collectors  # noqa: F401  (the dataset-wide checks, one collector each)
from tunescope.checks.registry import AREAS, CHECKS, TAGS, Check, by_area, by_tag

__all__ = ["AREAS", "CHECKS", "TAGS", "Check", "by_area", "by_tag"]
