"""Level 4's modern design switches (RoPE, RMSNorm, SwiGLU, grouped-query attention): each checked against an
independent computation, the KV cache for every combination, and the GPT-2 default left exactly as it was."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import torch

from buildai.data import Corpus, load_corpus
from buildai.errors import UserError
from buildai.tokenizer import CharTokenizer
from level_3_transformer.step2_attention import scaled_dot_product_attention
from level_4_mini_gpt import scoring, train
from level_4_mini_gpt.checkpoint import INFO_FILE, load_checkpoint, save_checkpoint
from level_4_mini_gpt.export_hf import name_pairs
from level_4_mini_gpt.model import (
    MLPS,
    NORMS,
    POSITIONS,
    CausalSelfAttention,
    GPTConfig,
    LayerCache,
    MiniGPT,
    SamplingSettings,
)
from level_4_mini_gpt.modern import RMSNorm, RotaryPositions, SwiGLU, swiglu_hidden_size
from level_4_mini_gpt.presets import SETTING_NAMES, TrainingSettings, config_from_preset, config_from_saved
from tests.conftest import REPO_ROOT
from tests.level_4.test_model import randomise

SIZES = dict(vocab_size=23, block_size=16, n_layer=2, n_head=4, n_embd=32)
MODERN = dict(position="rope", norm="rms", mlp="swiglu", n_kv_head=2)


def model_of(seed: int = 0, **settings) -> MiniGPT:
    torch.manual_seed(seed)
    return MiniGPT(GPTConfig(**{**SIZES, **settings})).eval()


# ------------------------------------------------------------------------------------ RoPE


def test_rope_scores_depend_only_on_how_far_apart_query_and_key_are():
    rotary = RotaryPositions(head_size=8, block_size=40)
    generator = torch.Generator().manual_seed(0)
    query, key = torch.randn(2, 3, 10, 8, generator=generator), torch.randn(2, 3, 10, 8, generator=generator)

    def scores(query_start: int, key_start: int) -> torch.Tensor:
        return rotary(query, query_start) @ rotary(key, key_start).transpose(-2, -1)

    for offset in (1, 7, 30):  # both moved together: the same scores
        assert torch.allclose(scores(offset, offset), scores(0, 0), atol=1e-5)
    assert not torch.allclose(scores(3, 0), scores(0, 0), atol=1e-3)  # moved apart: different scores
    assert not torch.allclose(scores(0, 0), query @ key.transpose(-2, -1), atol=1e-3)  # it does turn them
    # Within one sequence: the same query and key vector at every position give scores that depend on i - j only.
    same = torch.randn(1, 1, 1, 8, generator=generator).expand(1, 1, 12, 8)
    table = (rotary(same) @ rotary(same).transpose(-2, -1))[0, 0]
    assert torch.allclose(table[1:, 1:], table[:-1, :-1], atol=1e-5)
    assert not torch.allclose(table[0, 1:], table[0, :-1], atol=1e-3)
    # A turn keeps every vector's length.
    assert torch.allclose(rotary(query, 5).norm(dim=-1), query.norm(dim=-1), atol=1e-5)


def test_rope_turns_each_pair_by_position_times_its_frequency():
    """The same turn written with complex numbers: the pair (a, b) is a + ib, multiplied by e^(i * angle)."""
    head_size, block_size, start = 8, 20, 6
    x = torch.randn(1, 2, 5, head_size, generator=torch.Generator().manual_seed(1))
    half = head_size // 2
    frequencies = torch.tensor([10_000.0 ** (-2 * i / head_size) for i in range(half)])
    positions = torch.arange(start, start + 5, dtype=torch.float32)
    turns = torch.polar(torch.ones(5, half), positions[:, None] * frequencies[None, :])
    turned = torch.complex(x[..., :half], x[..., half:]) * turns
    expected = torch.cat([turned.real, turned.imag], dim=-1)
    assert torch.allclose(RotaryPositions(head_size, block_size)(x, start), expected, atol=1e-5)


def test_rope_model_has_no_position_table_and_saves_no_angles():
    model = model_of(position="rope")
    assert not hasattr(model, "position_embedding")
    assert not any("cos" in name or "sin" in name for name in model.state_dict())
    assert model.parameter_count() == model_of().parameter_count() - SIZES["block_size"] * SIZES["n_embd"]


# -------------------------------------------------------------------- grouped-query attention


def test_as_many_kv_heads_as_heads_is_exactly_standard_attention():
    standard, grouped = model_of(), model_of(n_kv_head=4)
    randomise(standard)
    grouped.load_state_dict(standard.state_dict())  # the same names and shapes: loads strictly
    idx = torch.randint(23, (2, 16), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        assert torch.equal(grouped(idx)[0], standard(idx)[0])
    assert grouped.parameter_count() == standard.parameter_count()


def test_fewer_kv_heads_equal_repeating_each_key_value_head_by_hand():
    torch.manual_seed(0)
    attention = CausalSelfAttention(GPTConfig(vocab_size=5, block_size=11, n_head=4, n_embd=32, n_kv_head=2)).eval()
    randomise(attention)
    x = torch.randn(2, 11, 32, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        query, key, value = attention.query_key_value(x).split([32, 16, 16], dim=2)  # 4 query heads, 2 key/value heads
        heads = lambda tensor: tensor.view(2, 11, -1, 8).transpose(1, 2)  # noqa: E731
        query, key, value = heads(query), heads(key), heads(value)
        # query heads 0 and 1 share key/value head 0; heads 2 and 3 share head 1
        key = torch.stack([key[:, head // 2] for head in range(4)], dim=1)
        value = torch.stack([value[:, head // 2] for head in range(4)], dim=1)
        output, _ = scaled_dot_product_attention(query, key, value, causal=True)  # Level 3's, by hand
        expected = attention.output_projection(output.transpose(1, 2).reshape(2, 11, 32))
        assert torch.allclose(attention(x), expected, atol=1e-5)
        # the cache keeps only the 2 key/value heads (half the memory), and gives the same answer
        cache = LayerCache(11)
        pieces = torch.cat([attention(x[:, :4], cache), attention(x[:, 4:], cache)], dim=1)
        assert cache.keys.shape == (2, 2, 11, 8) and cache.values.shape == (2, 2, 11, 8)
        assert torch.allclose(pieces, expected, atol=1e-5)
    assert attention.query_key_value.out_features == 32 + 2 * 16  # smaller than 3 * 32


# ------------------------------------------------------------------------ RMSNorm and SwiGLU


def test_hand_written_rms_norm_equals_pytorchs():
    ours, theirs = RMSNorm(16, eps=1e-5), torch.nn.RMSNorm(16, eps=1e-5)
    weight = torch.randn(16, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        ours.weight.copy_(weight)
        theirs.weight.copy_(weight)
    x = torch.randn(3, 7, 16, generator=torch.Generator().manual_seed(5)) * 4 + 1
    assert torch.allclose(ours(x), theirs(x), atol=1e-6)
    assert [name for name, _ in ours.named_parameters()] == ["weight"]  # no bias, unlike LayerNorm


def test_rms_model_uses_rms_norm_everywhere():
    model = model_of(norm="rms")
    norms = [model.final_norm]
    norms += [norm for block in model.blocks for norm in (block.attention_norm, block.feed_forward_norm)]
    assert all(isinstance(norm, RMSNorm) for norm in norms)
    assert not any(isinstance(module, torch.nn.LayerNorm) for module in model.modules())


def test_swiglu_equals_its_formula():
    torch.manual_seed(0)
    network = SwiGLU(8, 24)
    randomise(network, seed=6)
    x = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(7))
    linear = lambda layer, inputs: inputs @ layer.weight.T + layer.bias  # noqa: E731
    gate = linear(network.gate, x)
    expected = linear(network.project, gate * torch.sigmoid(gate) * linear(network.expand, x))  # silu(z) = z sigmoid(z)
    with torch.no_grad():
        assert torch.allclose(network(x), expected, atol=1e-6)


@pytest.mark.parametrize("n_embd", [32, 96, 128, 384])
def test_swiglu_keeps_the_feed_forward_network_about_as_big_as_gpt2s(n_embd):
    gelu_numbers = 2 * n_embd * 4 * n_embd
    swiglu_numbers = 3 * n_embd * swiglu_hidden_size(n_embd)
    assert abs(swiglu_numbers / gelu_numbers - 1) < 0.05
    assert swiglu_hidden_size(n_embd) % 8 == 0


# -------------------------------------------------------------- every combination, with the KV cache


COMBINATIONS = list(itertools.product(POSITIONS, NORMS, MLPS, [None, 2, 1]))


@pytest.mark.parametrize("position, norm, mlp, n_kv_head", COMBINATIONS)
def test_cache_gives_the_logits_of_a_full_forward_pass_for_every_design(position, norm, mlp, n_kv_head):
    model = model_of(position=position, norm=norm, mlp=mlp, n_kv_head=n_kv_head)
    randomise(model, seed=3)
    idx = torch.randint(23, (2, 16), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        full, _ = model(idx)
        cache = [LayerCache(16) for _ in model.blocks]
        pieces = [model(idx[:, :5], cache=cache)[0], model(idx[:, 5:9], cache=cache)[0]]
        pieces += [model(idx[:, position : position + 1], cache=cache)[0] for position in range(9, 16)]
        assert cache[0].keys.shape[1] == (n_kv_head or 4)
        assert torch.allclose(torch.cat(pieces, dim=1), full, atol=1e-5)
        # and no position ever sees a later one
        changed = idx.clone()
        changed[:, 10:] = (changed[:, 10:] + 5) % 23
        assert torch.equal(model(changed)[0][:, :10], full[:, :10])


def test_stream_with_cache_equals_recomputing_for_the_modern_design():
    """Far past block_size, so the window moves and the cache (and its positions) start again several times."""
    model = model_of(**MODERN)
    randomise(model, seed=5)
    settings = SamplingSettings(temperature=1.0)
    runs = []
    for use_cache in (True, False):
        generator = torch.Generator().manual_seed(11)
        runs.append(list(model.stream([1, 2, 3], 50, settings, generator=generator, use_cache=use_cache)))
    assert [token for token, _ in runs[0]] == [token for token, _ in runs[1]]
    assert torch.allclose(torch.stack([p for _, p in runs[0]]), torch.stack([p for _, p in runs[1]]), atol=1e-5)


# --------------------------------------------------------------------------- GPT-2 unchanged


def test_default_design_is_gpt2_unchanged():
    plain = GPTConfig(**SIZES)
    explicit = GPTConfig(**SIZES, position="learned", norm="layer", mlp="gelu", n_kv_head=None)
    assert plain == explicit and plain.modern_parts() == []
    torch.manual_seed(0)
    model = MiniGPT(plain)
    torch.manual_seed(0)
    explicit_model = MiniGPT(explicit)
    # exactly GPT-2's parts (export_hf's list of names), the tied output table, and nothing else
    assert list(model.state_dict()) == list(explicit_model.state_dict())
    assert set(model.state_dict()) == set(name_pairs(SIZES["n_layer"])) | {"output_head.weight"}
    n, layers = SIZES["n_embd"], SIZES["n_layer"]
    per_block = 12 * n * n + 13 * n  # qkv, output, 4x feed-forward (weights and biases), two LayerNorms
    expected = SIZES["vocab_size"] * n + SIZES["block_size"] * n + layers * per_block + 2 * n
    assert model.parameter_count() == explicit_model.parameter_count() == expected
    idx = torch.randint(23, (2, 16), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(model(idx)[0], explicit_model(idx)[0])


@pytest.mark.parametrize("preset", sorted(train.PRESETS))
def test_presets_and_flags_left_out_keep_gpt2(preset):
    args = train.build_parser().parse_args(["--preset", preset])
    config, _ = config_from_preset(preset, 72, {name: getattr(args, name) for name in SETTING_NAMES})
    assert config.modern_parts() == []


def test_design_flags():
    parser = train.build_parser()
    args = parser.parse_args(["--preset", "tiny", "--position", "rope", "--norm", "rms", "--mlp", "swiglu",
                              "--n-kv-head", "1"])
    config, _ = config_from_preset("tiny", 40, {name: getattr(args, name) for name in SETTING_NAMES})
    assert (config.position, config.norm, config.mlp, config.n_kv_head) == ("rope", "rms", "swiglu", 1)
    assert config.modern_parts() == ["position=rope", "norm=rms", "mlp=swiglu", "n_kv_head=1"]
    with pytest.raises(SystemExit):
        parser.parse_args(["--norm", "batch"])


# ------------------------------------------------------------------------ saving and settings


def test_modern_config_round_trips_through_a_checkpoint(tmp_path):
    tokenizer = CharTokenizer.from_text("abcdefghij .\n")
    model = model_of(**{**MODERN, "vocab_size": tokenizer.vocab_size})
    randomise(model, seed=2)
    save_checkpoint(tmp_path / "checkpoint", model, tokenizer, {"step": 3})
    saved = json.loads((tmp_path / "checkpoint" / INFO_FILE).read_text(encoding="utf-8"))["config"]
    assert {key: saved[key] for key in MODERN} == MODERN
    loaded, _, _ = load_checkpoint(tmp_path / "checkpoint")
    assert loaded.config == model.config
    idx = torch.randint(tokenizer.vocab_size, (2, 16))
    with torch.no_grad():
        assert torch.equal(loaded(idx)[0], model(idx)[0])


def test_an_older_checkpoint_without_the_design_settings_loads_as_gpt2(tmp_path):
    tokenizer = CharTokenizer.from_text("abcdefghij .\n")
    model = model_of(vocab_size=tokenizer.vocab_size)
    randomise(model, seed=3)
    folder = tmp_path / "checkpoint"
    save_checkpoint(folder, model, tokenizer, {"step": 3})
    info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
    for name in ("position", "norm", "mlp", "n_kv_head"):
        del info["config"][name]  # as model.json was written before these settings existed
    (folder / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
    loaded, _, _ = load_checkpoint(folder)
    assert loaded.config == model.config and loaded.config.modern_parts() == []
    idx = torch.randint(tokenizer.vocab_size, (2, 16))
    with torch.no_grad():
        assert torch.equal(loaded(idx)[0], model(idx)[0])
    # --resume reads an older saved run's settings the same way
    old_training_state = {key: value for key, value in asdict(model.config).items() if key not in MODERN}
    assert config_from_saved(old_training_state, asdict(TrainingSettings()))[0] == model.config


@pytest.mark.parametrize("settings, message", [
    (dict(n_kv_head=3), "multiple of n_kv_head"),
    (dict(n_kv_head=0), "multiple of n_kv_head"),
    (dict(n_kv_head=8), "multiple of n_kv_head"),
    (dict(position="absolute"), "position must be one of learned, rope"),
    (dict(norm="batch"), "norm must be one of layer, rms"),
    (dict(mlp="relu"), "mlp must be one of gelu, swiglu"),
    (dict(n_embd=12, position="rope"), "even number"),  # 4 heads of 3 numbers: 3 cannot be cut into pairs
])
def test_bad_design_settings_are_one_line_user_errors(settings, message):
    with pytest.raises(UserError, match=message) as problem:
        GPTConfig(**{**SIZES, **settings})
    assert "\n" not in str(problem.value) and "Try --" in str(problem.value)


def test_only_the_gpt2_design_can_be_exported_as_gpt2(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from level_4_mini_gpt.export_hf import to_hugging_face

    for switch in (dict(position="rope"), dict(norm="rms"), dict(mlp="swiglu"), dict(n_kv_head=2)):
        with pytest.raises(UserError, match="cannot be exported as a GPT-2"):
            to_hugging_face(model_of(**switch))
    to_hugging_face(model_of(n_kv_head=4))  # as many key/value heads as heads: that is GPT-2's attention


# --------------------------------------------------------------------------------- training


def test_modern_model_learns_from_a_slice_of_the_stories():
    stories = load_corpus().text
    corpus = Corpus(stories[:20_000], Path("slice.txt"), is_course_stories=False)
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=corpus.tokenizer.vocab_size, block_size=32, n_layer=2, n_head=4, n_embd=32, **MODERN)
    training = TrainingSettings(batch_size=16, max_steps=30, learning_rate=1e-2, warmup_steps=5)
    trainer = train.Trainer(config, training, corpus, torch.device("cpu"), {"seed": 0})
    before = scoring.average_loss(trainer.model, trainer.val_data, config.block_size, torch.device("cpu"))
    assert abs(before - math.log(config.vocab_size)) < 0.3  # an untrained model guesses
    losses = []
    for _ in range(training.max_steps):
        losses.append(float(trainer.train_step(trainer.batch_generator)))
        trainer.step += 1
    after = scoring.average_loss(trainer.model, trainer.val_data, config.block_size, torch.device("cpu"))
    assert all(math.isfinite(loss) for loss in losses)
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.5
    assert after < before - 0.5


# -------------------------------------------------------------------------------- benchmark


def test_modern_benchmark_reports_both_designs():
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    process = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "level4_modern.py"), "--preset", "tiny",
                              "--seconds", "3"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                             encoding="utf-8", timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout)  # fails if anything but the one JSON object was printed
    assert {"benchmark", "preset", "seconds_each", "seed", "gpt2", "modern", "ratio"} <= report.keys()
    for name in ("gpt2", "modern"):
        assert {"held_out_bits_per_char", "steps", "parameters", "train_seconds", "design"} <= report[name].keys()
        assert report[name]["steps"] >= 1 and report[name]["held_out_bits_per_char"] > 0
    assert report["gpt2"]["design"] == []
    assert report["modern"]["design"][:3] == ["position=rope", "norm=rms", "mlp=swiglu"]
    assert report["ratio"] == pytest.approx(
        report["modern"]["held_out_bits_per_char"] / report["gpt2"]["held_out_bits_per_char"], abs=1e-3)
