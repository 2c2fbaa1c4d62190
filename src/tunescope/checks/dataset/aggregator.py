"""Dataset-level checks, fed one ExampleSummary at a time (possibly a million of them).

Per example the aggregator keeps ~20 bytes in arrays (digests as 64-bit ints,
line numbers, a kind code, a system-prompt id); texts are kept only for the
bounded sets of distinct system prompts, replies and grader key sets.
`finish()` returns (findings, stats). Thresholds are module constants below.
"""

from __future__ import annotations

from array import array
from collections import Counter

from tunescope.checks.model import CheckOptions, ExampleSummary, RecordKind
from tunescope.checks.catalogue import CHECKS
from tunescope.checks.context import one_line
from tunescope.checks.dataset.legacy import LegacyStats
from tunescope.checks.keys import as_int
from tunescope.checks.findings import Finding
from tunescope.checks.model import is_prompt_only

MIN_EXAMPLES = 10            # OpenAI refuses fewer (invalid_n_examples)
RECOMMENDED_EXAMPLES = 50    # OpenAI guide: improvements from 50-100 well-crafted examples
MAX_TRACKED_TEXTS = 1000     # distinct system prompts / key sets tracked individually
MAX_REPLIES = 200            # distinct final replies tracked for balance
CLASS_MAX_DISTINCT = 50      # classification-like: at most this many distinct replies...
RARE_VARIANT_SHARE = 0.10    # a system prompt used by <= 10% as many rows as the majority one is "rare"
MAX_FLAGGED_SHARE = 0.25     # do not flag per row when more than a quarter of rows would be flagged
MAX_IMAGE_EXAMPLES = 50_000
PER_LINE_CAP = 10_000        # per-line findings of one dataset check
LEGACY_MODELS = ("babbage-002", "davinci-002")

_KIND_CODES = [RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION,
               RecordKind.NEAR_MISS, RecordKind.UNKNOWN, RecordKind.INVALID, RecordKind.BLANK]
_CODE = {k: i for i, k in enumerate(_KIND_CODES)}
PROMPT_ONLY = len(_KIND_CODES)          # extra code: ambiguous prompt-only rows, resolved at finish
FORMAT_KINDS = (RecordKind.CHAT, RecordKind.PREFERENCE, RecordKind.REINFORCEMENT, RecordKind.PROMPT_COMPLETION)
_NO_PROMPT, _UNTRACKED = 0, 0xFFFFFFFF


def _finding(check: str, message: str, hint: str = "", line: int | None = None, example: int | None = None,
             path: str = "$") -> Finding:
    return Finding(check, CHECKS[check].severity, message, hint, line, example, None, path if line else "")


