"""export_hf.py: a Mini-GPT and its Hugging Face GPT-2 copy compute the same thing, both ways."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt import export_hf
from level_4_mini_gpt.checkpoint import save_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings

pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def trained_looking_model(seed: int, **sizes) -> MiniGPT:
    """Random weights everywhere (not the zero biases and unit LayerNorms of a fresh model), so every part counts."""
    torch.manual_seed(seed)
    model = MiniGPT(GPTConfig(**sizes))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.3)
    return model.eval()


SIZES = [dict(vocab_size=29, block_size=16, n_layer=2, n_head=4, n_embd=32),
         dict(vocab_size=72, block_size=24, n_layer=3, n_head=2, n_embd=48)]


@pytest.mark.parametrize("sizes", SIZES)
def test_logits_agree_both_ways(sizes):
    model = trained_looking_model(0, **sizes)
    hugging_face = export_hf.to_hugging_face(model)
    back = export_hf.from_hugging_face(hugging_face)
    idx = torch.randint(sizes["vocab_size"], (3, sizes["block_size"]), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ours, _ = model(idx)
        theirs = hugging_face(idx).logits
        again, _ = back(idx)
    assert (ours - theirs).abs().max() < 1e-4
    assert (ours - again).abs().max() < 1e-4
    assert hugging_face.lm_head.weight.data_ptr() == hugging_face.transformer.wte.weight.data_ptr()  # still tied


def test_greedy_generation_gives_identical_text():
    corpus = load_corpus()
    tokenizer = corpus.tokenizer
    model = trained_looking_model(2, vocab_size=tokenizer.vocab_size, block_size=40, n_layer=2, n_head=2, n_embd=32)
    hugging_face, fast = export_hf.to_hugging_face(model), export_hf.to_hugging_face_tokenizer(tokenizer)
    prompt = "The chai stall"
    ours = [token for token, _ in model.stream(tokenizer.encode(prompt), 20, SamplingSettings(temperature=0))]
    inputs = fast(prompt, return_tensors="pt")
    with torch.no_grad():
        output = hugging_face.generate(**inputs, max_new_tokens=20, do_sample=False, pad_token_id=0)
    theirs = fast.decode(output[0, inputs["input_ids"].shape[1]:])
    assert theirs == tokenizer.decode(ours)
    assert len(theirs) == 20


def test_tokenizer_encodes_every_corpus_character_as_char_tokenizer_does(tmp_path):
    for path in (None, HINDI_CORPUS):
        corpus = load_corpus(path)
        tokenizer = corpus.tokenizer
        fast = export_hf.to_hugging_face_tokenizer(tokenizer)
        fast.save_pretrained(tmp_path / "tokenizer")
        from transformers import PreTrainedTokenizerFast

        reloaded = PreTrainedTokenizerFast.from_pretrained(tmp_path / "tokenizer")
        for character in tokenizer.chars:
            assert reloaded.encode(character) == tokenizer.encode(character), repr(character)
        sample = corpus.text[:3000]
        assert reloaded.encode(sample) == tokenizer.encode(sample)
        assert reloaded.decode(reloaded.encode(sample)) == sample
        assert export_hf.from_hugging_face_tokenizer(reloaded).chars == tokenizer.chars


def test_unknown_characters_do_not_survive_the_round_trip():
    fast = export_hf.to_hugging_face_tokenizer(CharTokenizer(list("ab ")))
    assert fast.decode(fast.encode("ab ba")) == "ab ba"
    assert fast.decode(fast.encode("abc")) != "abc"  # how Level 5 finds texts a character model cannot read


def test_export_script_writes_a_folder_transformers_loads(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = CharTokenizer(sorted(set("hello world\n")))
    model = trained_looking_model(3, vocab_size=tokenizer.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=16)
    save_checkpoint(tmp_path / "checkpoint", model, tokenizer, {"step": 1})
    done = subprocess.run([sys.executable, "-m", "level_4_mini_gpt.export_hf", "--checkpoint", str(tmp_path / "checkpoint"),
                           "--out", str(tmp_path / "hf"), "--quiet"], capture_output=True, text=True, check=False,
                          env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    loaded, loaded_tokenizer = AutoModelForCausalLM.from_pretrained(tmp_path / "hf"), AutoTokenizer.from_pretrained(tmp_path / "hf")
    idx = torch.tensor([tokenizer.encode("hello")])
    with torch.no_grad():
        assert (loaded(idx).logits - model(idx)[0]).abs().max() < 1e-4
    assert loaded_tokenizer.encode("hello") == tokenizer.encode("hello")


def test_missing_checkpoint_is_a_clear_message(tmp_path):
    done = subprocess.run([sys.executable, "-m", "level_4_mini_gpt.export_hf", "--checkpoint", str(tmp_path / "none")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
