"""Checking a job-create request and resolving "auto" hyperparameters.

Request errors are synchronous 400s in the real envelope; problems with the
*contents* of the training file are found later, when the job's files are
validated, and fail the job asynchronously, as the real API does. "auto"
n_epochs is tunescope's own rule (`tunescope.tokens.cost.default_epochs`), the
one `tunescope check` uses for its cost estimate.
"""

from __future__ import annotations

import math
import random
import re

from tunescope.server.errors import (
    above_max,
    bad_request,
    below_min,
    invalid_type,
    missing,
    out_of_range,
    unknown_argument,
)
from tunescope.tokens.cost import default_epochs

CREATE_KEYS = {"model", "training_file", "validation_file", "hyperparameters", "suffix", "seed", "method",
               "metadata", "integrations"}
METHODS = ("supervised", "dpo", "reinforcement")
BASE_KEYS = ("n_epochs", "batch_size", "learning_rate_multiplier")
METHOD_KEYS = {
    "supervised": BASE_KEYS,
    "dpo": ("beta",) + BASE_KEYS,
    "reinforcement": BASE_KEYS + ("reasoning_effort", "compute_multiplier", "eval_interval", "eval_samples"),
}
SUFFIX_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a suffix may hold (it becomes one `:`-separated segment of the model id)."""
REASONING = ("default", "low", "medium", "high")
GRADER_TYPES = ("string_check", "text_similarity", "python", "score_model", "multi", "label_model")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_hyper(name: str, value, param: str):
    if name == "reasoning_effort":
        if value not in REASONING:
            raise bad_request(f"Invalid '{param}': expected one of {', '.join(REASONING)}, got {value!r}.", param=param,
                              code="invalid_value")
        return value
    if value == "auto":
        return value
    if name in ("batch_size", "n_epochs", "eval_interval", "eval_samples"):
        if not _is_int(value):
            raise invalid_type(param, "'auto' or an integer", value)
        hi = {"batch_size": 256, "n_epochs": 50}.get(name)
        if value < 1:
            raise below_min(param, 1, value)
        if hi is not None and value > hi:
            raise above_max(param, hi, value)
        return value
    if not _is_num(value):
        raise invalid_type(param, "'auto' or a number", value)
    if name == "beta" and not 0 < value <= 2:
        raise out_of_range(param, "a number in (0, 2]", value)
    if name == "compute_multiplier" and not 0.00001 < value <= 10:
        raise out_of_range(param, "a number in (0.00001, 10]", value)
    if name == "learning_rate_multiplier" and value <= 0:
        raise out_of_range(param, "a number > 0", value)
    return value


def _hyper(method: str, given, param: str) -> dict:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise invalid_type(param, "an object", given)
    keys = METHOD_KEYS[method]
    for k in given:
        if k not in keys:
            raise unknown_argument(f"{param}.{k}")
    out = {}
    for k in keys:
        default = "default" if k == "reasoning_effort" else "auto"
        out[k] = _check_hyper(k, given.get(k, default), f"{param}.{k}")
    return out


def _metadata(value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_type("metadata", "an object of string values", value)
    if len(value) > 16:
        raise bad_request("Invalid 'metadata': too many properties. Expected at most 16 properties, but got "
                          f"{len(value)}.", param="metadata", code="invalid_value")
    for k, v in value.items():
        if len(k) > 64:
            raise bad_request(f"Invalid 'metadata': key {k[:20]!r}... is longer than 64 characters.", param="metadata",
                              code="invalid_value")
        if not isinstance(v, str):
            raise invalid_type(f"metadata.{k}", "a string", v)
        if len(v) > 512:
            raise bad_request(f"Invalid 'metadata.{k}': string too long. Expected at most 512 characters, got {len(v)}.",
                              param=f"metadata.{k}", code="string_above_max_length")
    return dict(value)


def _integrations(value) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type("integrations", "an array", value)
    if len(value) > 5:
        raise bad_request("Invalid 'integrations': at most 5 integrations are allowed.", param="integrations")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or item.get("type") != "wandb":
            raise bad_request(f"Invalid 'integrations[{i}].type': only 'wandb' is supported.", param=f"integrations[{i}].type")
        wandb = item.get("wandb")
        if not isinstance(wandb, dict) or not isinstance(wandb.get("project"), str):
            raise missing(f"integrations[{i}].wandb.project")
        out.append({"type": "wandb", "wandb": {"project": wandb["project"], "name": wandb.get("name"),
                                               "entity": wandb.get("entity"), "tags": list(wandb.get("tags") or [])}})
    return out


def parse_method(body: dict) -> dict:
    """The requested `method` with every hyperparameter filled in ("auto" when not given)."""
    method = body.get("method")
    legacy = body.get("hyperparameters")
    if method is None:
        return {"type": "supervised", "supervised": {"hyperparameters": _hyper("supervised", legacy, "hyperparameters")}}
    if not isinstance(method, dict):
        raise invalid_type("method", "an object", method)
    kind = method.get("type")
    if kind is None:
        raise missing("method.type")
    if kind not in METHODS:
        raise bad_request(f"Invalid 'method.type': expected one of supervised, dpo, reinforcement, got {kind!r}.",
                          param="method.type", code="invalid_value")
    for k in method:
        if k == "type":
            continue
        if k not in METHODS:
            raise unknown_argument(f"method.{k}")
        if k != kind and method[k] is not None and not isinstance(method[k], dict):
            # the spec's shape: an object per method beside `type` (openai-python's tests send all three);
            # only the one `type` names applies
            raise invalid_type(f"method.{k}", "an object", method[k])
    conf = method.get(kind) or {}
    if not isinstance(conf, dict):
        raise invalid_type(f"method.{kind}", "an object", conf)
    given = conf.get("hyperparameters")
    if legacy is not None:
        if kind != "supervised" or given is not None:
            raise bad_request("The top-level 'hyperparameters' is deprecated and cannot be combined with "
                              f"'method.{kind}.hyperparameters'; set them under 'method' only.", param="hyperparameters")
        given = legacy
    out = {"type": kind, kind: {"hyperparameters": _hyper(kind, given, f"method.{kind}.hyperparameters")}}
    if kind == "reinforcement":
        grader = conf.get("grader")
        if grader is None:
            raise missing("method.reinforcement.grader")
        if not isinstance(grader, dict) or grader.get("type") not in GRADER_TYPES:
            raise bad_request("Invalid 'method.reinforcement.grader': expected a grader object whose type is one of "
                              + ", ".join(GRADER_TYPES[:-1]) + ".", param="method.reinforcement.grader")
        out[kind]["grader"] = grader
        out[kind]["response_format"] = conf.get("response_format")
    return out


def parse_create(body: dict) -> dict:
    """Shape-check a create request; returns the normalised fields (files/model not yet looked up)."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    for key in body:
        if key not in CREATE_KEYS:
            raise unknown_argument(key)
    for key in ("model", "training_file"):
        if body.get(key) in (None, ""):
            raise missing(key)
        if not isinstance(body[key], str):
            raise invalid_type(key, "a string", body[key])
    validation = body.get("validation_file")
    if validation is not None and not isinstance(validation, str):
        raise invalid_type("validation_file", "a string", validation)
    suffix = body.get("suffix")
    if suffix is not None:
        if not isinstance(suffix, str):
            raise invalid_type("suffix", "a string", suffix)
        if not 1 <= len(suffix) <= 64:
            raise bad_request(f"Invalid 'suffix': string length {len(suffix)} is out of range. Expected a string "
                              "with 1 to 64 characters.", param="suffix", code="invalid_value")
        if not SUFFIX_RE.fullmatch(suffix):
            bad = next(c for c in suffix if not SUFFIX_RE.fullmatch(c))
            raise bad_request(f"Invalid 'suffix': {bad!r} is not allowed. A suffix may contain only letters, digits, "
                              "'-' and '_' (it becomes part of the fine-tuned model's id).", param="suffix",
                              code="invalid_value")
    seed = body.get("seed")
    if seed is not None:
        if not _is_int(seed):
            raise invalid_type("seed", "an integer", seed)
        if seed < 0:
            raise below_min("seed", 0, seed)
        if seed > 2147483647:
            raise above_max("seed", 2147483647, seed)
    else:
        seed = random.SystemRandom().randint(0, 2147483647)
    return {
        "model": body["model"],
        "training_file": body["training_file"],
        "validation_file": validation or None,
        "suffix": suffix,
        "seed": seed,
        "metadata": _metadata(body.get("metadata")),
        "integrations": _integrations(body.get("integrations")),
        "method": parse_method(body),
    }


