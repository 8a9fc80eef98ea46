"""A learner's progress through the exercises, kept in a small SQLite file in their own work folder.

Nothing here is ever sent anywhere: a teacher who wants it asks the learner for
`buildai progress --csv`. Every start, check and reveal is one row, so the file also says how
many tries an exercise took and when it was first passed.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> log = ProgressLog(folder)
>>> log.record("1.2", "start")
>>> log.record("1.2", "check", passed=False, checks_passed=2, checks_total=3)
>>> log.status("1.2", gradable=True), log.status("1.3", gradable=True)
('tried', 'not started')
>>> log.record("1.2", "check", passed=True, checks_passed=3, checks_total=3)
>>> log.status("1.2", gradable=True), log.summary("1.2")["attempts"]
('done', 2)
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DATABASE_NAME = "progress.sqlite3"
DONE, TRIED, NOT_STARTED = "done", "tried", "not started"
EVENTS = ("start", "check", "reveal")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,
    event TEXT NOT NULL,          -- start (starter copied), check (graded), reveal (worked answer shown)
    at TEXT NOT NULL,             -- UTC, ISO 8601
    passed INTEGER,               -- checks only: 1 when every check passed
    checks_passed INTEGER,
    checks_total INTEGER,
    seconds REAL                  -- checks only: how long the learner's code took
)
"""


class ProgressLog:
    """The progress file of one work folder (created on first use)."""

    def __init__(self, work_dir: Path) -> None:
        self.path = Path(work_dir) / DATABASE_NAME

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(SCHEMA)
        return connection

    def record(self, exercise: str, event: str, passed: bool | None = None, checks_passed: int | None = None,
               checks_total: int | None = None, seconds: float | None = None) -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown progress event {event!r}")
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as connection, connection:  # one transaction: the row is there or not
            connection.execute(
                "INSERT INTO events (exercise, event, at, passed, checks_passed, checks_total, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (exercise, event, at, None if passed is None else int(passed), checks_passed, checks_total, seconds),
            )

    def summary(self, exercise: str) -> dict[str, Any]:
        """Counts and times for one exercise: attempts (checks), passes, first start, last try, first pass."""
        if not self.path.is_file():
            return {"attempts": 0, "passes": 0, "started": None, "last": None, "passed_at": None, "revealed": False}
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT SUM(event = 'check'), SUM(event = 'check' AND passed = 1), MIN(at), MAX(at), "
                "MIN(CASE WHEN event = 'check' AND passed = 1 THEN at END), SUM(event = 'reveal') "
                "FROM events WHERE exercise = ?", (exercise,),
            ).fetchone()
        attempts, passes, started, last, passed_at, reveals = row
        return {"attempts": attempts or 0, "passes": passes or 0, "started": started, "last": last,
                "passed_at": passed_at, "revealed": bool(reveals)}

    def status(self, exercise: str, gradable: bool) -> str:
        """done (passed every check; for a self-check, compared with the worked answer), tried, or not started."""
        summary = self.summary(exercise)
        if summary["started"] is None:
            return NOT_STARTED
        if (gradable and summary["passes"]) or (not gradable and summary["revealed"]):
            return DONE
        return TRIED
