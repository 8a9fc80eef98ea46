"""Step 3: n-gram models, add-k smoothing, backoff, bits per character and perplexity."""

from __future__ import annotations

import math
import random

import pytest

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from level_1_prediction.step1_bigram import count_bigrams
from level_1_prediction.step3_ngram import (
    DEFAULT_K,
    NGramModel,
    best_ngram_baseline,
    evaluate_orders,
    unseen_context_share,
)


@pytest.fixture(scope="module")
def course_split() -> tuple[str, str]:
    corpus = load_corpus()
    return corpus.train_text, corpus.val_text


@pytest.fixture(scope="module")
def course_results(course_split):
    train, val = course_split
    return evaluate_orders(train, val, range(1, 7))


def test_uniform_model_over_four_characters_has_perplexity_four() -> None:
    # No counts at all: add-k gives each of the 4 characters k / (4k) = 1/4.
    model = NGramModel(1, k=1.0, vocabulary="abcd").fit("")
    assert model.distribution("anything") == {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}
    assert model.bits_per_char("abcddcba") == 2.0
    assert model.perplexity("abcddcba") == 4.0
    # Equal counts give the same uniform model.
    assert NGramModel(1, k=0.5).fit("abcd").perplexity("dddd") == 4.0


def test_small_bigram_example_worked_by_hand() -> None:
    # Training text "abab", k = 1, vocabulary {a, b}:
    #   no context: a 2 times, b 2 times          -> P(a) = (2 + 1) / (4 + 2) = 1/2
    #   after 'a':  b 2 times (ab, ab)            -> P(b | a) = (2 + 1) / (2 + 2) = 3/4
    #   after 'b':  a 1 time  (ba)                -> P(a | b) = (1 + 1) / (1 + 2) = 2/3
    model = NGramModel(2, k=1.0).fit("abab")
    assert model.probability("", "a") == 0.5
    assert model.probability("a", "b") == 0.75
    assert model.probability("b", "a") == pytest.approx(2 / 3)
    # Text "aba": the first 'a' has no context, then 'b' after 'a', then 'a' after 'b'.
    expected_bits = -(math.log2(1 / 2) + math.log2(3 / 4) + math.log2(2 / 3)) / 3
    assert model.bits_per_char("aba") == pytest.approx(expected_bits, abs=1e-12)
    assert model.perplexity("aba") == pytest.approx((1 / 2 * 3 / 4 * 2 / 3) ** (-1 / 3), abs=1e-12)
    assert model.nats_per_char("aba") == pytest.approx(expected_bits * math.log(2), abs=1e-12)


def test_backoff_and_an_unseen_character_worked_by_hand() -> None:
    # Training "aab", order 3, k = 0.5, vocabulary {a, b, c} (c never seen in training).
    #   ""   : a 2, b 1 (total 3)       "a" : a 1, b 1 (total 2)       "aa": b 1 (total 1)
    # Text "cab":
    #   'c' after ""              -> (0 + .5) / (3 + 1.5) = 1/9
    #   'a' after "c"  (unseen)   -> back off to ""  -> (2 + .5) / (3 + 1.5) = 5/9
    #   'b' after "ca" (unseen)   -> back off to "a" -> (1 + .5) / (2 + 1.5) = 3/7
    model = NGramModel(3, k=0.5, vocabulary="abc").fit("aab")
    assert model.known_context("ca") == "a" and model.known_context("c") == ""
    expected_bits = -(math.log2(1 / 9) + math.log2(5 / 9) + math.log2(3 / 7)) / 3
    assert model.bits_per_char("cab") == pytest.approx(expected_bits, abs=1e-12)
    assert model.probability("xyzaa", "b") == pytest.approx((1 + 0.5) / (1 + 1.5))  # only "aa" is used


