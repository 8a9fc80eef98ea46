"""`buildai exercise`, `check` and `progress`: every lesson's exercises registered, graded kindly, progress kept."""

from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3
from pathlib import Path

import pytest

from buildai.catalog import all_levels
from buildai.exercises import all_exercises, find_exercise, lesson_exercises
from buildai.exercise_commands import run_checks
from tests.conftest import REPO_ROOT, assert_ok, assert_plain
from tests.exercise_helpers import checks_of, grade_file

LESSONS = [path for level in all_levels() for path in sorted((REPO_ROOT / level.folder).glob("lesson*.md"))]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_exercise_in_every_lesson_is_registered(lesson: Path) -> None:
    set_there = lesson_exercises(lesson)
    assert set_there, f"{lesson} sets no exercises that could be found"
    registered = {exercise.number: exercise for exercise in all_exercises()
                  if exercise.folder == lesson.parent.name and exercise.lesson == lesson.name}
    for number, title in set_there:
        assert number in registered, f"exercise {number} ({title}) of {lesson.name} has no entry in exercises.toml"
        assert registered[number].title.rstrip(".") == title, (registered[number].title, title)
    assert sorted(registered) == [number for number, _ in set_there], "exercises.toml lists an exercise the lesson does not set"


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda exercise: exercise.id)
def test_every_exercise_has_its_worked_answer_and_files(exercise) -> None:
    assert exercise.worked_answer().startswith("## ")
    assert exercise.id.split(".")[0].rstrip("g") == str(exercise.level)
    if exercise.gradable:
        assert exercise.starter_path.is_file() and exercise.reference_path.is_file()
        assert exercise.id in checks_of(exercise).CHECKS


@pytest.mark.parametrize("exercise", [e for e in all_exercises() if e.gradable], ids=lambda exercise: exercise.id)
def test_a_starter_gives_nothing_away(exercise) -> None:
    """The starter as it is copied does not pass: its blanks are blanks, its functions not written."""
    results = grade_file(exercise.id, exercise.starter_path)
    assert not all(result.passed for result in results)
    assert "Traceback" not in " ".join(result.hint for result in results)


def test_every_checks_file_grades_exactly_its_gradable_exercises() -> None:
    for level in {exercise.folder for exercise in all_exercises()}:
        gradable = {e.id for e in all_exercises() if e.folder == level and e.gradable}
        if gradable:
            assert set(checks_of(find_exercise(sorted(gradable)[0])).CHECKS) == gradable, level


def test_levels_1_to_4_have_at_least_25_gradable_exercises() -> None:
    assert sum(exercise.gradable for exercise in all_exercises() if exercise.level <= 4) >= 25


def test_names_that_are_not_exercises_get_one_message(run_cli, tmp_path: Path) -> None:
    process = run_cli("check", "9.9", "--dir", str(tmp_path))
    assert process.returncode == 2 and "no exercise called '9.9'" in process.stderr and "Traceback" not in process.stderr


def test_exercise_copies_the_starter_once_and_never_overwrites(run_cli, tmp_path: Path) -> None:
    assert_ok(run_cli("exercise", "1.6", "--dir", str(tmp_path)))
    mine = tmp_path / "ex1_6_perplexity.py"
    assert mine.read_text(encoding="utf-8") == find_exercise("1.6").starter_path.read_text(encoding="utf-8")
    mine.write_text("ANSWERS = {'bits_per_character': 1.75}\n", encoding="utf-8")
    process = run_cli("exercise", "1.6", "--dir", str(tmp_path))
    assert_ok(process)
    assert "kept exactly as it is" in process.stdout
    assert mine.read_text(encoding="utf-8") == "ANSWERS = {'bits_per_character': 1.75}\n"


