"""More data: a text too big for the memory, tokenized once into a file of ids read straight from the disk.

A text in memory costs far more than its size: Python's list of ids takes 8 bytes a character and the
tensor made from it 8 more, so 100 MB of text would need about 2 GB of memory. Real training scripts
(nanoGPT's prepare.py, for one) turn the text into ids ONCE and save them as a plain file of numbers:
one byte an id when the vocabulary has at most 256 characters, two bytes up to 65,536. Training then
opens that file with `numpy.memmap`, which reads from the disk only the windows a batch asks for.

How `load_token_file` does it, reading the text in pieces of 256 KiB (a few MB of memory, whatever the size):

  1. The inputs: one .txt file, or every .txt file of a folder (sorted by name, joined with a blank line
     between them). Their fingerprint: each file's name, size and SHA-256. If the cache (<name>.bin and
     <name>.json next to the checkpoint) was made from the same files by the same tokenizer, it is used as
     it is. Otherwise:
  2. First pass: the set of characters, sorted -- exactly CharTokenizer.from_text's vocabulary, so a model
     trained this way is saved, loaded and used for generating like any other. Every file gets the same
     checks as buildai.data.read_text_file (empty, binary, not UTF-8), with the same messages.
  3. Second pass: each piece turned into ids and appended to the .bin file, written under a temporary name
     and renamed at the end, so a crash never leaves half a cache that looks whole.
  4. The held-out part is the last 10% of the ids, cut by the same rule (buildai.data.split_point) as a
     text in memory: one character is one id, so the cut falls at the very same character.

`load_text` chooses: the course stories and any file under LARGE_TEXT_BYTES are read into memory as
always (buildai.data.load_corpus: every number of the lessons stays the same); a folder or a bigger
file gets a token file.

>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> _ = open(os.path.join(folder, "poem.txt"), "w", encoding="utf-8").write("chai, samosa, jalebi, chai!")
>>> tokens = load_token_file(os.path.join(folder, "poem.txt"), os.path.join(folder, "cache"))
>>> tokens.tokenizer.chars == CharTokenizer.from_text("chai, samosa, jalebi, chai!").chars
True
>>> tokens.tokenizer.decode(tokens.ids[:4].tolist()), len(tokens.train_ids), len(tokens.val_ids)
('chai', 24, 3)
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from buildai.data import CORPUS_PATH_KEY, Corpus, load_corpus, split_point, stream_text_file
from buildai.errors import UserError
from buildai.paths import DEFAULT_CORPUS, show_path
from buildai.safe_io import read_json, write_json
from buildai.tokenizer import CharTokenizer

# Below this size a file is read into memory as before (about 20 bytes of memory a character: 16 MiB of
# text needs some 350 MB, still comfortable on a 4 GB laptop). From it on, and for every folder: a token file.
LARGE_TEXT_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 1 << 18  # read 256 KiB at a time: each piece is copied a few times (decoded, turned into ids)
FILE_SEPARATOR = "\n\n"  # a blank line between two files of a folder, so one file's end runs not into the next
CACHE_FOLDER = "token_cache"  # the folder, next to the checkpoint, that holds the token files
FORMAT_NAME = "buildai-token-file"
FORMAT_VERSION = 1  # raise it when the way ids are made changes: every old cache is then rebuilt
NGRAM_TRAIN_CHARS = 250_000  # the n-gram baseline learns from this many characters before the cut ...
NGRAM_VAL_CHARS = 25_000  # ... and is scored on this many after it (about the size of the course stories)


def text_files(source: str | Path) -> list[Path]:
    """The files to read: `source` itself, or the .txt files of the folder `source`, sorted by name."""
    source = Path(source)
    if not source.is_dir():
        return [source]  # stream_text_file explains a missing file
    files = sorted((path for path in source.iterdir() if path.suffix.lower() == ".txt" and path.is_file()),
                   key=lambda path: path.name)
    if not files:
        raise UserError(f"The folder '{show_path(source)}' has no .txt files in it. Put your text in files "
                        f"ending in .txt (saved as UTF-8), or give the path of one file.")
    return files


def fingerprint(files: list[Path]) -> dict[str, Any]:
    """What the cache was made from: the tokenizer's kind and each file's name, size and SHA-256 (read in pieces).

    Any change to any file, a file added or removed, or a new way of making ids gives a different one.
    """
    inputs = []
    for path in files:
        digest = hashlib.sha256()
        with path.open("rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                digest.update(chunk)
        inputs.append({"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()})
    return {"format_version": FORMAT_VERSION, "tokenizer": "char", "separator": FILE_SEPARATOR, "files": inputs}


def joined_text(files: list[Path], chunk_bytes: int = CHUNK_BYTES) -> Iterator[str]:
    """The text of all files, with a blank line between two files, in pieces (each file checked as it is read)."""
    for number, path in enumerate(files):
        if number:
            yield FILE_SEPARATOR
        yield from stream_text_file(path, chunk_bytes)


def vocabulary(files: list[Path]) -> CharTokenizer:
    """The first pass: every character of the text, sorted -- CharTokenizer.from_text on the joined text."""
    seen: set[str] = set()
    for piece in joined_text(files):
        seen.update(piece)
    return CharTokenizer.from_text("".join(seen))  # from_text sorts: the same ids as for the whole text


def id_dtype(vocab_size: int) -> np.dtype:
    """The smallest numbers that can hold every id: 1 byte up to 256 characters, 2 bytes up to 65,536.

    >>> id_dtype(72), id_dtype(300)
    (dtype('uint8'), dtype('uint16'))
    """
    if vocab_size <= 256:
        return np.dtype(np.uint8)
    if vocab_size <= 65536:
        return np.dtype("<u2")  # little-endian on every computer, so a cache can be copied to another one
    raise UserError(f"The text has {vocab_size:,} different characters; a character model can name at most "
                    f"65,536. Train on a text with fewer kinds of characters.")


@dataclass(frozen=True)
class TokenIds:
    """Part of a token file, sliced like a tensor: `ids[a:b]` copies just those ids into a new int64 tensor."""

    array: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, part: slice) -> torch.Tensor:
        return torch.from_numpy(np.array(self.array[part], dtype=np.int64))


@dataclass(frozen=True)
class TokenFile:
    """A tokenized text on disk, used by train.py in place of a `Corpus` (the same names for what it needs)."""

    source: Path  # the file or folder given
    files: list[Path]
    tokenizer: CharTokenizer
    ids: np.ndarray = field(repr=False)  # the memory-mapped ids of the whole text
    train_tokens: int  # where the held-out part begins
    sha256: str  # SHA-256 of the whole text (for one file: the same as its Corpus.sha256)
    bin_path: Path
    built: bool  # made now (True) or found from an earlier run (False)

    @property
    def train_ids(self) -> TokenIds:
        return TokenIds(self.ids[: self.train_tokens])

    @property
    def val_ids(self) -> TokenIds:
        return TokenIds(self.ids[self.train_tokens :])

    @property
    def train_text(self) -> str:
        """A sample for the n-gram baseline: the last NGRAM_TRAIN_CHARS characters before the cut."""
        return self.tokenizer.decode(self.ids[max(0, self.train_tokens - NGRAM_TRAIN_CHARS) : self.train_tokens].tolist())

    @property
    def val_text(self) -> str:
        """A sample for the n-gram baseline: the first NGRAM_VAL_CHARS held-out characters."""
        return self.tokenizer.decode(self.ids[self.train_tokens : self.train_tokens + NGRAM_VAL_CHARS].tolist())

    def metadata(self) -> dict[str, Any]:
        """What a saved model records about its text: the path (file or folder) and the text's fingerprint."""
        return {CORPUS_PATH_KEY: str(self.source), "corpus_sha256": self.sha256}


