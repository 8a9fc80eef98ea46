"""The Level 5 data sets: sizes, fields, languages, and a held-out set that is really held out."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from level_5_real_finetune.metrics import words
from level_5_real_finetune.qa_data import EVALUATION_FILE, SECOND_ADAPTER_FILE, TRAINING_FILE

SUBJECTS = {"science", "maths", "history", "geography", "civics", "computers", "general_knowledge", "study_skills"}
KEYS = {"instruction", "response", "subject", "grade", "lang"}
STOP_WORDS = set("a an the is are was were of in on at to for and or what why how who which when where do does did "
                 "i my me we you it its this that be by with from as can into about".split())


def rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def content_words(text: str) -> set[str]:
    return set(words(text)) - STOP_WORDS


def jaccard(first: set[str], second: set[str]) -> float:
    return len(first & second) / len(first | second) if first | second else 0.0


@pytest.mark.parametrize("path,least,hindi", [(TRAINING_FILE, 300, 30), (EVALUATION_FILE, 40, 0)])
def test_school_files(path, least, hindi):
    data = rows(path)
    assert len(data) >= least
    assert all(set(row) == KEYS for row in data)
    assert all(row["subject"] in SUBJECTS and row["grade"] in range(6, 11) and row["lang"] in ("en", "hi") for row in data)
    assert all(row["instruction"].strip() and row["response"].strip() for row in data)
    languages = Counter(row["lang"] for row in data)
    assert languages["hi"] >= hindi
    for row in data:
        text = row["instruction"] + row["response"]
        if row["lang"] == "hi":
            assert re.search(r"[\u0900-\u097F]", text), row
        else:
            assert text.isascii(), row
    assert len({row["instruction"].lower() for row in data}) == len(data)
    assert set(Counter(row["subject"] for row in data)) == SUBJECTS  # every subject is there


def test_second_adapter_file():
    data = rows(SECOND_ADAPTER_FILE)
    assert len(data) >= 60 and all(set(row) == KEYS and row["subject"] == "kitchen" for row in data)


def test_held_out_questions_are_not_paraphrases_of_training_questions():
    """Each held-out pair shares few content words with every training pair, in question and in answer."""
    training = [(content_words(r["instruction"]), content_words(r["response"])) for r in rows(TRAINING_FILE)]
    for row in rows(EVALUATION_FILE):
        question, answer = content_words(row["instruction"]), content_words(row["response"])
        closest_question = max(jaccard(question, other) for other, _ in training)
        closest_answer = max(jaccard(answer, other) for _, other in training)
        assert closest_question < 0.5, (row["instruction"], closest_question)
        assert closest_answer < 0.5, (row["instruction"], closest_answer)
    assert not {r["instruction"].lower() for r in rows(EVALUATION_FILE)} & {r["instruction"].lower() for r in rows(TRAINING_FILE)}
