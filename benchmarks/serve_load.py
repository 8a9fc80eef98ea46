"""Benchmark: the Level 6 web tutor under a class's load -- throughput, latency, errors, and nothing lost or doubled.

The real app (web.create_app over a Tutor answering from the notes -- no Level 5 model -- with BM25 over
`load_passages()`, the index built in a temporary folder) runs in uvicorn on 127.0.0.1, on a free port, in
a separate process, as `serve.py` runs it; the rate limit is off (`rate_limit=0`), since every client
comes from the same address. Conversations go to a fresh SQLite file in a temporary folder, or to
`--database-url` (e.g. PostgreSQL: postgresql+psycopg://user:password@localhost/tutor).

Then `--clients` students ask questions at once for `--seconds` seconds: each has its own connection
(an httpx.AsyncClient; all of them in one asyncio loop in this process) and asks one question after another,
cycling through the 64 Level 5 held-out questions (the questions of level_6_rag_tutor/knowledge/labels_A
and labels_B), every student from a different starting point. Requests alternate between POST /api/ask
(one JSON answer) and POST /api/chat (Server-Sent Events, read to the `done` event); each student keeps
the conversation_id of its first answer. No new request starts after `--seconds`; those under way finish.

Reported: requests answered, requests per second, latency from sending to the full answer (p50, p95 and
max in ms, overall and per endpoint), errors by kind (an HTTP status other than 200, a stream without a
`done` event, or an exception such as a timeout), and the CPU seconds the server and the clients used.
After the server has stopped (gracefully, as on Ctrl-C: uvicorn finishes the answers under way), the database
is read back: every answered question and answer must be stored exactly once, in its conversation, with
the text that was sent and received. `lost` counts answered requests whose question or answer is missing
or different; `doubled` counts stored messages no request accounts for (a request that failed on the
client's side may or may not have been stored: those are `stored_from_failed`).

Honest numbers need two caveats. On the course's 2-core CPU the clients, the server and the database share
the same two cores, so the clients' own CPU use (reported) takes from the server's. And the server is one
process whose Python runs on one core at a time (the GIL; its thread pool only waits in parallel): once it
is busy all the time, more clients add waiting, not answers, so p50 grows with --clients while requests
per second stays put. The students here never pause to read, unlike a class. Prints ONE JSON object.

    python benchmarks/serve_load.py                        # 50 clients for 30 seconds, SQLite
    python benchmarks/serve_load.py --clients 5 --seconds 3
    python benchmarks/serve_load.py --database-url postgresql+psycopg://tutor:secret@localhost/tutor
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import secrets
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx
import numpy as np

from level_5_real_finetune.qa_data import EVALUATION_FILE, read_pairs
from level_6_rag_tutor.storage import Storage

REQUEST_TIMEOUT = 60.0  # seconds: well past any honest answer, so a timeout means the server is stuck
START_TIMEOUT = 120.0  # seconds for the server process to import, build its index and start listening
STOP_TIMEOUT = 30.0  # seconds for the graceful shutdown before the server process is killed


# ------------------------------------------------------------------------------------------ the server
def serve(port: int, database_url: str, index_dir: str, stop: Event, distress_check: bool = True) -> None:
    """The server process: the tutor app as serve.py builds it with --model none --rate-limit 0 (and, by
    default, the distress check, so each question is also embedded by the sentence model).

    It stops when `stop` is set, the way Ctrl-C stops serve.py: uvicorn refuses new connections and
    finishes the answers under way. (A SIGTERM would do the same, but uvicorn then re-raises the signal,
    so the exit code could not tell a graceful stop from a killed one.)
    """
    sys.stdout = sys.stderr  # only the parent's JSON belongs on stdout
    import uvicorn

    from level_6_rag_tutor.knowledge_base import load_passages
    from level_6_rag_tutor.retrieval import Retriever
    from level_6_rag_tutor.tutor import Tutor
    from level_6_rag_tutor.web import create_app

    from level_6_rag_tutor.distress import DistressCheck

    import torch

    torch.set_num_threads(1)  # as tutor_setup.build_tutor does when no model writes answers
    distress = DistressCheck(cache_dir=Path(index_dir)) if distress_check else None
    tutor = Tutor(Retriever(load_passages(), "bm25", Path(index_dir)), distress=distress)
    app = create_app(tutor, Storage(database_url), secrets.token_urlsafe(12), rate_limit=0, model_name="none")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                          timeout_graceful_shutdown=10))

    def stop_when_asked() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=stop_when_asked, daemon=True).start()
    server.run()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url: str, server: multiprocessing.Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise SystemExit(f"The server process stopped while starting (exit code {server.exitcode}).")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"The server did not answer /api/health within {START_TIMEOUT:.0f} seconds.")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------------------------------------ the clients
@dataclass
class Outcome:
    """One request as the client saw it."""

    endpoint: str  # "ask" or "chat"
    question: str
    conversation_sent: str | None  # None: the student's first question, which starts a conversation
    milliseconds: float
    error: str | None = None
    conversation_id: str | None = None  # from the answer
    question_id: int | None = None
    answer_id: int | None = None
    answer: str = ""  # the answer text received (the JSON's, or the streamed tokens joined)


@dataclass
class Student:
    number: int
    outcomes: list[Outcome] = field(default_factory=list)


def sse_events(lines: list[str]) -> list[tuple[str, str]]:
    """(event, data) pairs of a Server-Sent Events stream; comment lines (": ping") are skipped.

    >>> sse_events(["event: token", 'data: {"text": "Hi"}', "", ": ping", "", "event: done", "data: {}", ""])
    [('token', '{"text": "Hi"}'), ('done', '{}')]
    """
    events, kind, data = [], "message", []
    for line in lines + [""]:
        if not line:
            if data:
                events.append((kind, "\n".join(data)))
            kind, data = "message", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


async def ask(http: httpx.AsyncClient, body: dict[str, str], outcome: Outcome) -> None:
    response = await http.post("/api/ask", json=body)
    if response.status_code != 200:
        outcome.error = f"http_{response.status_code}"
        return
    reply = response.json()
    outcome.conversation_id, outcome.question_id = reply["conversation_id"], reply["question_id"]
    outcome.answer_id, outcome.answer = reply["message_id"], reply["answer"]


async def chat(http: httpx.AsyncClient, body: dict[str, str], outcome: Outcome) -> None:
    async with http.stream("POST", "/api/chat", json=body) as response:
        if response.status_code != 200:
            await response.aread()
            outcome.error = f"http_{response.status_code}"
            return
        lines = [line async for line in response.aiter_lines()]
    pieces, done = [], None
    for kind, data in sse_events(lines):
        if kind == "token":
            pieces.append(json.loads(data)["text"])
        elif kind == "done":
            done = json.loads(data)
    if done is None:
        outcome.error = "no_done_event"
        return
    outcome.conversation_id, outcome.question_id = done["conversation_id"], done["question_id"]
    outcome.answer_id, outcome.answer = done["message_id"], "".join(pieces)


async def student(number: int, base_url: str, questions: list[tuple[str, str]], deadline: float) -> Student:
    me = Student(number)
    conversation: str | None = None
    # Each student its own connection pool, like a browser of its own; one connection is all it needs.
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT) as http:
        asked = 0
        while time.perf_counter() < deadline:
            question, lang = questions[(number * 13 + asked) % len(questions)]  # 13: students spread out
            endpoint = "ask" if (number + asked) % 2 == 0 else "chat"
            body = {"question": question, "lang": lang}
            if conversation:
                body["conversation_id"] = conversation
            outcome = Outcome(endpoint, question, conversation, 0.0)
            started = time.perf_counter()
            try:
                await (ask if endpoint == "ask" else chat)(http, body, outcome)
            except (httpx.HTTPError, ValueError, KeyError) as problem:  # ValueError: a body that is not JSON
                outcome.error = type(problem).__name__
            outcome.milliseconds = (time.perf_counter() - started) * 1000
            me.outcomes.append(outcome)
            if outcome.error is None and conversation is None:
                conversation = outcome.conversation_id
            asked += 1
    return me


async def load(base_url: str, questions: list[tuple[str, str]], clients: int, seconds: float) -> list[Student]:
    deadline = time.perf_counter() + seconds
    return list(await asyncio.gather(*(student(n, base_url, questions, deadline) for n in range(clients))))


# ------------------------------------------------------------------------------------------ checking
def check_storage(storage: Storage, students: list[Student], before: dict[str, int]) -> dict[str, int]:
    """Read every conversation back and match its messages with the requests that were answered.

    `before` holds the database's message counts from before the run, so a database that already had
    conversations in it (a PostgreSQL server, say) is checked on what this run added.
    """
    lost, doubled, mismatched, stored_from_failed = 0, 0, 0, 0
    outcomes = [o for s in students for o in s.outcomes]
    answered = [o for o in outcomes if o.error is None]
    claimed = Counter(i for o in answered for i in (o.question_id, o.answer_id))
    doubled += sum(count - 1 for count in claimed.values() if count > 1)  # two requests given the same message
    by_conversation: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        conversation = outcome.conversation_id or outcome.conversation_sent
        if conversation:
            by_conversation.setdefault(conversation, []).append(outcome)
    seen: Counter[str] = Counter()  # messages found in the conversations the clients know of, by role
    for conversation, asked in by_conversation.items():
        messages = {m["id"]: m for m in storage.conversation(conversation)}
        seen.update(m["role"] for m in messages.values())
        for outcome in asked:
            if outcome.error:
                continue
            question, answer = messages.get(outcome.question_id), messages.get(outcome.answer_id)
            if question is None or question["role"] != "student" or answer is None or answer["role"] != "tutor":
                lost += 1
            elif question["text"] != " ".join(outcome.question.split()) or answer["text"] != outcome.answer:
                mismatched += 1
        unclaimed = Counter(m["role"] for i, m in messages.items() if i not in claimed)
        # A request that failed on the client's side may still have stored its question and its answer.
        failed = sum(1 for o in asked if o.error)
        stored_from_failed += min(unclaimed["student"], failed)
        doubled += max(0, unclaimed["student"] - failed) + max(0, unclaimed["tutor"] - failed)
    stored = {role: storage.count_messages(role) - before[role] for role in ("student", "tutor")}
    # Messages in conversations no client learned of can only come from a first question that failed.
    untracked = sum(1 for o in outcomes if o.error and not (o.conversation_id or o.conversation_sent))
    orphans = {role: stored[role] - seen[role] for role in stored}
    stored_from_failed += min(orphans["student"], untracked)
    doubled += sum(max(0, count - untracked) for count in orphans.values())
    return {"stored_questions": stored["student"], "stored_answers": stored["tutor"], "lost": lost,
            "doubled": doubled, "mismatched": mismatched, "stored_from_failed": stored_from_failed,
            "conversations": len(by_conversation)}


def milliseconds(outcomes: list[Outcome]) -> dict[str, float | None]:
    times = [o.milliseconds for o in outcomes]
    if not times:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    return {"p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1),
            "max_ms": round(max(times), 1)}


# ------------------------------------------------------------------------------------------ the run
def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="students asking at the same time (default 50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they keep asking (default 30)")
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="the database (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--no-distress-check", dest="distress_check", action="store_false",
                        help="serve as `serve.py --no-distress-check` does: rules only, no sentence model")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds more than 0")
    questions = [(pair.question, pair.lang) for pair in read_pairs(EVALUATION_FILE).pairs]
    with contextlib.redirect_stdout(sys.stderr), tempfile.TemporaryDirectory(prefix="buildai_bench_serve_") as folder:
        url = args.database_url or f"sqlite:///{Path(folder, 'tutor.sqlite3').as_posix()}"
        storage = Storage(url)  # creates the tables before the server starts, and reads them back at the end
        before = {role: storage.count_messages(role) for role in ("student", "tutor")}
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        # A process of its own, as in a real deployment: the clients' Python does not share the server's GIL.
        processes = multiprocessing.get_context("spawn")
        stop = processes.Event()
        server = processes.Process(target=serve, args=(port, url, str(Path(folder, "index")), stop, args.distress_check),
                                   daemon=True)
        server.start()
        try:
            wait_until_up(base_url, server)
            server_cpu_before, client_cpu_before = cpu_seconds(server.pid), time.process_time()
            started = time.perf_counter()
            students = asyncio.run(load(base_url, questions, args.clients, args.seconds))
            elapsed = time.perf_counter() - started
            server_cpu_after, client_cpu = cpu_seconds(server.pid), time.process_time() - client_cpu_before
        finally:
            stop.set()
            server.join(STOP_TIMEOUT)
            graceful = server.exitcode == 0  # uvicorn.Server.run returned: every answer under way was finished
            if server.is_alive():
                server.kill()
                server.join()
        outcomes = [o for s in students for o in s.outcomes]
        answered = [o for o in outcomes if o.error is None]
        stored = check_storage(storage, students, before)
        database = storage.engine.dialect.name
        storage.engine.dispose()
    report = {
        "benchmark": "level6_serve_load", "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "clients": args.clients, "seconds": args.seconds, "wall_seconds": round(elapsed, 2),
        "requests": len(answered), "requests_sent": len(outcomes),
        "requests_per_second": round(len(answered) / elapsed, 1),
        **milliseconds(answered),
        "per_endpoint": {endpoint: {"requests": sum(o.endpoint == endpoint for o in answered),
                                    **milliseconds([o for o in answered if o.endpoint == endpoint])}
                         for endpoint in ("ask", "chat")},
        "errors": dict(Counter(o.error for o in outcomes if o.error)),
        **stored,
        "server_cpu_seconds": (round(server_cpu_after - server_cpu_before, 1)
                               if server_cpu_before is not None and server_cpu_after is not None else None),
        "client_cpu_seconds": round(client_cpu, 1),
        "graceful_shutdown": graceful,
        "database": database, "distress_check": args.distress_check,
    }
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
