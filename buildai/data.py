"""Loading and checking the text every level learns from.

Every level reads its text through `load_corpus`, so the same checks (and the
same friendly messages) apply everywhere: a missing file, a folder, an empty
file, a binary file or a file that is not UTF-8 each stop the script with a
`UserError` that names the file and says what to do.
"""

from __future__ import annotations

from pathlib import Path

from buildai.errors import UserError
from buildai.paths import DEFAULT_CORPUS, show_path

VALIDATION_FRACTION = 0.1  # every level holds out the last 10% of the text
MIN_SPLIT_LENGTH = 20  # below this, a 10% held-out part is one or two letters: meaningless


def read_text_file(path: str | Path) -> str:
    """Read a UTF-8 text file, normalising Windows line endings, or explain why we cannot.

    >>> read_text_file("story.txt")  # doctest: +SKIP
    'Once upon a time ...'
    """
    path = Path(path)
    shown = show_path(path)
    if not path.exists():
        raise UserError(
            f"The file '{shown}' does not exist. Check the spelling and the folder you are in "
            f"(you can give a full path), or leave out --text to use the course stories."
        )
    if path.is_dir():
        raise UserError(f"'{shown}' is a folder, not a text file. Give the path of a .txt file inside it.")
    raw = path.read_bytes()
    if not raw.strip():
        raise UserError(
            f"The file '{shown}' is empty, so there is nothing to learn from. "
            f"Put some text in it (a few paragraphs at least) and run again."
        )
    if b"\x00" in raw:
        raise UserError(
            f"The file '{shown}' looks like a binary file (an image, a program or a zip?), not text. "
            f"Give a plain .txt file saved as UTF-8."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise UserError(
            f"The file '{shown}' is not UTF-8 text (the first bad byte is at position {problem.start}). "
            f"Open it in a text editor and save it again with the encoding 'UTF-8'."
        ) from None
    text = text.lstrip("\ufeff")  # a byte-order mark that Notepad sometimes adds
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_corpus(path: str | Path | None = None) -> str:
    """The course stories, or the learner's own text when `path` is given (`--text FILE`)."""
    return read_text_file(DEFAULT_CORPUS if path is None else path)


def split_paragraphs(text: str) -> list[str]:
    """The pieces of a corpus: paragraph blocks separated by blank lines.

    >>> split_paragraphs("A fox.\\n\\nA crow.\\n")
    ['A fox.', 'A crow.']
    """
    return [block.strip() for block in text.split("\n\n") if block.strip()]


def train_val_split(text: str, val_fraction: float = VALIDATION_FRACTION) -> tuple[str, str]:
    """Split text into training and held-out (validation) parts: the first 90% and the last 10%.

    Every level uses this same split, so their held-out scores can be compared.

    >>> train_val_split("abcdefghij")
    ('abcdefghi', 'j')
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must be between 0 and 1")
    cut = int(len(text) * (1.0 - val_fraction))
    if len(text) < MIN_SPLIT_LENGTH or cut >= len(text):
        raise UserError(
            f"The text is too short to split into a training part and a held-out part "
            f"({len(text)} characters). Use a text of at least a few hundred characters."
        )
    return text[:cut], text[cut:]