def cache_name(source: Path) -> str:
    """One cache per input, named after it (plus a bit of its full path, so two 'notes' folders differ).

    >>> len(cache_name(Path("my poems.txt"))), cache_name(Path("my poems.txt"))[:9]
    (19, 'my_poems-')
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", source.stem)[:40] or "text"
    return f"{stem}-{hashlib.sha256(str(source).encode('utf-8')).hexdigest()[:10]}"


def load_token_file(source: str | Path, cache_folder: str | Path) -> TokenFile:
    """The token file for `source` (a file or a folder of .txt files): reused if up to date, else made now."""
    source = Path(source).resolve()
    files = text_files(source)
    cache_folder = Path(cache_folder)
    bin_path, info_path = cache_folder / f"{cache_name(source)}.bin", cache_folder / f"{cache_name(source)}.json"
    inputs = fingerprint(files)
    info = _read_info(info_path)
    built = not (info is not None and info.get("inputs") == inputs and _bin_matches(bin_path, info))
    if built:
        info = _build(files, inputs, bin_path, info_path)
    assert info is not None
    tokenizer = CharTokenizer.from_dict(info["tokenizer"])
    ids = np.memmap(bin_path, dtype=np.dtype(info["dtype"]), mode="r", shape=(info["tokens"],))
    return TokenFile(source, files, tokenizer, ids, info["train_tokens"], info["text_sha256"], bin_path, built)


def _read_info(info_path: Path) -> dict[str, Any] | None:
    """The cache's description, or None when there is none or it is damaged (then the cache is made again)."""
    if not info_path.is_file():
        return None
    try:
        info = read_json(info_path, what="token file description")
    except UserError:
        return None
    needed = {"format", "tokenizer", "dtype", "tokens", "train_tokens", "text_sha256", "inputs"}
    return info if isinstance(info, dict) and info.get("format") == FORMAT_NAME and needed <= info.keys() else None


