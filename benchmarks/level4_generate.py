"""Benchmark: Level 4 generation with and without the key/value cache, at each preset's size.

For each size (the tiny, default and gpu presets of level_4_mini_gpt/train.py; fresh random weights, which
cost exactly the same to run as trained ones, and a 72-character vocabulary like the course stories) the
same model writes the same number of characters twice with the same seed: once with the KV cache (each
new character costs one position) and once recomputing the whole window for every character. Each way is
timed `--repeats` times, taking turns, and the median is kept (the machine may be shared). Prints ONE JSON
object; `speedup` is cached tokens/s over uncached tokens/s. Target: speedup >= 5 at the default size.

    python benchmarks/level4_generate.py                        # tiny, default, gpu (about a minute)
    python benchmarks/level4_generate.py --sizes tiny default --repeats 5
    python benchmarks/level4_generate.py --checkpoint level_4_mini_gpt/outputs/checkpoint   # a trained model

On a CPU a one-token step of a small model costs mostly the fixed price of each PyTorch operation
(a few microseconds each, about a hundred of them), so the speedup grows with the model and its context.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import string
import time
from pathlib import Path

import torch

from buildai.tokenizer import CharTokenizer
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


def generate(model: MiniGPT, tokenizer: CharTokenizer, tokens: int, use_cache: bool) -> tuple[str, float]:
    started = time.perf_counter()
    text = "".join(stream_text(model, tokenizer, PROMPT, tokens, SamplingSettings(temperature=0.8),
                               seed=7, use_cache=use_cache))
    return text, time.perf_counter() - started


def measure(model: MiniGPT, tokenizer: CharTokenizer, tokens: int, repeats: int) -> dict[str, object]:
    generate(model, tokenizer, 20, True)  # warm-up: first calls pay for memory allocation
    generate(model, tokenizer, 5, False)
    cached_times, uncached_times = [], []
    for _ in range(repeats):  # taking turns, so a busy moment on a shared machine hits both ways alike
        cached_text, seconds = generate(model, tokenizer, tokens, True)
        cached_times.append(seconds)
        uncached_text, seconds = generate(model, tokenizer, tokens, False)
        uncached_times.append(seconds)
    cached, uncached = statistics.median(cached_times), statistics.median(uncached_times)
    config = model.config
    return {
        "config": {"n_layer": config.n_layer, "n_head": config.n_head, "n_embd": config.n_embd,
                   "block_size": config.block_size, "vocab_size": config.vocab_size},
        "tokens": tokens,
        "with_cache_tokens_per_second": round(tokens / cached, 1),
        "without_cache_tokens_per_second": round(tokens / uncached, 1),
        "speedup": round(uncached / cached, 2),
        "same_text": cached_text == uncached_text,
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
