"""Conversations, messages and feedback in a real database, through SQLAlchemy 2.

The default is one SQLite file in the level's outputs folder, in WAL mode (readers never wait for the one
writer, and a crash never leaves half a write). A school server points `--database-url` at PostgreSQL
(`postgresql+psycopg://user:password@host/dbname`) and nothing else changes: the same tables, the same code.

Every message is committed the moment it exists: the question when it arrives, the answer when it is
complete. So stopping the server (Ctrl-C, or a shutdown) loses nothing that was stored, and a question whose
answer never finished still shows up on the teacher page. Only masked text is ever given to `add_message`.

>>> store = Storage("sqlite://")  # in memory, for this example
>>> chat = store.new_conversation("en")
>>> question = store.add_message(chat, "student", "What is rain?", subject="science")
>>> answer = store.add_message(chat, "tutor", "Water falling from clouds.", confidence=1.0, mode="notes")
>>> store.set_feedback(answer, 1), [m["role"] for m in store.conversation(chat)]
(True, ['student', 'tutor'])
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, event, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from buildai.errors import UserError
from buildai.paths import output_dir


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # "student" or "tutor"
    text: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    guardrail: Mapped[str | None] = mapped_column(String(32), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)  # how the tutor answered
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # e.g. "please check this answer"
    sources: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Feedback(Base):
    __tablename__ = "feedback"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)  # one rating per answer
    rating: Mapped[int] = mapped_column(Integer)  # +1 helpful, -1 not helpful
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def default_url(out_dir: Path | None = None) -> str:
    return f"sqlite:///{(output_dir(6, out_dir) / 'tutor.sqlite3').as_posix()}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Storage:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        except Exception as problem:  # a mistyped URL, or a driver that is not installed
            raise UserError(f"Cannot use the database '{self.safe_url}': {problem}. A PostgreSQL address looks "
                            f"like postgresql+psycopg://user:password@localhost/tutor") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_settings)
        try:
            Base.metadata.create_all(self.engine)
            _add_new_columns(self.engine)
        except Exception as problem:
            raise UserError(f"Cannot open the database '{self.safe_url}' ({type(problem).__name__}). Is the "
                            f"database server running, and are the user, password and database name right?") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:
            return "(unreadable database URL)"

    # ------------------------------------------------------------------------------------ writing
    def new_conversation(self, lang: str = "en") -> str:
        with self.sessions.begin() as session:
            conversation = Conversation(id=uuid.uuid4().hex, lang=lang, created_at=_now())
            session.add(conversation)
        return conversation.id

    def has_conversation(self, conversation_id: str) -> bool:
        with self.sessions() as session:
            return session.get(Conversation, conversation_id) is not None

    def add_message(self, conversation_id: str, role: str, text: str, *, subject: str | None = None,
                    lang: str = "en", guardrail: str | None = None, confidence: float | None = None,
                    mode: str | None = None, note: str | None = None,
                    sources: list[dict[str, Any]] | None = None) -> int:
        """Store one message (committed before this returns) and give back its id."""
        with self.sessions.begin() as session:
            message = Message(conversation_id=conversation_id, role=role, text=text, subject=subject or None,
                              lang=lang, guardrail=guardrail, confidence=confidence, mode=mode,
                              note=note, sources=sources or [], created_at=_now())
            session.add(message)
            session.flush()
            return message.id

    def set_feedback(self, message_id: int, rating: int) -> bool:
        """Record 👍 (+1) or 👎 (-1) for a tutor answer; a second click replaces the first. False if no such answer."""
        with self.sessions.begin() as session:
            message = session.get(Message, message_id)
            if message is None or message.role != "tutor":
                return False
            feedback = session.get(Feedback, message_id)
            if feedback is None:
                session.add(Feedback(message_id=message_id, rating=rating, created_at=_now()))
            else:
                feedback.rating, feedback.created_at = rating, _now()
            return True

    # ------------------------------------------------------------------------------------ reading
    def conversation(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(
                select(Message, Feedback.rating).outerjoin(Feedback, Feedback.message_id == Message.id)
                .where(Message.conversation_id == conversation_id).order_by(Message.id)).all()
        return [{"id": m.id, "role": m.role, "text": m.text, "sources": m.sources or [], "guardrail": m.guardrail,
                 "confidence": m.confidence, "mode": m.mode, "note": m.note, "feedback": rating, "subject": m.subject,
                 "created_at": _utc(m.created_at).isoformat(timespec="seconds")} for m, rating in rows]

    def count_messages(self, role: str | None = None) -> int:
        with self.sessions() as session:
            query = select(func.count(Message.id))
            if role:
                query = query.where(Message.role == role)
            return int(session.scalar(query) or 0)

    def questions_and_answers(self) -> list[dict[str, Any]]:
        """Every student question with the tutor answer that followed it (if any): the teacher's raw data."""
        with self.sessions() as session:
            rows = session.execute(
                select(Message, Feedback.rating).outerjoin(Feedback, Feedback.message_id == Message.id)
                .order_by(Message.conversation_id, Message.id)).all()
        table: list[dict[str, Any]] = []
        for message, rating in rows:
            if message.role == "student":
                table.append({"asked_at": _utc(message.created_at).isoformat(timespec="seconds"),
                              "conversation": message.conversation_id, "subject": message.subject or "",
                              "lang": message.lang, "question": message.text, "guardrail": message.guardrail or "",
                              "answer": "", "mode": "", "confidence": None, "feedback": None})
            elif table and table[-1]["conversation"] == message.conversation_id and not table[-1]["mode"]:
                table[-1].update(answer=message.text, mode=message.mode or "", confidence=message.confidence,
                                 feedback=rating, guardrail=table[-1]["guardrail"] or (message.guardrail or ""))
        return table

    def summary(self) -> dict[str, Any]:
        """What the teacher page shows: counts per subject and per day, weak answers, feedback rates."""
        rows = self.questions_and_answers()
        ratings = [row["feedback"] for row in rows if row["feedback"] is not None]
        return {
            "questions": len(rows),
            "per_subject": Counter(row["subject"] or "any" for row in rows).most_common(),
            "per_day": sorted(Counter(row["asked_at"][:10] for row in rows).items()),
            "unanswered": [row for row in rows if row["mode"] in ("unsure", "")][-20:],
            "low_confidence": [row for row in rows if row["mode"] in ("notes", "model")
                               and (row["confidence"] or 0) < 0.75][-20:],
            "guardrails": Counter(row["guardrail"] for row in rows if row["guardrail"]).most_common(),
            "helpful": sum(1 for r in ratings if r > 0),
            "not_helpful": sum(1 for r in ratings if r < 0),
        }


def _add_new_columns(engine: Any) -> None:
    """A database made by an older copy of the tutor lacks columns added since: add them (empty), so an
    upgrade keeps every conversation. create_all makes missing tables, never missing columns."""
    from sqlalchemy import inspect

    have = {column["name"] for column in inspect(engine).get_columns("messages")}
    with engine.begin() as connection:
        for column in Message.__table__.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f'ALTER TABLE messages ADD COLUMN "{column.name}" {kind}'))


def _utc(moment: datetime) -> datetime:
    """SQLite gives times back without their time zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers and one writer at the same time
    cursor.execute("PRAGMA busy_timeout=10000")  # wait (up to 10 s) for a busy database instead of failing
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
