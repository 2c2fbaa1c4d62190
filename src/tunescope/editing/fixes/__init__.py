"""Bulk fixes: each module declares its fixes in the registry (registry.py) beside their plans.

Importing this package imports every module that declares fixes, so `registry.FIXES` is
complete before anyone reads it (Python runs this file before any submodule). A new module
of fixes is added to the import below; a new fix in an existing module needs nothing here.
"""

from tunescope.editing.fixes import (  # noqa: F401  (they declare the fixes)
    cleanup, convert, jsonl, near_duplicates, privacy, tokens)
