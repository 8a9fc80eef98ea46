"""`serve.py` / `buildai serve` as a teacher starts it: on a fresh folder, it answers; Ctrl-C loses nothing.

The server runs as a real process on 127.0.0.1 (a free port), exactly as a learner starts it, with its
outputs in pytest's temporary folder. Then a question is asked over HTTP, the server gets Ctrl-C (SIGINT),
and the SQLite file it leaves behind must hold the question and the answer.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from level_6_rag_tutor.storage import Storage
from tests.conftest import LOCAL_ONLY, REPO_ROOT

pytestmark = LOCAL_ONLY  # it starts a local server and talks to it on 127.0.0.1

STEP = REPO_ROOT / "level_6_rag_tutor" / "serve.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(output_root: Path, *args: str, cli: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(output_root), "PYTHONIOENCODING": "utf-8",
           "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "buildai", "serve", *args] if cli else [sys.executable, STEP.name, *args]
    return subprocess.Popen(command, cwd=REPO_ROOT if cli else STEP.parent, env=env, text=True, encoding="utf-8",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_until_up(process: subprocess.Popen[str], url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.communicate()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    pytest.fail(f"the server did not answer within {seconds} s: {process.communicate()}")


@pytest.mark.skipif(sys.platform == "win32", reason="sends Ctrl-C as POSIX terminals do (to the process group)")
@pytest.mark.parametrize("cli", [False, True], ids=["serve.py", "buildai serve"])
def test_it_starts_answers_and_stops_on_ctrl_c_with_everything_stored(output_root: Path, cli: bool) -> None:
    port = free_port()
    server = start(output_root, "--port", str(port), "--teacher-password", "neem-tree", "--model", "auto", cli=cli)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, f"{base}/api/health")
        answer = httpx.post(f"{base}/api/ask", json={"question": "Who was U Tirot Sing?"}, timeout=30).json()
        assert answer["sources"] and answer["guardrail"] is None
        assert httpx.get(f"{base}/teacher", auth=("teacher", "neem-tree"), timeout=10).status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches every process of the command
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "127.0.0.1" in out and "Every conversation is saved" in out and "Traceback" not in out + err
    assert "neem-tree" not in out  # a password the teacher chose is never printed
    database = next(output_root.rglob("tutor.sqlite3"))
    stored = Storage(f"sqlite:///{database.as_posix()}").conversation(answer["conversation_id"])
    assert [(m["role"], m["text"]) for m in stored] == [("student", "Who was U Tirot Sing?"), ("tutor", answer["answer"])]


def test_a_busy_port_and_a_wrong_database_are_one_clear_message(output_root: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = start(output_root, "--port", str(port))
        out, err = taken.communicate(timeout=60)
    assert taken.returncode != 0 and "already in use" in out + err and "Traceback" not in out + err
    wrong = start(output_root, "--port", str(free_port()),
                  "--database-url", "postgresql+psycopg://tutor:hunter2@127.0.0.1:1/tutor")
    out, err = wrong.communicate(timeout=120)
    assert wrong.returncode != 0 and "Cannot open the database" in out + err
    assert "hunter2" not in out + err and "Traceback" not in out + err
