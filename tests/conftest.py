"""Shared test helpers: run a step script the way a learner would, and make bad input files.

Every subprocess runs with NO_COLOR=1 (so we can check for plain output) and
BUILDAI_OUTPUT_DIR pointing into pytest's temporary folder (so tests never
write into the repository).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ESCAPE = "\x1b"

# Offline, proven: in this process pytest-socket blocks every socket (pyproject's addopts), and every
# Python a test starts loads .ci/offline/sitecustomize.py, which blocks connections that would leave this
# computer and writes each attempt to a report; the session fails if the report is not empty.
OFFLINE_GUARD = REPO_ROOT / ".ci" / "offline"
OFFLINE_REPORT_VAR = "BUILDAI_OFFLINE_REPORT"
# Tests that start a local server (the tutor, DDP's rendezvous) may talk to this computer, and only to it.
LOCAL_ONLY = pytest.mark.allow_hosts(["127.0.0.1", "::1", "localhost"])


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or os.environ.get(OFFLINE_REPORT_VAR):
        return
    import tempfile

    report = Path(tempfile.mkdtemp(prefix="buildai-offline-")) / "network_attempts.txt"
    os.environ[OFFLINE_REPORT_VAR] = str(report)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(OFFLINE_GUARD), os.environ.get("PYTHONPATH")]))
    config.stash[REPORT_KEY] = report


REPORT_KEY = pytest.StashKey[Path]()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    report = session.config.stash.get(REPORT_KEY, None)
    if report is not None and report.is_file() and report.read_text(encoding="utf-8").strip():
        print(f"\nA program started by the tests reached for the network (see {report}):\n"
              + report.read_text(encoding="utf-8")[:4000])
        session.exitstatus = 1


@pytest.fixture
def output_root(tmp_path: Path) -> Path:
    folder = tmp_path / "outputs"
    folder.mkdir()
    return folder


@pytest.fixture
def run_script(output_root: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python <script> <args>` from the script's own folder, like `cd level_x && python step.py`.

    Returns the finished process; `.stdout`, `.stderr` and `.returncode` are for the test to check.
    """

    def run(script: str, *args: str, stdin: str | None = None, timeout: float = 300,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        path = REPO_ROOT / script
        env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(output_root), "PYTHONIOENCODING": "utf-8"}
        env.update(extra_env or {})
        return subprocess.run(
            [sys.executable, path.name, *args], cwd=path.parent, env=env, input=stdin,
            capture_output=True, text=True, encoding="utf-8", timeout=timeout,
        )

    return run


@pytest.fixture
def run_cli(output_root: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the `buildai` command (as `python -m buildai`, so no PATH set-up is needed)."""

    def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(output_root), "PYTHONIOENCODING": "utf-8"}
        return subprocess.run(
            [sys.executable, "-m", "buildai", *args], cwd=REPO_ROOT, env=env,
            capture_output=True, text=True, encoding="utf-8", timeout=timeout,
        )

    return run


def assert_plain(process: subprocess.CompletedProcess[str]) -> None:
    """No escape codes anywhere: NO_COLOR and a pipe must give plain text."""
    assert ESCAPE not in process.stdout, "stdout contains terminal escape codes"
    assert ESCAPE not in process.stderr, "stderr contains terminal escape codes"


def message_text(output: str) -> str:
    """A message box's text as one line: the box's borders and line breaks removed, so a phrase can be found
    wherever the terminal width happened to wrap it."""
    return " ".join(output.replace("│", " ").replace("╭", " ").replace("╰", " ").replace("─", " ").replace("╮", " ").replace("╯", " ").split())


def assert_ok(process: subprocess.CompletedProcess[str]) -> None:
    assert process.returncode == 0, f"exit {process.returncode}\nSTDOUT:\n{process.stdout[-3000:]}\nSTDERR:\n{process.stderr[-3000:]}"
    assert_plain(process)


BAD_TEXT_KINDS = ["empty", "binary", "not_utf8", "missing"]


def make_bad_text_file(folder: Path, kind: str) -> Path:
    """A file a learner might wrongly pass to --text: empty, binary, not UTF-8, or missing."""
    path = folder / f"my_{kind}_text.txt"
    if kind == "empty":
        path.write_text("")
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    elif kind == "not_utf8":
        path.write_bytes("Chai is ready at the station. ".encode("utf-8") + "Café crème".encode("latin-1"))
    elif kind != "missing":
        raise ValueError(kind)
    return path


@pytest.fixture(params=BAD_TEXT_KINDS)
def bad_text_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Parametrised: each test using it runs once per kind of bad file."""
    return make_bad_text_file(tmp_path, request.param)


def assert_bad_text_rejected(process: subprocess.CompletedProcess[str], path: Path) -> None:
    """Exit code 2, the file named in the message, and no traceback."""
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert path.name in output.replace("\n", "").replace(" ", "") or path.name in output, output
    assert "Traceback" not in output
    assert_plain(process)


# The Level 5 model fixtures (a tiny base and its fine-tuned adapters), trained once per session for every level.
from tests.level5_fixtures import finetuned_root, level5_root, run_level5  # noqa: E402, F401
