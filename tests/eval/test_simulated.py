"""The simulated responder of `tunescope serve` through the real SDK: a fine-tune answers with its nearest
training reply (labelled in system_fingerprint), a base model with a labelled generic reply."""

from __future__ import annotations

import openai

from tests.eval.conftest import BASE, fine_tune, upload, wait_status
from tests.factories import write_jsonl
from tunescope.server.chat.simulated import SIMULATION_MARK


def test_fine_tune_answers_a_paraphrase_with_the_nearest_training_reply(server):
    _, model = fine_tune(server)
    with openai.OpenAI(base_url=server.base_url, api_key="sk-local-test", max_retries=0) as client:
        out = client.chat.completions.create(model=model, messages=[
            {"role": "system", "content": "You are a helpful pirate assistant."},
            {"role": "user", "content": "how do i change a tyre"}])
        assert out.choices[0].message.content.startswith("Here be the steps to change")
        assert out.system_fingerprint.startswith(SIMULATION_MARK) and "line 10" in out.system_fingerprint
        base = client.chat.completions.create(model=BASE, messages=[{"role": "user", "content": "how do i change a tyre"}])
        assert base.choices[0].message.content.startswith(SIMULATION_MARK) and base.system_fingerprint is None


def test_a_dpo_fine_tune_answers_with_the_preferred_output(server, tmp_path):
    rows = [{"input": {"messages": [{"role": "user", "content": f"Name colour number {i}"}]},
             "preferred_output": [{"role": "assistant", "content": f"Colour {i} is teal."}],
             "non_preferred_output": [{"role": "assistant", "content": "No."}]} for i in range(10)]
    path = write_jsonl(tmp_path, rows, name="dpo.jsonl")
    with openai.OpenAI(base_url=server.base_url, api_key="sk-local-test", max_retries=0) as client:
        file = upload(client, path)
        job = client.fine_tuning.jobs.create(model=BASE, training_file=file.id, method={"type": "dpo"})
        done = wait_status(client, job.id)
        assert done.status == "succeeded", done.error
        out = client.chat.completions.create(model=done.fine_tuned_model,
                                             messages=[{"role": "user", "content": "Name colour number 7"}])
        assert out.choices[0].message.content == "Colour 7 is teal."
