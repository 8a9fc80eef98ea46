"""The tutor as a web app (FastAPI): the chat page, its JSON and streaming API, and the teacher page.

    POST /api/ask                   one question -> one JSON answer with its sources
    POST /api/chat                  the same, answered as Server-Sent Events: tokens, then sources, then done
    GET  /api/conversations/{id}    a conversation's messages (the page reloads its history from here)
    POST /api/feedback              👍 / 👎 for one answer
    GET  /api/subjects, /api/health
    GET  /teacher, /teacher/export.csv   behind the teacher's password (HTTP Basic, user "teacher")

FastAPI documents all of it at /docs. Safety for a class on a shared network lives here too: request
bodies over 16 KB get 413, more than `rate_limit` questions a minute from one address get 429, bad input
gets 422 with a message that says what to fix, an error inside the server gets a plain 500 message (the
details go to the server's log, never to the browser), and every response carries security headers.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator

from level_6_rag_tutor.knowledge_base import SUBJECTS
from level_6_rag_tutor.storage import Storage
from level_6_rag_tutor.teacher_page import csv_rows, render_teacher_page
from level_6_rag_tutor.tutor import MAX_QUESTION, Reply, Tutor

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16 * 1024  # bytes: a question is at most 1,000 characters, so 16 KB is plenty
SECURITY_HEADERS = {
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
log = logging.getLogger("buildai.tutor")


# ------------------------------------------------------------------------------------------ requests
class AskRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    question: str = Field(min_length=1, max_length=MAX_QUESTION, description="the student's question")
    lang: Literal["en", "hi"] = "en"
    subject: str | None = Field(None, description="only search this subject's notes (see /api/subjects)")
    conversation_id: str | None = Field(None, pattern=r"^[0-9a-f]{32}$", description="continue this conversation")

    @field_validator("subject")
    @classmethod
    def known_subject(cls, subject: str | None) -> str | None:
        if subject and subject not in SUBJECTS:
            raise ValueError(f"unknown subject; use one of {', '.join(SUBJECTS)}")
        return subject or None


class FeedbackRequest(BaseModel):
    message_id: int = Field(ge=1)
    rating: Literal[1, -1]


class SourceOut(BaseModel):
    title: str
    subject: str
    snippet: str
    score: float


class AskResponse(BaseModel):
    answer: str
    sources: list[SourceOut]
    guardrail: Literal["self_harm", "personal_data", "abuse", "harmful", "injection", "off_topic"] | None
    confidence: float
    conversation_id: str
    note: str | None = None
    message_id: int
    question_id: int


# ------------------------------------------------------------------------------------------ safety
class Guard:
    """Pure ASGI middleware: refuse oversized bodies (413) and add the security headers to every response.

    (It wraps the raw ASGI messages rather than using FastAPI's @middleware, so streamed answers pass
    through piece by piece instead of being collected first.)
    """

    def __init__(self, app: Any, max_body: int = MAX_BODY):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            return await _plain_json(send, 413, f"That request is too large (the limit is {self.max_body // 1024} KB). "
                                                "Please ask a shorter question.")
        received = 0

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:  # a body sent without an honest Content-Length
                raise HTTPException(413, "That request is too large.")
            return message

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
            await send(message)

        await self.app(scope, limited_receive, with_headers)


async def _plain_json(send: Any, status: int, detail: str) -> None:
    import json

    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """At most `per_minute` requests from one address in any 60 seconds (0 = no limit)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.seen: dict[str, deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> None:
        if self.per_minute <= 0:
            return
        address = request.client.host if request.client else "unknown"
        now = time.monotonic()
        with self.lock:
            times = self.seen[address]
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= self.per_minute:
                raise HTTPException(429, "Too many questions at once - please wait a minute and ask again.",
                                    headers={"retry-after": str(int(61 - (now - times[0])))})
            times.append(now)


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    """scrypt: slow to guess on purpose. Only the salt and the hash are kept, never the password."""
    salt = salt or secrets.token_bytes(16)
    return salt, hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1)


