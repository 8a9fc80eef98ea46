"""Which pieces the model reads: characters (the course's own tokenizer) or BPE tokens (bpe.py).

    python train.py                                   # characters: every letter is one token (the default)
    python train.py --tokenizer bpe --vocab-size 512  # pieces of words, learned by bpe.py from the training text

Everything train.py needs to offer the choice lives here, so the training loop stays the same for both:

- `add_flags` and `checked_choice`: the two flags, and a clear message for a size that cannot work;
- `prepare`: the text with the chosen tokenizer. The text is split FIRST (the same 90/10 cut of the same
  characters, buildai.data), then each part is turned into ids. So the held-out text is the very same text
  for both tokenizers, and the BPE tokenizer learns from the training part only: it never sees the text it
  is scored on. It is saved next to the checkpoint (bpe_tokenizer.json) and reused while the training text
  and the size asked for stay the same (a resumed run must read exactly the same tokens);
- `TokenSizes`: how many characters and bytes each id stands for, so a held-out loss per token can be
  turned into bits per byte (see below);
- `record` and `from_record`: the tokenizer inside model.json, and back.

Why bits per byte? A character model's loss is per character, a BPE model's per token, and a token holds
several characters, so the two losses answer different questions. Both models can be asked the same one:
how many bits does it need for the whole held-out text? Divide by the size of that text in bytes and the
answer no longer depends on how the text was cut into pieces.

>>> checked_choice("bpe", None), checked_choice("char", None)
(512, None)
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Union

import numpy as np
import torch

from buildai import data, token_file, ui
from buildai.errors import UserError
from buildai.paths import show_path
from buildai.safe_io import read_json, write_json
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.bpe import BYTES, END_OF_TEXT, BPETokenizer

KINDS = ("char", "bpe")
DEFAULT_VOCAB_SIZE = 512  # 255 merges: already about two characters a token on our English stories
SMALLEST_VOCAB_SIZE = BYTES + 1  # the 256 bytes and the one special token, <|endoftext|>
TOKENIZER_FILE = "bpe_tokenizer.json"  # next to the checkpoint: the merges, in bpe.py's own format
UNITS = {"char": "characters", "bpe": "tokens"}  # what one position of the model holds, for messages

Tokenizer = Union[CharTokenizer, BPETokenizer]  # the same small interface: kind, vocab_size, encode, decode
Text = Union[data.Corpus, token_file.TokenFile, "BPECorpus"]  # what train.py learns from


def kind_of(tokenizer: Tokenizer) -> str:
    """'char' or 'bpe'. (The character tokenizer has no `kind` of its own: it is the one every level uses.)

    >>> kind_of(CharTokenizer(list("ab"))), kind_of(BPETokenizer([]))
    ('char', 'bpe')
    """
    return getattr(tokenizer, "kind", "char")


def unit_of(tokenizer: Tokenizer) -> str:
    """'characters' or 'tokens': the word for what one id is, in messages and tables."""
    return UNITS[kind_of(tokenizer)]


# ------------------------------------------------------------------------------ the flags


def add_flags(parser: argparse.ArgumentParser) -> None:
    """train.py's --tokenizer and --vocab-size."""
    group = parser.add_argument_group("tokenizer (what one position of the model holds)")
    group.add_argument("--tokenizer", choices=KINDS, default="char",
                       help="char: one character a token (default); bpe: pieces of words learned by bpe.py "
                            "from the training text")
    group.add_argument("--vocab-size", type=int, default=None, metavar="N",
                       help=f"with --tokenizer bpe: tokens in the vocabulary, 256 bytes + merges + 1 special "
                            f"(default {DEFAULT_VOCAB_SIZE})")


def checked_choice(kind: str, vocab_size: int | None) -> int | None:
    """The BPE vocabulary size to learn (None for characters), or a UserError saying what would work.

    >>> checked_choice("bpe", 200)
    Traceback (most recent call last):
    buildai.errors.UserError: --vocab-size must be at least 257 for a BPE tokenizer: 256 tokens for the bytes plus 1 special token (<|endoftext|>), before it has learned a single merge. You asked for 200. Try --vocab-size 512 or 1024.
    """
    if kind == "char":
        if vocab_size is not None:
            raise UserError("--vocab-size only works with --tokenizer bpe. A character model's vocabulary is "
                            "not chosen: it is every different character of the text. Leave out --vocab-size, or add --tokenizer bpe to learn pieces of words.")
        return None
    if vocab_size is None:
        return DEFAULT_VOCAB_SIZE
    if vocab_size < SMALLEST_VOCAB_SIZE:
        raise UserError(f"--vocab-size must be at least {SMALLEST_VOCAB_SIZE} for a BPE tokenizer: {BYTES} tokens "
                        f"for the bytes plus 1 special token ({END_OF_TEXT}), before it has learned a single "
                        f"merge. You asked for {vocab_size}. Try --vocab-size 512 or 1024.")
    return vocab_size


