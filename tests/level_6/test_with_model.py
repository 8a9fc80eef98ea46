"""The tutor with a real fine-tuned Level 5 model: it writes from the best note, and is kept only if grounded.

Uses the session's tiny local base and its 'school' adapter (tests/level5_fixtures.py), so this is the
path a learner gets after finishing Level 5: `chat.py` (and `serve.py`) find the adapter by themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from level_6_rag_tutor.knowledge_base import load_passages
from level_6_rag_tutor.retrieval import Retriever
from level_6_rag_tutor.tutor import TEXTS, Tutor, grounded_share, model_writer
from tests.conftest import REPO_ROOT, assert_ok
from tests.level5_fixtures import run_level5_script

QUESTION = "Why do we see lightning before we hear thunder?"


def test_the_model_writes_an_answer_that_is_checked_against_the_notes(finetuned_root: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDAI_OUTPUT_DIR", str(finetuned_root))
    write = model_writer("school", seed=1)
    retriever = Retriever(load_passages(), "bm25", tmp_path / "index")
    passages = [hit.passage for hit in retriever.search(QUESTION, 3)]
    written = write(QUESTION, passages)
    assert isinstance(written, str) and written == write(QUESTION, passages)  # seeded: the same answer again
    reply = Tutor(retriever, write).reply(QUESTION)
    assert reply.sources and reply.mode in ("model", "notes")
    if reply.mode == "model":  # kept: most of its words are in the notes
        assert grounded_share(reply.answer, passages) >= 0.6
    else:  # a tiny model's words were not in the notes: the notes answer, and the student is told why
        assert reply.note == TEXTS["ungrounded"]["en"] and reply.answer.startswith("Here is what the notes say")


def test_chat_finds_the_fine_tuned_model_by_itself(finetuned_root: Path) -> None:
    process = run_level5_script("chat.py", "--adapter", "school", "--ask", QUESTION, "--no-distress-check",
                                output_root=finetuned_root, folder=REPO_ROOT / "level_6_rag_tutor")
    assert_ok(process)
    out = " ".join(process.stdout.split())  # rich wraps long lines
    assert "Adapter: school" in out and "Sources" in out
    assert "How: by the model, checked against the notes" in out or TEXTS["ungrounded"]["en"] in out
