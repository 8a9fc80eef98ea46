"""The flags of a Level 3 step that trains something (steps 1 and 4), each with that step's default.

Every number is checked by its argparse type from `buildai.script`, so `--steps 0` stops
with the same one-line message as in every other level.

>>> from buildai import script
>>> parser = script.step_parser("demo", text_flag=False)
>>> add_training_flags(parser, embed_size=8, steps=300, batch_size=512, batch_unit="characters", learning_rate=0.05)
>>> args = parser.parse_args(["--steps", "20"])
>>> args.steps, args.embed_size, args.learning_rate
(20, 8, 0.05)
"""

from __future__ import annotations

import argparse

from buildai import script


def add_training_flags(parser: argparse.ArgumentParser, embed_size: int, steps: int, batch_size: int,
                       batch_unit: str, learning_rate: float) -> None:
    """Add --embed-size, --steps, --batch-size and --learning-rate, with the given defaults."""
    parser.add_argument("--embed-size", type=script.positive_int, default=embed_size,
                        help=f"numbers per character (default {embed_size})")
    parser.add_argument("--steps", type=script.positive_int, default=steps, help=f"training steps (default {steps})")
    parser.add_argument("--batch-size", type=script.positive_int, default=batch_size,
                        help=f"{batch_unit} per training step (default {batch_size})")
    parser.add_argument("--learning-rate", type=script.positive_float, default=learning_rate,
                        help=f"learning rate, above 0 (default {learning_rate})")