def test_check_grades_in_a_separate_process_and_keeps_progress(run_cli, tmp_path: Path) -> None:
    process = run_cli("check", "1.6", "--dir", str(tmp_path))
    assert process.returncode == 2 and "buildai exercise 1.6" in process.stderr  # not started yet
    run_cli("exercise", "1.6", "--dir", str(tmp_path))
    failing = run_cli("check", "1.6", "--dir", str(tmp_path))
    assert failing.returncode == 1 and "hint: not answered yet" in failing.stdout
    assert_plain(failing)
    (tmp_path / "ex1_6_perplexity.py").write_text(
        find_exercise("1.6").reference_path.read_text(encoding="utf-8"), encoding="utf-8")
    passing = run_cli("check", "1.6", "--dir", str(tmp_path))
    assert_ok(passing)
    assert "all 4 checks pass" in passing.stdout
    with sqlite3.connect(tmp_path / "progress.sqlite3") as connection:
        events = connection.execute("SELECT event, passed FROM events WHERE exercise = '1.6' ORDER BY id").fetchall()
    assert events == [("start", None), ("check", 0), ("check", 1)]
    table = run_cli("progress", "--dir", str(tmp_path))
    assert_ok(table)
    assert "Level 1" in table.stdout and "Level 4" in table.stdout
    exported = run_cli("progress", "--csv", "--name", "Asha", "--dir", str(tmp_path))
    rows = {row["exercise"]: row for row in csv.DictReader(io.StringIO(exported.stdout))}
    assert rows["1.6"]["status"] == "done" and rows["1.6"]["attempts"] == "2" and rows["1.6"]["learner"] == "Asha"
    assert rows["1.1"]["status"] == "not started" and len(rows) == len(all_exercises())
    assert_ok(run_cli("progress", "--csv", str(tmp_path / "for_teacher.csv"), "--dir", str(tmp_path)))
    assert (tmp_path / "for_teacher.csv").read_text(encoding="utf-8").startswith("learner,level,exercise")


def test_a_self_check_is_done_once_its_worked_answer_is_revealed(run_cli, tmp_path: Path) -> None:
    assert_ok(run_cli("exercise", "1.5", "--dir", str(tmp_path)))
    assert (tmp_path / "ex1_5_notes.md").read_text(encoding="utf-8").startswith("# Exercise 1.5")
    assert "self-check" in run_cli("check", "1.5", "--dir", str(tmp_path)).stdout
    revealed = run_cli("check", "1.5", "--reveal", "--dir", str(tmp_path))
    assert_ok(revealed)
    assert "Tiny data" in revealed.stdout and "held-out" in revealed.stdout
    rows = {row["exercise"]: row for row in csv.DictReader(io.StringIO(run_cli("progress", "--csv", "--dir", str(tmp_path)).stdout))}
    assert rows["1.5"]["status"] == "done"


def test_a_whole_level_is_checked_with_not_started_ones_named(run_cli, tmp_path: Path) -> None:
    run_cli("exercise", "1.6", "--dir", str(tmp_path))
    process = run_cli("check", "1", "--dir", str(tmp_path))
    assert process.returncode == 1
    assert "not started — begin with buildai exercise 1.1" in process.stdout
    assert "0 of 7 gradable" in process.stdout or "Passed: 0 of" in process.stdout


@pytest.mark.parametrize("source, expected", [
    ("while True:\n    pass\n", "still running after 3 seconds"),
    ("import os\nos._exit(3)\n", "Python stopped (exit code 3)"),
    ("ANSWERS = {'bits_per_character': 1.75,\n", "Python cannot read your file"),
    ("x = 1\nANSWERS = {}\nraise ValueError('oops')\n", "ValueError: oops (line 3 of your file)"),
    ("import sys\nsys.exit(1)\n", "SystemExit"),
])
def test_a_crash_or_an_endless_loop_is_reported_kindly(source: str, expected: str, tmp_path: Path) -> None:
    exercise = dataclasses.replace(find_exercise("1.6"), time_limit=3)
    answer = exercise.work_file(tmp_path)
    answer.write_text(source, encoding="utf-8")
    results, _ = run_checks(exercise, answer)
    assert not any(result.passed for result in results)
    assert any(expected in result.hint for result in results), results
    assert all("Traceback" not in result.hint for result in results)


def test_the_learners_own_functions_failing_is_a_hint_with_the_line(tmp_path: Path) -> None:
    answer = find_exercise("1.2").work_file(tmp_path)
    answer.write_text("def count_trigrams(text):\n    return {}[text]\n", encoding="utf-8")
    hints = [result.hint for result in grade_file("1.2", answer) if not result.passed]
    assert hints == ["it raised KeyError: 'chai chai' (line 2 of your file)"]