def test_bigram_model_agrees_with_step_one_counts() -> None:
    # An independent count (step 1's nested dict) and the add-k formula give the same numbers.
    text = load_corpus().text[:20_000]
    k = 0.1
    model = NGramModel(2, k=k).fit(text)
    size = len(model.vocabulary)
    for first, row in count_bigrams(text).items():
        total = sum(row.values())
        distribution = model.distribution(first)
        for second in model.vocabulary:
            assert distribution[second] == pytest.approx((row.get(second, 0) + k) / (total + k * size), rel=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
def test_distributions_add_up_to_one_and_are_never_zero(order: int, course_split) -> None:
    train, val = course_split
    model = NGramModel(order, vocabulary=set(train) | set(val)).fit(train)
    rng = random.Random(order)
    contexts = ["", "t", "th", "the ", "zqxjk", "\n\n", "Once upon a ti"]
    contexts += [val[i : i + order - 1] for i in rng.sample(range(len(val) - order), 30)]
    for context in contexts:
        distribution = model.distribution(context)
        assert list(distribution) == model.vocabulary
        assert math.isclose(sum(distribution.values()), 1.0, abs_tol=1e-9)
        assert min(distribution.values()) > 0.0
        for ch in "e \nQ":
            assert model.probability(context, ch) == pytest.approx(distribution[ch], rel=1e-12)


def test_smoothing_gives_every_held_out_character_a_chance(course_split) -> None:
    train, val = course_split
    model = NGramModel(6, vocabulary=set(train) | set(val)).fit(train)
    history = model.order - 1
    assert all(model.probability(val[max(0, i - history) : i], ch) > 0 for i, ch in enumerate(val))
    assert math.isfinite(model.bits_per_char(val))


def test_a_character_outside_the_vocabulary_is_a_clear_error() -> None:
    model = NGramModel(2).fit("chai")
    with pytest.raises(ValueError, match="vocabulary"):
        model.bits_per_char("chai!")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        NGramModel(0)
    with pytest.raises(ValueError):
        NGramModel(2, k=0.0)
    with pytest.raises(ValueError):
        NGramModel(2).distribution("a")  # knows no characters yet
    with pytest.raises(ValueError):
        NGramModel(2).fit("ab").bits_per_char("")


def test_smaller_models_taken_from_a_bigger_one_equal_fitting_them_directly() -> None:
    text = load_corpus().text[:30_000]
    big = NGramModel(5, vocabulary=set(text)).fit(text)
    for order in range(1, 6):
        direct = NGramModel(order, vocabulary=set(text)).fit(text)
        smaller = big.with_order(order)
        assert smaller.counts == direct.counts and smaller.context_totals == direct.context_totals
        assert smaller.bits_per_char(text[:2000]) == direct.bits_per_char(text[:2000])
    assert big.order == 5  # the big model is unchanged
    assert big.with_smoothing(0.5).k == 0.5 and big.k == DEFAULT_K


def test_bigger_n_memorises_on_the_course_stories(course_results) -> None:
    train_bits = [result.train_bits for result in course_results]
    val_bits = [result.val_bits for result in course_results]
    assert all(later < earlier for earlier, later in zip(train_bits, train_bits[1:])), train_bits
    best = min(range(len(val_bits)), key=val_bits.__getitem__)
    assert 2 <= best + 1 <= 5, val_bits  # the best held-out order is in the middle ...
    assert val_bits[-1] > val_bits[best] + 0.1  # ... and held-out gets clearly worse after it
    for result in course_results:
        assert result.train_perplexity == pytest.approx(2 ** result.train_bits)
        assert result.val_bits >= result.train_bits - 0.05  # new text is never much easier than seen text


def test_best_ngram_baseline_is_the_lowest_held_out_score(course_split, course_results) -> None:
    train, val = course_split
    order, bits = best_ngram_baseline(train, val)
    best = min(course_results, key=lambda result: result.val_bits)
    assert (order, bits) == (best.order, best.val_bits)
    # One order only: that order, scored exactly like a model fitted by hand.
    assert best_ngram_baseline(train, val, [2]) == (
        2, NGramModel(2, vocabulary=set(train) | set(val)).fit(train).bits_per_char(val)
    )


def test_unseen_contexts_grow_with_n(course_split) -> None:
    train, val = course_split
    big = NGramModel(6, vocabulary=set(train) | set(val)).fit(train)
    shares = [unseen_context_share(big.with_order(order), val) for order in range(1, 7)]
    assert shares[0] == 0.0 and shares[1] == 0.0
    assert all(later >= earlier for earlier, later in zip(shares, shares[1:])) and shares[-1] > 0.05


def test_high_order_samples_recite_the_training_text() -> None:
    text = "the cat sat on the mat. the rat ate the roti. " * 3
    model = NGramModel(6).fit(text)
    written = "the " + model.generate("the ", 200, random.Random(7))
    windows = {written[i : i + 6] for i in range(len(written) - 5)}
    assert all(window in text for window in windows)  # every 6 characters written were read somewhere
    assert model.generate("the ", 50, random.Random(7)) == written[4:54]  # same seed, same text
    smoothed = model.generate("the ", 2000, random.Random(7), smoothed=True)
    assert set(smoothed) <= set(model.vocabulary)


def test_counted_distribution_only_has_seen_characters() -> None:
    model = NGramModel(3, k=1.0).fit("chai chai")
    assert model.counted_distribution("ha") == {"i": 1.0}
    assert model.counted_distribution("zz") == {"c": 2 / 9, "h": 2 / 9, "a": 2 / 9, "i": 2 / 9, " ": 1 / 9}


def test_devanagari_text_works_end_to_end() -> None:
    corpus = load_corpus(HINDI_CORPUS)
    text, train, val = corpus.text, corpus.train_text, corpus.val_text
    order, bits = best_ngram_baseline(train, val, range(1, 5))
    assert 1 <= order <= 4 and 0 < bits < math.log2(len(set(text)))  # better than blind guessing
    model = NGramModel(3, vocabulary=set(text)).fit(train)
    written = model.generate("एक ", 100, random.Random(0))
    assert set(written) <= set(text) and any("\u0900" <= ch <= "\u097f" for ch in written)
