"""The offline guarantee: nothing the tests (or the programs they start) run may reach the network.

In this process pytest-socket blocks sockets (pyproject.toml's addopts); every Python a test starts
loads `.ci/offline/sitecustomize.py`, which lets connections to this computer through and blocks the
rest. These tests prove both guards are really on, so a test that quietly downloaded would fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_socket import SocketBlockedError

from tests.conftest import LOCAL_ONLY, OFFLINE_GUARD, OFFLINE_REPORT_VAR, REPO_ROOT


def test_this_process_cannot_open_a_network_socket() -> None:
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def guarded_python(code: str, report: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new Python, the way every test's subprocess runs (its own report file)."""
    environment = {**os.environ, OFFLINE_REPORT_VAR: str(report), **env}
    assert str(OFFLINE_GUARD) in environment["PYTHONPATH"].split(os.pathsep)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60,
                          cwd=REPO_ROOT)


@pytest.mark.parametrize("code, blocked", [
    ("import socket; socket.create_connection(('93.184.216.34', 80), timeout=5)", "('93.184.216.34', 80)"),
    ("import urllib.request; urllib.request.urlopen('https://huggingface.co', timeout=5)", "huggingface.co"),
    ("import httpx; httpx.get('https://pypi.org/simple/', timeout=5)", "pypi.org"),
])
def test_a_started_program_cannot_reach_the_internet(code: str, blocked: str, tmp_path: Path) -> None:
    report = tmp_path / "attempts.txt"
    started = time.perf_counter()
    process = guarded_python(code, report)
    assert process.returncode != 0 and "offline:" in process.stderr
    assert time.perf_counter() - started < 30  # refused at once, not after a network timeout
    assert blocked in report.read_text(encoding="utf-8")


@LOCAL_ONLY
def test_a_started_program_can_still_talk_to_this_computer(tmp_path: Path) -> None:
    code = ("import socket\nserver = socket.socket(); server.bind(('127.0.0.1', 0)); server.listen()\n"
            "client = socket.create_connection(server.getsockname(), timeout=5); peer, _ = server.accept()\n"
            "client.sendall(b'chai'); print(peer.recv(4).decode())\n"
            "socket.getaddrinfo('localhost', 80)\n")
    report = tmp_path / "attempts.txt"
    process = guarded_python(code, report)
    assert process.returncode == 0 and process.stdout.strip() == "chai", process.stderr
    assert not report.exists()


def test_the_level_5_hub_probe_answers_no_at_once_and_is_reported(tmp_path: Path) -> None:
    """Without HF_HUB_OFFLINE, Level 5 asks whether the Hub is reachable: offline, the answer is 'no', fast."""
    report = tmp_path / "attempts.txt"
    environment = {key: value for key, value in os.environ.items() if key != "HF_HUB_OFFLINE"}
    process = subprocess.run(
        [sys.executable, "-c", "from level_5_real_finetune.base_models import hub_reachable; print(hub_reachable())"],
        env={**environment, OFFLINE_REPORT_VAR: str(report)}, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert process.stdout.strip().endswith("False"), process.stderr
    assert "huggingface.co" in report.read_text(encoding="utf-8")
