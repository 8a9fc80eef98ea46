"""Benchmark: Level 4 training -- speed against a plain reference GPT, and quality in the default time.

Two measurements, printed as ONE JSON object:

1. Throughput. Our MiniGPT (fused scaled_dot_product_attention, fused AdamW) against a straightforward
   reference GPT built below: the same sizes, the same GPT-2 design, but attention written out with an
   explicit mask (masked_fill + softmax) and PyTorch's default AdamW. Both train on the same batches in
   this one process, taking turns, and each keeps its fastest round (the machine may be busy).
   Target: speedup >= 1.3.
2. Quality. `train.py --preset default --time-budget SECONDS` (a real run, in a temporary folder) and
   its best held-out bits per character, next to the best Level 1 n-gram on the same 90/10 split.
   Target: clearly below the n-gram.

    python benchmarks/level4_train.py                     # the default preset's full time (a few minutes)
    python benchmarks/level4_train.py --time-budget 60    # shorter
    python benchmarks/level4_train.py --skip-quality      # throughput only
    python benchmarks/level4_train.py --skip-quality --block-size 256   # longer context, same tokens per step

At the default size (context 128, 32 numbers per head) most of a step is the Linear layers' matrix
products, which both models do identically; attention is about a quarter of the work, so the fused kernel's
advantage shows more with a longer context.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from buildai.data import load_corpus
from buildai.paths import REPO_ROOT
from buildai.script import set_torch_threads
from level_3_transformer.batches import get_batch
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.presets import TrainingSettings, config_from_preset
from level_4_mini_gpt.train import make_optimizer

TARGET_SPEEDUP = 1.3
DEFAULT_BUDGET = 270.0  # seconds: the default preset's run must stay under 5 minutes on 2 CPU cores


# ------------------------------------------------------------------- the reference GPT


class ReferenceAttention(nn.Module):
    """Causal self-attention the straightforward way: the full (T, T) score table, a mask, softmax."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.proj = nn.Linear(config.n_embd, config.n_embd)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.register_buffer("mask", torch.tril(torch.ones(config.block_size, config.block_size)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, channels = x.shape
        q, k, v = self.qkv(x).split(channels, dim=2)
        q, k, v = (t.view(batch, length, self.n_head, channels // self.n_head).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        scores = scores.masked_fill(self.mask[:length, :length] == 0, float("-inf"))
        weights = self.attn_dropout(F.softmax(scores, dim=-1))
        out = (weights @ v).transpose(1, 2).contiguous().view(batch, length, channels)
        return self.resid_dropout(self.proj(out))


class ReferenceBlock(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = ReferenceAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd), nn.GELU(), nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class ReferenceGPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(ReferenceBlock(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(idx.size(1))))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.ln_f(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ------------------------------------------------------------------------- measuring


def tokens_per_second(model: nn.Module, optimizer: torch.optim.Optimizer, batches: list, steps: int) -> float:
    """Train `steps` steps (forward, backward, clip, update) and return tokens per second."""
    model.train()
    started = time.perf_counter()
    for inputs, targets in batches[:steps]:
        _, loss = model(inputs, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    elapsed = time.perf_counter() - started
    return steps * batches[0][0].numel() / elapsed


def measure_throughput(config: GPTConfig, training: TrainingSettings, data: torch.Tensor, steps: int,
                       rounds: int) -> dict[str, float]:
    torch.manual_seed(0)
    ours = MiniGPT(config)
    ours_optimizer = make_optimizer(ours, training, torch.device("cpu"))
    torch.manual_seed(0)
    reference = ReferenceGPT(config)
    reference_optimizer = torch.optim.AdamW(reference.parameters(), lr=training.learning_rate,
                                            weight_decay=training.weight_decay)
    generator = torch.Generator().manual_seed(0)
    batches = [get_batch(data, config.block_size, training.batch_size, generator) for _ in range(steps + 2)]
    # one warm-up step each (memory allocation, first-call costs), then take turns
    tokens_per_second(ours, ours_optimizer, batches, 2)
    tokens_per_second(reference, reference_optimizer, batches, 2)
    best_ours = best_reference = 0.0
    for _ in range(rounds):
        best_ours = max(best_ours, tokens_per_second(ours, ours_optimizer, batches, steps))
        best_reference = max(best_reference, tokens_per_second(reference, reference_optimizer, batches, steps))
    return {
        "ours_tokens_per_second": round(best_ours),
        "reference_tokens_per_second": round(best_reference),
        "speedup": round(best_ours / best_reference, 3),
    }


def measure_quality(budget: float, threads: int) -> dict[str, float]:
    """A real `train.py --preset default --time-budget` run; its scores come from its history.json."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "NO_COLOR": "1"}
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, "train.py", "--preset", "default", "--time-budget", str(budget), "--quiet",
             "--out-dir", folder, "--threads", str(threads)],
            cwd=REPO_ROOT / "level_4_mini_gpt", env=env, capture_output=True, text=True, encoding="utf-8",
        )
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"train.py failed:\n{process.stdout[-2000:]}\n{process.stderr[-2000:]}")
        history = json.loads((Path(folder) / "history.json").read_text(encoding="utf-8"))
    return {
        "quality_time_budget_seconds": budget,
        "quality_wall_seconds": round(wall, 1),
        "quality_steps": history["steps"],
        "quality_train_tokens_per_second": round(history["tokens_per_second"]),
        "held_out_bits_per_char": round(history["best"]["val_bits_per_char"], 4),
        "ngram_bits_per_char": round(history["ngram_baseline"]["val_bits_per_char"], 4),
        "ngram_order": history["ngram_baseline"]["order"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-budget", type=float, default=DEFAULT_BUDGET,
                        help=f"seconds for the quality run (default {DEFAULT_BUDGET:.0f})")
    parser.add_argument("--steps", type=int, default=10, help="training steps per timed round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per model; the fastest is kept (default 3)")
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for both models (default 1: on a busy 2-core machine one thread is fastest)")
    parser.add_argument("--skip-quality", action="store_true", help="measure throughput only")
    parser.add_argument("--block-size", type=int,
                        help="throughput at this context length instead (batch size scaled to keep tokens per step)")
    args = parser.parse_args()
    set_torch_threads(args.threads)

    corpus = load_corpus()
    data = torch.tensor(corpus.train_ids, dtype=torch.long)
    config, training = config_from_preset("default", corpus.tokenizer.vocab_size)
    if args.block_size is not None:
        training.batch_size = max(1, training.batch_size * config.block_size // args.block_size)
        config.block_size = args.block_size

    result: dict[str, object] = {
        "benchmark": "level4_train",
        "config": {"n_layer": config.n_layer, "n_head": config.n_head, "n_embd": config.n_embd,
                   "block_size": config.block_size, "batch_size": training.batch_size, "dropout": config.dropout},
        "threads": args.threads,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    result.update(measure_throughput(config, training, data, args.steps, args.rounds))
    result["target_speedup"] = TARGET_SPEEDUP
    if not args.skip_quality:
        result.update(measure_quality(args.time_budget, args.threads))
        result["beats_ngram"] = result["held_out_bits_per_char"] < result["ngram_bits_per_char"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
