"""Loading and checking the text every level learns from.

Every level reads its text through `load_corpus`, which returns a `Corpus`: the text,
its character tokenizer, the train and held-out parts (and their ids), its fingerprint
and where it came from. So every level splits the text the same way, and the same checks
(and the same friendly messages) apply everywhere: a missing file, a folder, an empty
file, a binary file or a file that is not UTF-8 (or UTF-16 with a byte-order mark, what
older Windows Notepad saves as "Unicode") each stop the script with a `UserError` that
names the file and says what to do.

>>> corpus = load_corpus()
>>> corpus.path.name, corpus.is_course_stories, corpus.tokenizer.vocab_size
('stories.txt', True, 72)
>>> len(corpus.train_text) + len(corpus.val_text) == len(corpus.text)
True
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from buildai.errors import UserError
from buildai.paths import DEFAULT_CORPUS, show_path
from buildai.tokenizer import CharTokenizer

# What Notepad and other editors put at the start of a UTF-16 file: the byte-order mark (BOM).
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")

VALIDATION_FRACTION = 0.1  # every level holds out the last 10% of the text
MIN_SPLIT_LENGTH = 20  # below this, a 10% held-out part is one or two letters: meaningless


def read_text_file(path: str | Path) -> str:
    """Read a UTF-8 text file, normalising Windows line endings, or explain why we cannot.

    >>> read_text_file("story.txt")  # doctest: +SKIP
    'Once upon a time ...'
    """
    path = Path(path)
    shown = _check_is_file(path)
    raw = path.read_bytes()
    if raw.startswith(UTF16_MARKS):
        raw = _utf16_as_utf8(raw, shown)
    if not raw.strip():
        raise UserError(_empty_message(shown))
    if b"\x00" in raw:
        raise UserError(_binary_message(shown))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise UserError(_not_utf8_message(shown, problem.start)) from None
    text = text.lstrip("\ufeff")  # a byte-order mark that Notepad sometimes adds
    return text.replace("\r\n", "\n").replace("\r", "\n")


# The messages, shared by read_text_file and stream_text_file so a big file gets the same help as a small one.


def _check_is_file(path: Path) -> str:
    """The path as the learner should see it, once we know it is an existing file (not a folder)."""
    shown = show_path(path)
    if not path.exists():
        raise UserError(
            f"The file '{shown}' does not exist. Check the spelling and the folder you are in "
            f"(you can give a full path), or leave out --text to use the course stories."
        )
    if path.is_dir():
        raise UserError(f"'{shown}' is a folder, not a text file. Give the path of a .txt file inside it.")
    return shown


def _empty_message(shown: str) -> str:
    return (f"The file '{shown}' is empty, so there is nothing to learn from. "
            f"Put some text in it (a few paragraphs at least) and run again.")


def _binary_message(shown: str) -> str:
    return (f"The file '{shown}' looks like a binary file (an image, a program or a zip?), not text. "
            f"Give a plain .txt file saved as UTF-8.")


def _not_utf8_message(shown: str, position: int) -> str:
    return (f"The file '{shown}' is not UTF-8 text (the first bad byte is at position {position}). "
            f"Open it in a text editor and save it again with the encoding 'UTF-8'.")


def _damaged_utf16_message(shown: str) -> str:
    return (f"The file '{shown}' starts like UTF-16 text but is damaged part-way through. "
            f"Open it in a text editor and save it again with the encoding 'UTF-8'.")


STREAM_CHUNK_BYTES = 1 << 20  # stream_text_file reads 1 MiB at a time: a few MB of memory for a file of any size
_ASCII_SPACE = b" \t\n\r\x0b\x0c"  # what bytes.strip() removes: a file of only these counts as empty


def stream_text_file(path: str | Path, chunk_bytes: int = STREAM_CHUNK_BYTES) -> Iterator[str]:
    """read_text_file's text in pieces of about `chunk_bytes`, so a file bigger than the memory can be read.

    The pieces joined are exactly read_text_file(path), and a bad file stops with the same message. A
    problem is only raised once the whole file has been read, because read_text_file checks in a fixed
    order (empty, then binary, then UTF-8) and the first bad byte may come before a NUL further on.

    >>> import tempfile, os
    >>> sample = os.path.join(tempfile.mkdtemp(), "crlf.txt")
    >>> _ = open(sample, "wb").write("\\ufeffChai\\r\\nsamosa\\rjalebi".encode("utf-8"))
    >>> pieces = list(stream_text_file(sample, chunk_bytes=5))   # "\\r" and "\\n" land in different pieces
    >>> "".join(pieces) == read_text_file(sample) == "Chai\\nsamosa\\njalebi"
    True
    """
    path = Path(path)
    shown = _check_is_file(path)
    with path.open("rb") as file:
        first = file.read(max(chunk_bytes, len(UTF16_MARKS[0])))  # enough to see a UTF-16 mark
        is_utf16 = first.startswith(UTF16_MARKS)
        decoder = codecs.getincrementaldecoder("utf-16" if is_utf16 else "utf-8")()
        offset = 0  # bytes of the file handed to the decoder so far
        bad_byte: int | None = None  # where UTF-8 decoding first failed (read_text_file's number)
        has_text = has_nul = False
        at_start, held_cr = True, ""
        chunk = first
        while True:
            final = not chunk
            if not is_utf16:  # read_text_file checks the raw bytes of a UTF-8 file
                has_text = has_text or bool(chunk.strip(_ASCII_SPACE))
                has_nul = has_nul or b"\x00" in chunk
            text = ""
            if bad_byte is None:
                pending = len(decoder.getstate()[0])  # bytes of a character cut off at the end of the last chunk
                try:
                    text = decoder.decode(chunk, final=final)
                except UnicodeDecodeError as problem:
                    if is_utf16:
                        raise UserError(_damaged_utf16_message(shown)) from None
                    bad_byte = offset - pending + problem.start
            offset += len(chunk)
            if is_utf16:  # ... and the UTF-8 bytes a UTF-16 file turns into
                has_text = has_text or bool(text.strip(_ASCII_SPACE.decode()))
                has_nul = has_nul or "\x00" in text
            if at_start:
                text = text.lstrip("\ufeff")  # byte-order marks, as read_text_file strips them
                at_start = not text
            text = held_cr + text
            held_cr = ""
            if text.endswith("\r") and not final:  # its "\n" may be the first character of the next chunk
                text, held_cr = text[:-1], "\r"
            if text and bad_byte is None:
                yield text.replace("\r\n", "\n").replace("\r", "\n")
            if final:
                break
            chunk = file.read(chunk_bytes)
    if not has_text:
        raise UserError(_empty_message(shown))
    if has_nul:
        raise UserError(_binary_message(shown))
    if bad_byte is not None:
        raise UserError(_not_utf8_message(shown, bad_byte))


@dataclass(frozen=True)
class JsonLines:
    """A JSON Lines file, read leniently: the records that parsed, and what was wrong with the rest.

    `records` holds (line number, object) for every line that is a JSON object; `problems` holds
    (line number, what is wrong) for every other non-blank line, so a script can report them by
    number and go on -- or stop, if the learner asked it to be strict.
    """

    path: Path
    records: list[tuple[int, dict[str, Any]]]
    problems: list[tuple[int, str]]


def read_jsonl(path: str | Path) -> JsonLines:
    """Read a .jsonl file (one JSON object per line) with read_text_file's checks.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> sample = os.path.join(folder, "pairs.jsonl")
    >>> _ = open(sample, "w", encoding="utf-8").write('{"a": 1}\\n\\nnot json\\n[1, 2]\\n')
    >>> lines = read_jsonl(sample)
    >>> lines.records, lines.problems
    ([(1, {'a': 1})], [(3, 'not valid JSON (Expecting value at column 1)'), (4, 'a JSON list, not an object {...}')])
    """
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(read_text_file(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as problem:
            problems.append((number, f"not valid JSON ({problem.msg} at column {problem.colno})"))
            continue
        if isinstance(value, dict):
            records.append((number, value))
        else:
            problems.append((number, f"a JSON {_json_kind(value)}, not an object {{...}}"))
    return JsonLines(Path(path), records, problems)


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "true/false", type(None): "null"}.get(type(value), "number")


def _utf16_as_utf8(raw: bytes, shown: str) -> bytes:
    """A UTF-16 file with a byte-order mark is text, just stored two bytes a character: re-encode it."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError:
        raise UserError(_damaged_utf16_message(shown)) from None


