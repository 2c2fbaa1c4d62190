"""The optional C speed-ups (_native.c), or None where they are not built.

setup.py builds them when a C compiler is there; without one the install still succeeds and every
caller runs its pure-Python code, with the same findings. TUNESCOPE_NO_NATIVE=1 turns them off
(the tests compare both paths; a user can rule the C code out when chasing a bug).
"""

from __future__ import annotations

import os

native = None
if os.environ.get("TUNESCOPE_NO_NATIVE", "") in ("", "0"):
    try:
        from tunescope.quality import _native as native
    except ImportError:
        native = None

__all__ = ["native"]
