"""Validates every HTTP response the SDK receives against openapi-finetuning.yaml.

Default mode allows only the documented real-world deviations (finetuning-api.md
§0/§2.1); strict mode allows none. Used as an httpx response hook, so every SDK
call in the server tests is checked without the test having to ask.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from pathlib import Path

import orjson
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "reference" / "openapi-finetuning.yaml"


@functools.lru_cache(maxsize=1)
def load_spec() -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SPEC_PATH.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def real_world(spec: dict) -> dict:
    """The spec plus the deviations the real API is documented to show."""
    spec = copy.deepcopy(spec)
    s = spec["components"]["schemas"]
    job = s["FineTuningJob"]["properties"]
    job["error"]["anyOf"].append({"type": "object", "maxProperties": 0})  # error: {} on jobs that did not fail
    job["status"]["enum"].append("paused")  # the spec's own pause example
    f = s["OpenAIFile"]["properties"]
    f["expires_at"] = {"anyOf": [f["expires_at"], {"type": "null"}]}
    f["status_details"] = {"anyOf": [f["status_details"], {"type": "null"}]}
    f["purpose"]["enum"].append("evals")  # a purpose CreateFileRequest accepts, so a File can have it
    s["FineTuningJobEvent"]["properties"]["data"] = {"type": ["object", "null"]}  # "Fine-tuning job started" has null
    for key in ("first_id", "last_id"):
        s["ListFilesResponse"]["properties"][key] = {"type": ["string", "null"]}
    return spec


class SpecChecker:
    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        spec = load_spec() if strict else real_world(load_spec())
        self.registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
        self.ops = []
        for path, item in spec["paths"].items():
            pattern = re.compile("^/v1" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
            for method, op in item.items():
                if isinstance(op, dict) and "responses" in op:
                    content = op["responses"]["200"].get("content", {}).get("application/json", {})
                    ref = content.get("schema", {}).get("$ref")
                    self.ops.append((method.upper(), pattern, op["operationId"], ref))
        # Longest literal paths first so /jobs/{id}/events beats /jobs/{id}.
        self.ops.sort(key=lambda o: -len(o[1].pattern))
        self.failures: list[str] = []
        self.seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def _validator(self, ref: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": "urn:spec" + ref}, registry=self.registry)

    def check(self, method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
        op = next((o for o in self.ops if o[0] == method and o[1].match(path)), None)
        problems: list[str] = []
        name = op[2] if op else f"{method} {path}"
        if status >= 400 or op is None:
            ref = "#/components/schemas/ErrorResponse"
        else:
            ref = op[3]
        if ref is None:  # file content: bytes, not JSON
            if status != 200:
                problems.append(f"{name}: status {status}")
        else:
            if not content_type.startswith("application/json"):
                problems.append(f"{name}: content-type {content_type!r}")
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                problems.append(f"{name}: body is not JSON: {body[:80]!r}")
            else:
                for err in self._validator(ref).iter_errors(data):
                    problems.append(f"{name} {status}: {'/'.join(map(str, err.absolute_path))}: {err.message[:300]}")
        with self._lock:
            self.seen[name] = self.seen.get(name, 0) + 1
            self.failures.extend(problems)
        return problems

    def hook(self, response) -> None:
        response.read()
        req = response.request
        self.check(req.method, req.url.path, response.status_code, response.headers.get("content-type", ""),
                   response.content)
        if not response.headers.get("x-request-id", "").startswith("req_"):
            with self._lock:
                self.failures.append(f"{req.method} {req.url.path}: no x-request-id header")
