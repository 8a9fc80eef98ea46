"""The shared toolkit: text loading, safe I/O, tokenizer and the plain-output UI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from buildai import ui
from buildai.data import load_corpus, read_text_file, split_paragraphs, train_val_split
from buildai.errors import UserError
from buildai.safe_io import (
    atomic_write_text,
    load_numpy,
    load_tensors,
    load_torch_state,
    read_json,
    save_numpy,
    save_tensors,
    save_torch_state,
    write_json,
)
from buildai.tokenizer import CharTokenizer
from tests.conftest import BAD_TEXT_KINDS, make_bad_text_file


@pytest.mark.parametrize("kind", BAD_TEXT_KINDS)
def test_bad_text_files_raise_user_error_naming_the_file(tmp_path: Path, kind: str) -> None:
    path = make_bad_text_file(tmp_path, kind)
    with pytest.raises(UserError) as caught:
        read_text_file(path)
    assert path.name in str(caught.value)


def test_a_folder_is_not_a_text_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="folder"):
        read_text_file(tmp_path)


def test_windows_line_endings_and_bom_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("\ufeffline one\r\nline two\r\n".encode("utf-8"))
    assert read_text_file(path) == "line one\nline two\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_text(tmp_path: Path, encoding: str) -> None:
    """What older Windows Notepad saves as "Unicode": two bytes a character, after a byte-order mark."""
    path = tmp_path / "notepad_unicode.txt"
    text = "चाय की दुकान\r\nChai at Itarsi Junction.\r\n"
    data = text.encode(encoding)
    path.write_bytes(data if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "\ufeff".encode(encoding) + data)
    assert read_text_file(path) == "चाय की दुकान\nChai at Itarsi Junction.\n"


def test_utf16_without_a_byte_order_mark_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_mark.txt"
    path.write_bytes("Chai".encode("utf-16-le"))  # zero bytes between letters, and no mark to say why
    with pytest.raises(UserError, match="binary"):
        read_text_file(path)


def test_damaged_utf16_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    path.write_bytes(b"\xff\xfe" + "Chai".encode("utf-16-le") + b"\x00\xd8")  # half a surrogate pair
    with pytest.raises(UserError, match="damaged part-way"):
        read_text_file(path)


def test_corpus_splits_once_and_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("Monsoon clouds gather over the Western Ghats every June.\n" * 3, encoding="utf-8")
    corpus = load_corpus(path)
    assert (corpus.train_text, corpus.val_text) == train_val_split(corpus.text)
    assert corpus.tokenizer.decode(corpus.train_ids + corpus.val_ids) == corpus.text
    assert corpus.metadata() == {"corpus_path": str(path.resolve()), "corpus_sha256": corpus.sha256}
    assert load_corpus().metadata()["corpus_path"] is None  # the course stories: no path to go stale


def test_devanagari_round_trips(tmp_path: Path) -> None:
    text = "बारिश आई, मोर नाचा।\n"
    path = tmp_path / "hindi.txt"
    path.write_text(text, encoding="utf-8")
    assert read_text_file(path) == text
    tokenizer = CharTokenizer.from_text(text)
    assert tokenizer.decode(tokenizer.encode(text)) == text


def test_course_corpus_is_large_and_plain() -> None:
    text = load_corpus().text
    pieces = split_paragraphs(text)
    assert len(pieces) >= 150
    assert len(text.encode("utf-8")) >= 100_000
    assert all(ch == "\n" or 32 <= ord(ch) < 127 for ch in set(text))


def test_train_val_split_is_ninety_ten() -> None:
    train, val = train_val_split("x" * 1000)
    assert (len(train), len(val)) == (900, 100)
    with pytest.raises(UserError):
        train_val_split("ab")


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.json"
    write_json(target, {"a": 1})
    write_json(target, {"a": 2})
    assert read_json(target) == {"a": 2}
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_damaged_json_gives_clear_error(tmp_path: Path) -> None:
    path = atomic_write_text(tmp_path / "history.json", '{"epochs": [1, 2')
    with pytest.raises(UserError, match="damaged"):
        read_json(path, what="training history")


def test_safetensors_round_trip_and_truncation(tmp_path: Path) -> None:
    import torch

    weights = {"w": torch.randn(3, 4), "b": torch.arange(5.0)}
    path = save_tensors(tmp_path / "model.safetensors", weights, metadata={"step": "7"})
    loaded = load_tensors(path)
    assert torch.equal(loaded["w"], weights["w"]) and torch.equal(loaded["b"], weights["b"])
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(UserError, match="damaged or incomplete"):
        load_tensors(path)
    with pytest.raises(UserError, match="No checkpoint"):
        load_tensors(tmp_path / "nothing.safetensors")


def test_numpy_round_trip_and_truncation(tmp_path: Path) -> None:
    import numpy as np

    arrays = {"W1": np.arange(6.0).reshape(2, 3)}
    path = save_numpy(tmp_path / "net.npz", arrays)
    assert np.array_equal(load_numpy(path)["W1"], arrays["W1"])
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(UserError):
        load_numpy(path)


def test_torch_state_refuses_pickled_code(tmp_path: Path) -> None:
    import pickle

    import torch

    path = save_torch_state(tmp_path / "state.pt", {"step": 3, "moments": [torch.ones(2)]})
    assert load_torch_state(path)["step"] == 3

    class Sneaky:
        def __reduce__(self):  # what an attacker would put in a checkpoint
            return (print, ("this must never run",))

    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"x": Sneaky()}, protocol=2))
    with pytest.raises(UserError):
        load_torch_state(evil)


def test_tokenizer_unknown_characters_are_named_or_skipped(tmp_path: Path) -> None:
    tokenizer = CharTokenizer.from_text("the cat sat")
    with pytest.raises(UserError, match="'z'"):
        tokenizer.encode("the zebra")
    assert tokenizer.decode(tokenizer.encode("the zebra", skip_unknown=True)) == "the ea"
    assert tokenizer.unknown_chars("zebra") == ["z", "b", "r"]
    path = tokenizer.save(tmp_path / "vocab.json")
    assert CharTokenizer.load(path).chars == tokenizer.chars


def test_bar_uses_eighth_blocks() -> None:
    assert ui.bar(1, 2, width=4) == "\u2588\u2588"
    assert ui.bar(1, 2, width=1) == "\u258c"  # half a block
    assert ui.bar(0, 5) == ""


def test_ui_is_plain_when_no_color_is_set() -> None:
    code = (
        "from buildai import ui\n"
        "ui.heading('Title'); ui.explain('Why'); ui.result('loss', 1.5)\n"
        "ui.bar_chart('chart', [('a', 2.0), ('b', 1.0)])\n"
        "ui.line_chart({'train': [3, 2, 1], 'val': [3, 2.5, 2]})\n"
        "with ui.progress(4, 'Training') as t:\n"
        "    [t.advance(loss=0.5) for _ in range(4)]\n"
    )
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    process = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, encoding="utf-8")
    assert process.returncode == 0, process.stderr
    assert "\x1b" not in process.stdout
    assert "loss: 1.5" in process.stdout
    assert "Training: 100%" in process.stdout
