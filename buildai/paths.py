"""Where things live: the repository, the course stories, each level's folder, and output folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The stories every level learns from, written for this course (see data/DATA_CARD.md).
DATA_DIR = REPO_ROOT / "data"
DEFAULT_CORPUS = DATA_DIR / "stories.txt"
HINDI_CORPUS = DATA_DIR / "stories_hi.txt"

# Tests and the tour can send every output to another folder with this variable.
OUTPUT_ENV_VAR = "BUILDAI_OUTPUT_DIR"


def level_folder(level: int) -> str:
    """The name of a level's folder, from the course map (course.toml).

    >>> level_folder(1).startswith("level_1_")
    True
    """
    from buildai.catalog import level_by_number  # the catalog needs REPO_ROOT from here

    return level_by_number(level).folder


def level_dir(level: int) -> Path:
    """The learner-facing folder of a level, as course.toml names it."""
    return REPO_ROOT / level_folder(level)


def output_dir(level: int, override: str | Path | None = None) -> Path:
    """The folder where a level's scripts save plots, histories and checkpoints.

    Order of choice: an explicit `--out-dir`, then $BUILDAI_OUTPUT_DIR/<level folder>,
    then `<level folder>/outputs`. The folder is created if needed.
    """
    if override is not None:
        folder = Path(override)
    elif os.environ.get(OUTPUT_ENV_VAR):
        folder = Path(os.environ[OUTPUT_ENV_VAR]) / level_folder(level)
    else:
        folder = level_dir(level) / "outputs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def show_path(path: Path) -> str:
    """A path as the learner should read it: relative to where they are, if that is shorter."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
