"""Benchmark: Level 4 int8 weights (quantize.py) against float32, and against PyTorch's dynamic quantisation.

A tiny model is trained first (`train.py --preset tiny`, in a temporary folder, about a minute; its progress
goes to stderr), or --checkpoint measures a model you already have. Then the same model is measured three
ways -- float32 as trained, our int8 Linear layers, and PyTorch's `quantize_dynamic` where the installed
PyTorch still has it -- for:

    size on disk      the safetensors file of each (PyTorch's packed layers need pickle, so they are not saved)
    held-out loss     train.py's own measurement (scoring.average_loss) on the held-out 10% of the text
    tokens/s          writing --tokens characters with the same seed; each way timed --repeats times,
                      taking turns, median kept; `speedup` is a version's tokens/s over float32's

Prints ONE JSON object on stdout (everything else goes to stderr).

    python benchmarks/level4_int8.py                                  # train the tiny preset, then measure
    python benchmarks/level4_int8.py --max-steps 300                  # a shorter training run
    python benchmarks/level4_int8.py --checkpoint level_4_mini_gpt/outputs/checkpoint

Expect the int8 file to be about 3x smaller at the tiny size (4x on the Linear weights; the embeddings stay
float32) with a held-out loss within a few thousandths of a nat. Our int8 layers unpack to float32 before
every multiply, so they are not expected to be faster (speedup at or below 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from buildai.data import CORPUS_PATH_KEY, load_corpus
from buildai.paths import REPO_ROOT
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.checkpoint import load_checkpoint
from level_4_mini_gpt.model import SamplingSettings
from level_4_mini_gpt.quantize import (dequantization_errors, overall_relative_error, pytorch_dynamic_int8,
                                       quantize_model, save_weights)
from level_4_mini_gpt.quantize_step import same_start
from level_4_mini_gpt.reporting import bits_per_char
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.scoring import average_loss

SEED = 7


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def train_tiny(folder: Path, max_steps: int | None, threads: int) -> Path:
    """Run train.py --preset tiny into `folder`; its output goes to stderr. Returns the checkpoint folder."""
    command = [sys.executable, "train.py", "--preset", "tiny", "--quiet", "--out-dir", str(folder),
               "--threads", str(threads), "--seed", "42"] + (["--max-steps", str(max_steps)] if max_steps else [])
    log("Training: " + " ".join(command[1:]))
    process = subprocess.run(command, cwd=REPO_ROOT / "level_4_mini_gpt", env={**os.environ, "NO_COLOR": "1"},
                             stdout=sys.stderr, stderr=sys.stderr)
    if process.returncode != 0:
        raise SystemExit(f"train.py failed with exit code {process.returncode}")
    return folder / "checkpoint"


def write(model: nn.Module, tokenizer: CharTokenizer, tokens: int) -> tuple[str, float]:
    started = time.perf_counter()
    text = "".join(stream_text(model, tokenizer, "\n", tokens, SamplingSettings(temperature=0.8), seed=SEED))  # type: ignore[arg-type]
    return text, time.perf_counter() - started


def speeds(models: dict[str, nn.Module], tokenizer: CharTokenizer, tokens: int,
           repeats: int) -> tuple[dict[str, float], dict[str, str]]:
    """Median tokens/s of each model, the models taking turns (a busy moment hits them all alike)."""
    for model in models.values():
        write(model, tokenizer, 20)  # warm-up: first calls pay for memory allocation
    times: dict[str, list[float]] = {name: [] for name in models}
    texts: dict[str, str] = {}
    for _ in range(repeats):
        for name, model in models.items():
            texts[name], seconds = write(model, tokenizer, tokens)
            times[name].append(seconds)
    return {name: tokens / statistics.median(seconds) for name, seconds in times.items()}, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="measure this checkpoint folder instead of training one")
    parser.add_argument("--max-steps", type=int, help="training steps for the tiny model (default: the preset's)")
    parser.add_argument("--tokens", type=int, default=200, help="characters written per timed run (default 200)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each version; the median is kept")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory(prefix="buildai_bench_int8_") as temporary:
        folder = Path(temporary)
        checkpoint = args.checkpoint or train_tiny(folder, args.max_steps, args.threads)
        model, tokenizer, info = load_checkpoint(checkpoint)
        corpus = load_corpus(info.get(CORPUS_PATH_KEY))
        held_out = torch.tensor(tokenizer.encode(corpus.val_text, skip_unknown=True), dtype=torch.long)

        log("Quantising and saving ...")
        quantized = quantize_model(model)
        errors = dequantization_errors(model, quantized)
        float_size = save_weights(folder / "float32.safetensors", model).stat().st_size
        int8_size = save_weights(folder / "int8.safetensors", quantized).stat().st_size
        versions: dict[str, nn.Module] = {"float32": model, "int8_by_hand": quantized}
        pytorch_model, why_not = pytorch_dynamic_int8(model)
        if pytorch_model is not None:
            versions["pytorch_dynamic_int8"] = pytorch_model

        log("Held-out loss ...")
        losses = {name: average_loss(version, held_out, model.config.block_size, torch.device("cpu"))  # type: ignore[arg-type]
                  for name, version in versions.items()}
        log(f"Timing {args.repeats} x {args.tokens} characters for each version ...")
        tokens_per_second, texts = speeds(versions, tokenizer, args.tokens, args.repeats)

    def measured(name: str, size: int | None) -> dict[str, object]:
        return {
            "size_bytes": size,
            "held_out_loss": round(losses[name], 5),
            "held_out_bits_per_char": round(bits_per_char(losses[name]), 5),
            "tokens_per_second": round(tokens_per_second[name], 1),
            "speedup": round(tokens_per_second[name] / tokens_per_second["float32"], 3),
            "same_sample_characters": same_start(texts[name], texts["float32"]),
        }

    int8 = measured("int8_by_hand", int8_size)
    int8.update({
        "loss_change": round(losses["int8_by_hand"] - losses["float32"], 5),
        "size_ratio": round(float_size / int8_size, 3),
        "weights_relative_error": round(overall_relative_error(errors, model), 5),
        "worst_error_share_of_half_step": round(max(error.worst_share_of_half_step for error in errors), 4),
    })
    if pytorch_model is not None:
        pytorch: dict[str, object] = {"available": True, **measured("pytorch_dynamic_int8", None),
                                      "loss_change": round(losses["pytorch_dynamic_int8"] - losses["float32"], 5),
                                      "not_saved_because": "its packed int8 layers can only be saved with pickle"}
    else:
        pytorch = {"available": False, "reason": why_not}
    config = model.config
    print(json.dumps({
        "benchmark": "level4_int8",
        "model": {"source": str(args.checkpoint) if args.checkpoint else
                  "train.py --preset tiny" + (f" --max-steps {args.max_steps}" if args.max_steps else ""),
                  "n_layer": config.n_layer, "n_head": config.n_head, "n_embd": config.n_embd,
                  "block_size": config.block_size, "vocab_size": config.vocab_size,
                  "parameters": model.parameter_count(),
                  "quantised_linear_weights": sum(error.numbers for error in errors)},
        "float32": {k: v for k, v in measured("float32", float_size).items() if k not in ("speedup", "same_sample_characters")},
        "int8_by_hand": int8,
        "pytorch_dynamic_int8": pytorch,
        "tokens": args.tokens,
        "repeats": args.repeats,
        "threads": args.threads,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }))


if __name__ == "__main__":
    main()
