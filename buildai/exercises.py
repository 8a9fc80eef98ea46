"""The course's exercises: where each one is described, its starter file, and its worked answer.

Each level keeps its exercises in `<level folder>/exercises/`: a data file `exercises.toml` that
lists them, a starter file per gradable exercise in `starters/`, the reference answers in
`reference/` (never copied to the learner), and `checks.py`, the script that grades a learner's
file. This module reads the data files only, so the ground floor never imports a level.

An exercise is named by its level and its number in the lesson, e.g. "1.2"; the exercises of a
level's second lesson (Level 4's going-further lesson) carry a letter: "4g.3".

>>> exercise = find_exercise("1.6")
>>> exercise.level, exercise.number, exercise.gradable
(1, 6, True)
>>> [e.id for e in exercises_of("1")][:3]
['1.1', '1.2', '1.3']
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from buildai.catalog import Level, all_levels
from buildai.errors import UserError
from buildai.paths import REPO_ROOT

EXERCISES_FILE = "exercises/exercises.toml"
CHECKS_SCRIPT = "exercises/checks.py"
GRADABLE, SELF_CHECK = "gradable", "self-check"
DEFAULT_TIME_LIMIT = 20.0  # seconds a learner's code may run before it is stopped kindly


@dataclass(frozen=True)
class Exercise:
    id: str  # "1.2", or "4g.3" for the going-further lesson
    level: int
    number: int  # its number in the lesson's exercise list
    title: str
    kind: str  # GRADABLE or SELF_CHECK
    folder: str  # the level's folder
    lesson: str  # the lesson file that sets it, e.g. "lesson.md"
    solutions: str  # the file with its worked answer
    starter: str | None = None  # file name in exercises/starters/ (gradable exercises)
    time_limit: float = DEFAULT_TIME_LIMIT

    @property
    def gradable(self) -> bool:
        return self.kind == GRADABLE

    @property
    def level_dir(self) -> Path:
        return REPO_ROOT / self.folder

    @property
    def starter_path(self) -> Path | None:
        return None if self.starter is None else self.level_dir / "exercises" / "starters" / self.starter

    @property
    def reference_path(self) -> Path | None:
        return None if self.starter is None else self.level_dir / "exercises" / "reference" / self.starter

    @property
    def checks_path(self) -> Path:
        return self.level_dir / CHECKS_SCRIPT

    def work_file(self, work_dir: Path) -> Path:
        """The learner's own file for this exercise: the starter's name, or a notes file for a self-check."""
        name = self.starter or f"ex{self.id.replace('.', '_')}_notes.md"
        return work_dir / name

    def worked_answer(self) -> str:
        """The exercise's section of the solutions file, as Markdown."""
        return solution_section(self.level_dir / self.solutions, self.number)


def _exercise_from(level: Level, entry: dict) -> Exercise:
    kind = entry.get("kind", GRADABLE)
    if kind not in (GRADABLE, SELF_CHECK):
        raise ValueError(f"{level.folder}/{EXERCISES_FILE}: exercise {entry.get('id')} has an unknown kind {kind!r}")
    if kind == GRADABLE and not entry.get("starter"):
        raise ValueError(f"{level.folder}/{EXERCISES_FILE}: gradable exercise {entry['id']} names no starter file")
    return Exercise(
        id=entry["id"], level=level.number, number=int(entry["number"]), title=entry["title"], kind=kind,
        folder=level.folder, lesson=entry.get("lesson", "lesson.md"), solutions=entry.get("solutions", "solutions.md"),
        starter=entry.get("starter"), time_limit=float(entry.get("time_limit", DEFAULT_TIME_LIMIT)),
    )


@lru_cache(maxsize=1)
def all_exercises() -> tuple[Exercise, ...]:
    """Every registered exercise of every level, in course order."""
    found: list[Exercise] = []
    for level in all_levels():
        path = REPO_ROOT / level.folder / EXERCISES_FILE
        if path.is_file():
            with path.open("rb") as handle:
                found.extend(_exercise_from(level, entry) for entry in tomllib.load(handle).get("exercise", ()))
    return tuple(found)


def find_exercise(reference: str) -> Exercise:
    """One exercise by its name ("1.2"), with a helpful message when there is no such exercise."""
    for exercise in all_exercises():
        if exercise.id == reference.strip():
            return exercise
    raise UserError(
        f"There is no exercise called '{reference}'. Exercises are named by level and number, as the lessons "
        f"number them: 1.2 is Level 1's exercise 2 (4g.3 is exercise 3 of Level 4's going-further lesson). "
        f"See them all with: buildai progress"
    )


def exercises_of(selection: str) -> list[Exercise]:
    """The exercises a name picks out: one exercise ("1.2"), a whole level ("1"), or a lesson ("4g")."""
    selection = selection.strip()
    if re.fullmatch(r"\d+", selection):
        chosen = [exercise for exercise in all_exercises() if exercise.level == int(selection)]
    elif re.fullmatch(r"\d+[a-z]", selection):
        chosen = [exercise for exercise in all_exercises() if exercise.id.startswith(selection + ".")]
    else:
        return [find_exercise(selection)]
    if not chosen:
        raise UserError(f"Level '{selection}' has no exercises registered. See them all with: buildai progress")
    return chosen


FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_sections(text: str, depth: int = 2) -> list[tuple[str, str]]:
    """(heading, body) pairs for the headings of one depth, ignoring '#' lines inside code blocks.

    >>> markdown_sections("# Title\\n## 1. One\\nfirst\\n```\\n## not a heading\\n```\\n## 2. Two\\nsecond\\n")
    [('1. One', 'first\\n```\\n## not a heading\\n```'), ('2. Two', 'second')]
    """
    sections: list[tuple[str, list[str]]] = []
    in_code = False
    marker = "#" * depth + " "
    for line in text.splitlines():
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            if line.startswith(marker):
                sections.append((line[len(marker):].strip(), []))
                continue
            if len(line) - len(line.lstrip("#")) < depth:  # a bigger heading ends the section
                sections.append(("", []))
                continue
        if sections:
            sections[-1][1].append(line)
    return [(heading, "\n".join(body).strip()) for heading, body in sections if heading]


def solution_section(path: Path, number: int) -> str:
    """The worked answer to exercise `number`: the section headed "## 3. ..." or "## Exercise 3 ..."."""
    pattern = re.compile(rf"^(?:Exercise\s+)?{number}\b")
    for heading, body in markdown_sections(path.read_text(encoding="utf-8")):
        if pattern.match(heading):
            return f"## {heading}\n\n{body}"
    raise UserError(f"The worked answer to exercise {number} is missing from {path.name}.")


EXERCISE_ITEM = re.compile(r"^(\d+)\.\s+\*\*(.+?)\*\*")


def lesson_exercises(path: Path) -> list[tuple[int, str]]:
    """The numbered exercises a lesson sets: (number, bold title) from its exercise section.

    The section is the one whose heading says "Exercises" or "What to try next".
    """
    found: list[tuple[int, str]] = []
    for heading, body in markdown_sections(path.read_text(encoding="utf-8")):
        if re.search(r"exercises|what to try next", heading, re.IGNORECASE):
            for line in body.splitlines():
                item = EXERCISE_ITEM.match(line)
                if item:
                    found.append((int(item.group(1)), item.group(2).strip().rstrip(".")))
    return found
