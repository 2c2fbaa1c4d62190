"""Chat completions from a base model through transformers: sampling options, n, stop, stream, usage."""

from __future__ import annotations

import openai
import pytest

from tests.train.helpers import client_for, start_hf_server

pytestmark = pytest.mark.slow
ASK = [{"role": "system", "content": "You are a helpful pirate assistant."},
       {"role": "user", "content": "What is the capital of France?"}]


def test_base_model_answers_with_real_usage_and_options(tiny_model, tmp_path):
    with start_hf_server(tmp_path / "server", tiny_model) as server:
        client = client_for(server)
        greedy = client.chat.completions.create(model="tiny", messages=ASK, temperature=0, max_tokens=12)
        again = client.chat.completions.create(model="tiny", messages=ASK, temperature=0, max_completion_tokens=12)
        assert greedy.choices[0].message.content == again.choices[0].message.content
        assert greedy.usage.completion_tokens == 12 and greedy.choices[0].finish_reason == "length"
        assert greedy.usage.prompt_tokens > 10

        sampled = client.chat.completions.create(model="tiny", messages=ASK, n=3, temperature=1.5, top_p=0.95,
                                                 seed=5, max_tokens=8)
        same_seed = client.chat.completions.create(model="tiny", messages=ASK, n=3, temperature=1.5, top_p=0.95,
                                                   seed=5, max_tokens=8)
        texts = [c.message.content for c in sampled.choices]
        assert len(texts) == 3 and texts == [c.message.content for c in same_seed.choices]
        assert len(set(texts)) > 1  # sampled, not greedy

        text = greedy.choices[0].message.content
        stop = text[3:6]
        cut = client.chat.completions.create(model="tiny", messages=ASK, temperature=0, max_tokens=12, stop=[stop])
        assert cut.choices[0].message.content == text[: text.index(stop)]

        chunks = client.chat.completions.create(model="tiny", messages=ASK, temperature=0, max_tokens=12, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == text

        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="ft:tiny:tunescope::nothing", messages=ASK)
