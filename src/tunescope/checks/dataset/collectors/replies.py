"""Final replies of classification-like data: their distribution, and one reply dominating (D04).

Counts distinct final replies (bounded texts) while there are at most MAX_REPLIES of them;
past that the data is not classification-like and the counter is dropped. A reply longer than a
message quotes is counted under what it quotes and a digest of the whole (`_key`).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from xxhash import xxh3_64_digest

from tunescope.checks.dataset.limits import MIN_EXAMPLES
from tunescope.checks.dataset.rows import PROMPT_ONLY, Rows
from tunescope.checks.model import RecordKind
from tunescope.checks.registry import I, W, check
from tunescope.dataset.records import one_line

if TYPE_CHECKING:
    from tunescope.checks.dataset.output import DatasetOutput

MAX_REPLIES = 200            # distinct final replies tracked for balance
CLASS_MAX_DISTINCT = 50      # classification-like: at most this many distinct replies...
REPLY_KINDS = (RecordKind.CHAT, RecordKind.PROMPT_COMPLETION)
SHOWN = 80                   # characters of a reply the findings and stats quote

REPLY_DISTRIBUTION = check(
    "reply_distribution", I, "dataset", "Reply distribution",
    "Classification-like data: distribution of final replies (D04).", ref="D04")
REPLY_IMBALANCE = check(
    "reply_imbalance", W, "dataset", "One reply dominates", "One final reply is most of the data (D04).", ref="D04")


class Replies:
    """Distinct final replies with counts; writes stats["replies"] (None unless classification-like)."""

    checks = (REPLY_DISTRIBUTION, REPLY_IMBALANCE)

    def __init__(self, rows: Rows):
        self.rows = rows
        self.replies: Counter | None = Counter()     # None: too many distinct replies to be classification
        self.reply_rows = 0

    def add(self, summary, i: int) -> None:
        an = summary.analysis
        if an.kind in REPLY_KINDS and self.replies is not None and an.final_reply is not None \
                and self.rows.codes[i] != PROMPT_ONLY:
            self.reply_rows += 1
            self.replies[_key(an.final_reply)] += 1
            if len(self.replies) > MAX_REPLIES:
                self.replies = None

    def merge(self, other: Replies, offset: int) -> None:
        if self.replies is not None and other.replies is not None:
            self.replies.update(other.replies)
            if len(self.replies) > MAX_REPLIES:
                self.replies = None
        else:
            self.replies = None
        self.reply_rows += other.reply_rows

    def finish(self, out: DatasetOutput) -> None:
        out.stats["replies"] = self._finish(out)

    def _finish(self, out: DatasetOutput) -> dict | None:
        replies = self.replies
        n = self.reply_rows
        if replies is None or n < MIN_EXAMPLES:
            return None
        k = len(replies)
        if k > CLASS_MAX_DISTINCT or k * 3 >= n or k < 2:
            return None
        dist = [{"reply": _shown(r), "count": c} for r, c in replies.most_common(20)]
        shown = ", ".join(f"\"{d['reply']}\" {d['count']}" for d in dist[:6])
        if out.kinds[RecordKind.CHAT] >= out.kinds[RecordKind.PROMPT_COMPLETION]:
            out.add(REPLY_DISTRIBUTION,
                    f"Classification-like data: {k} distinct final replies in {n} examples ({shown}"
                    f"{', ...' if k > 6 else ''}).", "Check the distribution matches what the model will see in use.")
        top_reply, top = replies.most_common(1)[0]
        share = top / n
        if share >= max(0.5, 1.5 / k):
            out.add(REPLY_IMBALANCE,
                    f"One reply dominates: \"{_shown(top_reply)}\" is the final reply of {top} of {n} examples "
                    f"({share:.0%}); the model will over-produce it.",
                    "Rebalance: add examples of the other replies or down-sample this one to match real-world rates.")
        return {"distinct": k, "rows": n, "distribution": dist}


def _key(reply: str) -> str | tuple[str, bytes]:
    """A reply as counted: itself when a message would quote it whole, else the quoted part and a digest of
    the whole (replies that differ past the quoted part stay apart). Every chunk's cached partial holds
    this counter: on generated chat with 200-character replies their full texts were 40% of its bytes, and
    a chunk's partial went from 7.7 KB to 6.4 KB on average (the cache of 100,000 examples: 158 -> 148 MB)."""
    shown = one_line(reply, SHOWN)
    return reply if shown == reply else (shown, xxh3_64_digest(reply.encode("utf-8", "surrogatepass")))


def _shown(key: str | tuple[str, bytes]) -> str:
    return key if isinstance(key, str) else key[0]
