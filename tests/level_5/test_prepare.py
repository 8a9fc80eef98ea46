"""prepare_data.py: answer-only labels, dynamic padding, bad lines by number, field names, the split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildai.data import load_corpus
from buildai.errors import UserError
from level_4_mini_gpt.export_hf import to_hugging_face_tokenizer
from level_5_real_finetune.prepare_data import IGNORE, make_example, pad_batch, prepare, readable, windows
from level_5_real_finetune.qa_data import Pair, read_pairs
from level_5_real_finetune.template import format_answer, format_prompt
from tests.conftest import assert_plain, message_text


@pytest.fixture(scope="module")
def tokenizer():
    return to_hugging_face_tokenizer(load_corpus().tokenizer)


def test_labels_mask_exactly_the_prompt(tokenizer):
    pair = Pair("Why is the sky blue?", "Air scatters blue light more than red light.")
    example = make_example(tokenizer, pair, "plain")
    prompt_length = len(format_prompt(pair.question))  # a character model: one token per character
    assert example.labels[:prompt_length] == [IGNORE] * prompt_length
    assert example.labels[prompt_length:] == example.input_ids[prompt_length:]
    assert IGNORE not in example.labels[prompt_length:]
    assert tokenizer.decode(example.input_ids[prompt_length:]) == format_answer(pair.answer)


def test_padding_is_masked_and_never_attended(tokenizer):
    pairs = [Pair("What is 2 plus 2?", "4."), Pair("Name a planet.", "Mars, the red planet, is one.")]
    examples = [make_example(tokenizer, pair, "plain") for pair in pairs]
    batch = pad_batch([{"input_ids": e.input_ids, "labels": e.labels} for e in examples], pad=0)
    short = len(examples[0].input_ids)
    assert batch["input_ids"].shape[1] == len(examples[1].input_ids)  # as long as the longest, no longer
    assert batch["labels"][0, short:].eq(IGNORE).all() and batch["attention_mask"][0, short:].eq(0).all()
    masked = batch["labels"][0].eq(IGNORE)
    prompt_length = len(format_prompt(pairs[0].question))
    assert masked.nonzero().flatten().tolist() == list(range(prompt_length)) + list(range(short, batch["labels"].shape[1]))


@pytest.mark.parametrize("window", [16, 33, 64])
def test_windows_score_every_answer_token_exactly_once_with_enough_context(tokenizer, window):
    pair = Pair("Why does the monsoon come?", "Warm land pulls moist sea air inland in summer. " * 3)
    example = make_example(tokenizer, pair, "plain")
    pieces = windows(example, window)
    assert all(len(piece["input_ids"]) <= window for piece in pieces)
    scored = []  # (position in the example, token, its position in its window)
    position = 0
    for piece in pieces:
        start = next(i for i in range(len(example.input_ids)) if example.input_ids[i:i + len(piece["input_ids"])] == piece["input_ids"]) if position == 0 else position
        for offset, label in enumerate(piece["labels"]):
            if label != IGNORE:
                scored.append((start + offset, label, offset))
        position = start + window // 2
    answer_positions = [i for i, label in enumerate(example.labels) if label != IGNORE]
    assert [p for p, _, _ in scored] == answer_positions  # each answer token once, in order
    assert all(label == example.input_ids[p] for p, label, _ in scored)
    assert all(offset >= window // 2 or p < window for p, _, offset in scored)  # half a window of context


def test_unreadable_pairs_are_set_aside_and_the_split_follows_the_seed(tokenizer):
    pairs = [Pair(f"Question number {i}?", f"Answer number {i}.") for i in range(30)] + [Pair("पानी क्या है?", "एक द्रव।")]
    prepared = prepare(pairs, tokenizer, "plain", seed=1)
    assert [p.question for p in prepared.unreadable] == ["पानी क्या है?"]
    assert "प" in prepared.missing_characters
    assert len(prepared.train) == 27 and len(prepared.validation) == 3
    again = prepare(pairs, tokenizer, "plain", seed=1)
    other = prepare(pairs, tokenizer, "plain", seed=2)
    assert [e.pair for e in again.validation] == [e.pair for e in prepared.validation]
    assert [e.pair for e in other.validation] != [e.pair for e in prepared.validation]
    assert not readable(tokenizer, "Z(1)")  # the stories have no capital Z and no brackets


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_field_names_bad_lines_and_duplicates(tmp_path: Path):
    path = write(tmp_path / "pairs.jsonl", [
        json.dumps({"instruction": "What is rain?", "response": "Water from clouds."}),
        json.dumps({"question": "What is snow?", "answer": "Frozen water."}),
        "{not json",
        json.dumps({"input": "What is hail?", "output": "Balls of ice."}),
        json.dumps({"question": "What is rain?", "answer": "Again."}),
        json.dumps({"question": "", "answer": "Nothing asked."}),
        "[1, 2]",
        json.dumps({"title": "no pair here"}),
    ])
    pairs = read_pairs(path)
    assert [p.question for p in pairs.pairs] == ["What is rain?", "What is snow?", "What is hail?"]
    assert [number for number, _ in pairs.problems] == [3, 6, 7, 8]
    assert pairs.duplicates == 1
    with pytest.raises(UserError, match="line 3"):
        read_pairs(path, strict=True)


def test_script_reports_bad_lines_by_number_and_strict_exits_2(tmp_path: Path, level5_root: Path, run_level5):
    path = write(tmp_path / "pairs.jsonl", [json.dumps({"question": f"What is {i} plus {i}?", "answer": f"It is {2 * i}."})
                                            for i in range(12)] + ["oops", json.dumps({"answer": "no question"})])
    done = run_level5("prepare_data.py", "--base-model", "local", "--data", str(path), output_root=level5_root)
    assert done.returncode == 0, done.stderr
    assert "line 13: not valid JSON" in done.stdout and "line 14:" in done.stdout
    assert "training examples" in done.stdout and "-100" in done.stdout
    strict = run_level5("prepare_data.py", "--base-model", "local", "--data", str(path), "--strict", output_root=level5_root)
    assert strict.returncode == 2 and "line 13" in message_text(strict.stderr) and "Traceback" not in strict.stderr
    assert_plain(strict)
    from datasets import load_dataset

    prepared = load_dataset("json", data_files=str(level5_root / "level_5_real_finetune" / "prepared" / "train.jsonl"))
    assert {"input_ids", "labels"} <= set(prepared["train"].column_names)


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary", "caf\u00e9".encode("latin-1")])
def test_unusable_files_are_user_errors(tmp_path: Path, content: bytes):
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(content)
    with pytest.raises(UserError):
        read_pairs(path)


def test_an_unusable_file_is_a_one_paragraph_message(tmp_path: Path, level5_root: Path, run_level5):
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(b"\x00\x01binary")
    done = run_level5("prepare_data.py", "--base-model", "local", "--data", str(path), output_root=level5_root)
    assert done.returncode == 2 and "binary" in message_text(done.stderr) and "Traceback" not in done.stderr