# ------------------------------------------------------------------------------------------ the app
def create_app(tutor: Tutor, storage: Storage, teacher_password: str, rate_limit: int = 30,
               model_name: str = "none") -> FastAPI:
    app = FastAPI(title="Build AI from Zero - AI tutor", version="1.0",
                  description="Answers school questions from the class notes, with sources.")
    limit = RateLimit(rate_limit)
    salt, password_hash = hash_password(teacher_password)
    basic = HTTPBasic(realm="teacher")

    def teacher(credentials: HTTPBasicCredentials = Depends(basic)) -> None:
        _, given = hash_password(credentials.password, salt)
        if not (hmac.compare_digest(given, password_hash) and credentials.username in ("teacher", "")):
            raise HTTPException(401, "Wrong user name or password.", headers={"www-authenticate": 'Basic realm="teacher"'})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, problem: RequestValidationError) -> JSONResponse:
        details = [{"field": "body", "msg": "The request body is not valid JSON: send {\"question\": \"...\"}."}
                   if error["type"] == "json_invalid" else  # its "loc" is a character position, not a field
                   {"field": ".".join(str(part) for part in error["loc"][1:]) or "body", "msg": error["msg"]}
                   for error in problem.errors()]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(Exception)
    async def broken(_: Request, problem: Exception) -> JSONResponse:
        log.exception("error while answering a request")  # the details stay in the server's log
        return JSONResponse({"detail": "Something went wrong on the server. Please try again."}, status_code=500)

    def start(request: AskRequest) -> tuple[str, Reply, int, int]:
        """Answer, and store the question and the answer (masked) before anything is sent back."""
        conversation_id = request.conversation_id
        if conversation_id is None:
            conversation_id = storage.new_conversation(request.lang)
        elif not storage.has_conversation(conversation_id):
            raise HTTPException(404, "There is no conversation with that id. Start a new chat.")
        reply = tutor.reply(request.question, request.lang, request.subject)
        flag = reply.guardrail or ("possible_self_harm" if reply.care else None)  # the teacher page counts it
        question_id = storage.add_message(conversation_id, "student", reply.question, subject=request.subject,
                                          lang=request.lang, guardrail=flag)
        answer_id = storage.add_message(conversation_id, "tutor", reply.answer, subject=request.subject,
                                        lang=request.lang, guardrail=reply.guardrail, confidence=reply.confidence,
                                        mode=reply.mode, note=reply.note, sources=reply.sources_dicts())
        return conversation_id, reply, question_id, answer_id

    @app.post("/api/ask", response_model=AskResponse, dependencies=[Depends(limit)])
    def ask(request: AskRequest) -> dict[str, Any]:
        conversation_id, reply, question_id, answer_id = start(request)
        return {"answer": reply.answer, "sources": reply.sources_dicts(), "guardrail": reply.guardrail,
                "confidence": reply.confidence, "conversation_id": conversation_id, "note": reply.note,
                "message_id": answer_id, "question_id": question_id}

    @app.post("/api/chat", response_class=EventSourceResponse, dependencies=[Depends(limit)])
    async def chat(started: tuple[str, Reply, int, int] = Depends(start)):
        # `start` runs as a dependency: once, in the thread pool, after the rate limit and before the response
        # begins. So the question is stored before the first byte is sent, and a missing conversation is a real
        # 404 (raised inside a generator it came too late: a 200 with an empty stream). The pieces then stream
        # from the event loop: as a plain generator each word was its own trip through the thread pool, which
        # made /api/chat about 10x slower than /api/ask under a class's load (benchmarks/serve_load.py).
        conversation_id, reply, question_id, answer_id = started
        for piece in reply.pieces():
            yield ServerSentEvent(event="token", data={"text": piece})
        yield ServerSentEvent(event="sources", data={"sources": reply.sources_dicts(), "guardrail": reply.guardrail,
                                                     "confidence": reply.confidence, "note": reply.note})
        yield ServerSentEvent(event="done", data={"conversation_id": conversation_id, "message_id": answer_id,
                                                  "question_id": question_id})

    @app.get("/api/conversations/{conversation_id}")
    def conversation(conversation_id: str) -> dict[str, Any]:
        if len(conversation_id) != 32 or not storage.has_conversation(conversation_id):
            raise HTTPException(404, "There is no conversation with that id.")
        return {"conversation_id": conversation_id, "messages": storage.conversation(conversation_id)}

    @app.post("/api/feedback", dependencies=[Depends(limit)])
    def feedback(request: FeedbackRequest) -> dict[str, bool]:
        if not storage.set_feedback(request.message_id, request.rating):
            raise HTTPException(404, "There is no tutor answer with that id.")
        return {"ok": True}

    @app.get("/api/subjects")
    def subjects() -> dict[str, Any]:
        return {"subjects": [{"id": key, "label": english, "label_hi": hindi} for key, (english, hindi) in SUBJECTS.items()]}

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "passages": len(tutor.retriever.passages), "retrieval": tutor.retriever.method,
                "model": model_name, "database": storage.engine.dialect.name}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/teacher", response_class=HTMLResponse, dependencies=[Depends(teacher)], include_in_schema=False)
    def teacher_page() -> str:
        return render_teacher_page(storage.summary())

    @app.get("/teacher/export.csv", dependencies=[Depends(teacher)], include_in_schema=False)
    def export() -> Response:
        out = io.StringIO()
        csv.writer(out).writerows(csv_rows(storage.questions_and_answers()))
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="tutor_questions.csv"'})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard)
    return app
