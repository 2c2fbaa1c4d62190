"""Base-URL presets for OpenAI-compatible fine-tuning clouds: `--backend compatible --preset NAME`
fills in the base URL and the key's variable, so nobody has to look them up.

Declared once here; the compatible provider reads them, `tunescope jobs backends` lists them.
Each carries where its figures come from and when they were read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    base_url: str
    key_env: str
    note: str
    source: str

    def to_dict(self) -> dict:
        return {"title": self.title, "base_url": self.base_url, "key_env": self.key_env, "note": self.note,
                "source": self.source}


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("nebius", "Nebius Token Factory", "https://api.tokenfactory.nebius.com/v1/", "NEBIUS_API_KEY",
           "OpenAI-compatible files and fine_tuning.jobs; `messages` or prompt/completion JSONL up to 5 GB",
           "../shared/reference/field-2026-12.md §1 (read 2026-12-02; skills.sh/arindam200/nebius-skills/"
           "nebius-finetune, secondary)"),
)}
