"""The memorisation meter: how much of what the model wrote is copied from its training text?

A language model trained on a small pile of stories can do two very different things when it writes:

- **create**: put letters and words together in ways it learned, making sentences that are not in the stories, or
- **copy**: recite a stretch of a story it has learned by heart.

To tell them apart we cut what the model wrote into overlapping pieces of 8 characters and look each piece up in
the training text::

    generated:  "a monkey named Raju"
    pieces:     "a monkey", " monkey ", "monkey n", "onkey na", "nkey nam", ... , "med Raju"
    in training text?  yes       yes        yes        yes        yes           no

The share of pieces found is the meter's reading. Even brand-new writing scores well above zero, because common
bits such as " of the " or "ed the " appear everywhere. So we compare with a fair reference: the score of the
held-out stories (the last 10% of the text, written by the same authors but never shown to the model). Much
higher than that means the model is copying.

Looking a piece up must be fast: we put every 8-character piece of the training text into a Python `set` once
(about 95,000 pieces for our stories, built in a tenth of a second), and then each lookup takes about the same
time however long the training text is.

`MemorisationMeter` (at the end) puts it together for generate.py and chat.py: the reading, the longest
stretch copied exactly, and one sentence on what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from buildai import ui
from buildai.data import CORPUS_PATH_KEY, load_corpus
from buildai.errors import UserError

PIECE_LENGTH = 8  # long enough that a match is rarely luck, short enough that fresh English still matches sometimes


def pieces_of(text: str, piece_length: int = PIECE_LENGTH) -> list[str]:
    """Every overlapping piece of `piece_length` characters, from left to right.

    >>> pieces_of("chai!", 3)
    ['cha', 'hai', 'ai!']
    >>> pieces_of("hi", 3)
    []
    """
    if piece_length < 1:
        raise ValueError("piece_length must be at least 1")
    return [text[start:start + piece_length] for start in range(len(text) - piece_length + 1)]


@lru_cache(maxsize=4)
def training_pieces(training_text: str, piece_length: int = PIECE_LENGTH) -> frozenset[str]:
    """The set of all pieces of the training text, built once and then remembered (cached).

    The cache means the REPL can measure every story it writes without rebuilding the set each time.

    >>> sorted(training_pieces("abcab", 2))
    ['ab', 'bc', 'ca']
    """
    return frozenset(pieces_of(training_text, piece_length))


def memorised_fraction(generated: str, training_text: str, piece_length: int = PIECE_LENGTH) -> float:
    """The share (0.0 to 1.0) of the generated text's pieces that appear word for word in the training text.

    Text shorter than one piece has no pieces to check, and scores 0.0.

    >>> memorised_fraction("the cat", "the cat sat", piece_length=3)   # 'the', 'he ', 'e c', ' ca', 'cat'
    1.0
    >>> memorised_fraction("the dog", "the cat sat", piece_length=3)   # only 'the', 'he ' are found: 2 of 5
    0.4
    >>> memorised_fraction("ok", "the cat sat", piece_length=3)
    0.0
    """
    pieces = pieces_of(generated, piece_length)
    if not pieces:
        return 0.0
    known = training_pieces(training_text, piece_length)
    return sum(piece in known for piece in pieces) / len(pieces)


def longest_copied_stretch(generated: str, training_text: str) -> str:
    """The longest part of `generated` that appears, exactly and in one go, somewhere in the training text.

    Each time we only ask "is there a copied stretch one character LONGER than the best so far, starting here?",
    so the whole search needs only about (length of generated + length of the answer) substring checks.

    >>> longest_copied_stretch("a red monkey sat", "the monkey sat on a red box")
    ' monkey sat'
    >>> longest_copied_stretch("xyz", "abc")
    ''
    """
    best_start, best_length = 0, 0
    for start in range(len(generated)):
        while (start + best_length < len(generated)
               and generated[start:start + best_length + 1] in training_text):
            best_start, best_length = start, best_length + 1
    return generated[best_start:best_start + best_length]


def describe_memorisation(fraction: float, fresh_writing_fraction: float | None,
                          longest_stretch: int | None = None) -> str:
    """One friendly sentence that says what a meter reading means.

    `fresh_writing_fraction` is the reading for new text by the same writers (the held-out stories), or None
    when we do not have one. `longest_stretch` (in characters) tells copying apart from repeating: a model stuck
    in a loop like "the stand the stand" scores high too, because every piece of it is common, yet it copies
    nothing longer than a few words.

    >>> describe_memorisation(0.95, 0.36)
    'Mostly copied: the model is reciting stories it learned by heart (new writing by the same authors scores 36%).'
    >>> describe_memorisation(0.7, 0.36, longest_stretch=15)
    'Many pieces match the stories, but only short ones (at most 15 characters in a row): common phrases used again and again, not whole sentences copied.'
    """
    short_matches_only = longest_stretch is not None and longest_stretch < 3 * PIECE_LENGTH
    if fresh_writing_fraction is None:
        if fraction >= 0.8 and not short_matches_only:
            return "Mostly copied: the model is reciting text it learned by heart."
        return "Part of what it wrote is common phrases from the training text; the rest is its own combinations."
    reference = f"new writing by the same authors scores {fresh_writing_fraction:.0%}"
    if fraction > fresh_writing_fraction + 0.15 and short_matches_only:
        return (f"Many pieces match the stories, but only short ones (at most {longest_stretch} characters in a row): "
                f"common phrases used again and again, not whole sentences copied.")
    if fraction >= 0.8:
        return f"Mostly copied: the model is reciting stories it learned by heart ({reference})."
    if fraction > fresh_writing_fraction + 0.15:
        return f"More copying than fresh writing ({reference}): it reuses whole phrases from the stories."
    if fraction >= fresh_writing_fraction - 0.15:
        return f"About as original as fresh writing ({reference}): common phrases, put together in new ways."
    return (f"Less than fresh writing ({reference}): mostly new letter combinations -- "
            f"if they look like gibberish, the model needs more training.")


@dataclass
class MemorisationMeter:
    """Measures how much of a generated text is copied from the model's own training text.

    >>> meter = MemorisationMeter("the cat sat on the mat", fresh_writing_fraction=0.3)
    >>> round(meter.reading("the cat sat"), 2)   # every 8-character piece of it is in the training text
    1.0
    """

    training_text: str
    fresh_writing_fraction: float  # the reading for the held-out stories: new writing by the same authors

    @classmethod
    def for_checkpoint(cls, info: dict[str, Any]) -> "MemorisationMeter | None":
        """The meter for the text this model was trained on (info's corpus_path, or the course stories).

        Returns None (and says why) if that text cannot be read any more, e.g. the file was moved.
        """
        try:
            corpus = load_corpus(info.get(CORPUS_PATH_KEY))
        except UserError as problem:
            ui.warn(f"No memorisation meter this time: the training text cannot be read. {ui.escape(str(problem))}")
            return None
        if info.get("corpus_sha256") not in (None, corpus.sha256):
            ui.warn("The training text has changed since this model was trained, so the memorisation meter "
                    "measures against the text as it is now.")
        return cls(corpus.train_text, memorised_fraction(corpus.val_text, corpus.train_text))

    def reading(self, generated: str) -> float:
        """The share of `generated`'s 8-character pieces found in the training text."""
        return memorised_fraction(generated, self.training_text)

    def report(self, generated: str) -> float:
        """Print the meter's reading for `generated` in two or three friendly lines; return the fraction."""
        pieces = pieces_of(generated)
        if not pieces:
            ui.result("Memorised", f"too short to measure (fewer than {PIECE_LENGTH} characters)")
            return 0.0
        fraction = self.reading(generated)
        ui.result("Memorised", f"{fraction:.0%} ({round(fraction * len(pieces))} of {len(pieces)} pieces of "
                               f"{PIECE_LENGTH} characters appear word for word in the training text)")
        stretch = longest_copied_stretch(generated, self.training_text)
        shown = ui.escape(stretch.replace("\n", " "))  # on one line; the quote marks show where it starts and ends
        ui.result("Longest stretch copied exactly", f"{len(stretch)} characters" + (f': "{shown}"' if stretch else ""))
        ui.say(describe_memorisation(fraction, self.fresh_writing_fraction, len(stretch)))
        return fraction
