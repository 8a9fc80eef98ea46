"""Saving and loading a trained Mini-GPT, safely.

A checkpoint is a folder with two files:

    model.safetensors   the learned numbers (plain tensors: loading them can never run code)
    model.json          everything else, readable in any text editor: the model's sizes (config), the
                        vocabulary (tokenizer), the training step, held-out scores, the text it learned from

Each file is written atomically (to a temporary file, then renamed), so Ctrl-C or a crash leaves the old
file or the new one, never half of one. model.json also records a fingerprint (SHA-256) of the weights
file, so a weights file that does not belong to its model.json -- cut off while copying, or from another
run -- is caught with a clear message instead of giving a strange model.

The training state needed to *continue* a run (optimizer, random generators) is separate: train.py keeps
it in `training_state.pt` in the same folder (see train.py).

    >>> folder = default_checkpoint_dir()  # doctest: +SKIP
    >>> model, tokenizer, info = load_checkpoint(folder)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from buildai.errors import UserError
from buildai.paths import output_dir, show_path
from buildai.safe_io import load_tensors, read_json, save_tensors, write_json
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.model import GPTConfig, MiniGPT

WEIGHTS_FILE = "model.safetensors"
INFO_FILE = "model.json"
FORMAT_NAME = "buildai-mini-gpt"
FORMAT_VERSION = 1
HOW_TO_MAKE = "Train a model first: cd level_4_mini_gpt && python train.py --preset tiny"
TIED_WEIGHT = "output_head.weight"  # the same table as token_embedding.weight, so it is stored once


def default_checkpoint_dir(out_dir: str | Path | None = None) -> Path:
    """Where train.py saves its best model and generate.py looks for it: <Level 4 output folder>/checkpoint."""
    return output_dir(4, out_dir) / "checkpoint"


def save_checkpoint(folder: Path, model: MiniGPT, tokenizer: CharTokenizer, info: dict[str, Any]) -> None:
    """Write folder/model.safetensors and folder/model.json, each atomically.

    `info` holds whatever the reader should know: step, metrics, data_path (None = the course stories), ...
    """
    folder = Path(folder)
    weights = {name: tensor for name, tensor in model.state_dict().items() if name != TIED_WEIGHT}
    weights_path = save_tensors(folder / WEIGHTS_FILE, weights)
    record = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        **info,
        "config": asdict(model.config),
        "tokenizer": tokenizer.to_dict(),
        "weights_sha256": _fingerprint(weights_path),
    }
    write_json(folder / INFO_FILE, record)


def load_checkpoint(folder: Path) -> tuple[MiniGPT, CharTokenizer, dict[str, Any]]:
    """Read a checkpoint folder -> (model in eval mode on the CPU, tokenizer, the whole model.json as a dict).

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
        config = GPTConfig(**{field.name: info["config"][field.name] for field in fields(GPTConfig)})
        tokenizer = CharTokenizer.from_dict(info["tokenizer"])
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


def _fingerprint(path: Path) -> str:
    """SHA-256 of a file: any change to the file, even one byte, gives a different fingerprint."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
