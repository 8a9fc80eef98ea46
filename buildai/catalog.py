"""The course map: levels, their step scripts, and each level's quick path for the tour.

The map is a data file, `course.toml` at the top of the repository, so this package (the
ground floor every level stands on) never imports a level to learn what the course holds.
A level whose folder has no step scripts yet shows as 'planned'.

>>> level = level_by_number(1)
>>> level.folder.startswith("level_1_"), level.steps[0].id, level.steps[0].script
(True, '1.1', 'step1_bigram.py')
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from buildai.paths import REPO_ROOT

COURSE_FILE = REPO_ROOT / "course.toml"


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
    folder: str
    title: str
    summary: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def is_ready(self) -> bool:
        return bool(self.steps) and all(step.is_ready(self) for step in self.steps)


def _step_from(entry: dict) -> Step:
    tour_args = None if entry.get("tour") is False else tuple(entry.get("tour_args", ()))
    return Step(entry["id"], entry["script"], entry["title"], tour_args, entry.get("tour_note", ""))


@lru_cache(maxsize=1)
def all_levels() -> tuple[Level, ...]:
    """Every level, in order, as `course.toml` describes it."""
    with COURSE_FILE.open("rb") as handle:
        course = tomllib.load(handle)
    return tuple(
        Level(entry["number"], entry["folder"], entry["title"], entry["summary"],
              tuple(_step_from(step) for step in entry.get("step", ())))
        for entry in sorted(course["level"], key=lambda entry: entry["number"])
    )


def level_by_number(number: int) -> Level:
    for level in all_levels():
        if level.number == number:
            return level
    raise KeyError(f"there is no level {number} in {COURSE_FILE.name}")


def find_step(reference: str) -> tuple[Level, Step] | None:
    """Find a step by id ('1.2') or by script path (a level folder followed by /step2_generate.py)."""
    wanted_path = (Path.cwd() / reference).resolve() if reference.endswith(".py") else None
    for level in all_levels():
        for step in level.steps:
            if step.id == reference or (wanted_path is not None and step.path(level).resolve() == wanted_path):
                return level, step
    return None
