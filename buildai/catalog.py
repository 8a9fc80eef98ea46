"""The course map: levels, their step scripts, and each level's quick path for the tour.

Each level folder describes itself in its `__init__.py` as `COURSE_LEVEL`, so a
level's author edits only that level's folder. Levels not written yet appear
as 'planned'.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from buildai.paths import LEVEL_FOLDERS, REPO_ROOT


@dataclass(frozen=True)
class Step:
    """One script of a level, e.g. Step("1.1", "step1_bigram.py", "Count letter pairs")."""

    id: str
    script: str
    title: str
    # Arguments for the tour's quick path; None means the tour skips this step.
    tour_args: tuple[str, ...] | None = ()
    # What the tour says before running the step: the idea in one or two sentences.
    tour_note: str = ""

    def path(self, level: "Level") -> Path:
        return REPO_ROOT / level.folder / self.script

    def is_ready(self, level: "Level") -> bool:
        return self.path(level).is_file()


@dataclass(frozen=True)
class Level:
    number: int
    title: str
    summary: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def folder(self) -> str:
        return LEVEL_FOLDERS[self.number]

    @property
    def is_ready(self) -> bool:
        return bool(self.steps) and all(step.is_ready(self) for step in self.steps)


PLANNED_LEVELS = {
    5: ("Fine-tune a real model", "LoRA fine-tuning of DistilGPT-2 (or your own Level 4 model) on an education Q&A set."),
    6: ("The AI tutor", "A web chat with streaming, history, retrieval with sources and safety guardrails."),
}


def all_levels() -> list[Level]:
    """Every level, in order: the ones that exist describe themselves, the rest are planned."""
    levels = []
    for number, folder in sorted(LEVEL_FOLDERS.items()):
        try:
            module = importlib.import_module(folder)
            levels.append(module.COURSE_LEVEL)
        except (ModuleNotFoundError, AttributeError):
            title, summary = PLANNED_LEVELS.get(number, (folder, "Coming soon."))
            levels.append(Level(number, title, summary))
    return levels


def find_step(reference: str) -> tuple[Level, Step] | None:
    """Find a step by id ('1.2') or by script path ('level_1_prediction/step2_generate.py')."""
    wanted_path = (Path.cwd() / reference).resolve() if reference.endswith(".py") else None
    for level in all_levels():
        for step in level.steps:
            if step.id == reference or (wanted_path is not None and step.path(level).resolve() == wanted_path):
                return level, step
    return None
