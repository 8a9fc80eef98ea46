"""Grading an answer in the test's own process, the way `buildai check` grades it in a separate one.

Each level's tests/level_N/test_exercises.py uses these: the reference answer passes every check,
and each typical wrong answer fails with the hint meant for it.
"""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

from buildai.exercises import Exercise, find_exercise
from buildai.grading import Result, grade


def checks_of(exercise: Exercise):
    """The level's checks module (level_N_.../exercises/checks.py), imported as a package module."""
    return importlib.import_module(f"{exercise.folder}.exercises.checks")


def grade_file(exercise_id: str, path: Path) -> list[Result]:
    exercise = find_exercise(exercise_id)
    return grade(checks_of(exercise).CHECKS[exercise.id], path)


def grade_source(exercise_id: str, source: str, folder: Path) -> list[Result]:
    """Grade a piece of Python written as a learner's answer file."""
    exercise = find_exercise(exercise_id)
    path = exercise.work_file(folder)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return grade_file(exercise_id, path)


def assert_all_pass(results: list[Result]) -> None:
    failed = [(result.name, result.hint) for result in results if not result.passed]
    assert results and not failed, failed


def assert_hint(results: list[Result], expected: str) -> None:
    """The answer fails, and one failed check's hint contains `expected`."""
    hints = [result.hint for result in results if not result.passed]
    assert hints, "the wrong answer passed every check"
    assert any(expected in hint for hint in hints), hints
