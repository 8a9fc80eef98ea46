"""What a training run starts from: its text as ids, the model's size and the training settings.

A fresh run takes them from the flags (--text, --tokenizer, --preset and the rest). `--resume` takes them
from the saved run instead, so it learns from the very same text, cut into the very same tokens, with the
same settings; flags given with --resume are not used. train.py calls `start_or_resume` once, first.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildai import token_file
from buildai.errors import UserError
from level_4_mini_gpt import distributed, run_control, tokenizers_choice
from level_4_mini_gpt.model import GPTConfig
from level_4_mini_gpt.presets import SETTING_NAMES, TrainingSettings, config_from_preset, config_from_saved


@dataclass
class RunStart:
    corpus: tokenizers_choice.Text  # the text, its tokenizer and the train / held-out ids
    config: GPTConfig
    training: TrainingSettings
    tokenizer_choice: dict[str, Any]  # {"kind": "char" or "bpe", "vocab_size": ...}, saved with the run
    state: dict[str, Any] | None  # the saved training state, when resuming


def start_or_resume(args: argparse.Namespace, team: distributed.Team, folder: Path) -> RunStart:
    """The run's text, sizes and settings; with --resume, the saved run's (and args.preset/seed become its)."""
    token_cache = folder.parent / token_file.CACHE_FOLDER  # a big text's ids, kept next to the checkpoint
    state = run_control.load_training_state(folder) if args.resume else None
    if state is not None:  # the saved run's text, tokenizer, preset, seed and settings
        kind, vocab_size = tokenizers_choice.saved_choice(state)
        corpus = token_file.load_text(state["corpus_path"], token_cache)
        run_control.check_same_text(state, corpus.sha256)
        distributed.check_same_team(state, team)
        args.preset, args.seed = state["preset"], state["seed"]
        corpus = tokenizers_choice.prepare(corpus, kind, vocab_size, folder)  # the same tokens as before
        config, training = config_from_saved(state["config"], state["training"])
    else:
        kind, vocab_size = args.tokenizer, tokenizers_choice.checked_choice(args.tokenizer, args.vocab_size)
        tokenizers_choice.refuse_big_text(kind, args.text)
        corpus = token_file.load_text(args.text, token_cache)  # in memory, or a token file for a big text
        corpus = tokenizers_choice.prepare(corpus, kind, vocab_size, folder)  # split first, then tokenize each part
        overrides = {name: getattr(args, name) for name in SETTING_NAMES}
        config, training = config_from_preset(args.preset, corpus.tokenizer.vocab_size, overrides)
    if len(corpus.train_ids) <= config.block_size or len(corpus.val_ids) < 2:
        unit = tokenizers_choice.unit_of(corpus.tokenizer)
        raise UserError(f"The text is too short for windows of {config.block_size} {unit}. "
                        f"Use a longer text or a smaller --block-size (e.g. --block-size 32).")
    choice = {"kind": kind, "vocab_size": vocab_size if kind == "bpe" else corpus.tokenizer.vocab_size}
    return RunStart(corpus, config, training, choice, state)
