"""Benchmark: Level 4 generation with and without the key/value cache, at each preset's size.

For each size (the tiny, default and gpu presets of level_4_mini_gpt/train.py; fresh random weights, which
cost exactly the same to run as trained ones, and a 72-character vocabulary like the course stories) the
same model writes the same number of characters three ways with the same seed:

- cached: with the KV cache, each new character through fast_step.OneTokenStep (what generate.py does);
- general road: with the KV cache, each new character through MiniGPT.forward(..., cache=...) instead, the
  way the lesson explains it (the quick step computes the same numbers with fewer PyTorch operations);
- uncached: recomputing the whole window for every character.

Each way is timed `--repeats` times, taking turns, and the median is kept (the machine may be shared).
Prints ONE JSON object; `speedup` is cached tokens/s over uncached tokens/s (target: >= 5 at the default
size) and `quick_step_gain` is cached tokens/s over the general road's.

    python benchmarks/level4_generate.py                        # tiny, default, gpu (about a minute)
    python benchmarks/level4_generate.py --sizes tiny default --repeats 5
    python benchmarks/level4_generate.py --checkpoint level_4_mini_gpt/outputs/checkpoint   # a trained model

On a CPU a one-token step of a small model costs mostly the fixed price of each PyTorch operation and
module call (several microseconds each, about a hundred of them), so the speedup grows with the model and
its context, and doing the same sums in fewer operations pays.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import string
import time
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

import torch

from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt import model as model_module
from level_4_mini_gpt.checkpoint import load_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.presets import PRESETS

TARGET_SPEEDUP = 5.0
# 72 characters, as many as the course stories have: letters, digits, space, newline and punctuation.
VOCABULARY = string.ascii_letters + string.digits + " \n.,!?'\"-:"
# Characters written per run. Past block_size the window moves (and the cache is rebuilt), so the
# numbers include that too. The gpu size is ~40x more work per uncached token, so it writes fewer.
DEFAULT_TOKENS = {"tiny": 400, "default": 400, "gpu": 300}
PROMPT = "Once upon a time"


class GeneralRoad:
    """Stands in for fast_step.OneTokenStep: each new token through MiniGPT.forward with the cache."""

    def __init__(self, model: MiniGPT):
        self.model = model

    def __call__(self, token: int, caches: list) -> torch.Tensor:
        return self.model(torch.tensor([[token]]), cache=caches)[0][0, -1]


def generate(model: MiniGPT, tokenizer: CharTokenizer, tokens: int, way: str) -> tuple[str, float]:
    started = time.perf_counter()
    road = mock.patch.object(model_module, "OneTokenStep", GeneralRoad) if way == "general" else nullcontext()
    with road:
        text = "".join(stream_text(model, tokenizer, PROMPT, tokens, SamplingSettings(temperature=0.8),
                                   seed=7, use_cache=way != "uncached"))
    return text, time.perf_counter() - started


WAYS = ("cached", "general", "uncached")


def measure(model: MiniGPT, tokenizer: CharTokenizer, tokens: int, repeats: int) -> dict[str, object]:
    for way in WAYS:  # warm-up: first calls pay for memory allocation
        generate(model, tokenizer, 20 if way != "uncached" else 5, way)
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    texts: dict[str, str] = {}
    for _ in range(repeats):  # taking turns, so a busy moment on a shared machine hits every way alike
        for way in WAYS:
            texts[way], seconds = generate(model, tokenizer, tokens, way)
            times[way].append(seconds)
    cached, general, uncached = (statistics.median(times[way]) for way in WAYS)
    config = model.config
    return {
        "config": {"n_layer": config.n_layer, "n_head": config.n_head, "n_embd": config.n_embd,
                   "block_size": config.block_size, "vocab_size": config.vocab_size},
        "tokens": tokens,
        "with_cache_tokens_per_second": round(tokens / cached, 1),
        "general_road_tokens_per_second": round(tokens / general, 1),
        "without_cache_tokens_per_second": round(tokens / uncached, 1),
        "speedup": round(uncached / cached, 2),
        "quick_step_gain": round(general / cached, 2),
        "same_text": len(set(texts.values())) == 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=sorted(PRESETS), default=["tiny", "default", "gpu"],
                        help="preset sizes to measure (default: tiny default gpu)")
    parser.add_argument("--tokens", type=int, help="characters to generate per run (default: 400, 300 for gpu)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each way; the median is kept")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument("--checkpoint", type=Path, help="measure this trained checkpoint instead of the sizes")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    results = {}
    if args.checkpoint is not None:
        model, tokenizer, _ = load_checkpoint(args.checkpoint)
        results[str(args.checkpoint)] = measure(model.eval(), tokenizer, args.tokens or 400, args.repeats)
    else:
        tokenizer = CharTokenizer(list(VOCABULARY))
        for size in args.sizes:
            sizes = {k: v for k, v in PRESETS[size].items() if k in GPTConfig.__dataclass_fields__}
            torch.manual_seed(0)
            model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, **sizes)).eval()
            results[size] = measure(model, tokenizer, args.tokens or DEFAULT_TOKENS[size], args.repeats)

    print(json.dumps({
        "benchmark": "level4_generate",
        "results": results,
        "repeats": args.repeats,
        "threads": args.threads,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "target_speedup": TARGET_SPEEDUP,
    }))


if __name__ == "__main__":
    main()
