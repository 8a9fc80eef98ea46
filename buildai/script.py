"""What every step script shares: its common flags and its error handling.

Each step script looks like this::

    from buildai import script, ui

    def main(argv: list[str] | None = None) -> None:
        parser = script.step_parser("Count letter pairs in the stories.")
        parser.add_argument("--letters", default="tah")
        args = script.start_step(parser, argv)   # flags parsed, quiet mode set, every generator seeded
        corpus = script.load_corpus(args)       # the text, its tokenizer, its train/held-out split
        ...

    if __name__ == "__main__":
        script.run_step(main)

Common flags: --seed N (same seed, same output), --text FILE (learn from your own
UTF-8 text; --data is the same flag; a script made with text_folders=True also takes a
folder of .txt files), --out-dir DIR (where plots and files go), --quiet
(results only), and for PyTorch steps --threads N.

The argparse types below (`positive_int`, `probability`, ...) are the one way a step
checks a number it is given, so every wrong value gets the same kind of message.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buildai import data, ui
from buildai.errors import UserError

DEFAULT_SEED = 42


# ------------------------------------------------------------------ checking numbers on the command line


def _number(kind: type, value: str, accepts: Callable[[float], bool], rule: str) -> Any:
    """`value` as an int or a float, if it is one and `accepts` it; else argparse's error, saying `rule`."""
    try:
        number = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not {'a whole number' if kind is int else 'a number'}") from None
    if not math.isfinite(number) or not accepts(number):
        raise argparse.ArgumentTypeError(f"must be {rule} (you gave {value})")
    return number


def positive_int(value: str) -> int:
    """A whole number of at least 1 (steps, sizes, counts), as an argparse type.

    >>> positive_int("12")
    12
    >>> positive_int("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be at least 1 (you gave 0)
    """
    return _number(int, value, lambda number: number >= 1, "at least 1")


def non_negative_int(value: str) -> int:
    """A whole number of 0 or more (0 often means 'off')."""
    return _number(int, value, lambda number: number >= 0, "0 or more")


def positive_float(value: str) -> float:
    """A number above 0 (learning rates, time budgets).

    >>> positive_float("3e-3")
    0.003
    """
    return _number(float, value, lambda number: number > 0, "above 0")


def non_negative_float(value: str) -> float:
    """A number of 0 or more (temperature, weight decay)."""
    return _number(float, value, lambda number: number >= 0, "0 or more")


def probability(value: str) -> float:
    """A number above 0 and at most 1 (top-p, a share of something that cannot be empty)."""
    return _number(float, value, lambda number: 0 < number <= 1, "above 0 and at most 1")


def fraction(value: str) -> float:
    """A share from 0 up to (not including) 1, such as dropout.

    >>> fraction("0.1")
    0.1
    >>> fraction("nan")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: must be at least 0 and below 1 (you gave nan)
    """
    return _number(float, value, lambda number: 0 <= number < 1, "at least 0 and below 1")


# ------------------------------------------------------------------------------ the common flags


def step_parser(description: str, text_flag: bool = True, threads_flag: bool = False,
                text_folders: bool = False) -> argparse.ArgumentParser:
    """An argument parser with the flags every step script understands.

    `text_folders=True` is for a script whose --text/--data also takes a folder of .txt files (Level 4's
    train.py reads big texts through buildai.token_file), so its help says so.

    >>> step_parser("x", text_folders=True).parse_args(["--data", "books"]).text.name
    'books'
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed: same seed, same output (default {DEFAULT_SEED})")
    if text_folders:
        parser.add_argument("--text", "--data", dest="text", type=Path, default=None, metavar="FILE_OR_FOLDER",
                            help="learn from your own UTF-8 text file, or from every .txt file in a folder, "
                                 "instead of the course stories")
    elif text_flag:
        parser.add_argument("--text", "--data", dest="text", type=Path, default=None, metavar="FILE",
                            help="learn from your own UTF-8 text file instead of the course stories")
    parser.add_argument("--out-dir", type=Path, default=None, metavar="DIR", help="folder for plots and saved files (default: the level's outputs/ folder)")
    parser.add_argument("--quiet", action="store_true", help="print results only, no explanations or progress")
    if threads_flag:
        parser.add_argument("--threads", type=positive_int, default=None, metavar="N",
                            help="CPU threads for PyTorch (default: about one per real core; see set_torch_threads)")
    return parser


def start_step(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the flags, set quiet mode, seed every random generator, and choose PyTorch's threads."""
    args = parser.parse_args(argv)
    ui.configure(quiet=args.quiet)
    seed_everything(args.seed)
    if hasattr(args, "threads"):
        set_torch_threads(args.threads)
    return args


def seed_everything(seed: int) -> None:
    """Seed Python's random module, and NumPy's and PyTorch's global generators if the script uses them.

    This is the one place a step is seeded, so the same --seed always gives the same run.
    Generators a step makes for itself (e.g. `torch.Generator().manual_seed(seed)` for the
    training windows, so their state can be saved and resumed) are seeded from the same number.
    """
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed % 2**32)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def load_corpus(args: argparse.Namespace) -> data.Corpus:
    """The text this run learns from: --text FILE if given, else the course stories."""
    return data.load_corpus(getattr(args, "text", None))


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
    import torch

    if requested is not None and requested > 0:
        threads = requested
    else:
        threads = max(1, min(torch.get_num_threads(), (os.cpu_count() or 2) // 2))
    torch.set_num_threads(threads)
    return threads
