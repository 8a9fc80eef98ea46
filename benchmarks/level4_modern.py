"""Benchmark: the GPT-2 design against the modern one (RoPE + RMSNorm + SwiGLU + grouped-query attention).

Both are trained by train.py itself, one after the other, with the same preset, the same time budget
(--time-budget: train.py fits its number of steps to the time), the same seed and so the same windows of
the same stories. The modern run only adds the design flags:

    --position rope --norm rms --mlp swiglu --n-kv-head (n_head / 2)

Printed as ONE JSON object on stdout (train.py's own output is kept out of it): for each design its best
held-out bits per character, steps, parameters and training time, and `ratio` = modern bits / GPT-2 bits
(below 1: the modern design did better in the same time).

The modern model has somewhat fewer numbers at the same sizes: no table of positions, and shared keys and
values. SwiGLU's hidden width is chosen to keep the feed-forward network as big as GPT-2's (modern.py).

    python benchmarks/level4_modern.py                        # 60 s each, the default preset
    python benchmarks/level4_modern.py --seconds 270          # the default preset's full time
    python benchmarks/level4_modern.py --preset tiny --seconds 3   # a quick check that it runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from buildai.paths import REPO_ROOT
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.presets import PRESETS

DEFAULT_SECONDS = 60.0
SEED = 42  # train.py's default seed


def modern_flags(n_head: int, kv_heads: int | None) -> list[str]:
    """The flags that turn the GPT-2 design into the modern one (half as many key/value heads by default)."""
    if kv_heads is None:
        kv_heads = n_head // 2 if n_head % 2 == 0 else 1
    return ["--position", "rope", "--norm", "rms", "--mlp", "swiglu", "--n-kv-head", str(kv_heads)]


def train_one(preset: str, seconds: float, seed: int, threads: int, flags: list[str]) -> dict[str, Any]:
    """A real `train.py --preset P --time-budget S` run in a temporary folder; its scores from history.json."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "train.py", "--preset", preset, "--time-budget", str(seconds), "--seed", str(seed),
                   "--threads", str(threads), "--quiet", "--out-dir", folder, *flags]
        print("running: " + " ".join(command[1:]), file=sys.stderr)
        started = time.perf_counter()
        process = subprocess.run(command, cwd=REPO_ROOT / "level_4_mini_gpt", env={**os.environ, "NO_COLOR": "1"},
                                 capture_output=True, text=True, encoding="utf-8")
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"train.py failed:\n{process.stdout[-2000:]}\n{process.stderr[-2000:]}")
        history = json.loads((Path(folder) / "history.json").read_text(encoding="utf-8"))
    config = GPTConfig(**history["config"])
    return {
        "design": config.modern_parts(),
        "held_out_bits_per_char": round(history["best"]["val_bits_per_char"], 4),
        "best_step": history["best"]["step"],
        "steps": history["steps"],
        "parameters": MiniGPT(config).parameter_count(),
        "train_seconds": round(history["train_seconds"], 1),
        "wall_seconds": round(wall, 1),
        "train_tokens_per_second": history["tokens_per_second"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help=f"train.py's --time-budget for each design (default {DEFAULT_SECONDS:.0f})")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default",
                        help="the sizes of both (default: default)")
    parser.add_argument("--kv-heads", type=int, default=None,
                        help="key/value heads of the modern design (default: half of the preset's heads)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"the same seed for both (default {SEED})")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for both runs (default 1: on a busy 2-core machine one thread is fastest)")
    args = parser.parse_args()

    flags = modern_flags(PRESETS[args.preset]["n_head"], args.kv_heads)
    gpt2 = train_one(args.preset, args.seconds, args.seed, args.threads, [])
    modern = train_one(args.preset, args.seconds, args.seed, args.threads, flags)
    print(json.dumps({
        "benchmark": "level4_modern",
        "preset": args.preset,
        "seconds_each": args.seconds,
        "seed": args.seed,
        "threads": args.threads,
        "modern_flags": " ".join(flags),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "gpt2": gpt2,
        "modern": modern,
        "ratio": round(modern["held_out_bits_per_char"] / gpt2["held_out_bits_per_char"], 4),
    }))


if __name__ == "__main__":
    main()
