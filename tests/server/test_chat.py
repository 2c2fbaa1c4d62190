"""/v1/chat/completions through the real SDK: the seam the simulated and the real responder plug into."""

from __future__ import annotations

import openai
import pytest

from tunescope.server.chat.service import ChatChoice, ChatResult
from tunescope.server.chat.simulated import SIMULATION_MARK
from tunescope.server.embedded import start_embedded


@pytest.fixture
def chat(server):
    with openai.OpenAI(base_url=server.base_url, api_key="sk-local-test", max_retries=0) as client:
        yield client


def test_simulated_reply_is_labelled_with_real_usage_shape(chat):
    out = chat.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Ahoy there"}], n=2)
    assert out.object == "chat.completion" and out.id.startswith("chatcmpl-")
    assert out.model == "gpt-4o-mini-2024-07-18"  # the alias answers as its snapshot, as the real API does
    assert len(out.choices) == 2 and all(c.message.content.startswith(SIMULATION_MARK) for c in out.choices)
    assert out.usage.total_tokens == out.usage.prompt_tokens + out.usage.completion_tokens > 0


def test_streaming_joins_to_the_complete_answer(chat):
    whole = chat.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    chunks = list(chat.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                                               stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_unknown_model_and_bad_requests_use_the_real_error_shape(chat):
    with pytest.raises(openai.NotFoundError) as err:
        chat.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    assert err.value.body["code"] == "model_not_found"
    with pytest.raises(openai.BadRequestError) as err:
        chat.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert err.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError) as err:
        chat.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], temperature=3)
    assert err.value.body["param"] == "temperature"


class EchoResponder:
    """A stand-in for the real trainer's responder: proves the factory is what answers."""

    def __init__(self, jobs, config):
        self.seen = []

    def complete(self, request):
        self.seen.append(request)
        if request.model == "gpt-4o":
            raise ValueError("this responder cannot serve gpt-4o today")
        last = request.messages[-1]["content"]
        return ChatResult([ChatChoice(f"echo: {last}")], prompt_tokens=3, completion_tokens=2)


def test_the_responder_factory_answers_and_its_errors_map_to_400(tmp_path):
    srv = start_embedded(tmp_path / "srv", speed=0.01, make_responder=EchoResponder)
    try:
        with openai.OpenAI(base_url=srv.base_url, api_key="k", max_retries=0) as client:
            out = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "ping"}],
                                                 max_completion_tokens=5, stop="x", seed=3)
            assert out.choices[0].message.content == "echo: ping" and out.usage.total_tokens == 5
            with pytest.raises(openai.BadRequestError, match="cannot serve gpt-4o"):
                client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    finally:
        srv.stop()
