"""Step 4.5 - Smaller models: int8 weights.

Your trained GPT keeps every learned number as a float32: 4 bytes each. This step stores the numbers of its
Linear layers as int8 instead -- whole numbers from -127 to 127, 1 byte each, plus one step size per row
(quantize.py shows how, by hand) -- and then checks what that cost:

    size on disk          float32 file vs int8 file
    held-out loss         the same measurement train.py makes (scoring.average_loss), before and after
    speed                 characters per second, writing 200 characters
    writing               a sample from each, with the same seed

Where the installed PyTorch still has its own int8 layers (torch.ao.quantization.quantize_dynamic), they are
measured too, as a third column.

    python quantize_step.py                       # the model train.py saved
    python quantize_step.py --checkpoint DIR      # another checkpoint folder
    python quantize_step.py --seed 7 --quiet      # another sample, results only

The int8 files are written to outputs/int8/ (or --out-dir DIR/int8/).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from buildai import data, script, ui
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.checkpoint import find_checkpoint, load_checkpoint
from level_4_mini_gpt.model import MiniGPT, SamplingSettings
from level_4_mini_gpt.quantize import (QuantizedLinear, dequantization_errors, overall_relative_error,
                                       pytorch_dynamic_int8, quantize_model, save_weights)
from level_4_mini_gpt.reporting import bits_per_char, show_model_card
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.scoring import average_loss

SAMPLE_LENGTH = 200  # characters written by each model, timed
TIMED_RUNS = 2  # the faster of two runs is kept: a busy moment on the laptop should not decide the result
SAMPLE_SETTINGS = SamplingSettings(temperature=0.8)


@dataclass
class Measurement:
    """One version of the model, measured."""

    name: str
    size_bytes: int | None  # None: not saved (PyTorch's packed int8 layers need pickle to be saved)
    loss: float  # held-out cross-entropy in nats
    tokens_per_second: float
    sample: str


def held_out_ids(info: dict, tokenizer: CharTokenizer) -> torch.Tensor:
    """The held-out 10% of the text the model was trained on, as ids (the same split train.py used)."""
    try:
        corpus = data.load_corpus(info.get(data.CORPUS_PATH_KEY))
    except UserError as problem:
        raise UserError(f"The held-out text of this model cannot be read, so its loss cannot be measured: {problem} "
                        f"Put the text back where it was, or train a model again.") from None
    if info.get("corpus_sha256") not in (None, corpus.sha256):
        ui.warn("The training text has changed since this model was trained, so the held-out loss is measured on "
                "the text as it is now (both versions of the model on the same text, so the comparison is still fair).")
    ids = tokenizer.encode(corpus.val_text, skip_unknown=True)
    if len(ids) < 2:
        raise UserError("The held-out part of the text has fewer than 2 characters this model knows, so there is "
                        "nothing to measure. Train the model on a longer text.")
    return torch.tensor(ids, dtype=torch.long)


def write_timed(model: nn.Module, tokenizer: CharTokenizer, seed: int) -> tuple[str, float]:
    """SAMPLE_LENGTH characters from a new line, with `seed` -> (the text, characters per second of the faster run)."""
    "".join(stream_text(model, tokenizer, "\n", 10, SAMPLE_SETTINGS, seed=seed))  # type: ignore[arg-type]  # warm-up
    fastest, text = float("inf"), ""
    for _ in range(TIMED_RUNS):
        started = time.perf_counter()
        text = "".join(stream_text(model, tokenizer, "\n", SAMPLE_LENGTH, SAMPLE_SETTINGS, seed=seed))  # type: ignore[arg-type]
        fastest = min(fastest, time.perf_counter() - started)
    return text, len(text) / max(fastest, 1e-9)


def measure(name: str, model: nn.Module, size_bytes: int | None, ids: torch.Tensor, block_size: int,
            tokenizer: CharTokenizer, seed: int) -> Measurement:
    loss = average_loss(model, ids, block_size, torch.device("cpu"))  # type: ignore[arg-type]
    text, speed = write_timed(model, tokenizer, seed)
    return Measurement(name, size_bytes, loss, speed, text)


def same_start(text: str, other: str) -> int:
    """How many characters two texts share at the start.

    >>> same_start("Once upon a time", "Once upon a tiger")  # "Once upon a ti", then m and g
    14
    """
    count = 0
    for mine, theirs in zip(text, other):
        if mine != theirs:
            break
        count += 1
    return count


def kilobytes(size: int | None) -> str:
    return "not saved" if size is None else f"{size / 1024:,.0f} KB"


def show_weight_changes(model: MiniGPT, quantized: nn.Module) -> None:
    """How far the weights moved, and how much of the model became int8."""
    errors = dequantization_errors(model, quantized)
    quantized_numbers = sum(error.numbers for error in errors)
    ui.result("Linear layers made int8", f"{len(errors)} ({quantized_numbers:,} of the model's "
                                          f"{model.parameter_count():,} numbers, {quantized_numbers / model.parameter_count():.0%})")
    ui.result("Largest change of any weight", f"{max(error.max_error for error in errors):.6f}")
    ui.result("Largest change as a share of half a step", f"{max(error.worst_share_of_half_step for error in errors):.3f} "
                                                            "(never above 1: rounding moves a number at most half a step)")
    ui.result("All changes together, relative to the weights", f"{overall_relative_error(errors, model):.2%}")


def show_results(results: list[Measurement]) -> None:
    float_result = results[0]
    rows = [
        ["size on disk"] + [kilobytes(result.size_bytes) for result in results],
        ["held-out loss (nats)"] + [f"{result.loss:.4f}" for result in results],
        ["held-out bits per character"] + [f"{bits_per_char(result.loss):.4f}" for result in results],
        ["change in bits per character"] + ["-"] + [f"{bits_per_char(result.loss - float_result.loss):+.4f}"
                                                    for result in results[1:]],
        [f"speed (characters/s, {SAMPLE_LENGTH} written)"] + [f"{result.tokens_per_second:,.0f}" for result in results],
    ]
    ui.table("The same model, stored two ways", ["", *(result.name for result in results)], rows,
             justify=["left"] + ["right"] * len(results))
    int8_result = results[1]
    if float_result.size_bytes and int8_result.size_bytes:
        ui.result("The int8 file is", f"{float_result.size_bytes / int8_result.size_bytes:.2f}x smaller "
                                      "(the Linear weights alone: 4x; embeddings, LayerNorms and biases stay float32)")
    samples = [[ui.escape(result.sample) for result in results],
               ["(the float32 model)"] + [f"same as float32 for the first {same_start(result.sample, float_result.sample)} "
                                          f"of {len(float_result.sample)} characters" for result in results[1:]]]
    ui.table(f"What each one writes (temperature {SAMPLE_SETTINGS.temperature:g}, the same seed)",
             [result.name for result in results], samples)


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Store your trained GPT's Linear weights as int8 and measure what it costs.",
                                text_flag=False, threads_flag=True)
    parser.add_argument("--checkpoint", type=Path, default=None, metavar="DIR",
                        help="the checkpoint folder to load (default: the one train.py wrote, in outputs/checkpoint)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 4.5 - Smaller models: int8 weights", "The same model in a quarter of the bytes (almost)")
    folder = find_checkpoint(args.checkpoint, args.out_dir, "quantize_step.py")
    model, tokenizer, info = load_checkpoint(folder)
    show_model_card(model.config, model.parameter_count(), info, folder)
    ui.explain(
        "Each learned number is a float32: 4 bytes. Most of them sit in the Linear layers, and they are small "
        "numbers crowded around 0. So for each row of each Linear layer we find the largest size, call a "
        "127th of it one 'step', and store every number as a whole count of steps from -127 to 127: one byte "
        "(int8). Using the model, we multiply back: count x step. Rounding moves each number by at most half "
        "a step. The embeddings (which the output head shares) stay float32."
    )
    quantized = quantize_model(model)
    show_weight_changes(model, quantized)

    folder_out = output_dir(4, args.out_dir) / "int8"
    float_path = save_weights(folder_out / "model_float32.safetensors", model)
    int8_path = save_weights(folder_out / "model_int8.safetensors", quantized)
    ui.saved(int8_path, "int8 weights")

    ids = held_out_ids(info, tokenizer)
    block_size = model.config.block_size
    ui.say("Measuring each version: held-out loss, then writing and timing a sample ...")
    results = [
        measure("float32 (as trained)", model, float_path.stat().st_size, ids, block_size, tokenizer, args.seed),
        measure("int8, by hand", quantized, int8_path.stat().st_size, ids, block_size, tokenizer, args.seed),
    ]
    pytorch_model, why_not = pytorch_dynamic_int8(model)
    if pytorch_model is not None:
        results.append(measure("int8, PyTorch", pytorch_model, None, ids, block_size, tokenizer, args.seed))
    show_results(results)
    if pytorch_model is None:
        ui.say(f"PyTorch's own int8 layers were not measured: {ui.escape(why_not)}.")
    else:
        ui.say("PyTorch's int8 layers are not saved: their packed format can only be written with pickle, which "
               "can run code when loaded, and this course only writes safetensors.")
    ui.say(
        "Our int8 layers unpack their numbers back to float32 for every multiply, so they save memory and disk, "
        "not time: compare the speeds. PyTorch's layers also round each layer's input to 8 bits and multiply "
        "whole numbers. That pays off for big matrices; for a model this small, the extra rounding at every "
        "layer can cost more time than the whole-number multiply saves."
    )
    quantized_layers = sum(isinstance(module, QuantizedLinear) for module in quantized.modules())
    ui.success(f"Done: {quantized_layers} Linear layers stored in int8, held-out loss measured before and after.")


if __name__ == "__main__":
    script.run_step(main)
