"""A character tokenizer: every distinct character in the training text gets a number.

Levels 2, 3 and 4 all turn text into numbers this way. It is the simplest
tokenizer there is -- real models use sub-word pieces, but characters let a
learner see every single prediction.

>>> tok = CharTokenizer.from_text("hello")
>>> tok.chars
['e', 'h', 'l', 'o']
>>> tok.encode("hole")
[1, 3, 2, 0]
>>> tok.decode([1, 0, 2, 2, 3])
'hello'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildai.errors import UserError
from buildai.safe_io import read_json, write_json


@dataclass
class CharTokenizer:
    chars: list[str]
    _index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("a tokenizer's characters must be distinct")
        self._index = {ch: i for i, ch in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        """Build the vocabulary: the sorted set of characters in `text`."""
        if not text:
            raise UserError("Cannot build a vocabulary from an empty text.")
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: str) -> bool:
        return ch in self._index

    def unknown_chars(self, text: str) -> list[str]:
        """Characters in `text` that the model never saw, each once, in order of appearance."""
        return list(dict.fromkeys(ch for ch in text if ch not in self._index))

    def encode(self, text: str, skip_unknown: bool = False) -> list[int]:
        """Text -> list of ids. Unknown characters raise a UserError, or are dropped with skip_unknown."""
        if not skip_unknown:
            unknown = self.unknown_chars(text)
            if unknown:
                names = ", ".join(repr(ch) for ch in unknown)
                raise UserError(
                    f"The text contains characters the model has never seen: {names}. "
                    f"Remove them, or train on a text that contains them."
                )
        return [self._index[ch] for ch in text if ch in self._index]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.chars[i] for i in ids)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "char", "chars": self.chars}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CharTokenizer":
        chars = data.get("chars") if isinstance(data, dict) else None
        if not isinstance(chars, list) or not all(isinstance(ch, str) and len(ch) == 1 for ch in chars):
            raise UserError("The saved vocabulary is damaged: expected a list of single characters.")
        return cls(chars)

    def save(self, path: str | Path) -> Path:
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> "CharTokenizer":
        return cls.from_dict(read_json(path, what="vocabulary file"))
