"""What every step script shares: its common flags and its error handling.

Each step script looks like this::

    from buildai import script, ui

    def main(argv: list[str] | None = None) -> None:
        parser = script.step_parser("Count letter pairs in the stories.")
        parser.add_argument("--letters", default="tah")
        args = script.start_step(parser, argv)
        text = script.load_text(args)
        ...

    if __name__ == "__main__":
        script.run_step(main)

Common flags: --seed N (same seed, same output), --text FILE (learn from your own
UTF-8 text), --out-dir DIR (where plots and files go), --quiet (results only).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

from buildai import ui
from buildai.data import load_corpus
from buildai.errors import UserError

DEFAULT_SEED = 42


def step_parser(description: str, text_flag: bool = True) -> argparse.ArgumentParser:
    """An argument parser with the flags every step script understands."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed: same seed, same output (default {DEFAULT_SEED})")
    if text_flag:
        parser.add_argument("--text", type=Path, default=None, metavar="FILE", help="learn from your own UTF-8 text file instead of the course stories")
    parser.add_argument("--out-dir", type=Path, default=None, metavar="DIR", help="folder for plots and saved files (default: the level's outputs/ folder)")
    parser.add_argument("--quiet", action="store_true", help="print results only, no explanations or progress")
    return parser


def start_step(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the flags, set quiet mode and seed Python's random generator."""
    args = parser.parse_args(argv)
    ui.configure(quiet=args.quiet)
    random.seed(args.seed)
    return args


def load_text(args: argparse.Namespace) -> str:
    """The text this run learns from: --text FILE if given, else the course stories."""
    return load_corpus(getattr(args, "text", None))


def run_step(main: Callable[[list[str] | None], object], argv: list[str] | None = None) -> None:
    """Run a script's main(), turning learner mistakes into a short message and exit code 2.

    - UserError: one-paragraph message on stderr, exit code 2 (no stack trace).
    - Ctrl-C: a calm goodbye and exit code 130 (the usual code for Ctrl-C);
      scripts that train save their best checkpoint before this point.
    - Any other exception is a bug in the course, so its traceback is shown.
    """
    try:
        outcome = main(argv)
    except UserError as problem:
        ui.error(str(problem))
        sys.exit(UserError.exit_code)
    except KeyboardInterrupt:
        ui.warn("\nStopped (Ctrl-C). Anything already saved is kept.")
        sys.exit(130)
    sys.exit(outcome if isinstance(outcome, int) else 0)


def set_torch_threads(requested: int | None = None) -> int:
    """Choose how many CPU threads PyTorch uses, and return the number.

    The course's models are small: their matrices are too little work to share out
    among many threads, and on a busy or hyper-threaded laptop extra threads mostly wait
    for each other (we measured a 2-core machine running a Level 3 training step up to
    about 9 times slower with 2 threads than with 1 while another program was busy). So by
    default we use half the logical CPUs (about the number of real cores), at least 1,
    and never more than PyTorch would pick itself. `requested` (e.g. a --threads flag) wins.
    """
    import os

    import torch

    if requested is not None and requested > 0:
        threads = requested
    else:
        threads = max(1, min(torch.get_num_threads(), (os.cpu_count() or 2) // 2))
    torch.set_num_threads(threads)
    return threads
