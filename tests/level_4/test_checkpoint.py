"""Level 4 checkpoints: a saved model loads back exactly, and damaged files give clear messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from buildai.errors import UserError
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.checkpoint import default_checkpoint_dir, load_checkpoint, save_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT


def saved_model(folder: Path) -> tuple[MiniGPT, CharTokenizer]:
    tokenizer = CharTokenizer.from_text("नमस्ते, hello world.\n")
    torch.manual_seed(0)
    model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=12, n_layer=2, n_head=2, n_embd=16))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)  # not the initial values
    save_checkpoint(folder, model, tokenizer, {"step": 7, "metrics": {"val_loss": 1.5}, "corpus_path": None})
    return model, tokenizer


def test_round_trip_gives_identical_logits(tmp_path):
    model, tokenizer = saved_model(tmp_path / "checkpoint")
    loaded, loaded_tokenizer, info = load_checkpoint(tmp_path / "checkpoint")
    idx = torch.randint(tokenizer.vocab_size, (2, 12))
    with torch.no_grad():
        assert torch.equal(loaded(idx)[0], model.eval()(idx)[0])
    assert not loaded.training
    assert loaded_tokenizer.chars == tokenizer.chars
    assert loaded.output_head.weight is loaded.token_embedding.weight  # still tied after loading
    assert info["step"] == 7 and info["metrics"] == {"val_loss": 1.5} and info["corpus_path"] is None
    assert info["config"]["n_embd"] == 16
    # the description is plain JSON a learner can read
    assert json.loads((tmp_path / "checkpoint" / "model.json").read_text(encoding="utf-8"))["tokenizer"]["chars"]


def test_default_checkpoint_dir_follows_the_output_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BUILDAI_OUTPUT_DIR", str(tmp_path))
    assert default_checkpoint_dir() == tmp_path / "level_4_mini_gpt" / "checkpoint"
    assert default_checkpoint_dir(tmp_path / "mine") == tmp_path / "mine" / "checkpoint"


def damage(folder: Path, how: str) -> None:
    weights, info = folder / "model.safetensors", folder / "model.json"
    if how == "truncated_weights":
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    elif how == "one_byte_changed":
        data = bytearray(weights.read_bytes())
        data[-5] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif how == "missing_weights":
        weights.unlink()
    elif how == "truncated_json":
        info.write_text(info.read_text(encoding="utf-8")[:40], encoding="utf-8")
    elif how == "missing_json":
        info.unlink()
    elif how == "empty_weights":
        weights.write_bytes(b"")
    elif how == "not_a_checkpoint":
        info.write_text('{"hello": 1}', encoding="utf-8")


@pytest.mark.parametrize("how", ["truncated_weights", "one_byte_changed", "missing_weights", "truncated_json",
                                 "missing_json", "empty_weights", "not_a_checkpoint"])
def test_damaged_checkpoint_is_a_clear_user_error(tmp_path, how):
    folder = tmp_path / "checkpoint"
    saved_model(folder)
    damage(folder, how)
    with pytest.raises(UserError) as problem:
        load_checkpoint(folder)
    message = str(problem.value)
    assert "train.py --preset tiny" in message
    assert "checkpoint" in message


def test_weights_from_another_run_are_caught(tmp_path):
    saved_model(tmp_path / "first")
    tokenizer = CharTokenizer.from_text("xyz")
    other = MiniGPT(GPTConfig(vocab_size=3, block_size=4, n_layer=1, n_head=1, n_embd=8))
    save_checkpoint(tmp_path / "second", other, tokenizer, {})
    (tmp_path / "first" / "model.safetensors").write_bytes((tmp_path / "second" / "model.safetensors").read_bytes())
    with pytest.raises(UserError, match="does not match"):
        load_checkpoint(tmp_path / "first")


def test_missing_folder_says_how_to_train(tmp_path):
    with pytest.raises(UserError, match="python train.py --preset tiny"):
        load_checkpoint(tmp_path / "nothing_here")


def test_tiny_run_checkpoint_loads(tiny_checkpoint):
    model, tokenizer, info = load_checkpoint(tiny_checkpoint)
    assert info["corpus_path"] is None  # the course stories
    assert info["preset"] == "tiny"
    assert info["metrics"]["val_loss"] > 0
    assert model.config.vocab_size == tokenizer.vocab_size
    assert "Once upon a time" == tokenizer.decode(tokenizer.encode("Once upon a time"))
