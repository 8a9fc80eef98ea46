"""`buildai exercise`, `buildai check` and `buildai progress`: exercises a learner can grade on their own machine.

    buildai exercise 1.2          # copy the starter for Level 1's exercise 2 into my_work/
    buildai check 1.2             # grade my_work/ex1_2_*.py, with a hint for every check that fails
    buildai check 1               # every exercise of Level 1 you have started
    buildai check 3.2 --reveal    # show the worked answer (the only way to finish a self-check)
    buildai progress              # done / tried / not started, per level
    buildai progress --csv        # the same, one row per exercise, for a teacher who collects it
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from buildai import ui
from buildai.catalog import all_levels
from buildai.errors import UserError
from buildai.exercises import Exercise, all_exercises, exercises_of, find_exercise
from buildai.grading import Result
from buildai.paths import REPO_ROOT, show_path
from buildai.progress import DONE, NOT_STARTED, TRIED, ProgressLog
from buildai.safe_io import atomic_write_text

DEFAULT_WORK_DIR = REPO_ROOT / "my_work"


def work_dir_of(args: argparse.Namespace) -> Path:
    return Path(args.dir).resolve() if args.dir else DEFAULT_WORK_DIR


def self_check_notes(exercise: Exercise) -> str:
    """The notes file a self-check exercise starts from: the task's name and room for an answer."""
    return (f"# Exercise {exercise.id}: {exercise.title}\n\n"
            f"The task is exercise {exercise.number} in {exercise.folder}/{exercise.lesson}.\n"
            f"Write what you ran, what you saw and why, then compare with: buildai check {exercise.id} --reveal\n\n"
            f"## My answer\n\n")


def command_exercise(args: argparse.Namespace) -> int:
    exercise = find_exercise(args.exercise)
    work_dir = work_dir_of(args)
    target = exercise.work_file(work_dir)
    ui.heading(f"Exercise {exercise.id}: {exercise.title}", f"Level {exercise.level}, {exercise.lesson}")
    if target.exists():
        ui.say(f"You already have [label]{show_path(target)}[/label]; it is kept exactly as it is.")
    else:
        text = (exercise.starter_path.read_text(encoding="utf-8") if exercise.starter_path
                else self_check_notes(exercise))
        atomic_write_text(target, text)
        ui.saved(target, "your file for this exercise")
    ProgressLog(work_dir).record(exercise.id, "start")
    if exercise.gradable:
        ui.say(f"Open it, do the task its first lines describe, then run: [label]buildai check {exercise.id}{dir_flag(args)}[/label]")
    else:
        ui.say("This exercise is a [label]self-check[/label]: there is no single right answer to grade. Write yours in "
               f"the file, then compare it with the worked answer: [label]buildai check {exercise.id} --reveal{dir_flag(args)}[/label]")
    return 0


def dir_flag(args: argparse.Namespace) -> str:
    return f" --dir {args.dir}" if args.dir else ""


