"""The settings of a training run: ready-made sizes (presets), and every setting's flag.

A run has two kinds of settings. The model's sizes live in `GPTConfig` (model.py); how it is
trained lives in `TrainingSettings` below. A preset names values for both, and any flag the
learner gives wins over the preset. `config_from_preset` is the one place that turns
"a preset plus some flags" into the two dataclasses, so train.py and the benchmarks agree.

>>> config, training = config_from_preset("tiny", vocab_size=72, overrides={"n_layer": 3, "dropout": None})
>>> config.n_layer, config.n_embd, training.max_steps   # n_layer from the flag; None means "not given"
(3, 96, 1200)
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Callable

from buildai import script
from buildai.errors import UserError
from level_4_mini_gpt.model import MLPS, NORMS, POSITIONS, GPTConfig


@dataclass
class TrainingSettings:
    batch_size: int = 32  # windows of text per micro-batch
    max_steps: int = 1000  # optimizer updates in the whole run
    learning_rate: float = 1e-3  # the peak step size, reached after the warm-up
    final_learning_rate_share: float = 0.1  # the cosine ends at this share of the peak
    warmup_steps: int = 50  # steps to grow the learning rate from 0 to its peak
    weight_decay: float = 0.1  # AdamW's gentle pull of the weights towards 0 (fights memorising)
    grad_clip: float = 1.0  # largest allowed gradient size (norm); bigger ones are scaled down
    grad_accum: int = 1  # micro-batches added up before each update: a bigger batch in the same memory
    eval_interval: int = 100  # measure the held-out loss (and keep the best model) every N steps
    sample_interval: int = 500  # print a short sample every N steps
    sample_length: int = 200  # characters per sample


# Presets. Sizes were chosen by measuring held-out loss against time on a 2-core laptop CPU
# (see the notes next to each one); every value can still be changed with its own flag.
PRESETS: dict[str, dict[str, Any]] = {
    # Under a minute with evaluation, used by `buildai tour` and the tests; beats the n-gram already.
    "tiny": dict(
        n_layer=2, n_head=3, n_embd=96, block_size=64, dropout=0.0,
        batch_size=16, max_steps=1200, learning_rate=8e-3, warmup_steps=50, weight_decay=0.1,
        eval_interval=300, sample_interval=600, sample_length=120,
    ),
    # Under five minutes on 2 CPU cores: the best held-out loss we found that fits that time. Measured with
    # one thread (time.process_time, on a shared machine) for about 240 s of training each:
    #   2 blocks x  96, context  64, batch 16, 6500 steps: 1.80 nats at the end (best 1.70 halfway: it overfits)
    #   2 blocks x 128, context 128, batch 16, 1900 steps: 1.651 nats
    #   3 blocks x 128, context 128, batch 16, 1300 steps: 1.658 nats (with dropout 0.1: 1.697; lr 6e-3: 1.666)
    #   3 blocks x 128, context 128, batch  8, 2400 steps: 1.651 nats
    #   4 blocks x 128, context 128, batch 16, 1050 steps: 1.701 nats
    # In five minutes the model is still learning, not yet memorising, so dropout only slows it down.
    "default": dict(
        n_layer=3, n_head=4, n_embd=128, block_size=128, dropout=0.0,
        batch_size=16, max_steps=1150, learning_rate=4e-3, warmup_steps=50, weight_decay=0.1,
        eval_interval=250, sample_interval=575, sample_length=200,
    ),
    # For a learner with an NVIDIA GPU (or Apple MPS): a bigger model; dropout matters more, because
    # a model this size can memorise our small corpus.
    "gpu": dict(
        n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2,
        batch_size=64, max_steps=3000, learning_rate=1e-3, warmup_steps=100, weight_decay=0.1,
        eval_interval=250, sample_interval=1000, sample_length=300,
    ),
}

SETTING_HELP = {
    "block_size": "context length in characters (in tokens, with --tokenizer bpe)",
    "n_layer": "number of transformer blocks",
    "n_head": "attention heads per block (must divide n-embd)",
    "n_embd": "numbers per position (embedding size)",
    "dropout": "share of numbers zeroed at random while training, e.g. 0.1",
    "bias": "biases in the Linear layers and LayerNorms",
    "position": "how the model knows where a character stands: learned (a table, GPT-2) or rope (rotary, LLaMA)",
    "norm": "layer (LayerNorm, GPT-2) or rms (RMSNorm, LLaMA)",
    "mlp": "feed-forward network: gelu (GPT-2) or swiglu (gated, LLaMA)",
    "n_kv_head": "key/value heads (must divide n-head; fewer = grouped-query attention, a smaller cache)",
    "batch_size": "windows of text per micro-batch",
    "max_steps": "optimizer updates in the whole run",
    "learning_rate": "peak learning rate, e.g. 1e-3",
    "final_learning_rate_share": "the cosine ends at this share of the peak learning rate",
    "warmup_steps": "steps to grow the learning rate from 0 to its peak",
    "weight_decay": "AdamW weight decay for the weight matrices",
    "grad_clip": "largest allowed gradient norm",
    "grad_accum": "micro-batches added up before each update",
    "eval_interval": "measure the held-out loss every N steps",
    "sample_interval": "print a sample every N steps",
    "sample_length": "characters (tokens, with --tokenizer bpe) per sample",
}

# What each flag accepts (bias is on/off: --bias / --no-bias); every other whole number must be at least 1.
SETTING_TYPES: dict[str, Callable[[str], Any]] = {
    "dropout": script.fraction,
    "learning_rate": script.positive_float,
    "final_learning_rate_share": script.fraction,
    "warmup_steps": script.non_negative_int,
    "weight_decay": script.non_negative_float,
    "grad_clip": script.positive_float,
}
SETTING_CHOICES = {"position": POSITIONS, "norm": NORMS, "mlp": MLPS}  # the model's design: GPT-2's by default

MODEL_NAMES = [field.name for field in fields(GPTConfig) if field.name != "vocab_size"]  # vocab_size: from the text
TRAINING_NAMES = [field.name for field in fields(TrainingSettings)]
SETTING_NAMES = MODEL_NAMES + TRAINING_NAMES


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag for every setting (--n-layer, --learning-rate, ...); each defaults to None: 'use the preset'."""
    group = parser.add_argument_group("model and training settings (override the preset)")
    kinds = {field.name: field.type for owner in (GPTConfig, TrainingSettings) for field in fields(owner)}
    for name in SETTING_NAMES:
        flag = "--" + name.replace("_", "-")
        if kinds[name] == "bool":
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=SETTING_HELP[name])
        elif name in SETTING_CHOICES:
            group.add_argument(flag, choices=SETTING_CHOICES[name], default=None, help=SETTING_HELP[name])
        else:
            group.add_argument(flag, type=SETTING_TYPES.get(name, script.positive_int), default=None,
                               metavar=kinds[name].split(" ")[0].upper(), help=SETTING_HELP[name])


def config_from_preset(preset: str, vocab_size: int,
                       overrides: Mapping[str, Any] | None = None) -> tuple[GPTConfig, TrainingSettings]:
    """The preset's values with the overrides on top, split into the model's and the training's settings.

    An override of None means "not given" (a flag left out), so the preset's value stays.
    """
    chosen = dict(PRESETS[preset])
    for name, value in (overrides or {}).items():
        if name not in SETTING_NAMES:
            raise ValueError(f"there is no setting called {name!r}")
        if value is not None:
            chosen[name] = value
    config = GPTConfig(vocab_size=vocab_size, **{name: chosen[name] for name in MODEL_NAMES if name in chosen})
    return config, TrainingSettings(**{name: chosen[name] for name in TRAINING_NAMES if name in chosen})


def config_from_saved(config: Mapping[str, Any], training: Mapping[str, Any]) -> tuple[GPTConfig, TrainingSettings]:
    """The settings a saved run recorded (for --resume), or a UserError if they are from another version."""
    try:
        return GPTConfig(**config), TrainingSettings(**training)
    except TypeError:
        raise UserError("The saved training state is from another version of train.py. "
                        "Start again without --resume.") from None
