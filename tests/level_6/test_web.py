"""The web API as a browser (or curl) sees it: answers, streaming, history, feedback, and every refusal.

FastAPI's TestClient runs the real app in the test's process; `client.stream` reads a Server-Sent Events
answer piece by piece, as the page does. Storage is a fresh SQLite file for each test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from level_6_rag_tutor.storage import Storage
from level_6_rag_tutor.tutor import Tutor
from level_6_rag_tutor.web import MAX_BODY, SECURITY_HEADERS, create_app

PASSWORD = "chai-at-four"
QUESTION = "Why do we see lightning before we hear thunder?"


def make_client(tutor: Tutor, storage: Storage, rate_limit: int = 0) -> TestClient:
    return TestClient(create_app(tutor, storage, PASSWORD, rate_limit=rate_limit), raise_server_exceptions=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Storage]:
    storage = Storage(f"sqlite:///{(tmp_path / 'tutor.sqlite3').as_posix()}")
    yield storage
    storage.engine.dispose()


@pytest.fixture
def client(tutor: Tutor, store: Storage) -> TestClient:
    return make_client(tutor, store)


def events(client: TestClient, body: dict) -> list[tuple[str, dict]]:
    """POST /api/chat and read its Server-Sent Events as (event, data) pairs, in the order they came."""
    found, event = [], "message"
    with client.stream("POST", "/api/chat", json=body) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                found.append((event, json.loads(line.removeprefix("data:").strip())))
                event = "message"
    return found


def test_ask_answers_with_sources_and_stores_both_messages(client: TestClient, store: Storage) -> None:
    response = client.post("/api/ask", json={"question": QUESTION, "subject": "science"})
    assert response.status_code == 200
    body = response.json()
    assert {"answer", "sources", "guardrail", "confidence", "conversation_id"} <= body.keys()
    assert body["guardrail"] is None and body["answer"].startswith("Here is what the notes say")
    assert body["sources"] and set(body["sources"][0]) == {"title", "subject", "snippet", "score"}
    stored = store.conversation(body["conversation_id"])
    assert [(m["role"], m["text"]) for m in stored] == [("student", QUESTION), ("tutor", body["answer"])]
    assert stored[1]["id"] == body["message_id"] and stored[0]["id"] == body["question_id"]


def test_chat_streams_tokens_then_sources_then_done(client: TestClient, store: Storage) -> None:
    found = events(client, {"question": QUESTION})
    kinds = [event for event, _ in found]
    assert kinds[-2:] == ["sources", "done"] and set(kinds[:-2]) == {"token"} and len(kinds) > 5
    answer = "".join(data["text"] for event, data in found if event == "token")
    sources, done = found[-2][1], found[-1][1]
    assert sources["sources"] and sources["guardrail"] is None and 0 < sources["confidence"] <= 1
    stored = store.conversation(done["conversation_id"])
    assert stored[-1]["text"] == answer and stored[-1]["id"] == done["message_id"]
    # The same conversation continues: the second question joins the first.
    again = events(client, {"question": "What is the shoot system of a plant?", "conversation_id": done["conversation_id"]})
    assert again[-1][1]["conversation_id"] == done["conversation_id"]
    history = client.get(f"/api/conversations/{done['conversation_id']}").json()["messages"]
    assert [m["role"] for m in history] == ["student", "tutor", "student", "tutor"]


def test_personal_data_never_reaches_the_database(client: TestClient, store: Storage) -> None:
    body = client.post("/api/ask", json={"question": "mail me at ravi.kumar@example.com: what is rain?"}).json()
    assert body["guardrail"] == "personal_data"
    texts = " ".join(m["text"] for m in store.conversation(body["conversation_id"]))
    assert "ravi.kumar" not in texts and "mail me at [e-mail]: what is rain?" in texts
    assert "ravi.kumar@example.com" not in " ".join(row["question"] for row in store.questions_and_answers())


def test_self_harm_gets_the_helpline_through_the_api_too(client: TestClient) -> None:
    found = events(client, {"question": "mujhe ab jeena nahi hai", "lang": "hi"})
    answer = "".join(data["text"] for event, data in found if event == "token")
    assert found[-2][1]["guardrail"] == "self_harm" and "14416" in answer and found[-2][1]["sources"] == []


def test_feedback_is_stored_and_bad_feedback_refused(client: TestClient, store: Storage) -> None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    assert client.post("/api/feedback", json={"message_id": body["message_id"], "rating": 1}).json() == {"ok": True}
    assert store.conversation(body["conversation_id"])[1]["feedback"] == 1
    assert client.post("/api/feedback", json={"message_id": body["question_id"], "rating": 1}).status_code == 404
    assert client.post("/api/feedback", json={"message_id": body["message_id"], "rating": 5}).status_code == 422


@pytest.mark.parametrize("body, field", [
    ({"question": ""}, "question"), ({"question": "   "}, "question"), ({"question": "x" * 1001}, "question"),
    ({"question": "hi", "lang": "fr"}, "lang"), ({"question": "hi", "subject": "astrology"}, "subject"),
    ({"question": "hi", "conversation_id": "../../etc"}, "conversation_id"), ({}, "question"),
    ({"question": 42}, "question")])
def test_bad_input_gets_422_saying_which_field(client: TestClient, body: dict, field: str) -> None:
    for path in ("/api/ask", "/api/chat"):
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, body)
        assert field in [problem["field"] for problem in response.json()["detail"]]
        assert "Traceback" not in response.text


def test_a_body_that_is_not_json_gets_a_clear_4xx(client: TestClient) -> None:
    broken = client.post("/api/ask", content=b'{"question": "hi"', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["detail"][0]["field"] == "body"
    assert "not valid JSON" in broken.json()["detail"][0]["msg"]
    garbled = client.post("/api/ask", content=b"\xff\xfe not json", headers={"content-type": "application/json"})
    assert garbled.status_code == 400 and "parsing the body" in garbled.json()["detail"]
    for body in (b"[1, 2]", b"null"):
        assert client.post("/api/ask", content=body, headers={"content-type": "application/json"}).status_code == 422


def test_an_unknown_conversation_is_404_before_anything_streams(client: TestClient, store: Storage) -> None:
    missing = "0123456789abcdef" * 2
    for path in ("/api/ask", "/api/chat"):
        response = client.post(path, json={"question": QUESTION, "conversation_id": missing})
        assert response.status_code == 404 and "conversation" in response.json()["detail"]
    assert client.get(f"/api/conversations/{missing}").status_code == 404
    assert client.get("/api/conversations/not-an-id").status_code == 404
    assert store.questions_and_answers() == []  # nothing was stored for them


def test_an_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/api/ask", content=b'{"question": "' + b"a" * MAX_BODY + b'"}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_too_many_questions_from_one_address_is_429_and_not_stored(tutor: Tutor, store: Storage) -> None:
    client = make_client(tutor, store, rate_limit=3)
    assert [client.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(3)] == [200] * 3
    for path in ("/api/ask", "/api/chat"):
        refused = client.post(path, json={"question": QUESTION})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0 and "wait" in refused.json()["detail"]
    assert len(store.questions_and_answers()) == 3


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/api/health"), client.post("/api/ask", json={}),
                     client.get("/static/app.js"), client.get("/teacher")):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, name)
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["content-security-policy"]


def test_an_error_inside_the_server_is_a_plain_500(store: Storage) -> None:
    class Broken(Tutor):
        def __init__(self) -> None:
            pass

        def reply(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("secret internal detail")

    response = make_client(Broken(), store).post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 500 and "secret internal detail" not in response.text
    assert response.json() == {"detail": "Something went wrong on the server. Please try again."}


def test_the_teacher_page_needs_the_password(client: TestClient) -> None:
    client.post("/api/ask", json={"question": "<b>bold</b> how do plants make food?", "subject": "science"})
    assert client.get("/teacher").status_code == 401
    assert client.get("/teacher", auth=("teacher", "wrong")).status_code == 401
    assert client.get("/teacher/export.csv", auth=("teacher", "wrong")).status_code == 401
    page = client.get("/teacher", auth=("teacher", PASSWORD))
    assert page.status_code == 200 and PASSWORD not in page.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page.text and "<b>bold</b>" not in page.text  # shown, never run
    export = client.get("/teacher/export.csv", auth=("teacher", PASSWORD))
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.text.splitlines()[0].startswith("asked_at,") and "how do plants make food?" in export.text


def test_the_api_is_documented_and_the_page_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/chat", "/api/conversations/{conversation_id}", "/api/feedback"} <= paths.keys()
    health = client.get("/api/health").json()
    assert health["ok"] and health["retrieval"] == "bm25" and health["database"] == "sqlite"
    assert {subject["id"] for subject in client.get("/api/subjects").json()["subjects"]} >= {"science", "history"}
    page = client.get("/")
    assert page.status_code == 200 and "<script src=" in page.text and "<html" in page.text


def test_the_confidence_note_comes_back_with_the_history(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Which planet has the most moons?"}).json()
    assert body["note"]  # a weak match: the answer says "please check"
    history = client.get(f"/api/conversations/{body['conversation_id']}").json()["messages"]
    assert history[1]["note"] == body["note"] and history[0]["note"] is None
