"""Benchmark: Level 4 generation with and without the key/value cache.

The same model (the default preset's size; a trained checkpoint with --checkpoint, else fresh weights,
which cost exactly the same to run) writes the same number of characters twice with the same seed:
once with the KV cache (each new character costs one position) and once recomputing the whole window for
every character. Each way is timed `--repeats` times, taking turns, keeping the fastest. Prints ONE JSON
object; `speedup` is cached tokens/s over uncached tokens/s. Target: speedup >= 5.

    python benchmarks/level4_generate.py
    python benchmarks/level4_generate.py --tokens 1000 --checkpoint level_4_mini_gpt/outputs/checkpoint
    python benchmarks/level4_generate.py --preset gpu --repeats 1   # a bigger model: the cache matters more

On a CPU a one-token step of a small model costs mostly the fixed price of each PyTorch operation
(~10-20 microseconds, a few hundred of them), so the speedup grows with the model and its context length.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

from buildai.data import load_corpus
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.checkpoint import load_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings, stream_text
from level_4_mini_gpt.train import PRESETS

TARGET_SPEEDUP = 5.0


def generate(model: MiniGPT, tokenizer: CharTokenizer, tokens: int, use_cache: bool) -> tuple[str, float]:
    started = time.perf_counter()
    text = "".join(stream_text(model, tokenizer, "Once upon a time", tokens, SamplingSettings(temperature=0.8),
                               seed=7, use_cache=use_cache))
    return text, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=500, help="characters to generate (default 500)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each way; the fastest is kept")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument("--checkpoint", type=Path, help="a trained checkpoint folder (default: fresh weights)")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default",
                        help="the model size for fresh weights (default: the default preset)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.checkpoint is not None:
        model, tokenizer, _ = load_checkpoint(args.checkpoint)
    else:
        tokenizer = CharTokenizer.from_text(load_corpus())
        sizes = {k: v for k, v in PRESETS[args.preset].items() if k in GPTConfig.__dataclass_fields__}
        torch.manual_seed(0)
        model = MiniGPT(GPTConfig(vocab_size=tokenizer.vocab_size, **sizes)).eval()

    generate(model, tokenizer, 20, True)  # warm-up
    cached_seconds = uncached_seconds = float("inf")
    for _ in range(args.repeats):
        cached_text, seconds = generate(model, tokenizer, args.tokens, True)
        cached_seconds = min(cached_seconds, seconds)
        uncached_text, seconds = generate(model, tokenizer, args.tokens, False)
        uncached_seconds = min(uncached_seconds, seconds)

    print(json.dumps({
        "benchmark": "level4_generate",
        "tokens": args.tokens,
        "model": str(args.checkpoint) if args.checkpoint is not None else f"preset {args.preset}, fresh weights",
        "block_size": model.config.block_size,
        "config": {"n_layer": model.config.n_layer, "n_head": model.config.n_head, "n_embd": model.config.n_embd},
        "threads": args.threads,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "with_cache_tokens_per_second": round(args.tokens / cached_seconds, 1),
        "without_cache_tokens_per_second": round(args.tokens / uncached_seconds, 1),
        "speedup": round(uncached_seconds / cached_seconds, 2),
        "same_text": cached_text == uncached_text,
        "target_speedup": TARGET_SPEEDUP,
    }))


if __name__ == "__main__":
    main()
