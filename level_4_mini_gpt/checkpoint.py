"""Saving and loading a trained Mini-GPT, safely.

A checkpoint is a folder with two files:

    model.safetensors   the learned numbers (plain tensors: loading them can never run code)
    model.json          everything else, readable in any text editor: the model's sizes (config), the
                        vocabulary (tokenizer: its type, "char" or "bpe", its size and its characters or
                        merges), the training step, held-out scores, the text it learned from

Each file is written atomically (to a temporary file, then renamed), so Ctrl-C or a crash leaves the old
file or the new one, never half of one. model.json also records a fingerprint (SHA-256) of the weights
file, so a weights file that does not belong to its model.json -- cut off while copying, or from another
run -- is caught with a clear message instead of giving a strange model.

The training state needed to *continue* a run (optimizer, random generators) is separate: train.py keeps
it in `training_state.pt` in the same folder (see run_control.py).

`find_checkpoint` is how generate.py and chat.py find the model to load: it says how to train one when
there is none yet (and, to a person at a terminal, offers to train the tiny preset right away).

    >>> folder = default_checkpoint_dir()  # doctest: +SKIP
    >>> model, tokenizer, info = load_checkpoint(folder)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import MISSING, asdict, fields
from pathlib import Path
from typing import Any

from buildai import ui
from buildai.errors import UserError
from buildai.paths import level_dir, output_dir, show_path
from buildai.safe_io import load_tensors, read_json, save_tensors, write_json
from level_4_mini_gpt import tokenizers_choice
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.tokenizers_choice import Tokenizer

WEIGHTS_FILE = "model.safetensors"
INFO_FILE = "model.json"
FORMAT_NAME = "buildai-mini-gpt"
FORMAT_VERSION = 1
TRAIN_COMMAND = "python train.py --preset tiny"
HOW_TO_MAKE = f"Train a model first: cd level_4_mini_gpt && {TRAIN_COMMAND}"
TIED_WEIGHT = "output_head.weight"  # the same table as token_embedding.weight, so it is stored once


def default_checkpoint_dir(out_dir: str | Path | None = None) -> Path:
    """Where train.py saves its best model and generate.py and chat.py look for it: <Level 4 output folder>/checkpoint."""
    return output_dir(4, out_dir) / "checkpoint"


def save_checkpoint(folder: Path, model: MiniGPT, tokenizer: Tokenizer, info: dict[str, Any]) -> None:
    """Write folder/model.safetensors and folder/model.json, each atomically.

    `info` holds whatever the reader should know: step, metrics, corpus_path (None = the course stories), ...
    """
    folder = Path(folder)
    weights = {name: tensor for name, tensor in model.state_dict().items() if name != TIED_WEIGHT}
    weights_path = save_tensors(folder / WEIGHTS_FILE, weights)
    record = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        **info,
        "config": asdict(model.config),
        "tokenizer": tokenizers_choice.record(tokenizer),
        "weights_sha256": _fingerprint(weights_path),
    }
    write_json(folder / INFO_FILE, record)


def load_checkpoint(folder: Path) -> tuple[MiniGPT, Tokenizer, dict[str, Any]]:
    """Read a checkpoint folder -> (model in eval mode on the CPU, tokenizer, the whole model.json as a dict).

    The tokenizer is the one the model was trained with: a CharTokenizer, or a BPETokenizer for a model trained
    with --tokenizer bpe (model.json's tokenizer "type"; a model saved before that existed reads characters).

    Raises UserError with a clear message when the folder or a file is missing, cut off or damaged.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"No trained model found: the folder '{show_path(folder)}' does not exist. {HOW_TO_MAKE}")
    info = read_json(folder / INFO_FILE, what="checkpoint description", how_to_make=HOW_TO_MAKE)
    weights_path = folder / WEIGHTS_FILE
    damaged = f"The checkpoint in '{show_path(folder)}' is damaged or incomplete"
    if not isinstance(info, dict) or info.get("format") != FORMAT_NAME:
        raise UserError(f"{damaged}: '{INFO_FILE}' is not a Mini-GPT checkpoint description. {HOW_TO_MAKE}")
    weights = load_tensors(weights_path, what="checkpoint weights", how_to_make=HOW_TO_MAKE)
    if info.get("weights_sha256") != _fingerprint(weights_path):
        raise UserError(
            f"{damaged}: '{WEIGHTS_FILE}' does not match '{INFO_FILE}' (it was changed, cut off, or comes "
            f"from another training run). {HOW_TO_MAKE}"
        )
    try:
        config = config_from_record(info["config"])
        tokenizer = tokenizers_choice.from_record(info["tokenizer"])
    except (KeyError, TypeError, ValueError) as problem:
        raise UserError(f"{damaged}: its settings cannot be read ({problem!r}). {HOW_TO_MAKE}") from None
    if tokenizer.vocab_size != config.vocab_size:
        raise UserError(f"{damaged}: the vocabulary does not match the model's size. {HOW_TO_MAKE}")
    model = MiniGPT(config)
    try:
        missing, unexpected = model.load_state_dict(weights, strict=False)
    except RuntimeError as problem:  # a tensor of the wrong shape
        raise UserError(f"{damaged}: the weights do not fit the model ({problem}). {HOW_TO_MAKE}") from None
    if unexpected or set(missing) - {TIED_WEIGHT}:
        raise UserError(
            f"{damaged}: the weights do not fit the model (missing {sorted(set(missing) - {TIED_WEIGHT})}, "
            f"unexpected {sorted(unexpected)}). {HOW_TO_MAKE}"
        )
    return model.eval(), tokenizer, info


