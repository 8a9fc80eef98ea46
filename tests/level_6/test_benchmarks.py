"""The Level 6 benchmarks run and report what they promise: retrieval quality, and a load test that loses nothing.

Each benchmark runs as a learner would run it (a subprocess, with tiny settings), and its stdout must be
exactly one JSON object. No time is asserted: on a shared 2-core machine any limit would be flaky. The load
test's own check of the database is tested too, on a database with a lost, a doubled and a changed message.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import subprocess
import sys
from types import ModuleType

from level_6_rag_tutor.storage import Storage
from tests.conftest import LOCAL_ONLY, REPO_ROOT

pytestmark = LOCAL_ONLY  # it starts a local server and talks to it on 127.0.0.1

BENCHMARKS = REPO_ROOT / "benchmarks"


def run_benchmark(script: str, *args: str, timeout: float = 300) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    process = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, encoding="utf-8", timeout=timeout)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout)  # fails if anything but the one JSON object was printed


def load_benchmark(name: str) -> ModuleType:
    """Import a benchmark script as a module (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there while the class is made
    spec.loader.exec_module(module)
    return module


def test_retrieval_benchmark_reports_each_label_set() -> None:
    report = run_benchmark("retrieval.py", "--methods", "bm25", "--repeats", "1")
    assert report["questions"] == 64 and report["label_sets"] == {"A": 30, "B": 34}
    assert report["labels_are_level5_held_out"] and report["model_load_seconds"] is None
    assert set(report["methods"]) == set(report["build_seconds"]) == {"bm25"}
    bm25 = report["methods"]["bm25"]
    assert {"median_ms", "p95_ms", "build_seconds", "cached_load_seconds"} <= bm25.keys()
    for scores in (bm25, bm25["set_A"], bm25["set_B"], bm25["notes_only"], bm25["notes_only"]["set_B"]):
        assert 0 <= scores["recall_at_1"] <= scores["recall_at_3"] <= 1
        assert scores["recall_at_1"] <= scores["mrr"] <= 1


def test_load_benchmark_stores_every_question_once() -> None:
    report = run_benchmark("serve_load.py", "--clients", "3", "--seconds", "2")
    assert {"requests_per_second", "p50_ms", "p95_ms", "max_ms", "per_endpoint", "server_cpu_seconds"} <= report.keys()
    assert report["clients"] == 3 and report["database"] == "sqlite" and report["graceful_shutdown"]
    assert report["errors"] == {}
    assert report["lost"] == report["doubled"] == report["mismatched"] == 0
    assert report["requests"] > 0 and report["per_endpoint"]["chat"]["requests"] > 0
    assert report["stored_questions"] == report["stored_answers"] == report["requests"]
    assert report["conversations"] == 3


def test_the_load_check_catches_lost_doubled_and_changed_messages() -> None:
    bench = load_benchmark("serve_load")
    assert doctest.testmod(bench).failed == 0  # the SSE parser's example
    store = Storage("sqlite://")
    chat, other = store.new_conversation(), store.new_conversation()
    kept = (store.add_message(chat, "student", "why is the sky blue?"), store.add_message(chat, "tutor", "Light."))
    store.add_message(chat, "student", "why is the sky blue?")  # stored twice: no request accounts for it
    changed = (store.add_message(chat, "student", "what is rain?"), store.add_message(chat, "tutor", "Not this."))
    store.add_message(other, "student", "what is a map?")  # from a request whose answer never reached the client
    Outcome = bench.Outcome
    outcomes = [Outcome("ask", "why is the sky blue?", None, 1.0, None, chat, *kept, "Light."),
                Outcome("chat", "what is rain?", chat, 1.0, None, chat, *changed, "Water falling."),
                Outcome("ask", "what is a river?", chat, 1.0, None, chat, 998, 999, "Gone."),  # not stored
                Outcome("chat", "what is a map?", None, 1.0, "ReadTimeout", None, None, None, "")]
    students = [bench.Student(0, outcomes[:3]), bench.Student(1, outcomes[3:])]
    # The failed request's conversation is unknown to its client: only the totals can account for it.
    found = bench.check_storage(store, students, {"student": 0, "tutor": 0})
    assert found == {"stored_questions": 4, "stored_answers": 2, "lost": 1, "doubled": 1, "mismatched": 1,
                     "stored_from_failed": 1, "conversations": 1}