@dataclass(frozen=True)
class Corpus:
    """A text to learn from, read and checked once, with everything the levels need from it.

    `path` is where it came from; `is_course_stories` says whether that is the course's own
    stories (then `metadata()` records no path, so a saved model still finds them after the
    repository is moved).
    """

    text: str = field(repr=False)
    path: Path
    is_course_stories: bool

    @cached_property
    def _split(self) -> tuple[str, str]:
        return train_val_split(self.text)

    @property
    def train_text(self) -> str:
        """The first 90%: what a model learns from."""
        return self._split[0]

    @property
    def val_text(self) -> str:
        """The last 10%, held out: never learned from, only used to measure."""
        return self._split[1]

    @cached_property
    def tokenizer(self) -> CharTokenizer:
        """The vocabulary: every character of the whole text (the held-out part included, so
        held-out text never has characters the model cannot name)."""
        return CharTokenizer.from_text(self.text)

    @cached_property
    def train_ids(self) -> list[int]:
        return self.tokenizer.encode(self.train_text)

    @cached_property
    def val_ids(self) -> list[int]:
        return self.tokenizer.encode(self.val_text)

    @cached_property
    def sha256(self) -> str:
        """A fingerprint of the text: any change to it, even one letter, gives a different one."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def metadata(self) -> dict[str, Any]:
        """What a saved model or history records about its text: one key for the path, one for the fingerprint."""
        return {CORPUS_PATH_KEY: None if self.is_course_stories else str(self.path), "corpus_sha256": self.sha256}


CORPUS_PATH_KEY = "corpus_path"  # the one name every saved file uses for the text's path (None = the course stories)


def load_corpus(path: str | Path | None = None) -> Corpus:
    """The course stories, or the learner's own text when `path` is given (`--text FILE`)."""
    chosen = Path(DEFAULT_CORPUS if path is None else path)
    resolved = chosen.resolve()
    return Corpus(read_text_file(chosen), resolved, resolved == DEFAULT_CORPUS.resolve())


