"""Several adapters on one base: switching is instant, changes the answer, and never reloads the base."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def loaded(finetuned_root: Path, monkeypatch):
    monkeypatch.setenv("BUILDAI_OUTPUT_DIR", str(finetuned_root))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from level_5_real_finetune.adapters import load_finetuned

    return load_finetuned("school")


def test_newest_adapter_is_the_default(finetuned_root: Path, monkeypatch):
    monkeypatch.setenv("BUILDAI_OUTPUT_DIR", str(finetuned_root))
    from level_5_real_finetune.adapters import choose_adapter

    name, _ = choose_adapter(None)
    assert name == "kitchen"


def test_switching_changes_the_answer_without_reloading_the_base(loaded, monkeypatch):
    import transformers

    from level_5_real_finetune.answering import AnswerSettings, answer

    assert set(loaded.summaries) == {"school", "kitchen"}
    loads = []
    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained",
                        lambda *a, **k: loads.append(a) or pytest.fail("the base was loaded again"))
    base_layer = loaded.model.base_model.model.transformer.h[0].attn.c_attn.base_layer
    weight_before = base_layer.weight.data_ptr()
    settings = AnswerSettings.for_model(True).with_temperature(0.0)
    question = "How do I make masala chai for two people?"
    school = answer(loaded.model, loaded.tokenizer, question, settings)
    seconds = loaded.switch("kitchen")
    kitchen = answer(loaded.model, loaded.tokenizer, question, settings)
    assert school != kitchen
    assert seconds < 1.0
    assert loaded.model.active_adapter == "kitchen"
    assert base_layer.weight.data_ptr() == weight_before and not loads
    loaded.switch("school")
    assert answer(loaded.model, loaded.tokenizer, question, settings) == school  # and back again


def test_unknown_adapter_is_a_clear_message(loaded):
    from buildai.errors import UserError

    with pytest.raises(UserError, match="no adapter called 'cricket'"):
        loaded.switch("cricket")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
