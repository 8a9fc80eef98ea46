"""The short sentence that steps 2 and 3 study, and the flags and start they share.

Both steps push one real sentence ("chai is hot", or the first words of your own --text)
through attention, so every matrix can be printed as a small table.

>>> from buildai.tokenizer import CharTokenizer
>>> pick_sentence("chai is hot and sweet", CharTokenizer.from_text("chai is hot and sweet"), None)
'chai is hot'
"""

from __future__ import annotations

import argparse
from pathlib import Path

from buildai import script
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.tokenizer import CharTokenizer

LEVEL = 3
DEFAULT_SENTENCE = "chai is hot"
LONGEST_SENTENCE = 40  # characters: longer sentences make tables and pictures unreadable


def pick_sentence(text: str, tokenizer: CharTokenizer, wanted: str | None, fallback: str = DEFAULT_SENTENCE) -> str:
    """The sentence to study: the learner's own, else `fallback` if the text has all its characters,
    else the first words of the text (so a Hindi text gets a Hindi sentence).

    >>> tok = CharTokenizer.from_text("chai is hot and sweet")
    >>> pick_sentence("chai is hot and sweet", tok, None)
    'chai is hot'
    >>> pick_sentence("xyz abc", CharTokenizer.from_text("xyz abc"), None)
    'xyz abc'
    """
    if wanted is not None:
        if not wanted:
            raise UserError("The --sentence is empty. Give a short sentence, for example --sentence \"chai is hot\".")
        tokenizer.encode(wanted)  # a UserError names any character the text does not contain
        return wanted
    if not tokenizer.unknown_chars(fallback):
        return fallback
    words = " ".join(text.split())  # one line, single spaces
    return words[: len(fallback)].strip() or words[: len(fallback)]


def sentence_step_parser(description: str) -> argparse.ArgumentParser:
    """The flags of steps 2 and 3: the usual ones (with --threads), plus --sentence and --embed-size."""
    parser = script.step_parser(description, threads_flag=True)
    parser.add_argument("--sentence", default=None, help=f'the sentence to study (default "{DEFAULT_SENTENCE}")')
    parser.add_argument("--embed-size", type=script.positive_int, default=16,
                        help="numbers per character embedding (default 16)")
    return parser


def load_sentence(args: argparse.Namespace, longest: int = LONGEST_SENTENCE) -> tuple[CharTokenizer, str, Path]:
    """The start shared by steps 2 and 3, after `script.start_step`: load the text (--text), take its
    vocabulary, pick the sentence (--sentence) and find the output folder.

    Returns (tokenizer, sentence, output folder).
    """
    corpus = script.load_corpus(args)
    sentence = pick_sentence(corpus.text, corpus.tokenizer, args.sentence)
    if len(sentence) > longest:
        raise UserError(f"The sentence has {len(sentence)} characters; keep it to {longest} or fewer "
                        f"so the tables and pictures stay readable.")
    return corpus.tokenizer, sentence, output_dir(LEVEL, args.out_dir)