def saved_choice(state: dict[str, Any]) -> tuple[str, int | None]:
    """The tokenizer a saved run used (for --resume); a run saved before the choice existed read characters."""
    choice = state.get("tokenizer_choice") or {}
    kind = choice.get("kind", "char")
    return kind, (choice.get("vocab_size") if kind == "bpe" else None)


def refuse_big_text(kind: str, source: str | Path | None) -> None:
    """--tokenizer bpe reads a text in memory; a folder or a huge file (a token file) stays with characters.

    Checked before anything is read, so the learner does not wait for a big text to be tokenized first.
    """
    if kind == "bpe" and token_file.needs_token_file(source):
        raise UserError(f"--tokenizer bpe works with one text file under "
                        f"{token_file.LARGE_TEXT_BYTES // (1024 * 1024)} MB, not with a folder or a bigger file. "
                        f"bpe.py is written to be read, in plain Python, and learning merges from a text that big "
                        f"would take very long. Train on this text with characters (leave out --tokenizer and "
                        f"--vocab-size), or give --data one smaller file.")


# ------------------------------------------------------------------------------ the text, as BPE tokens


@dataclass(frozen=True)
class BPECorpus:
    """A Corpus read as BPE tokens: the same text and the same 90/10 cut, each part encoded on its own.

    It has the names train.py uses from a Corpus (tokenizer, train_ids, val_ids, train_text, val_text,
    sha256, metadata), so the training loop does not need to know which tokenizer it has.
    """

    corpus: data.Corpus
    tokenizer: BPETokenizer
    reused: bool  # the tokenizer came from bpe_tokenizer.json (True) or was learned now (False)
    asked: int  # the vocabulary size asked for (a short text can run out of pairs before it)
    path: Path  # where the tokenizer is saved: bpe_tokenizer.json, next to the checkpoint

    @property
    def text(self) -> str:
        return self.corpus.text

    @property
    def train_text(self) -> str:
        return self.corpus.train_text

    @property
    def val_text(self) -> str:
        return self.corpus.val_text

    @cached_property
    def train_ids(self) -> list[int]:
        return self.tokenizer.encode(self.corpus.train_text)

    @cached_property
    def val_ids(self) -> list[int]:
        return self.tokenizer.encode(self.corpus.val_text)

    @property
    def sha256(self) -> str:
        return self.corpus.sha256

    def metadata(self) -> dict[str, Any]:
        return self.corpus.metadata()


def prepare(text: data.Corpus | token_file.TokenFile, kind: str, vocab_size: int | None,
            folder: Path) -> Text:
    """The text as the chosen tokenizer reads it. Characters: unchanged. BPE: learned (or reused) from the
    training part only, and saved as `folder`/bpe_tokenizer.json."""
    if kind == "char":
        return text
    if not isinstance(text, data.Corpus):  # refuse_big_text stops this earlier; a second guard costs nothing
        raise UserError("--tokenizer bpe cannot read a token file. Leave out --tokenizer for a folder or a big file.")
    assert vocab_size is not None
    path = Path(folder) / TOKENIZER_FILE
    tokenizer, reused = bpe_for(text.train_text, vocab_size, path)
    return BPECorpus(text, tokenizer, reused, vocab_size, path)


def training_fingerprint(train_text: str, vocab_size: int) -> dict[str, Any]:
    """What a saved BPE tokenizer was learned from: when either changes, it is learned again."""
    return {"train_text_sha256": hashlib.sha256(train_text.encode("utf-8")).hexdigest(), "vocab_size_asked": vocab_size}


def bpe_for(train_text: str, vocab_size: int, path: Path) -> tuple[BPETokenizer, bool]:
    """The BPE tokenizer of `train_text`: read from `path` when it was learned from the same text with the
    same size asked, else learned now and saved there. Returns (tokenizer, reused)."""
    wanted = training_fingerprint(train_text, vocab_size)
    if path.is_file():
        try:
            saved = read_json(path, what="BPE tokenizer")
            if isinstance(saved, dict) and saved.get("trained_on") == wanted:
                return BPETokenizer.from_dict(saved, f"The file '{show_path(path)}'"), True
        except UserError:
            pass  # damaged or from another version: learn it again, as if it were not there
    tokenizer = BPETokenizer.train(train_text, vocab_size)
    # bpe.py's own format (BPETokenizer.load reads it), plus what it was learned from.
    write_json(path, {**tokenizer.to_dict(), "trained_on": wanted})
    return tokenizer, False


