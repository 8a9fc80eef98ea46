"""Storage on SQLite and on PostgreSQL: every message kept once, in order, with its feedback; clear failures.

The same tests run on both databases (see conftest.py): a school server's PostgreSQL must behave exactly
like the laptop's SQLite file.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from buildai.errors import UserError
from level_6_rag_tutor.storage import Storage
from tests.conftest import LOCAL_ONLY

pytestmark = LOCAL_ONLY  # the PostgreSQL tests talk to the database on 127.0.0.1


def test_a_conversation_comes_back_in_order_with_its_feedback(storage: Storage) -> None:
    chat = storage.new_conversation("hi")
    asked = storage.add_message(chat, "student", "वर्षा कैसे होती है?", subject="science", lang="hi")
    sources = [{"title": "Rain", "subject": "science", "snippet": "Clouds ...", "score": 3.2, "source": "x.md"}]
    answered = storage.add_message(chat, "tutor", "बादलों से।", lang="hi", confidence=0.8, mode="notes", sources=sources)
    assert asked < answered and storage.has_conversation(chat) and not storage.has_conversation("0" * 32)
    assert storage.set_feedback(answered, 1) and storage.set_feedback(answered, -1)  # the second click replaces
    assert not storage.set_feedback(asked, 1)  # a student's message is not rated
    assert not storage.set_feedback(10**6, 1)  # no such message
    messages = storage.conversation(chat)
    assert [(m["role"], m["text"], m["feedback"]) for m in messages] == [
        ("student", "वर्षा कैसे होती है?", None), ("tutor", "बादलों से।", -1)]
    assert messages[1]["sources"] == sources and messages[1]["confidence"] == pytest.approx(0.8)
    assert messages[0]["created_at"].endswith("+00:00")  # UTC, with its zone, on both databases


def test_questions_pair_with_their_answers_and_the_summary_counts_them(storage: Storage) -> None:
    first, second = storage.new_conversation(), storage.new_conversation()
    storage.add_message(first, "student", "What is rain?", subject="science")
    good = storage.add_message(first, "tutor", "Water from clouds.", subject="science", confidence=1.0, mode="notes")
    storage.add_message(second, "student", "What is the capital of Peru?")
    storage.add_message(second, "tutor", "I am not sure.", confidence=0.2, mode="unsure")
    storage.add_message(first, "student", "And snow?", subject="science")  # its answer never finished
    storage.set_feedback(good, 1)
    rows = storage.questions_and_answers()  # grouped by conversation, each in the order asked
    by_conversation = {chat: [(row["question"], row["answer"], row["mode"]) for row in rows if row["conversation"] == chat]
                       for chat in (first, second)}
    assert by_conversation == {first: [("What is rain?", "Water from clouds.", "notes"), ("And snow?", "", "")],
                               second: [("What is the capital of Peru?", "I am not sure.", "unsure")]}
    assert len(rows) == 3
    summary = storage.summary()
    assert summary["questions"] == 3 and dict(summary["per_subject"]) == {"science": 2, "any": 1}
    assert summary["helpful"] == 1 and summary["not_helpful"] == 0
    assert {row["question"] for row in summary["unanswered"]} == {"And snow?", "What is the capital of Peru?"}


def test_students_writing_at_once_lose_and_double_nothing(storage: Storage) -> None:
    chats = [storage.new_conversation() for _ in range(6)]
    problems: list[BaseException] = []

    def student(chat: str) -> None:
        try:
            for turn in range(15):
                storage.add_message(chat, "student", f"question {turn}")
                storage.add_message(chat, "tutor", f"answer {turn}", mode="notes")
        except BaseException as problem:  # noqa: BLE001 - reported below, in the test's own thread
            problems.append(problem)

    threads = [threading.Thread(target=student, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems
    for chat in chats:
        texts = [m["text"] for m in storage.conversation(chat)]
        assert texts == [f"{kind} {turn}" for turn in range(15) for kind in ("question", "answer")]
    assert storage.count_messages("student") == storage.count_messages("tutor") == 90


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = Storage(f"sqlite:///{(tmp_path / 'data' / 'tutor.sqlite3').as_posix()}")  # the folder is made
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_database_that_cannot_be_reached_is_one_clear_message() -> None:
    with pytest.raises(UserError) as problem:
        Storage("postgresql+psycopg://tutor:secret-password@127.0.0.1:1/tutor")  # nothing listens on port 1
    message = str(problem.value)
    assert "Is the database server running" in message and "secret-password" not in message
    with pytest.raises(UserError, match="postgresql\\+psycopg://user:password@localhost/tutor"):
        Storage("no-such-database://x")


def test_a_database_from_an_older_tutor_gains_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE conversations (id VARCHAR(32) PRIMARY KEY, lang VARCHAR(8), created_at DATETIME);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id VARCHAR(32) REFERENCES conversations(id),
            role VARCHAR(16), text TEXT, subject VARCHAR(32), lang VARCHAR(8), guardrail VARCHAR(32),
            confidence FLOAT, mode VARCHAR(16), sources JSON, created_at DATETIME);
        INSERT INTO conversations VALUES ('{0}', 'en', '2026-11-30 10:00:00');
        INSERT INTO messages VALUES (1, '{0}', 'student', 'What is rain?', NULL, 'en', NULL, NULL, NULL, '[]',
            '2026-11-30 10:00:00');""".format("a" * 32))
    old.close()
    store = Storage(f"sqlite:///{path.as_posix()}")
    assert [m["text"] for m in store.conversation("a" * 32)] == ["What is rain?"]
    store.add_message("a" * 32, "tutor", "Water.", note="please check")
    assert store.conversation("a" * 32)[1]["note"] == "please check"
