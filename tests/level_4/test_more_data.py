"""More data: a folder or a huge file is tokenized once, streaming, into a memory-mapped token file.

The token file must give exactly the ids, the split and the windows the text in memory would give, be
made with little memory, be reused when nothing changed and rebuilt when something did.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from buildai import token_file
from buildai.data import Corpus, load_corpus, train_val_split
from buildai.tokenizer import CharTokenizer
from level_3_transformer.batches import get_batch
from tests.conftest import REPO_ROOT, assert_bad_text_rejected, assert_ok, make_bad_text_file

WORDS = ["chai", "samosa", "jalebi", "dosa", "mango", "river", "kite", "school", "Priya", "Arjun,", "ran.", "\n"]


def write_words(path: Path, size_bytes: int, seed: int = 0) -> None:
    """Seeded random words (ASCII, so one byte is one character), written a line at a time."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as file:
        written = 0
        while written < size_bytes:
            line = " ".join(rng.choice(WORDS) for _ in range(1000)) + "\n"
            file.write(line)
            written += len(line)


MEASURE = """
import sys, tracemalloc
from buildai import token_file
tracemalloc.start()
tokens = token_file.load_token_file(sys.argv[1], sys.argv[2])
print(tracemalloc.get_traced_memory()[1], len(tokens.ids), tokens.built)
"""