def config_from_record(record: dict[str, Any]) -> GPTConfig:
    """The GPTConfig saved in model.json. A setting added to GPTConfig after the model was saved is not in the
    record: it takes its default, which is how every older model was built (e.g. position="learned").

    >>> config_from_record({"vocab_size": 5, "block_size": 8, "n_layer": 1, "n_head": 2, "n_embd": 8,
    ...                     "dropout": 0.0, "bias": True}).position
    'learned'
    """
    return GPTConfig(**{field.name: record[field.name] for field in fields(GPTConfig)
                        if field.name in record or field.default is MISSING})


def _fingerprint(path: Path) -> str:
    """SHA-256 of a file: any change to the file, even one byte, gives a different fingerprint."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ finding one to load


def can_ask() -> bool:
    """Only ask questions of a person at a real terminal, never in CI or when input comes from a file."""
    if os.environ.get("CI"):
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def train_tiny_now(out_dir: Path | None) -> None:
    """Run `train.py --preset tiny` (the learner said yes), writing where generate.py and chat.py will look."""
    command = [sys.executable, "train.py", "--preset", "tiny"] + (["--out-dir", str(out_dir)] if out_dir is not None else [])
    code = subprocess.call(command, cwd=level_dir(4))
    if code != 0:
        raise UserError(f"Training stopped with exit code {code}, so there is no model to talk to yet. "
                        f"Run it on its own to see what happened: {TRAIN_COMMAND}")


def find_checkpoint(checkpoint: Path | None, out_dir: Path | None, script: str = "generate.py") -> Path:
    """The checkpoint folder to load: `checkpoint` if given, else the one train.py wrote (in `out_dir`).

    If there is no model there, say how to make one (or offer to, at a terminal). `script` is the
    script to run again afterwards, for the message.
    """
    folder = Path(checkpoint) if checkpoint is not None else default_checkpoint_dir(out_dir)
    if (folder / WEIGHTS_FILE).exists() or (folder / INFO_FILE).exists():
        return folder  # present (if damaged, load_checkpoint explains)
    if checkpoint is None and can_ask():
        ui.warn("There is no trained model yet.")
        answer = ui.console.input(ui.escape("Train the tiny preset now? It takes about a minute. [y/N] "))
        if answer.strip().lower() in ("y", "yes", "haan", "ha"):
            train_tiny_now(out_dir)
            return folder
    raise UserError(f"There is no trained model in '{show_path(folder)}' yet, so there is nothing to generate with. "
                    f"Train one first (the tiny preset takes about a minute): cd level_4_mini_gpt, then "
                    f"{TRAIN_COMMAND} -- or from anywhere in the course: buildai run 4.1 --preset tiny. "
                    f"Then run {script} again.")