def _bin_matches(bin_path: Path, info: dict[str, Any]) -> bool:
    try:
        return bin_path.stat().st_size == int(info["tokens"]) * np.dtype(info["dtype"]).itemsize
    except (OSError, TypeError, ValueError):
        return False


def _build(files: list[Path], inputs: dict[str, Any], bin_path: Path, info_path: Path) -> dict[str, Any]:
    """Passes 1 and 2: the vocabulary, then the ids, written atomically; returns the new description."""
    tokenizer = vocabulary(files)
    dtype = id_dtype(tokenizer.vocab_size)
    # Each character becomes the character whose code is its id; encoding that string gives the id bytes
    # (latin-1: one byte each; UTF-16: two). str.translate and encode run in C: fast, and no list of ints.
    table = {ord(char): chr(number) for number, char in enumerate(tokenizer.chars)}
    encoding = "latin-1" if dtype.itemsize == 1 else "utf-16-le"
    bin_path.parent.mkdir(parents=True, exist_ok=True)
    info_path.unlink(missing_ok=True)  # from here on an old description never vouches for a half-new .bin
    handle, temp_name = tempfile.mkstemp(dir=bin_path.parent, prefix=f".{bin_path.name}.", suffix=".tmp")
    digest, tokens = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in joined_text(files):
                digest.update(piece.encode("utf-8"))
                # surrogatepass: ids 55,296 ... 57,343 are not characters of their own in UTF-16; write them anyway
                out.write(piece.translate(table).encode(encoding, "surrogatepass"))
                tokens += len(piece)
            out.flush()
            os.fsync(out.fileno())
        train_tokens = split_point(tokens)  # the same cut as a text in memory; too short: a clear message
        os.replace(temp_name, bin_path)
    except BaseException:  # also on Ctrl-C or a bad file: never leave a stray temporary file behind
        Path(temp_name).unlink(missing_ok=True)
        raise
    info = {"format": FORMAT_NAME, "tokenizer": tokenizer.to_dict(), "dtype": dtype.str, "tokens": tokens,
            "train_tokens": train_tokens, "text_sha256": digest.hexdigest(), "inputs": inputs}
    write_json(info_path, info)
    return info


def get_batch(ids: TokenIds, block_size: int, batch_size: int,
              generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows straight from the disk: Step 3.4's get_batch, for a token file.

    The start points are drawn exactly as there (the same call on the same generator), so the same seed
    gives the same windows as the ids in memory would. Only each window's block_size + 1 ids are copied.

    >>> ids = TokenIds(np.arange(10, dtype=np.uint8))
    >>> inputs, targets = get_batch(ids, block_size=4, batch_size=2, generator=torch.Generator().manual_seed(0))
    >>> inputs.shape, inputs.dtype, bool((targets == inputs + 1).all())
    (torch.Size([2, 4]), torch.int64, True)
    """
    if len(ids) <= block_size:
        raise UserError(
            f"The text has only {len(ids)} characters, too short for windows of {block_size} characters "
            f"(plus one to predict). Use a longer text or a smaller --block-size."
        )
    starts = torch.randint(len(ids) - block_size, (batch_size,), generator=generator)
    windows = np.stack([ids.array[start : start + block_size + 1] for start in starts.tolist()])
    windows = torch.from_numpy(windows.astype(np.int64))
    return windows[:, :-1].contiguous(), windows[:, 1:].contiguous()


def needs_token_file(source: str | Path | None) -> bool:
    """Does `source` get a token file (a folder, or a file of LARGE_TEXT_BYTES or more)? Cheap: no text is read.

    >>> needs_token_file(None), needs_token_file(DEFAULT_CORPUS)
    (False, False)
    """
    if source is None or Path(source).resolve() == DEFAULT_CORPUS.resolve():
        return False
    path = Path(source)
    return path.is_dir() or (path.is_file() and path.stat().st_size >= LARGE_TEXT_BYTES)


def load_text(source: str | Path | None, cache_folder: str | Path) -> Corpus | TokenFile:
    """What train.py learns from: the course stories or a file under LARGE_TEXT_BYTES in memory, as always;
    a folder of .txt files or a bigger file as a token file in `cache_folder`."""
    if needs_token_file(source):
        return load_token_file(Path(source), cache_folder)  # type: ignore[arg-type]  # never None here
    return load_corpus(source)
