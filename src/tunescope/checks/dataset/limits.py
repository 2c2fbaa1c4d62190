"""Thresholds several dataset collectors share; a collector's own thresholds live in its module."""

MIN_EXAMPLES = 10            # OpenAI refuses fewer (invalid_n_examples)
PER_LINE_CAP = 10_000        # per-line findings of one dataset check
MAX_TRACKED_TEXTS = 1000     # distinct system prompts / grader key sets tracked individually
