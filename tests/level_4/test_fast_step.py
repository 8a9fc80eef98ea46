"""fast_step.OneTokenStep: generation's quick road for one new token must give forward()'s numbers exactly
(to float rounding) for every design, fill the cache the same way, and be the road stream() takes."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
import torch

from level_4_mini_gpt import fast_step
from level_4_mini_gpt.model import MLPS, NORMS, POSITIONS, GPTConfig, LayerCache, MiniGPT, SamplingSettings
from tests.conftest import REPO_ROOT
from tests.level_4.test_model import randomise

SIZES = dict(vocab_size=23, block_size=16, n_layer=2, n_head=4, n_embd=32)
DESIGNS = list(itertools.product(POSITIONS, NORMS, MLPS, [None, 2, 1], [True, False]))


@pytest.mark.parametrize("position, norm, mlp, n_kv_head, bias", DESIGNS)
def test_one_token_step_gives_the_scores_and_cache_of_forward(position, norm, mlp, n_kv_head, bias):
    config = GPTConfig(**SIZES, position=position, norm=norm, mlp=mlp, n_kv_head=n_kv_head, bias=bias)
    model = MiniGPT(config).eval()
    randomise(model, seed=7)
    ids = torch.randint(23, (16,), generator=torch.Generator().manual_seed(8)).tolist()
    step = fast_step.OneTokenStep(model)
    with torch.inference_mode():
        full, _ = model(torch.tensor([ids]))
        fast_cache = [LayerCache(16) for _ in model.blocks]
        slow_cache = [LayerCache(16) for _ in model.blocks]
        model(torch.tensor([ids[:3]]), cache=fast_cache)
        model(torch.tensor([ids[:3]]), cache=slow_cache)
        for position_now in range(3, 16):
            fast = step(ids[position_now], fast_cache)
            slow, _ = model(torch.tensor([[ids[position_now]]]), cache=slow_cache)
            assert fast.shape == (23,)
            assert torch.allclose(fast, slow[0, -1], atol=1e-5)
            assert torch.allclose(fast, full[0, position_now], atol=1e-5)
        for fast_layer, slow_layer in zip(fast_cache, slow_cache):
            assert fast_layer.length == slow_layer.length == 16
            assert torch.allclose(fast_layer.keys_values, slow_layer.keys_values, atol=1e-5)


def test_the_step_reads_the_weights_as_they_are_now():
    """The step keeps references to the model's own weights, not copies: training them changes its scores."""
    model = MiniGPT(GPTConfig(**SIZES)).eval()
    step = fast_step.OneTokenStep(model)
    with torch.inference_mode():
        cache = [LayerCache(16) for _ in model.blocks]
        model(torch.tensor([[1, 2]]), cache=cache)
        before = step(3, cache)
        for layer_cache in cache:
            layer_cache.length = 2  # forget token 3 again
    with torch.no_grad():
        model.final_norm.weight.mul_(2.0)  # the last norm's output twice as big: so is every score
        model.final_norm.bias.mul_(2.0)
    with torch.inference_mode():
        after = step(3, cache)
    assert torch.allclose(after, 2 * before, atol=1e-5)


def test_stream_takes_the_quick_road_only_for_single_tokens_in_eval_mode(monkeypatch):
    calls = []
    original = fast_step.OneTokenStep.__call__

    def counting(self, token, caches):
        calls.append(token)
        return original(self, token, caches)

    monkeypatch.setattr(fast_step.OneTokenStep, "__call__", counting)
    model = MiniGPT(GPTConfig(**SIZES)).eval()
    randomise(model, seed=2)
    settings = SamplingSettings(temperature=1.0)
    # 30 tokens with a window of 16: the prompt and each rebuilt half-window go through forward, the rest the step
    tokens = [token for token, _ in model.stream([1, 2, 3], 30, settings, generator=torch.Generator().manual_seed(1))]
    assert 0 < len(calls) < 30
    remaining = iter(tokens)  # each call is fed a token just written, in order
    assert all(any(token == written for written in remaining) for token in calls)
    uncached = [token for token, _ in model.stream([1, 2, 3], 30, settings, generator=torch.Generator().manual_seed(1),
                                                    use_cache=False)]
    assert tokens == uncached
    calls.clear()
    model.train()  # dropout could be on: the general road, which has it
    list(model.stream([1, 2, 3], 5, settings, generator=torch.Generator().manual_seed(1)))
    assert calls == []


def test_generation_benchmark_prints_one_json_object_with_the_three_ways():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "level4_generate.py"), "--sizes", "tiny",
                             "--tokens", "30", "--repeats", "1"], capture_output=True, text=True, timeout=300,
                            cwd=REPO_ROOT, check=True)
    report = json.loads(result.stdout)
    tiny = report["results"]["tiny"]
    assert tiny["same_text"] is True  # the three ways write the very same text
    assert {"speedup", "quick_step_gain", "with_cache_tokens_per_second", "general_road_tokens_per_second",
            "without_cache_tokens_per_second"} <= tiny.keys()


def test_int8_layers_take_the_quick_road_too():
    """quantize.py's QuantizedLinear is not an nn.Linear: the step calls it on a batch of one."""
    from level_4_mini_gpt.quantize import quantize_model

    model = MiniGPT(GPTConfig(**SIZES)).eval()
    randomise(model, seed=4)
    quantized = quantize_model(model)
    with torch.inference_mode():
        cache = [LayerCache(16) for _ in quantized.blocks]
        quantized(torch.tensor([[1, 2]]), cache=cache)
        full, _ = quantized(torch.tensor([[1, 2, 3]]))
        assert torch.allclose(fast_step.OneTokenStep(quantized)(3, cache), full[0, -1], atol=1e-5)
    settings = SamplingSettings(temperature=1.0)
    cached = list(quantized.stream([1, 2], 20, settings, generator=torch.Generator().manual_seed(3)))
    uncached = list(quantized.stream([1, 2], 20, settings, generator=torch.Generator().manual_seed(3), use_cache=False))
    assert [token for token, _ in cached] == [token for token, _ in uncached]
