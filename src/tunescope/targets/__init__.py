"""Destinations after OpenAI: each one's format, limits and rules, and the converters to and from it.

Headless (no textual, no openai). Sits just above `checks` and `editing` in the layers: it reads
records (`dataset`) and token counts (`tokens`), emits findings declared with `checks.registry.check`,
and reuses the seeded split of `editing.fixes.split`; `commands/check.py` and `commands/export.py` call
it. Importing this package imports every target module, so `TARGETS` (and the target checks in
`CHECKS`) are complete. Add a target: one module with a `target(Target(...))` declaration, its
converters and (for a non-OpenAI format) a JSON Schema in schemas/ written from the destination's docs,
imported below.
"""

from __future__ import annotations

import tunescope.targets.openai_family  # noqa: F401  (each import declares that module's targets)
import tunescope.targets.vertex  # noqa: F401
import tunescope.targets.bedrock  # noqa: F401
import tunescope.targets.hf  # noqa: F401
import tunescope.targets.llamafactory  # noqa: F401
import tunescope.targets.checking  # noqa: F401  (the generic target checks)
from tunescope.targets.registry import TARGETS, Target, UnknownTarget, get_target

__all__ = ["TARGETS", "Target", "UnknownTarget", "get_target"]
