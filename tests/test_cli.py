"""The `buildai` command: levels, run, tour and --version."""

from __future__ import annotations

from buildai import __version__
from buildai.catalog import all_levels, find_step
from tests.conftest import assert_ok, assert_plain


def test_version(run_cli) -> None:
    process = run_cli("--version")
    assert process.returncode == 0
    assert __version__ in process.stdout


def test_levels_lists_every_level_and_step(run_cli) -> None:
    process = run_cli("levels")
    assert_ok(process)
    for level in all_levels():
        assert level.title in process.stdout
        for step in level.steps:
            assert step.id in process.stdout


def test_no_level_is_half_written() -> None:
    """A level whose folder has any step script must have all of them (the tour runs them all)."""
    for level in all_levels():
        if any(step.is_ready(level) for step in level.steps):
            missing = [step.script for step in level.steps if not step.is_ready(level)]
            assert not missing, f"{level.folder} lists steps that do not exist: {missing}"


def test_find_step_by_id_and_path() -> None:
    assert find_step("1.2")[1].script == "step2_generate.py"
    assert find_step("level_1_prediction/step2_generate.py")[1].id == "1.2"
    assert find_step("9.9") is None


def test_unknown_step_is_a_clear_error(run_cli) -> None:
    process = run_cli("run", "9.9")
    assert process.returncode == 2
    assert "no step called '9.9'" in process.stderr
    assert "Traceback" not in process.stderr
    assert_plain(process)


def test_run_step_by_id(run_cli) -> None:
    process = run_cli("run", "1.1", "--seed", "3")
    assert_ok(process)


def test_tour_level_1(run_cli) -> None:
    process = run_cli("tour", "--levels", "1")
    assert_ok(process)
    assert "Tour complete" in process.stdout
    assert "Tour time" in process.stdout


def test_run_resolves_text_paths_from_the_learners_folder(run_cli) -> None:
    """`buildai run 1.1 --text data/stories_hi.txt` from the repo root finds the file."""
    process = run_cli("run", "1.1", "--text", "data/stories_hi.txt", "--quiet")
    assert_ok(process)
