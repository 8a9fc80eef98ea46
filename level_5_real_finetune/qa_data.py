"""Reading question-answer files: the plumbing behind prepare_data.py and evaluate.py.

A pair file is JSON Lines, one pair per line. Three spellings of the two fields are understood, because
data sets found online use all of them:

    {"instruction": "...", "response": "..."}      (ours, with "subject", "grade" and "lang" as well)
    {"question": "...", "answer": "..."}
    {"input": "...", "output": "..."}

A line that is not JSON, or has no question or no answer, is reported by its line number and skipped
(or, with strict=True, stops the run). Pairs whose question was already seen are dropped as duplicates.

>>> pair = pair_from_record({"question": "What is 2 + 2?", "answer": "4"}, 7)
>>> pair.question, pair.answer, pair.line, pair.lang
('What is 2 + 2?', '4', 7, 'en')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildai.data import read_jsonl
from buildai.errors import UserError
from buildai.paths import show_path

FIELD_NAMES = [("instruction", "response"), ("question", "answer"), ("input", "output")]
DATA_DIR = Path(__file__).resolve().parent / "data"
TRAINING_FILE = DATA_DIR / "education_qa.jsonl"
EVALUATION_FILE = DATA_DIR / "education_qa_eval.jsonl"
SECOND_ADAPTER_FILE = DATA_DIR / "kitchen_qa.jsonl"


@dataclass(frozen=True)
class Pair:
    question: str
    answer: str
    subject: str | None = None
    grade: int | None = None
    lang: str = "en"
    line: int = 0  # where it was in its file, for messages


@dataclass
class PairFile:
    pairs: list[Pair]
    problems: list[tuple[int, str]]  # (line number, what is wrong): skipped lines
    duplicates: int  # pairs dropped because their question came earlier


def pair_from_record(record: dict[str, Any], line: int) -> Pair:
    """One JSON object -> a Pair, or ValueError saying what is missing."""
    for question_field, answer_field in FIELD_NAMES:
        if question_field in record or answer_field in record:
            question, answer = record.get(question_field), record.get(answer_field)
            if not isinstance(question, str) or not question.strip():
                raise ValueError(f'no text in "{question_field}"')
            if not isinstance(answer, str) or not answer.strip():
                raise ValueError(f'no text in "{answer_field}"')
            grade = record.get("grade")
            return Pair(question.strip(), answer.strip(), record.get("subject"),
                        grade if isinstance(grade, int) else None, str(record.get("lang") or "en"), line)
    names = " or ".join(f'"{q}"/"{a}"' for q, a in FIELD_NAMES)
    raise ValueError(f"no question and answer fields (expected {names})")


def read_pairs(path: str | Path, strict: bool = False) -> PairFile:
    """Every usable pair of a JSONL file; bad lines reported (or fatal with strict), duplicates dropped."""
    lines = read_jsonl(path)
    problems = list(lines.problems)
    pairs, seen, duplicates = [], set(), 0
    for number, record in lines.records:
        try:
            pair = pair_from_record(record, number)
        except ValueError as problem:
            problems.append((number, str(problem)))
            continue
        key = " ".join(pair.question.lower().split())
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        pairs.append(pair)
    problems.sort()
    if problems and strict:
        listed = "; ".join(f"line {number}: {what}" for number, what in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise UserError(f"{show_path(Path(path))} has {len(problems)} bad line(s): {listed}{more}. "
                        f"Fix them, or run without --strict to skip them.")
    if not pairs:
        raise UserError(f"{show_path(Path(path))} has no usable question-answer pairs. Each line should be one "
                        f'JSON object such as {{"instruction": "What is rain?", "response": "Water falling from clouds."}}.')
    return PairFile(pairs, problems, duplicates)
