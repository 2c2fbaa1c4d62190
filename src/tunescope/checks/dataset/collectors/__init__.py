"""Every dataset collector, in the order they run: that order is the order of their findings and
stats in the report, so a new collector goes where its findings should appear.

The imports below also declare the dataset checks, in the order the catalogue lists them
(`registry.by_area`), hence not sorted by name.
"""
# ruff: noqa: I001

from tunescope.checks.dataset.collectors.size import Size
from tunescope.checks.dataset.collectors.duplicates import Duplicates
from tunescope.checks.dataset.collectors.near_duplicates import NearDuplicates
from tunescope.checks.dataset.collectors.conflicts import Conflicts
from tunescope.checks.dataset.collectors.formats import MixedFormats
from tunescope.checks.dataset.collectors.prompt_only import PromptOnlyRows
from tunescope.checks.dataset.collectors.system_prompts import SystemPrompts
from tunescope.checks.dataset.collectors.replies import Replies
from tunescope.checks.dataset.collectors.message_counts import MessageCounts
from tunescope.checks.dataset.collectors.grader_keys import GraderKeys
from tunescope.checks.dataset.collectors.images import Images
from tunescope.checks.dataset.collectors.preference import PreferenceLength
from tunescope.checks.dataset.collectors.legacy import Legacy
from tunescope.checks.dataset.collectors.model.method import ModelMethod
from tunescope.checks.dataset.collectors.model.deadlines import ModelDeadlines
from tunescope.checks.dataset.collectors.validation import CHECKS as VALIDATION_CHECKS, compare_validation

COLLECTORS = (PromptOnlyRows, Size, MixedFormats, Duplicates, NearDuplicates, Conflicts, SystemPrompts, Replies,
              MessageCounts, GraderKeys, Images, PreferenceLength, Legacy, ModelMethod, ModelDeadlines)

__all__ = ["COLLECTORS", "VALIDATION_CHECKS", "compare_validation"]
