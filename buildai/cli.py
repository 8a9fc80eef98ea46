"""The `buildai` command: list the course, run a step, or take the whole tour.

    buildai levels            # every level and step, and whether it is ready
    buildai run 1.2 --seed 7  # run one step (extra flags go to the script)
    buildai tour              # every level's quick path, end to end
    buildai serve             # the Level 6 tutor as a web app (flags go to serve.py, see --help)
    buildai lessons           # are the numbers the lessons quote still what the code measures?
    buildai lessons --update  # measure again and rewrite them
    buildai exercise 1.2      # start an exercise: its starter file goes to my_work/
    buildai check 1.2         # grade your answer, with hints (buildai check 1: the whole level)
    buildai progress          # which exercises are done, tried, not started
    buildai --version
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from buildai import __version__, script, ui
from buildai.catalog import Level, Step, all_levels, find_step
from buildai.errors import UserError
from buildai.exercise_commands import add_commands as add_exercise_commands
from buildai.lesson_numbers import run_level_script
from buildai.paths import REPO_ROOT, show_path

NUMBERS_SCRIPT = "lesson_numbers.py"  # a level that quotes measured numbers declares them here


def run_step_script(level: Level, step: Step, extra_args: list[str]) -> int:
    """Run a step script with this Python.

    It runs in the learner's current folder (scripts find their own files through
    `buildai.paths`), so a relative path such as `--text my_story.txt` means what
    the learner expects: relative to where they typed the command.
    """
    script_path = step.path(level)
    if not script_path.is_file():
        raise UserError(f"Step {step.id} ({step.title}) is not written yet: '{show_path(script_path)}' is missing.")
    command = [sys.executable, str(script_path), *extra_args]
    return wait_through_ctrl_c(subprocess.Popen(command, env=os.environ.copy()))


def wait_through_ctrl_c(process: subprocess.Popen) -> int:
    """Wait for a step, even through Ctrl-C: the terminal sends Ctrl-C to the step as well, and the step
    answers it itself (training saves a checkpoint, the tutor finishes the answers under way). Stopping it
    here instead, as subprocess.call does, would kill it in the middle of that."""
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def command_levels(_: argparse.Namespace) -> int:
    ui.heading("Build AI from Zero", "From counting letter pairs to your own GPT")
    rows = []
    for level in all_levels():
        status = "[good]ready[/good]" if level.is_ready else "[subtle]planned[/subtle]"
        rows.append((f"Level {level.number}", f"[heading]{level.title}[/heading]", status, level.summary))
        for step in level.steps:
            ready = "[good]ready[/good]" if step.is_ready(level) else "[warn]missing[/warn]"
            rows.append((f"  {step.id}", f"{level.folder}/{step.script}", ready, step.title))
    ui.table(None, ["", "level / script", "status", "what it does"], rows)
    ui.say("Run a step with [label]buildai run 1.1[/label], or everything with [label]buildai tour[/label].")
    return 0


def command_run(args: argparse.Namespace) -> int:
    found = find_step(args.step)
    if found is None:
        known = ", ".join(step.id for level in all_levels() for step in level.steps)
        raise UserError(f"There is no step called '{args.step}'. Known steps: {known}. See them all with: buildai levels")
    level, step = found
    extra = [arg for arg in args.script_args if arg != "--"]
    return run_step_script(level, step, extra)


SERVE_STEP = "6.3"  # the course map names the script; buildai never imports a level


def command_serve(args: argparse.Namespace) -> int:
    found = find_step(SERVE_STEP)
    if found is None:
        raise UserError("This copy of the course has no Level 6 tutor (step 6.3). See: buildai levels")
    level, step = found
    return run_step_script(level, step, [arg for arg in args.script_args if arg != "--"])


def command_tour(args: argparse.Namespace) -> int:
    chosen = set(args.levels) if args.levels else None
    levels = [level for level in all_levels() if level.steps and (chosen is None or level.number in chosen)]
    if not levels:
        raise UserError("None of the levels you chose exist yet. See them with: buildai levels")
    ui.heading("The Build AI from Zero tour", "Every level's quick path, one after another")
    ui.explain(
        "Each level builds on the one before. We start by counting which letter follows which, "
        "and end with a small GPT trained on our own stories. Between steps you will see a short "
        "note on the idea; read each level's lesson.md to go deeper."
    )
    timings: list[tuple[str, str, str]] = []
    tour_start = time.perf_counter()
    for level in levels:
        ui.heading(f"Level {level.number} - {level.title}", level.summary)
        for step in level.steps:
            if step.tour_args is None:
                continue
            if step.tour_note:
                ui.explain(step.tour_note, title=f"Step {step.id}: {step.title}")
            started = time.perf_counter()
            code = run_step_script(level, step, [*step.tour_args, "--seed", str(args.seed)])
            seconds = time.perf_counter() - started
            timings.append((step.id, step.title, f"{seconds:.1f}"))
            if code != 0:
                ui.error(
                    f"Step {step.id} stopped with exit code {code}, so the tour stops here. "
                    f"Run it on its own to see what happened: buildai run {step.id}"
                )
                return 1
    total = time.perf_counter() - tour_start
    ui.heading("Tour complete")
    ui.table("Time per step", ["step", "what", "seconds"], timings, justify=["left", "left", "right"])
    ui.result("Tour time", f"{total:.1f} s")
    ui.success("Well done! Open a level's lesson.md and run its steps one by one to see more.")
    return 0


def command_lessons(args: argparse.Namespace) -> int:
    """Check (or rewrite) every level's measured numbers by running its lesson_numbers.py."""
    chosen = set(args.levels) if args.levels else None
    levels = [level for level in all_levels() if (chosen is None or level.number in chosen)
              and (REPO_ROOT / level.folder / NUMBERS_SCRIPT).is_file()]
    if not levels:
        raise UserError("None of the levels you chose declares measured numbers yet. See them with: buildai levels")
    ui.heading("The numbers the lessons quote", "measured by the course's own code" + (", rewritten" if args.update else ""))
    outcomes = []
    for level in levels:
        ui.say(f"[heading]Level {level.number} - {level.title}[/heading]")
        code = run_level_script(REPO_ROOT / level.folder, args.update, args.run)
        outcomes.append((f"Level {level.number}", level.folder, "[good]right[/good]" if code == 0 else "[bad]stale[/bad]"))
    ui.table("Every level", ["level", "folder", "quoted numbers"], outcomes)
    failed = [row for row in outcomes if "stale" in row[2]]
    if failed:
        ui.error("Some lessons quote numbers that differ from what the code measures now. "
                 "Rewrite them with: buildai lessons --update")
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buildai", description="Build AI from Zero: the course's command.")
    parser.add_argument("--version", action="version", version=f"buildai {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    levels = commands.add_parser("levels", help="list the levels and their steps")
    levels.set_defaults(handler=command_levels)

    run = commands.add_parser("run", help="run one step, e.g. 'buildai run 1.2' (extra flags go to the script)")
    run.add_argument("step", help="a step id like 1.2, or or the path of a step script (see: buildai levels)")
    run.add_argument("script_args", nargs=argparse.REMAINDER, help="flags passed to the step script")
    run.set_defaults(handler=command_run)

    tour = commands.add_parser("tour", help="run every level's quick path, end to end")
    tour.add_argument("--levels", type=int, nargs="+", metavar="N", help="only these levels, e.g. --levels 1 2")
    tour.add_argument("--seed", type=int, default=script.DEFAULT_SEED,
                      help=f"random seed passed to every step (default {script.DEFAULT_SEED})")
    tour.set_defaults(handler=command_tour)

    serve = commands.add_parser("serve", help="run the AI tutor web app (Level 6); 'buildai serve --help' lists its flags",
                                add_help=False)
    serve.add_argument("script_args", nargs=argparse.REMAINDER, help="flags for serve.py, e.g. --port 8080")
    serve.set_defaults(handler=command_serve)

    lessons = commands.add_parser("lessons", help="check that every number a lesson quotes is what the code measures")
    lessons.add_argument("--update", action="store_true", help="measure again and rewrite the quoted numbers")
    lessons.add_argument("--levels", type=int, nargs="+", metavar="N", help="only these levels, e.g. --levels 1 2")
    lessons.add_argument("--run", action="append", default=[], metavar="NAME",
                         help="with --update: also repeat this slow recorded run ('all' for every one)")
    lessons.set_defaults(handler=command_lessons)

    add_exercise_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # every flag after 'serve' is serve.py's, --help included
        args = argparse.Namespace(handler=command_serve, script_args=argv[1:])
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        sys.exit(0)
    try:
        code = args.handler(args)
    except UserError as problem:
        ui.error(str(problem))
        code = UserError.exit_code
    except KeyboardInterrupt:
        ui.warn("\nTour stopped (Ctrl-C).")
        code = 130
    sys.exit(code)
