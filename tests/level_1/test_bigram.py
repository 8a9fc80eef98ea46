"""Step 1: counting letter pairs and turning counts into probabilities."""

from __future__ import annotations

import doctest
import math
from collections import Counter
from pathlib import Path

import pytest

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from level_1_prediction import display, step1_bigram, step2_generate, step3_ngram
from level_1_prediction.display import most_common_characters, parse_letters, plot_labels, readable
from level_1_prediction.step1_bigram import (
    bigram_probabilities,
    count_bigrams,
    heatmap_characters,
    most_likely_next,
    save_heatmap,
    top_pairs,
    vocabulary,
)


@pytest.mark.parametrize("module", [display, step1_bigram, step2_generate, step3_ngram], ids=lambda m: m.__name__)
def test_docstring_examples_are_true(module) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_counts_on_a_hand_made_string() -> None:
    # "abracadabra": ab br ra ac ca ad da ab br ra  (10 pairs, counted with a pencil)
    assert count_bigrams("abracadabra") == {
        "a": {"b": 2, "c": 1, "d": 1},
        "b": {"r": 2},
        "r": {"a": 2},
        "c": {"a": 1},
        "d": {"a": 1},
    }


def test_spaces_and_newlines_are_characters_too() -> None:
    assert count_bigrams("a b\na") == {"a": {" ": 1}, " ": {"b": 1}, "b": {"\n": 1}, "\n": {"a": 1}}


def test_texts_too_short_for_a_pair_give_no_counts() -> None:
    assert count_bigrams("") == {}
    assert count_bigrams("x") == {}


def test_probabilities_on_a_hand_made_string() -> None:
    probabilities = bigram_probabilities(count_bigrams("abracadabra"))
    # After 'a' came b, b, c, d: 2/4, 1/4, 1/4.
    assert probabilities["a"] == {"b": 0.5, "c": 0.25, "d": 0.25}
    assert probabilities["b"] == {"r": 1.0}


def test_every_row_of_the_course_model_sums_to_one() -> None:
    text = load_corpus().text
    counts = count_bigrams(text)
    assert sum(sum(row.values()) for row in counts.values()) == len(text) - 1
    for first, row in bigram_probabilities(counts).items():
        assert math.isclose(sum(row.values()), 1.0, abs_tol=1e-12), first
        assert all(0.0 < p <= 1.0 for p in row.values())


def test_counts_agree_with_an_independent_count() -> None:
    text = load_corpus().text[:5000]
    pairs = Counter(text[i : i + 2] for i in range(len(text) - 1))
    counts = count_bigrams(text)
    assert {first + second: n for first, row in counts.items() for second, n in row.items()} == dict(pairs)


def test_devanagari_is_counted_per_code_point() -> None:
    # नमस्ते is six code points: न म स ् त े (the virama ् and the vowel sign े are characters of their own).
    counts = count_bigrams("नमस्ते")
    assert counts == {"न": {"म": 1}, "म": {"स": 1}, "स": {"्": 1}, "्": {"त": 1}, "त": {"े": 1}}
    assert readable("े") == "\u25cc\u0947"  # a vowel sign is shown on a dotted circle


def test_hindi_corpus_rows_sum_to_one() -> None:
    text = HINDI_CORPUS.read_text(encoding="utf-8")
    for row in bigram_probabilities(count_bigrams(text)).values():
        assert math.isclose(sum(row.values()), 1.0, abs_tol=1e-12)


def test_top_pairs_and_most_likely_next_are_sorted_with_stable_ties() -> None:
    counts = count_bigrams("abracadabra")
    assert top_pairs(counts, 3) == [("a", "b", 2), ("b", "r", 2), ("r", "a", 2)]
    assert most_likely_next(bigram_probabilities(counts), "a", 2) == [("b", 0.5), ("c", 0.25)]
    assert most_likely_next(bigram_probabilities(counts), "z", 2) == []


def test_vocabulary_and_letter_names() -> None:
    assert vocabulary("chai chai") == [" ", "a", "c", "h", "i"]
    assert parse_letters("t h q") == ["t", "h", "q"]
    assert parse_letters("thq t") == ["t", "h", "q"]
    assert parse_letters("space newline") == [" ", "\n"]
    assert parse_letters("क म") == ["क", "म"]


def test_heatmap_shows_the_most_common_characters_newline_and_space_first() -> None:
    text = load_corpus().text
    shown = heatmap_characters(text, 30)
    assert len(shown) == 30 and shown[:2] == ["\n", " "]
    assert set(shown) == set(most_common_characters(text, 30))
    assert heatmap_characters("ba ab", 30) == [" ", "a", "b"]


def test_heatmap_is_saved_as_png(tmp_path: Path) -> None:
    probabilities = bigram_probabilities(count_bigrams("chai chai"))
    path = save_heatmap(probabilities, heatmap_characters("chai chai"), tmp_path / "heat.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_labels_are_visible_characters_or_unicode_numbers() -> None:
    labels, fonts = plot_labels([" ", "\n", "a", "क"])
    assert labels[:3] == ["␣", "\\n", "a"]
    assert labels[3] in ("क", "U+0915")  # the letter itself where a Hindi font is installed
    assert fonts[0] == "DejaVu Sans"