# -- "auto" resolution --------------------------------------------------------------------------------


def default_batch_size(n_examples: int) -> int:
    """About 0.2% of the examples, at least 1 and at most 256 (the documented legacy rule)."""
    return max(1, min(256, round(n_examples * 0.002)))


def resolve(method: dict, n_examples: int) -> dict:
    """`method` with every "auto" replaced by the value the job trains with."""
    kind = method["type"]
    conf = dict(method[kind])
    hp = dict(conf["hyperparameters"])
    if hp["n_epochs"] == "auto":
        hp["n_epochs"] = default_epochs(n_examples)
    if hp["batch_size"] == "auto":
        hp["batch_size"] = default_batch_size(n_examples)
    if hp["learning_rate_multiplier"] == "auto":
        hp["learning_rate_multiplier"] = 1.8 if kind == "supervised" else 1.0
    if kind == "dpo" and hp["beta"] == "auto":
        hp["beta"] = 0.1
    if kind == "reinforcement":
        steps_per_epoch = math.ceil(n_examples / hp["batch_size"])
        if hp["compute_multiplier"] == "auto":
            hp["compute_multiplier"] = 1.0
        if hp["eval_interval"] == "auto":
            hp["eval_interval"] = max(1, steps_per_epoch // 4)
        if hp["eval_samples"] == "auto":
            hp["eval_samples"] = min(10, max(1, n_examples))
    conf["hyperparameters"] = hp
    return {"type": kind, kind: conf}


def top_level_hyperparameters(method: dict) -> dict:
    hp = method[method["type"]]["hyperparameters"]
    return {k: hp[k] for k in BASE_KEYS}

