"""The memorisation meter (level_4_mini_gpt/memorisation.py), checked against hand-counted examples and brute force."""

from __future__ import annotations

import random

import pytest

from buildai.data import load_corpus
from level_4_mini_gpt.memorisation import (
    PIECE_LENGTH,
    describe_memorisation,
    longest_copied_stretch,
    memorised_fraction,
    pieces_of,
    training_pieces,
)


@pytest.fixture(scope="module")
def training_text() -> str:
    return load_corpus().train_text


def test_pieces_are_every_overlapping_window() -> None:
    assert pieces_of("chai!", 3) == ["cha", "hai", "ai!"]
    assert pieces_of("chai", 4) == ["chai"]
    assert pieces_of("cha", 4) == []
    assert len(pieces_of("x" * 20)) == 20 - PIECE_LENGTH + 1
    with pytest.raises(ValueError):
        pieces_of("abc", 0)


@pytest.mark.parametrize(
    ("generated", "training", "length", "expected"),
    [
        ("the cat", "the cat sat", 3, 1.0),  # the, he_, e_c, _ca, cat: all 5 found
        ("the dog", "the cat sat", 3, 2 / 5),  # the, he_ found; e_d, _do, dog not
        ("tac eht", "the cat sat", 3, 0.0),  # the same letters backwards: nothing found
        ("aaaa", "aab", 2, 1.0),  # pieces aa, aa, aa: a repeated piece counts every time it is found
        ("ok", "the cat sat", 3, 0.0),  # shorter than one piece: nothing to measure
        ("", "the cat sat", 3, 0.0),
        ("cat sat in", "the cat sat on", 8, 1 / 3),  # "cat sat " found; "at sat i", "t sat in" not
    ],
)
def test_memorised_fraction_hand_examples(generated: str, training: str, length: int, expected: float) -> None:
    assert memorised_fraction(generated, training, piece_length=length) == pytest.approx(expected)


def test_a_verbatim_training_excerpt_scores_100_percent(training_text: str) -> None:
    for start in (0, 5_000, 77_777, len(training_text) - 500):
        excerpt = training_text[start:start + 400]
        assert memorised_fraction(excerpt, training_text) == 1.0


def test_shuffled_text_scores_near_zero(training_text: str) -> None:
    letters = list(training_text[10_000:10_600])
    random.Random(0).shuffle(letters)
    shuffled = "".join(letters)
    assert memorised_fraction(shuffled, training_text) < 0.02


def test_fraction_matches_a_brute_force_count(training_text: str) -> None:
    """The set lookup must agree with the slow, obvious way: `piece in training_text` for every piece."""
    generator = random.Random(1)
    generated = training_text[20_000:20_060] + " and the crow said to the monkey: " + "xqzv" * 5
    for _ in range(3):
        pieces = [generated[i:i + PIECE_LENGTH] for i in range(len(generated) - PIECE_LENGTH + 1)]
        expected = sum(piece in training_text for piece in pieces) / len(pieces)
        assert memorised_fraction(generated, training_text) == pytest.approx(expected)
        generated = "".join(generator.sample(generated, len(generated)))


def test_training_pieces_are_built_once(training_text: str) -> None:
    assert training_pieces(training_text) is training_pieces(training_text)
    assert sorted(training_pieces("abcab", 2)) == ["ab", "bc", "ca"]


def brute_force_longest(generated: str, training: str) -> int:
    return max((end - start for start in range(len(generated)) for end in range(start, len(generated) + 1)
                if generated[start:end] in training), default=0)


def test_longest_copied_stretch_matches_brute_force() -> None:
    generator = random.Random(2)
    for _ in range(200):
        training = "".join(generator.choice("ab c") for _ in range(generator.randint(0, 30)))
        generated = "".join(generator.choice("ab cd") for _ in range(generator.randint(0, 15)))
        stretch = longest_copied_stretch(generated, training)
        assert stretch in generated and stretch in training
        assert len(stretch) == brute_force_longest(generated, training)


def test_longest_copied_stretch_finds_a_whole_sentence(training_text: str) -> None:
    sentence = training_text[30_000:30_120]
    generated = "Xq" + sentence + "qX"
    assert longest_copied_stretch(generated, training_text) == sentence


def test_descriptions_follow_the_reading() -> None:
    fresh = 0.36
    assert describe_memorisation(0.95, fresh).startswith("Mostly copied")
    assert describe_memorisation(0.65, fresh).startswith("More copying than fresh writing")
    assert describe_memorisation(0.40, fresh).startswith("About as original as fresh writing")
    assert describe_memorisation(0.05, fresh).startswith("Less than fresh writing")
    assert "36%" in describe_memorisation(0.40, fresh)
    assert describe_memorisation(0.9, None).startswith("Mostly copied")
    assert describe_memorisation(0.3, None)
    # A loop of common bits ("the stand the stand ...") scores high but copies nothing long: say so.
    assert describe_memorisation(0.7, fresh, longest_stretch=12).startswith("Many pieces match the stories, but only short")
    assert describe_memorisation(0.95, fresh, longest_stretch=120).startswith("Mostly copied")
    assert describe_memorisation(0.65, fresh, longest_stretch=40).startswith("More copying than fresh writing")
