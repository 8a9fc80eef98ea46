"""Where things live: the repository, each level's folder, and output folders."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

LEVEL_FOLDERS = {
    1: "level_1_prediction",
    2: "level_2_neural_network",
    3: "level_3_transformer",
    4: "level_4_mini_gpt",
    5: "level_5_real_finetune",
    6: "level_6_rag_tutor",
}

# The stories every level learns from (Level 4 trains its GPT on them).
DEFAULT_CORPUS = REPO_ROOT / "level_4_mini_gpt" / "data" / "stories.txt"
HINDI_CORPUS = REPO_ROOT / "level_4_mini_gpt" / "data" / "stories_hi.txt"

# Tests and the tour can send every output to another folder with this variable.
OUTPUT_ENV_VAR = "BUILDAI_OUTPUT_DIR"


def level_dir(level: int) -> Path:
    """The learner-facing folder of a level, e.g. level_dir(1) -> .../level_1_prediction."""
    return REPO_ROOT / LEVEL_FOLDERS[level]


def output_dir(level: int, override: str | Path | None = None) -> Path:
    """The folder where a level's scripts save plots, histories and checkpoints.

    Order of choice: an explicit `--out-dir`, then $BUILDAI_OUTPUT_DIR/<level folder>,
    then `<level folder>/outputs`. The folder is created if needed.
    """
    if override is not None:
        folder = Path(override)
    elif os.environ.get(OUTPUT_ENV_VAR):
        folder = Path(os.environ[OUTPUT_ENV_VAR]) / LEVEL_FOLDERS[level]
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