def split_paragraphs(text: str) -> list[str]:
    """The pieces of a corpus: paragraph blocks separated by blank lines.

    >>> split_paragraphs("A fox.\\n\\nA crow.\\n")
    ['A fox.', 'A crow.']
    """
    return [block.strip() for block in text.split("\n\n") if block.strip()]


def train_val_split(text: str, val_fraction: float = VALIDATION_FRACTION) -> tuple[str, str]:
    """Split text into training and held-out (validation) parts: the first 90% and the last 10%.

    Every level uses this same split, so their held-out scores can be compared.

    >>> train_val_split("Chai, samosa, jalebi!")
    ('Chai, samosa, jale', 'bi!')
    """
    cut = split_point(len(text), val_fraction)
    return text[:cut], text[cut:]


def split_point(length: int, val_fraction: float = VALIDATION_FRACTION) -> int:
    """Where a text of `length` characters is cut: characters before it are trained on, the rest held out.

    The one rule for a text in memory (train_val_split) and for a token file on disk (buildai.token_file).

    >>> split_point(21)
    18
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must be between 0 and 1")
    cut = int(length * (1.0 - val_fraction))
    if length < MIN_SPLIT_LENGTH or cut >= length:
        raise UserError(
            f"The text is too short to split into a training part and a held-out part "
            f"({length} characters). Use a text of at least a few hundred characters."
        )
    return cut