def test_a_20_mb_file_is_tokenized_with_little_memory(tmp_path: Path) -> None:
    text_path = tmp_path / "big.txt"
    write_words(text_path, 20_000_000)
    size = text_path.stat().st_size
    process = subprocess.run([sys.executable, "-c", MEASURE, str(text_path), str(tmp_path / "cache")],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    peak, tokens, built = process.stdout.split()
    print(f"peak Python memory while tokenizing {size:,} bytes: {int(peak):,} bytes")
    assert built == "True"
    assert int(tokens) == size  # every character became one id
    assert int(peak) < size / 4, f"tokenizing held {int(peak):,} bytes at once: the text was not streamed"
    # The ids on disk are the text's: the start and the end decode back to it.
    tokens_file = token_file.load_token_file(text_path, tmp_path / "cache")
    assert not tokens_file.built
    with text_path.open(encoding="utf-8") as file:
        start = file.read(5000)
    assert tokens_file.tokenizer.decode(tokens_file.ids[:5000].tolist()) == start
    assert tokens_file.ids.dtype == np.uint8


@pytest.mark.parametrize("extra", ["", "".join(chr(0x0900 + number) for number in range(300))], ids=["uint8", "uint16"])
def test_the_ids_and_the_split_are_char_tokenizers(tmp_path: Path, extra: str) -> None:
    text = "Chai, samosa!\r\nनमस्ते दोस्त.\n\nA kite 😀 flew.\n" * 40 + extra
    (tmp_path / "small.txt").write_bytes(text.encode("utf-8"))
    corpus = load_corpus(tmp_path / "small.txt")  # the text in memory, as every level reads it
    tokens = token_file.load_token_file(tmp_path / "small.txt", tmp_path / "cache")
    assert tokens.tokenizer.chars == CharTokenizer.from_text(corpus.text).chars
    assert tokens.ids.tolist() == corpus.tokenizer.encode(corpus.text)
    assert tokens.ids.dtype == (np.uint16 if extra else np.uint8)
    assert tokens.train_tokens == len(train_val_split(corpus.text)[0]) == len(corpus.train_ids)
    assert tokens.train_ids[0 : len(tokens.train_ids)].tolist() == corpus.train_ids
    assert tokens.val_ids[0 : len(tokens.val_ids)].tolist() == corpus.val_ids
    assert tokens.sha256 == corpus.sha256  # the same fingerprint of the text either way


def make_folder(folder: Path) -> list[str]:
    folder.mkdir()
    texts = ["The crow drank.\n", "Priya flew a kite\r\nover the river.", "नमस्ते! The end.\n"]
    for name, text in zip(["b.txt", "a.txt", "c.txt"], texts):
        (folder / name).write_bytes(text.encode("utf-8"))
    (folder / "notes.md").write_text("not a .txt file: left out", encoding="utf-8")
    return [texts[1].replace("\r\n", "\n"), texts[0], texts[2]]  # sorted by name: a, b, c


def test_a_folder_gives_the_same_cache_as_its_files_joined(tmp_path: Path) -> None:
    in_order = make_folder(tmp_path / "stories")
    joined = tmp_path / "joined.txt"
    joined.write_text("\n\n".join(in_order), encoding="utf-8", newline="")
    from_folder = token_file.load_token_file(tmp_path / "stories", tmp_path / "cache")
    from_file = token_file.load_token_file(joined, tmp_path / "cache")
    assert [path.name for path in from_folder.files] == ["a.txt", "b.txt", "c.txt"]
    assert from_folder.bin_path != from_file.bin_path
    assert from_folder.tokenizer.chars == from_file.tokenizer.chars
    assert from_folder.ids.tolist() == from_file.ids.tolist()
    assert from_folder.train_tokens == from_file.train_tokens
    assert from_folder.sha256 == from_file.sha256


def test_the_cache_is_reused_and_rebuilt_when_a_file_changes(tmp_path: Path) -> None:
    make_folder(tmp_path / "stories")
    first = token_file.load_token_file(tmp_path / "stories", tmp_path / "cache")
    written = first.bin_path.stat().st_mtime_ns
    assert first.built
    os.utime(first.bin_path, ns=(written - 10**9, written - 10**9))  # so a rewrite shows even on a coarse clock
    written = first.bin_path.stat().st_mtime_ns
    again = token_file.load_token_file(tmp_path / "stories", tmp_path / "cache")
    assert not again.built and again.bin_path.stat().st_mtime_ns == written
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == sorted(
        [first.bin_path.name, first.bin_path.with_suffix(".json").name])  # no temporary file left over
    (tmp_path / "stories" / "b.txt").write_text("The crow drank water.\n", encoding="utf-8")
    changed = token_file.load_token_file(tmp_path / "stories", tmp_path / "cache")
    assert changed.built and changed.bin_path.stat().st_mtime_ns != written
    assert "water" in changed.tokenizer.decode(changed.ids.tolist())
    assert changed.sha256 != first.sha256
    # A damaged description is not trusted: the cache is made again.
    changed.bin_path.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert token_file.load_token_file(tmp_path / "stories", tmp_path / "cache").built


def test_a_batch_from_the_token_file_equals_the_same_windows_in_memory(tmp_path: Path) -> None:
    write_words(tmp_path / "words.txt", 50_000, seed=3)
    corpus = load_corpus(tmp_path / "words.txt")
    tokens = token_file.load_token_file(tmp_path / "words.txt", tmp_path / "cache")
    in_memory = torch.tensor(corpus.train_ids, dtype=torch.long)
    expected = get_batch(in_memory, 32, 8, torch.Generator().manual_seed(7))
    drawn = token_file.get_batch(tokens.train_ids, 32, 8, torch.Generator().manual_seed(7))
    assert drawn[0].dtype == torch.long
    assert torch.equal(drawn[0], expected[0]) and torch.equal(drawn[1], expected[1])
    assert not torch.equal(drawn[0], get_batch(in_memory, 32, 8, torch.Generator().manual_seed(8))[0])


def test_only_a_folder_or_a_big_file_gets_a_token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(token_file.load_text(None, tmp_path / "cache"), Corpus)  # the course stories: as always
    write_words(tmp_path / "words.txt", 5_000)
    assert isinstance(token_file.load_text(tmp_path / "words.txt", tmp_path / "cache"), Corpus)
    monkeypatch.setattr(token_file, "LARGE_TEXT_BYTES", 4_000)
    assert isinstance(token_file.load_text(tmp_path / "words.txt", tmp_path / "cache"), token_file.TokenFile)
    make_folder(tmp_path / "stories")
    assert isinstance(token_file.load_text(tmp_path / "stories", tmp_path / "cache"), token_file.TokenFile)


def test_a_folder_with_a_bad_file_gets_the_usual_message(tmp_path: Path, run_script) -> None:
    make_folder(tmp_path / "stories")
    bad = make_bad_text_file(tmp_path / "stories", "not_utf8")
    process = run_script("level_4_mini_gpt/train.py", "--data", str(tmp_path / "stories"), "--preset", "tiny",
                         "--max-steps", "5", "--quiet")
    assert_bad_text_rejected(process, bad)
    assert "not UTF-8" in process.stdout + process.stderr


def test_a_folder_with_no_text_files_is_explained(tmp_path: Path) -> None:
    (tmp_path / "empty_folder").mkdir()
    with pytest.raises(Exception, match="has no .txt files"):
        token_file.load_token_file(tmp_path / "empty_folder", tmp_path / "cache")


def test_train_learns_from_a_folder(tmp_path: Path, run_script, output_root: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    for number in range(3):
        write_words(folder / f"book{number}.txt", 40_000, seed=number)
    process = run_script("level_4_mini_gpt/train.py", "--data", str(folder), "--preset", "tiny",
                         "--max-steps", "5", "--quiet", "--threads", "1")
    assert_ok(process)
    level = output_root / "level_4_mini_gpt"
    info = json.loads((level / "checkpoint" / "model.json").read_text(encoding="utf-8"))
    assert info["corpus_path"] == str(folder.resolve()) and info["step"] == 5
    assert len(list((level / token_file.CACHE_FOLDER).glob("*.bin"))) == 1
    assert info["tokenizer"]["chars"] == sorted(set(" ".join(WORDS) + "\n"))
