"""Token counts of one training example, with tiktoken, counting each distinct string once.

Formula (OpenAI cookbook "How to count tokens", chat models since gpt-3.5-turbo-0613):

  message  = 3 + tokens of every string value of the message (role, content, name,
             tool_call_id, refusal, ...) + 1 if it has a `name`
  example  = 3 (reply priming) + sum(messages) + tools

For plain-text chat without tools or names this is exactly the cookbook's number. Beyond the
cookbook (which crashes on these, see validation-checks §a.13 K04) we decided:

- content parts: text parts count their `text`; `image_url` parts count an image estimate
  (below), never the URL; other parts count their string values except `type` and binary
  payloads (`data`, `file_data`, `url`, `input_audio`, `file`).
- tool calls (`tool_calls[i]` and legacy `function_call`): the function name + the arguments
  string + 3 tokens per call (the same overhead as a message; unpublished, our choice). Call
  ids and `type` are not counted.
- tool/function definitions (`tools`, legacy `functions`): the cookbook's `num_tokens_for_tools`
  (§c.2): per function func_init + tokens("name:description"), prop_init once if it has
  properties, per property prop_key + tokens("name:type:description") (+ enum_init and
  enum_item + tokens(item) per enum value), func_end once. Constants: o200k 7/3/3/-3/3/12,
  cl100k 10/3/3/-3/3/12. This is an INFERENCE-PROMPT approximation (verified by the cookbook
  against the API for inference); the training-time count is unpublished. Nested properties are
  not counted, as in the cookbook.
- numbers, booleans, None (`weight`, `parallel_tool_calls`, null content) count 0.
- images: `detail: "low"` = 85; high/auto = the gpt-4o tile formula (fit in 2048x2048,
  shortest side 768, 170 per 512-px tile + 85) using the size read from a base64 PNG/JPEG/GIF/
  WEBP header; when the size is unknown (http URL, unreadable data) we assume 1024x1024 = 765.
  Image counts are estimates (training-time image tokens are unpublished).

Trained tokens = what the assistant writes in messages with weight != 0 (missing weight = 1):
content text + refusal + tool-call names/arguments with their per-call 3, WITHOUT the 3-token
message header and the role (the cookbook counts assistant content only; for plain text the two
agree).

Preference (DPO): total = input messages + tools + preferred message(s) + non-preferred
message(s) + 3, i.e. every token in the file's example once; trained = both outputs (both enter
the DPO loss). How OpenAI bills DPO is undocumented: this is our documented choice.
Reinforcement: messages + tools + 3; trained = 0 (the model samples its own answers; grader keys
such as `reference_answer` are not shown to the model and are not counted).
Prompt/completion (legacy): tokens(prompt) + tokens(completion), no overhead; trained = completion.

Estimate mode (`allow_estimate=True` and the encoding file is missing): every string is
estimated by `tokens.estimate.estimate_tokens`, which errs high (an upper bound in practice), and
every ExampleTokens has `estimated=True`. Image counts are guesses too: an example with image parts
has `images > 0`, and a report whose count includes them is not exact either.

`encode_ordinary` is used: special-token text such as `<|endoftext|>` counts as plain text (the
checks flag it separately).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from xxhash import xxh3_128_digest

from tunescope.dataset.formats import RecordKind
from tunescope.tokens.encodings import EncodingUnavailable, get_encoding
from tunescope.tokens.estimate import estimate_tokens
from tunescope.tokens.images import image_tokens_and_guess
from tunescope.tokens.long_text import LONG, count_long


@dataclass(frozen=True, slots=True)
class ExampleTokens:
    """Token counts of one example (see tokens.py for the formula)."""

    total: int                         # everything the model sees for this example
    trained: int                       # assistant tokens that are trained (weight != 0)
    per_message: tuple[int, ...] = ()  # one count per message, in order (for DPO: input messages then outputs)
    tools: int = 0                     # tokens of tool/function definitions (included in total)
    images: int = 0                    # estimated image tokens (included in total)
    assumed_images: int = 0            # of which images whose size was unknown (assumed 1024x1024): a guess
    estimated: bool = False            # True when tiktoken was not available and counts are estimates

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
TOKENS_PER_TOOL_CALL = 3

# Cookbook num_tokens_for_tools constants: func_init, prop_init, prop_key, enum_init, enum_item, func_end
TOOL_CONSTANTS = {
    "o200k_base": (7, 3, 3, -3, 3, 12),
    "cl100k_base": (10, 3, 3, -3, 3, 12),
}

_SHORT_KEY = 128          # strings up to this length are their own cache key; longer ones a 128-bit xxh3 digest
_SKIP_KEYS = frozenset(("type",))
_PAYLOAD_KEYS = frozenset(("type", "data", "file_data", "url", "image_url", "input_audio", "file"))


class TokenCounter:
    """Counts examples for one encoding. One instance per process (worker); not thread-safe.

    `cache_size` bounds the distinct-string cache (0 disables it); when full it is emptied.
    With `allow_estimate=True` a missing encoding file gives estimates (`estimated=True`)
    instead of raising EncodingUnavailable.
    """

    def __init__(self, encoding: str, allow_estimate: bool = False, cache_size: int = 100_000):
        self.encoding_name = encoding
        self.estimated = False
        self.unavailable: EncodingUnavailable | None = None
        try:
            self._encoding = get_encoding(encoding)
            self._encode = self._encoding.encode_ordinary
        except EncodingUnavailable as exc:
            if not allow_estimate:
                raise
            self.estimated = True
            self.unavailable = exc
            self._encoding = self._encode = None
        self._tool_constants = TOOL_CONSTANTS.get(encoding, TOOL_CONSTANTS["o200k_base"])
        self._cache: dict = {}
        self._cache_size = cache_size
        self.hits = 0
        self.misses = 0
        self._assumed_images = 0     # image tokens with an assumed size in the record being counted

    # -- strings -------------------------------------------------------------------------------
    def count_text(self, text: str) -> int:
        """Tokens of one string (cached)."""
        if not text:
            return 0
        if self._cache_size <= 0:
            return self._raw_count(text)
        key = text if len(text) <= _SHORT_KEY else xxh3_128_digest(text.encode("utf-8", "surrogatepass"))
        n = self._cache.get(key)
        if n is not None:
            self.hits += 1
            return n
        self.misses += 1
        n = self._raw_count(text)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[key] = n
        return n

    def _raw_count(self, text: str) -> int:
        if self._encode is None:
            return estimate_tokens(text, self.encoding_name)
        if len(text) > LONG:                # huge strings: piece by piece, cut where tiktoken cuts
            return count_long(self._encoding, text)
        return len(self._encode(text))

    def _strings(self, value, skip_type: bool = True) -> int:
        """Tokens of every string nested in value (dict keys not counted)."""
        if isinstance(value, str):
            return self.count_text(value)
        if isinstance(value, dict):
            return sum(self._strings(v) for k, v in value.items() if not (skip_type and k in _SKIP_KEYS))
        if isinstance(value, list):
            return sum(self._strings(v) for v in value)
        return 0

    # -- messages ------------------------------------------------------------------------------
    def _call_tokens(self, call) -> int:
        """One tool call / function_call: name + arguments + per-call overhead."""
        if not isinstance(call, dict):
            return 0
        fn = call.get("function", call)
        if not isinstance(fn, dict):
            return TOKENS_PER_TOOL_CALL
        n = TOKENS_PER_TOOL_CALL
        name, args = fn.get("name"), fn.get("arguments")
        if isinstance(name, str):
            n += self.count_text(name)
        if isinstance(args, str):
            n += self.count_text(args)
        elif args is not None:
            n += self._strings(args)
        return n

    def _content_tokens(self, content) -> tuple[int, int]:
        """(tokens, of which image tokens) of a message content (str, None or list of parts)."""
        if isinstance(content, str):
            return self.count_text(content), 0
        if not isinstance(content, list):
            return (self._strings(content), 0) if isinstance(content, dict) else (0, 0)
        total = images = 0
        for part in content:
            if isinstance(part, str):
                total += self.count_text(part)
            elif isinstance(part, dict):
                kind = part.get("type")
                if kind == "text" and isinstance(part.get("text"), str):
                    total += self.count_text(part["text"])
                elif kind == "image_url" or "image_url" in part:
                    n, guessed = image_tokens_and_guess(part.get("image_url"))
                    total += n
                    images += n
                    self._assumed_images += n if guessed else 0
                else:  # unknown / near-miss parts: their text, never binary payloads
                    total += sum(self._strings(v) for k, v in part.items() if k not in _PAYLOAD_KEYS)
        return total, images

    def count_message(self, msg) -> tuple[int, int, int]:
        """(message tokens incl. overhead, trained tokens, image tokens) of one message."""
        if not isinstance(msg, dict):
            return TOKENS_PER_MESSAGE + self._strings(msg), 0, 0
        if len(msg) == 2:   # the common {"role": ..., "content": "..."}: what the loop below adds up, directly
            role, content = msg.get("role"), msg.get("content")
            if type(role) is str and type(content) is str:
                n = self.count_text(content)
                return TOKENS_PER_MESSAGE + self.count_text(role) + n, (n if role == "assistant" else 0), 0
        total = TOKENS_PER_MESSAGE
        output = images = 0
        for key, value in msg.items():
            if key == "content":
                n, img = self._content_tokens(value)
                images += img
                output += n
            elif key == "tool_calls":
                n = sum(self._call_tokens(c) for c in value) if isinstance(value, list) else 0
                output += n
            elif key == "function_call":
                n = self._call_tokens(value)
                output += n
            elif isinstance(value, str):
                n = self.count_text(value)
                if key == "name":
                    n += TOKENS_PER_NAME
                elif key == "refusal":
                    output += n
            elif isinstance(value, (dict, list)):
                n = self._strings(value)
            else:  # weight, numbers, booleans, None
                n = 0
            total += n
        trained = 0
        if msg.get("role") == "assistant" and msg.get("weight", 1) != 0:
            trained = output
        return total, trained, images

    def _messages(self, messages, per: list[int]) -> tuple[int, int, int]:
        total = trained = images = 0
        if not isinstance(messages, list):
            return 0, 0, 0
        for msg in messages:
            n, t, img = self.count_message(msg)
            per.append(n)
            total += n
            trained += t
            images += img
        return total, trained, images

    # -- tools ---------------------------------------------------------------------------------
    def count_tools(self, tools) -> int:
        """Cookbook num_tokens_for_tools over `tools` (or legacy `functions`); 0 if none."""
        if not isinstance(tools, list) or not tools:
            return 0
        if self._cache_size <= 0:
            return self._count_tools(tools)
        try:  # the same definitions repeat on every line: count them once per distinct JSON
            key = b"tools:" + xxh3_128_digest(orjson.dumps(tools))
        except (orjson.JSONEncodeError, TypeError):
            return self._count_tools(tools)
        n = self._cache.get(key)
        if n is None:
            n = self._count_tools(tools)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = n
        return n

    def _count_tools(self, tools: list) -> int:
        func_init, prop_init, prop_key, enum_init, enum_item, func_end = self._tool_constants
        n = 0
        for tool in tools:
            if not isinstance(tool, dict):
                continue
            fn = tool.get("function", tool) if tool.get("type", "function") == "function" else tool
            if not isinstance(fn, dict):
                continue
            n += func_init
            name = fn.get("name") if isinstance(fn.get("name"), str) else ""
            desc = fn.get("description") if isinstance(fn.get("description"), str) else ""
            n += self.count_text(f"{name}:{desc[:-1] if desc.endswith('.') else desc}")
            params = fn.get("parameters")
            props = params.get("properties") if isinstance(params, dict) else None
            if isinstance(props, dict) and props:
                n += prop_init
                for key, prop in props.items():
                    n += prop_key
                    prop = prop if isinstance(prop, dict) else {}
                    enum = prop.get("enum")
                    if isinstance(enum, list):
                        n += enum_init
                        for item in enum:
                            n += enum_item + self.count_text(item if isinstance(item, str) else str(item))
                    ptype = prop.get("type", "")
                    if isinstance(ptype, list):
                        ptype = "|".join(str(t) for t in ptype)
                    pdesc = prop.get("description") if isinstance(prop.get("description"), str) else ""
                    if pdesc.endswith("."):
                        pdesc = pdesc[:-1]
                    n += self.count_text(f"{key}:{ptype}:{pdesc}")
        return n + func_end

    # -- records -------------------------------------------------------------------------------
    def count_record(self, obj, kind: RecordKind) -> ExampleTokens:
        """Token counts of one parsed example of the given kind. Never raises on odd values."""
        if not isinstance(obj, dict):
            return ExampleTokens(total=0, trained=0, estimated=self.estimated)
        self._assumed_images = 0
        per: list[int] = []
        if kind in (RecordKind.CHAT, RecordKind.REINFORCEMENT):
            tools = self.count_tools(obj.get("tools")) + self.count_tools(obj.get("functions"))
            total, trained, images = self._messages(obj.get("messages"), per)
            if kind == RecordKind.REINFORCEMENT:
                trained = 0
            return ExampleTokens(total=total + tools + REPLY_PRIMING, trained=trained, per_message=tuple(per),
                                 tools=tools, images=images, assumed_images=self._assumed_images,
                                 estimated=self.estimated)
        if kind == RecordKind.PREFERENCE:
            inp = obj.get("input") if isinstance(obj.get("input"), dict) else {}
            tools = self.count_tools(inp.get("tools")) + self.count_tools(inp.get("functions"))
            total, _t, images = self._messages(inp.get("messages"), per)
            trained = 0
            for side in ("preferred_output", "non_preferred_output"):
                out = obj.get(side)
                out = [out] if isinstance(out, dict) else out
                n, t, img = self._messages(out, per)
                total += n
                trained += t
                images += img
            return ExampleTokens(total=total + tools + REPLY_PRIMING, trained=trained, per_message=tuple(per),
                                 tools=tools, images=images, assumed_images=self._assumed_images,
                                 estimated=self.estimated)
        if kind == RecordKind.PROMPT_COMPLETION:
            prompt = self._strings(obj.get("prompt"))
            completion = self._strings(obj.get("completion"))
            return ExampleTokens(total=prompt + completion, trained=completion, per_message=(prompt, completion),
                                 estimated=self.estimated)
        if kind in (RecordKind.BLANK, RecordKind.INVALID):
            return ExampleTokens(total=0, trained=0, estimated=self.estimated)
        # near-miss / unknown shapes: every string, no structure assumed
        return ExampleTokens(total=self._strings(obj), trained=0, estimated=self.estimated)
