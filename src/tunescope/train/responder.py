"""`HFResponder`: chat completions from base and fine-tuned models through transformers.

It implements the server's ChatResponder seam (chat/service.py) without importing the server:
requests are read by attribute, answers built with the constructors `commands/serve.py` passes in.
A model is loaded on first use (base, full weights, or base plus LoRA adapter, see weights.py) and
the two most recently used stay in memory. The prompt is the model's chat template with its
generation prompt (tools passed as `tools`); sampling follows temperature/top_p/seed, `n` answers
come from one `generate` call, `stop` strings cut the text, and usage counts real tokens.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from tunescope.train.render import TemplateError, render_prompt
from tunescope.train.seams import JobsPort, ResultTypes
from tunescope.train.settings import TrainSettings
from tunescope.train.weights import WeightsLocator

DEFAULT_MAX_TOKENS = 256
CACHED_MODELS = 2


class HFResponder:
    def __init__(self, jobs: JobsPort, config, settings: TrainSettings, types: ResultTypes) -> None:
        self.weights = WeightsLocator(jobs, settings, Path(config.data_dir))
        self.settings, self.types = settings, types
        self._models: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def _device(self) -> str:
        import torch

        if self.settings.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.settings.device

    def _load(self, name: str) -> tuple:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        source, adapter = self.weights.locate(name)
        tokenizer_from = adapter if adapter and (Path(adapter) / "tokenizer_config.json").exists() else source
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_from)
        model = AutoModelForCausalLM.from_pretrained(source, dtype="auto")
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, adapter)
        model.to(self._device()).eval()
        return model, tokenizer

    def _model(self, name: str) -> tuple:
        if name in self._models:
            self._models.move_to_end(name)
            return self._models[name]
        loaded = self._load(name)
        self._models[name] = loaded
        while len(self._models) > CACHED_MODELS:
            self._models.popitem(last=False)
        return loaded

    def complete(self, request):
        import torch
        from transformers import set_seed

        with self._lock:  # one generation at a time: a model in memory is not thread-safe to share
            model, tokenizer = self._model(request.model)
            if not tokenizer.chat_template:
                raise ValueError(f"The model '{request.model}' has no chat template, so it cannot answer chat messages.")
            try:
                prompt = render_prompt(tokenizer, request.messages, request.tools)
            except (TemplateError, TypeError, KeyError) as exc:
                raise ValueError(f"The model's chat template cannot render these messages: {exc}") from None
            inputs = tokenizer(prompt, add_special_tokens=False, return_tensors="pt").to(model.device)
            prompt_len = inputs["input_ids"].shape[1]
            max_new = request.max_tokens or DEFAULT_MAX_TOKENS
            limit = getattr(model.config, "max_position_embeddings", None)
            if limit and prompt_len >= limit:
                raise ValueError(f"This model's maximum context length is {limit} tokens; the messages have "
                                 f"{prompt_len}.")
            if limit:
                max_new = min(max_new, limit - prompt_len)
            temperature = 1.0 if request.temperature is None else float(request.temperature)
            options = {"max_new_tokens": max_new, "num_return_sequences": request.n,
                       "pad_token_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None
                       else tokenizer.eos_token_id, "do_sample": temperature > 0}
            if temperature > 0:
                options.update(temperature=temperature, top_p=1.0 if request.top_p is None else float(request.top_p),
                               top_k=0)
            if request.seed is not None:
                set_seed(request.seed % (2**32))
            with torch.no_grad():
                output = model.generate(**inputs, **options)
        return self._result(output[:, prompt_len:], tokenizer, prompt_len, max_new, request.stop)

    def _result(self, generated, tokenizer, prompt_len: int, max_new: int, stop: list[str]):
        choices, used = [], 0
        ends = {tokenizer.eos_token_id, tokenizer.pad_token_id} - {None}
        for row in generated.tolist():
            cut = next((i for i, token in enumerate(row) if token in ends), None)
            tokens = row if cut is None else row[: cut + 1]
            used += len(tokens)
            text = tokenizer.decode(tokens, skip_special_tokens=True)
            finish = "length" if cut is None and len(row) >= max_new else "stop"
            hits = [text.index(s) for s in stop if s and s in text]
            if hits:
                text, finish = text[: min(hits)], "stop"
            choices.append(self.types.choice(text, finish_reason=finish))
        return self.types.result(choices, prompt_tokens=prompt_len, completion_tokens=used)