class DatasetAggregator:
    """Streams example summaries; `finish()` produces the dataset findings and statistics."""

    def __init__(self, options: CheckOptions | None = None):
        self.options = options or CheckOptions()
        self.n = 0
        self.lines = array("I")
        self.kind_codes = array("B")
        self.dedupe = array("Q")            # one per example with a dedupe key (aligned with dedupe_idx)
        self.dedupe_idx = array("I")
        self.io_in = array("Q")
        self.io_out = array("Q")
        self.io_idx = array("I")
        self.sys_ids = array("I")           # per example: 0 none, k = distinct prompt k, _UNTRACKED
        self.sys_texts: dict[str, int] = {}
        self.sys_counts: list[int] = [0]
        self.sys_first: list[int] = [0]
        self.sys_rows = 0                   # rows that can carry a system prompt
        self.replies: Counter | None = Counter()
        self.reply_rows = 0
        self.msg_hist: Counter = Counter()
        self.keysets: dict[tuple, int] = {}
        self.keyset_ids = array("H")        # per example: 0 = not RFT, k = key set k (capped)
        self.keyset_counts: list[int] = [0]
        self.grader_types: dict[str, Counter] = {}
        self.grader_type_line: dict[tuple, int] = {}
        self.image_rows = 0
        self.pref_rows = self.pref_longer = self.pref_len = self.nonpref_len = 0
        self.legacy = LegacyStats()
        self.legacy_completions: set[int] | None = set()
        self.legacy_prompts: set[int] | None = set()

    # -- streaming -------------------------------------------------------------------------------
    def add(self, summary: ExampleSummary) -> None:
        an = summary.analysis
        kind = an.kind
        i = self.n
        self.n += 1
        line = summary.line
        self.lines.append(line)
        code = PROMPT_ONLY if self.options.method is None and is_prompt_only(an) else _CODE[kind]
        self.kind_codes.append(code)
        if an.dedupe_key is not None:
            self.dedupe.append(as_int(an.dedupe_key))
            self.dedupe_idx.append(i)
        if an.input_key is not None and an.output_key is not None:
            self.io_in.append(as_int(an.input_key))
            self.io_out.append(as_int(an.output_key))
            self.io_idx.append(i)
        self.sys_ids.append(self._system_id(an, kind, line))
        if kind in (RecordKind.CHAT, RecordKind.PROMPT_COMPLETION) and self.replies is not None \
                and an.final_reply is not None and code != PROMPT_ONLY:
            self.reply_rows += 1
            self.replies[an.final_reply] += 1
            if len(self.replies) > MAX_REPLIES:
                self.replies = None
        if kind in FORMAT_KINDS or kind is RecordKind.NEAR_MISS:
            self.msg_hist[an.n_messages] += 1
        self.keyset_ids.append(self._keyset(an, line) if kind is RecordKind.REINFORCEMENT else 0)
        if an.has_images:
            self.image_rows += 1
        facts = an.facts
        if kind is RecordKind.PREFERENCE and facts:
            self.pref_rows += 1
            self.pref_longer += facts["pref_len"] > facts["nonpref_len"]
            self.pref_len += facts["pref_len"]
            self.nonpref_len += facts["nonpref_len"]
        elif kind is RecordKind.PROMPT_COMPLETION and facts:
            self.legacy.add(facts, line)
            for store, key in ((self.legacy_prompts, an.input_key), (self.legacy_completions, an.output_key)):
                if store is not None and key is not None:
                    store.add(as_int(key))
                    if len(store) > 100_000:
                        store.clear()
                        if store is self.legacy_prompts:
                            self.legacy_prompts = None
                        else:
                            self.legacy_completions = None

    def _system_id(self, an, kind: RecordKind, line: int) -> int:
        if kind not in (RecordKind.CHAT, RecordKind.REINFORCEMENT, RecordKind.PREFERENCE):
            return _NO_PROMPT
        self.sys_rows += 1
        text = an.system_prompt
        if text is None:
            return _NO_PROMPT
        sid = self.sys_texts.get(text)
        if sid is None:
            if len(self.sys_texts) >= MAX_TRACKED_TEXTS:
                return _UNTRACKED
            sid = len(self.sys_counts)
            self.sys_texts[text] = sid
            self.sys_counts.append(0)
            self.sys_first.append(line)
        self.sys_counts[sid] += 1
        return sid

    def _keyset(self, an, line: int) -> int:
        keys = tuple(sorted(an.extra_keys))
        kid = self.keysets.get(keys)
        if kid is None:
            if len(self.keysets) >= MAX_TRACKED_TEXTS:
                return 0xFFFF
            kid = len(self.keyset_counts)
            self.keysets[keys] = kid
            self.keyset_counts.append(0)
        self.keyset_counts[kid] += 1
        types = (an.facts or {}).get("grader_types") or ()
        for key, tname in zip(an.extra_keys, types):
            self.grader_types.setdefault(key, Counter())[tname] += 1
            self.grader_type_line.setdefault((key, tname), line)
        return kid

    # -- finish ----------------------------------------------------------------------------------
    def finish(self) -> tuple[list[Finding], dict]:
        from tunescope.checks.dataset import rules

        findings: list[Finding] = []
        stats: dict = {}
        kinds = rules.resolve_kinds(self, findings)
        stats["kinds"] = {k.value: n for k, n in kinds.most_common()}
        stats["format"] = rules.main_format(kinds)
        rules.size(self, kinds, findings, stats)
        rules.mixed_formats(self, kinds, findings)
        stats["duplicates"] = rules.duplicates(self, findings)
        stats["conflicts"] = rules.conflicts(self, findings)
        stats["system_prompts"] = rules.system_prompts(self, findings)
        stats["replies"] = rules.balance(self, kinds, findings)
        stats["messages_per_example"] = rules.distribution(self.msg_hist)
        stats["grader_keys"] = rules.grader_keys(self, findings)
        stats["image_examples"] = self.image_rows
        rules.images_and_preference(self, findings)
        rules.legacy(self, kinds, findings)
        rules.model_method(self, kinds, findings)
        return findings, stats

    def merge(self, other: "DatasetAggregator") -> None:
        """Append an aggregator built over the rows that follow this one's (a worker's chunk)."""
        from tunescope.checks.dataset.merge import merge_aggregators
        merge_aggregators(self, other)

    def compare_validation(self, other: "DatasetAggregator") -> list[Finding]:
        """Findings on the validation file `other` (its lines) for rows also in this training file."""
        from tunescope.checks.dataset import rules
        return rules.compare_validation(self, other)


def short(text: str, limit: int = 120) -> str:
    return one_line(text, limit)
