"""The web tutor in a real browser, used the way a student and a teacher use it.

The other web tests talk to the API directly; they cannot see what the page's JavaScript does with the
answers. Here the real app runs on a real server (uvicorn, on 127.0.0.1), and headless Chromium opens
the chat page and works it with the keyboard and the mouse:

* a question typed into the box is answered, and the answer arrives as a stream of Server-Sent Events,
  quotes the class notes, and lists its sources under it;
* 👍 on an answer is stored in the database as a +1 for that answer;
* reloading the page brings the conversation back (the page keeps the conversation's id in
  localStorage and reloads its messages from the server), 👍 included;
* a question that is HTML, `<script>alert(1)</script>`, is shown as the characters the student typed:
  nothing runs, no dialog opens, and no <script> element appears in the chat;
* an answer is drawn as Markdown (bold, code, lists) while any HTML in it is only shown, never run;
* the teacher page refuses a wrong password (401) and, with the right one, shows what the class asked.

On every page, a JavaScript error or a console error fails the test: a student would meet a broken page.

The browser is the system's Chromium (found on PATH as `chromium`). Where there is none the tests are
skipped, except on CI (CI=true), which installs Chromium, so a missing browser there is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Locator, Page, expect, sync_playwright

from level_6_rag_tutor.knowledge_base import load_passages
from level_6_rag_tutor.retrieval import Retriever
from level_6_rag_tutor.storage import Storage
from level_6_rag_tutor.tutor import Tutor
from level_6_rag_tutor.web import create_app
from tests.conftest import LOCAL_ONLY

pytestmark = LOCAL_ONLY  # it starts a local server and talks to it on 127.0.0.1

PASSWORD = "correct horse battery staple"
WAIT = 15_000  # milliseconds: the longest any one thing may take to appear
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SKY = "Why is the sky blue?"
SKY_NOTE_TITLE = "why is the sky blue?"  # the title of the note that answers it
SKY_NOTE_TEXT = "scatter blue light"  # words of that note
SCRIPT = "<script>alert(1)</script>"
UNCOVERED = "How do penguins keep their eggs warm?"  # the notes do not cover it: the teacher page lists it

# Runs in the page before its own script: keeps the text of a tutor answer each time the page draws it,
# so a test can see that the answer grew piece by piece while it streamed in. (A record's added nodes keep
# the text of that drawing, even when several pieces arrive in one network read and are drawn in one go.)
COUNT_ANSWER_DRAWS = """
window.answerDrawn = [];
new MutationObserver((records) => {
  for (const record of records) {
    const target = record.target;
    if (target instanceof Element && target.matches("#messages .message.tutor > .text") && record.addedNodes.length) {
      window.answerDrawn.push(Array.from(record.addedNodes, (node) => node.textContent).join(""));
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


# ------------------------------------------------------------------------------------------ the server
@dataclass
class Served:
    url: str
    storage: Storage


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The tutor app (BM25 over the real notes, a fresh SQLite database) on a real uvicorn server."""
    import uvicorn

    folder = tmp_path_factory.mktemp("web")
    storage = Storage(f"sqlite:///{(folder / 't.sqlite3').as_posix()}")
    tutor = Tutor(Retriever(load_passages(), "bm25", folder / "index"))
    app = create_app(tutor, storage, PASSWORD)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # bound here: no race for a free port
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    for _ in range(600):  # up to 30 s; join returns at once if the server thread died
        if server.started or not thread.is_alive():
            break
        thread.join(timeout=0.05)
    assert server.started, "the uvicorn server did not start"
    try:
        yield Served(f"http://127.0.0.1:{port}", storage)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        assert not thread.is_alive(), "the uvicorn server did not stop"


# ------------------------------------------------------------------------------------------ the browser
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Chromium is not installed (no `chromium` on PATH), so the browser test cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI installs it, so this is a broken CI image.")
        pytest.skip(f"{reason}. Install it (e.g. `apt-get install chromium`) to run this test.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Problems:
    """What went wrong on a page: uncaught errors, console errors, and any alert/confirm/prompt dialog."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", self._page_error)
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} (at {message.location})")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser: Browser, served: Served, problems: Problems) -> Iterator[Page]:
    """A fresh student (own cookies and localStorage) on the chat page; no errors allowed on it."""
    context = browser.new_context(base_url=served.url)
    context.set_default_timeout(WAIT)
    context.add_init_script(COUNT_ANSWER_DRAWS)
    student = context.new_page()
    problems.watch(student)
    student.goto("/")
    expect(student.locator("#messages .welcome")).to_be_visible()
    try:
        yield student
    finally:
        context.close()
    assert problems.page_errors == [], f"uncaught errors on the page: {problems.page_errors}"
    assert problems.console_errors == [], f"errors in the browser console: {problems.console_errors}"
    assert problems.dialogs == [], f"the page opened dialogs: {problems.dialogs}"


# ------------------------------------------------------------------------------------------ helpers
def ask(page: Page, question: str) -> Locator:
    """Type the question into the box, press Enter, and wait for the whole answer: its tutor message."""
    tutors_before = page.locator("#messages .message.tutor").count()
    page.evaluate("() => { window.answerDrawn = []; }")
    box = page.get_by_label("Your question")
    box.fill(question)
    with page.expect_response(lambda response: response.url.endswith("/api/chat")) as chat:
        box.press("Enter")
    response = chat.value
    assert response.status == 200, f"/api/chat answered {response.status}"
    assert response.headers["content-type"].startswith("text/event-stream"), response.headers["content-type"]
    answer = page.locator("#messages .message.tutor").nth(tutors_before)
    expect(answer).to_have_attribute("data-done", "true")  # the stream's "done" event arrived
    expect(page.locator("#send")).to_be_enabled()
    drawn: list[str] = page.evaluate("() => window.answerDrawn")
    assert len(drawn) > 1, f"the answer was drawn at once, not piece by piece as it streamed in: {drawn}"
    assert len(drawn[0]) < len(drawn[-1]), f"the answer did not grow piece by piece: {drawn}"
    assert drawn[-1] == answer.locator(".text").text_content(), drawn
    return answer


def conversation_id(page: Page) -> str:
    stored = page.evaluate("() => localStorage.getItem('buildai.conversation')")
    assert isinstance(stored, str) and len(stored) == 32, f"no conversation id in localStorage: {stored!r}"
    return stored


# ------------------------------------------------------------------------------------------ the tests
def test_a_question_is_answered_from_the_notes_with_sources_and_can_be_rated(page: Page, served: Served) -> None:
    answer = ask(page, SKY)
    expect(page.locator("#messages .message.student .text")).to_have_text(SKY)
    expect(answer.locator(".text")).to_contain_text(SKY_NOTE_TEXT)
    expect(answer.locator(".text")).to_contain_text("Here is what the notes say")
    expect(answer).not_to_have_class("error")
    # The helpline is on the page whatever is asked: rules catch many messages of distress, never all.
    expect(page.locator("footer .helpline")).to_be_visible()
    expect(page.locator("footer .helpline")).to_contain_text("14416")

    # The sources sit under the answer, folded; a student opens them to see the notes' titles.
    sources = answer.locator(".sources")
    expect(sources.locator("summary")).to_contain_text("Sources")
    sources.locator("summary").click()
    first = sources.locator(".source-title").first
    expect(first).to_be_visible()
    expect(first).to_have_text(SKY_NOTE_TITLE)
    expect(sources.locator(".source-snippet").first).to_contain_text(SKY_NOTE_TEXT)

    # 👍, and the database holds +1 for exactly this answer.
    up = answer.get_by_role("button", name="Helpful", exact=True)
    expect(up).to_have_text("👍")
    with page.expect_response(lambda response: response.url.endswith("/api/feedback")) as sent:
        up.click()
    assert sent.value.status == 200, sent.value.text()
    expect(answer.locator(".feedback-status")).to_have_text("Thanks for the feedback!")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(answer.get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "false")

    messages = served.storage.conversation(conversation_id(page))
    assert [m["role"] for m in messages] == ["student", "tutor"]
    assert messages[0]["text"] == SKY
    assert messages[1]["id"] == int(answer.get_attribute("data-message-id") or 0)
    assert messages[1]["feedback"] == 1
    assert messages[0]["feedback"] is None


def test_the_conversation_survives_a_reload(page: Page, served: Served) -> None:
    answer = ask(page, SKY)
    answer.get_by_role("button", name="Helpful", exact=True).click()
    expect(answer.locator(".feedback-status")).to_have_text("Thanks for the feedback!")
    shown = answer.locator(".text").inner_text()

    page.reload()
    expect(page.locator("#messages .message")).to_have_count(2)
    expect(page.locator("#messages .welcome")).to_have_count(0)
    expect(page.locator("#messages .message.student .text")).to_have_text(SKY)
    again = page.locator("#messages .message.tutor")
    expect(again.locator(".text")).to_have_text(shown)
    expect(again.locator(".text")).to_contain_text(SKY_NOTE_TEXT)
    expect(again.locator(".source-title").first).to_have_text(SKY_NOTE_TITLE)
    expect(again.get_by_role("button", name="Helpful", exact=True)).to_have_attribute("aria-pressed", "true")

    # The reloaded chat goes on in the same conversation.
    before = conversation_id(page)
    ask(page, "How do plants make food?")
    assert conversation_id(page) == before
    assert [m["role"] for m in served.storage.conversation(before)] == ["student", "tutor"] * 2


def test_a_question_that_is_html_is_shown_as_text_and_never_run(page: Page, problems: Problems) -> None:
    answer = ask(page, SCRIPT)
    student = page.locator("#messages .message.student .text")
    expect(student).to_have_text(SCRIPT)  # the literal characters, < and > included
    expect(page.get_by_text(SCRIPT, exact=True)).to_be_visible()
    expect(answer.locator(".text")).not_to_be_empty()
    assert page.locator("#messages script").count() == 0, page.locator("#messages").inner_html()
    assert problems.dialogs == []

    page.reload()  # and again when the history is drawn from the server
    expect(page.locator("#messages .message.student .text")).to_have_text(SCRIPT)
    assert page.locator("#messages script").count() == 0, page.locator("#messages").inner_html()
    assert problems.dialogs == []


def test_an_answer_is_drawn_as_safe_markdown(page: Page, problems: Problems) -> None:
    """A model's answer may hold Markdown, or HTML it picked up somewhere: Markdown is drawn, HTML only shown.

    The notes hold neither, so the server's stream is replaced here by one that does (in the same
    Server-Sent Events format the server sends), to see what the page makes of it.
    """
    pieces = ["Plants need **sunlight** ", "and `water`.\n\n", "- roots take in water\n", "- leaves make food\n\n",
              "<img src=x onerror=alert(1)> ", "<script>alert(2)</script>"]
    events = [("token", {"text": piece}) for piece in pieces]
    events += [("sources", {"sources": [], "guardrail": None, "confidence": 1.0, "note": None}),
               ("done", {"conversation_id": None, "message_id": None, "question_id": None})]
    stream = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    page.route("**/api/chat", lambda route: route.fulfill(status=200, body=stream,
                                                         headers={"content-type": "text/event-stream"}))
    answer = ask(page, "How do plants make food?")
    text = answer.locator(".text")
    expect(text.locator("strong")).to_have_text("sunlight")
    expect(text.locator("code")).to_have_text("water")
    expect(text.locator("ul > li")).to_have_text(["roots take in water", "leaves make food"])
    expect(text).to_contain_text("<img src=x onerror=alert(1)> <script>alert(2)</script>")
    assert text.locator("img, script").count() == 0, text.inner_html()
    assert page.locator("#messages script, #messages img").count() == 0, page.locator("#messages").inner_html()
    assert problems.dialogs == []


def test_the_teacher_page_needs_the_password_and_shows_the_questions(page: Page, served: Served,
                                                                     browser: Browser) -> None:
    ask(page, UNCOVERED)
    teacher = f"{served.url}/teacher"

    assert httpx.get(teacher, timeout=10).status_code == 401
    wrong = httpx.get(teacher, auth=("teacher", "wrong password"), timeout=10)
    assert wrong.status_code == 401
    assert UNCOVERED not in wrong.text
    assert httpx.get(teacher, auth=("student", PASSWORD), timeout=10).status_code == 401
    right = httpx.get(teacher, auth=("teacher", PASSWORD), timeout=10)
    assert right.status_code == 200
    assert UNCOVERED in right.text
    export = httpx.get(f"{teacher}/export.csv", auth=("teacher", PASSWORD), timeout=10)
    assert export.status_code == 200 and UNCOVERED in export.text

    # The same in the browser: refused with the wrong password, shown with the right one.
    refused = browser.new_context(http_credentials={"username": "teacher", "password": "wrong password"})
    try:
        response = refused.new_page().goto(teacher)
        assert response is not None and response.status == 401
    finally:
        refused.close()
    allowed = browser.new_context(http_credentials={"username": "teacher", "password": PASSWORD})
    try:
        teacher_page = allowed.new_page()
        seen = Problems()
        seen.watch(teacher_page)
        response = teacher_page.goto(teacher)
        assert response is not None and response.status == 200
        expect(teacher_page.get_by_role("heading", name="Teacher page")).to_be_visible()
        expect(teacher_page.locator("main")).to_contain_text(UNCOVERED)
        assert (seen.page_errors, seen.console_errors, seen.dialogs) == ([], [], [])
    finally:
        allowed.close()