def run_checks(exercise: Exercise, answer: Path) -> tuple[list[Result], float]:
    """Grade the learner's file in a separate Python, with a time limit, and read back its results."""
    with tempfile.TemporaryDirectory(prefix="buildai-check-") as scratch:
        result_file = Path(scratch) / "results.json"
        command = [sys.executable, str(exercise.checks_path), "--exercise", exercise.id,
                   "--answer", str(answer), "--result", str(result_file)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
               "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
        started = time.perf_counter()
        try:
            process = subprocess.run(command, cwd=answer.parent, env=env, capture_output=True, text=True,
                                     encoding="utf-8", errors="replace", timeout=exercise.time_limit, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            seconds = time.perf_counter() - started
            return [Result("your code finishes", False,
                           f"it was still running after {exercise.time_limit:.0f} seconds, so it was stopped — is there a "
                           f"loop that never ends, or a very slow step (like re-reading the whole text inside a loop)?")], seconds
        seconds = time.perf_counter() - started
        if not result_file.is_file():
            return [Result("your code finishes", False,
                           f"Python stopped (exit code {process.returncode}) before the checks could finish — your code "
                           f"may have used up the memory or crashed Python itself")], seconds
        return [Result(**entry) for entry in json.loads(result_file.read_text(encoding="utf-8"))], seconds


def show_results(exercise: Exercise, results: list[Result]) -> bool:
    passed = bool(results) and all(result.passed for result in results)
    for result in results:
        mark = "[good]✓[/good]" if result.passed else "[bad]✗[/bad]"
        ui.say(f"  {mark} {ui.escape(result.name)}" if result.passed or not result.hint
               else f"  {mark} {ui.escape(result.name)}\n      [warn]hint:[/warn] {ui.escape(result.hint)}")
    count = sum(result.passed for result in results)
    if passed:
        ui.success(f"Exercise {exercise.id}: all {len(results)} checks pass. Well done!")
    else:
        ui.result(f"Exercise {exercise.id}", f"{count} of {len(results)} checks pass")
    return passed


def check_one(exercise: Exercise, work_dir: Path, args: argparse.Namespace, whole_level: bool) -> str:
    """Grade (or reveal) one exercise; 'pass', 'fail', 'not started' or 'self-check'."""
    log = ProgressLog(work_dir)
    answer = exercise.work_file(work_dir)
    ui.say(f"[heading]Exercise {exercise.id}: {exercise.title}[/heading]")
    if args.reveal:
        log.record(exercise.id, "reveal")
        ui.markdown(exercise.worked_answer())
        return "self-check" if not exercise.gradable else ("pass" if log.status(exercise.id, True) == DONE else "fail")
    if not exercise.gradable:
        ui.say(f"  A self-check: write your answer, then compare it with [label]buildai check {exercise.id} --reveal[/label].")
        return "self-check"
    if not answer.is_file():
        if whole_level:
            ui.say(f"  not started — begin with [label]buildai exercise {exercise.id}{dir_flag(args)}[/label]")
            return "not started"
        raise UserError(f"You have not started exercise {exercise.id} yet: there is no {show_path(answer)}. "
                        f"Begin with: buildai exercise {exercise.id}{dir_flag(args)}")
    results, seconds = run_checks(exercise, answer)
    passed = show_results(exercise, results)
    log.record(exercise.id, "check", passed=passed, checks_passed=sum(r.passed for r in results),
               checks_total=len(results), seconds=round(seconds, 3))
    return "pass" if passed else "fail"


def command_check(args: argparse.Namespace) -> int:
    chosen = exercises_of(args.exercise)
    work_dir = work_dir_of(args)
    whole_level = len(chosen) > 1 or "." not in args.exercise
    ui.heading("Checking your answers" if not args.reveal else "Worked answers", show_path(work_dir))
    outcomes = [check_one(exercise, work_dir, args, whole_level) for exercise in chosen]
    if whole_level:
        ui.result("Passed", f"{outcomes.count('pass')} of {sum(e.gradable for e in chosen)} gradable exercises "
                            f"({outcomes.count('not started')} not started, {outcomes.count('self-check')} self-check)")
    return 1 if "fail" in outcomes else 0


def progress_rows(work_dir: Path) -> list[dict[str, str | int]]:
    log = ProgressLog(work_dir)
    rows = []
    for exercise in all_exercises():
        summary = log.summary(exercise.id)
        rows.append({"level": exercise.level, "exercise": exercise.id, "title": exercise.title, "kind": exercise.kind,
                     "status": log.status(exercise.id, exercise.gradable), "attempts": summary["attempts"],
                     "started": summary["started"] or "", "last_activity": summary["last"] or "",
                     "passed_at": summary["passed_at"] or ""})
    return rows


def command_progress(args: argparse.Namespace) -> int:
    work_dir = work_dir_of(args)
    rows = progress_rows(work_dir)
    if args.csv is not None:
        return write_csv(rows, args.csv, args.name)
    ui.heading("Your progress", f"kept only on this computer, in {show_path(work_dir)}")
    colour = {DONE: "good", TRIED: "warn", NOT_STARTED: "subtle"}
    summary = []
    for level in all_levels():
        mine = [row for row in rows if row["level"] == level.number]
        if not mine:
            continue
        done, tried = (sum(row["status"] == status for row in mine) for status in (DONE, TRIED))
        summary.append((f"Level {level.number}", level.title, str(done), str(tried), str(len(mine) - done - tried),
                        f"[bar]{ui.bar(done, len(mine), width=20)}[/bar]"))
        if args.details:
            ui.table(f"Level {level.number}: {level.title}", ["exercise", "title", "kind", "status", "checks run"],
                     [(row["exercise"], str(row["title"]), str(row["kind"]),
                       f"[{colour[str(row['status'])]}]{row['status']}[/{colour[str(row['status'])]}]", str(row["attempts"]))
                      for row in mine])
    ui.table(None, ["level", "title", DONE, TRIED, NOT_STARTED, ""], summary,
             justify=["left", "left", "right", "right", "right", "left"])
    ui.say("Start one with [label]buildai exercise 1.1[/label]; see every exercise with [label]buildai progress --details[/label].")
    return 0


def write_csv(rows: list[dict[str, str | int]], destination: str, name: str) -> int:
    columns = ["learner", *rows[0].keys()] if rows else ["learner"]
    lines = [{"learner": name, **row} for row in rows]
    if destination == "-":
        writer = csv.DictWriter(sys.stdout, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(lines)
        return 0
    import io  # the file is written whole, at once, so a teacher never collects half of one

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(lines)
    atomic_write_text(Path(destination), buffer.getvalue())
    ui.saved(Path(destination), "your progress as CSV")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register exercise, check and progress on the `buildai` command."""
    def with_dir(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--dir", metavar="FOLDER", help=f"your work folder (default: {show_path(DEFAULT_WORK_DIR)})")

    exercise = commands.add_parser("exercise", help="copy an exercise's starter file into your work folder, e.g. 'buildai exercise 1.2'")
    exercise.add_argument("exercise", help="the exercise: level.number as the lesson numbers it, e.g. 1.2 (4g.3: Level 4, going further)")
    with_dir(exercise)
    exercise.set_defaults(handler=command_exercise)

    check = commands.add_parser("check", help="grade your answer to an exercise (or a whole level), with hints")
    check.add_argument("exercise", help="an exercise (1.2), a level (1) or a lesson (4g)")
    check.add_argument("--reveal", action="store_true", help="show the worked answer instead of grading")
    with_dir(check)
    check.set_defaults(handler=command_check)

    progress = commands.add_parser("progress", help="your exercises per level: done, tried, not started")
    progress.add_argument("--details", action="store_true", help="list every exercise, not just each level")
    progress.add_argument("--csv", nargs="?", const="-", metavar="FILE",
                          help="write one row per exercise as CSV (to FILE, or to the screen) for your teacher")
    progress.add_argument("--name", default="", help="with --csv: your name, so a teacher can tell the files apart")
    with_dir(progress)
    progress.set_defaults(handler=command_progress)