def describe_choice(text: Text) -> None:
    """One or two lines at the start of a run: which tokenizer, how big, and where the BPE one is kept."""
    if not isinstance(text, BPECorpus):
        ui.result("Tokenizer", f"characters: {text.tokenizer.vocab_size} different ones, one id each")
        return
    tokenizer = text.tokenizer
    how = "reused from" if text.reused else "learned now from the training text only, saved to"
    ui.result("Tokenizer", f"BPE, {tokenizer.vocab_size} tokens ({len(tokenizer.merges)} merges), {how} "
                           f"{show_path(text.path)}")
    if tokenizer.vocab_size < text.asked:
        ui.warn(f"You asked for {text.asked} tokens, but after {len(tokenizer.merges)} merges no pair of "
                f"tokens appeared twice in the training text, so the vocabulary has {tokenizer.vocab_size}.")


# ------------------------------------------------------------------------------ sizes, for bits per byte


@dataclass(frozen=True)
class TokenSizes:
    """For every id: how many characters and how many UTF-8 bytes of text it stands for.

    Summed over the ids a model was scored on, they give the size of that stretch of text, so the total
    loss can be shared out per character or per byte. A BPE token may hold only part of a character (one
    of the 3 bytes of a Devanagari letter): it counts the characters that START in it, so the counts of
    a run of tokens add up to the characters of its text.

    >>> sizes = TokenSizes.of(CharTokenizer(list("aक")))
    >>> sizes.characters.tolist(), sizes.bytes.tolist()
    ([1, 1], [1, 3])
    >>> TokenSizes.of(BPETokenizer([(224, 164)])).bytes[[97, 256, 257]].tolist()   # 'a', the merge <e0 a4>, the special
    [1, 2, 13]
    """

    characters: torch.Tensor
    bytes: torch.Tensor

    @classmethod
    def of(cls, tokenizer: Tokenizer) -> "TokenSizes":
        if isinstance(tokenizer, BPETokenizer):
            pieces = [tokenizer.token_bytes(index) for index in range(tokenizer.vocab_size)]
        else:
            pieces = [character.encode("utf-8") for character in tokenizer.chars]
        # A byte 0b10xxxxxx continues a character; any other byte starts one.
        starts = [sum(1 for byte in piece if byte & 0xC0 != 0x80) for piece in pieces]
        return cls(torch.tensor(starts, dtype=torch.long), torch.tensor([len(piece) for piece in pieces]))

    def to(self, device: torch.device) -> "TokenSizes":
        return TokenSizes(self.characters.to(device), self.bytes.to(device))


def text_summary(text: Text) -> dict[str, Any]:
    """The tokenizer and the held-out text's size in tokens, characters and bytes, for history.json.

    The same held-out text has the same characters and bytes whatever the tokenizer; only its tokens differ.
    """
    tokenizer = text.tokenizer
    summary: dict[str, Any] = {"tokenizer": kind_of(tokenizer), "vocab_size": tokenizer.vocab_size,
                               "train_tokens": len(text.train_ids), "held_out_tokens": len(text.val_ids)}
    if isinstance(text, token_file.TokenFile):  # one id is one character; its bytes are counted id by id
        counts = np.zeros(tokenizer.vocab_size, dtype=np.int64)
        ids = text.ids[text.train_tokens:]
        for start in range(0, len(ids), 1 << 24):  # in pieces: np.bincount copies its input as 8-byte numbers
            counts += np.bincount(ids[start : start + (1 << 24)], minlength=tokenizer.vocab_size)
        summary["held_out_characters"] = len(text.val_ids)
        summary["held_out_bytes"] = int(counts @ TokenSizes.of(tokenizer).bytes.numpy())
    else:
        summary["held_out_characters"] = len(text.val_text)
        summary["held_out_bytes"] = len(text.val_text.encode("utf-8"))
    return summary


# ------------------------------------------------------------------------------ in model.json


def record(tokenizer: Tokenizer) -> dict[str, Any]:
    """The tokenizer as model.json keeps it: its kind ("type"), its size, and all it needs to work again.

    >>> record(CharTokenizer(list("ab")))
    {'type': 'char', 'chars': ['a', 'b'], 'vocab_size': 2}
    """
    if isinstance(tokenizer, BPETokenizer):
        return {"type": "bpe", **tokenizer.to_dict(), "vocab_size": tokenizer.vocab_size}
    return {**tokenizer.to_dict(), "vocab_size": tokenizer.vocab_size}


def from_record(saved: Any) -> Tokenizer:
    """model.json's tokenizer back as an object. A checkpoint saved before BPE existed has no "type": characters.

    >>> from_record({"chars": ["a", "b"]}).chars
    ['a', 'b']
    """
    if not isinstance(saved, dict):
        raise TypeError("the saved tokenizer is not a JSON object")
    kind = saved.get("type", "char")
    if kind == "char":
        return CharTokenizer.from_dict(saved)
    if kind == "bpe":
        return BPETokenizer.from_dict(saved, "The checkpoint's tokenizer")
    raise UserError(f"The checkpoint's tokenizer is of the kind {kind!r}, which this version of the course does not "
                    f"know (it knows {', '.join(KINDS)}). Train the model again with this version of train.py.")
