"""No internet: the Hub check answers quickly, the default falls back to the local model, and asking for
DistilGPT-2 explicitly gives a helpful message and exit code 2 -- never a traceback."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from level_5_real_finetune import base_models
from tests.conftest import message_text


def test_offline_setting_means_unreachable_at_once(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    assert base_models.hub_reachable() is False
    assert time.perf_counter() - started < 0.1


def test_unreachable_network_is_detected_within_the_timeout(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls = []

    def refuse(address, timeout):
        calls.append(timeout)
        raise socket.timeout("timed out")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert base_models.hub_reachable() is False
    assert calls == [base_models.HUB_TIMEOUT] and base_models.HUB_TIMEOUT <= 5


def test_no_choice_offline_means_the_local_model(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(base_models, "local_base", lambda out_dir=None: tmp_path)
    chosen = base_models.resolve_base(None)
    assert chosen.name == "local" and chosen.char_level and chosen.source == str(tmp_path)


def test_asking_for_distilgpt2_offline_is_a_clear_message(run_level5, tmp_path: Path):
    started = time.perf_counter()
    done = run_level5("finetune.py", "--base-model", "distilgpt2", output_root=tmp_path,
                      extra_env={"HF_HOME": str(tmp_path / "empty_cache")})
    assert done.returncode == 2
    message = message_text(done.stderr)
    assert "Hugging Face Hub cannot be reached" in message and "--base-model local" in message
    assert "Traceback" not in done.stdout + done.stderr
    assert time.perf_counter() - started < 60  # no 45-second retrying (the rest is Python and torch starting)
