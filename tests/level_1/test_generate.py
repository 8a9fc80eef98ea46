"""Step 2: the hand-written sampler, temperature and generation."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from buildai.paths import HINDI_CORPUS
from level_1_prediction.step1_bigram import bigram_probabilities, count_bigrams
from level_1_prediction.step2_generate import (
    apply_temperature,
    choose_by_cumulative_sum,
    generate_text,
    generation_steps,
    sample_next_char,
    total_variation,
)

DISTRIBUTION = {"a": 0.4, "b": 0.25, "c": 0.2, "d": 0.1, "e": 0.05}
DRAWS = 20_000
# The chi-square statistic with 4 degrees of freedom (5 outcomes - 1) exceeds 18.467
# only 0.1% of the time when the sampler is right (standard chi-square table, p = 0.001).
CRITICAL_VALUE_DF4_999 = 18.467


def chi_square_goodness_of_fit(observed: Counter[str], expected_probabilities: dict[str, float], draws: int) -> float:
    """Sum over outcomes of (observed - expected)^2 / expected."""
    return sum(
        (observed[ch] - draws * p) ** 2 / (draws * p) for ch, p in expected_probabilities.items()
    )


def chi_square_two_samples(first: Counter[str], second: Counter[str]) -> float:
    """Chi-square test of homogeneity for two samples of equal size: do both come from one distribution?"""
    total_first, total_second = sum(first.values()), sum(second.values())
    statistic = 0.0
    for ch in set(first) | set(second):
        column = first[ch] + second[ch]
        for observed, row_total in ((first[ch], total_first), (second[ch], total_second)):
            expected = column * row_total / (total_first + total_second)
            statistic += (observed - expected) ** 2 / expected
    return statistic


def test_cumulative_sum_boundaries_are_exact() -> None:
    # stretches: a [0, .4)  b [.4, .65)  c [.65, .85)  d [.85, .95)  e [.95, 1)
    cases = {0.0: "a", 0.399: "a", 0.4: "b", 0.649: "b", 0.66: "c", 0.86: "d", 0.951: "e", 0.999999: "e"}
    for draw, expected in cases.items():
        assert choose_by_cumulative_sum(DISTRIBUTION, draw) == expected, draw


def test_plain_counts_work_as_weights_and_zero_is_never_picked() -> None:
    weights = {"x": 3, "never": 0, "y": 1}
    picks = {choose_by_cumulative_sum(weights, draw / 1000) for draw in range(1000)}
    assert picks == {"x", "y"}
    assert choose_by_cumulative_sum(weights, 0.74) == "x" and choose_by_cumulative_sum(weights, 0.76) == "y"
    # A rounding shortfall must not return the zero-weight character at the end.
    assert choose_by_cumulative_sum({"a": 0.3, "b": 0.3, "z": 0.0}, 0.9999999999999999) == "b"


def test_an_empty_distribution_is_refused() -> None:
    with pytest.raises(ValueError):
        choose_by_cumulative_sum({}, 0.5)
    with pytest.raises(ValueError):
        choose_by_cumulative_sum({"a": 0.0}, 0.5)


def test_sampler_matches_probabilities_chi_square() -> None:
    rng = random.Random(1234)
    observed = Counter(sample_next_char(DISTRIBUTION, rng) for _ in range(DRAWS))
    assert sum(observed.values()) == DRAWS and set(observed) == set(DISTRIBUTION)
    assert chi_square_goodness_of_fit(observed, DISTRIBUTION, DRAWS) < CRITICAL_VALUE_DF4_999


def test_chi_square_check_catches_a_slightly_wrong_sampler() -> None:
    # The same check must fail for a sampler that is off by 5 points on two characters,
    # otherwise the test above proves nothing.
    rng = random.Random(1234)
    wrong = {"a": 0.35, "b": 0.30, "c": 0.2, "d": 0.1, "e": 0.05}
    observed = Counter(sample_next_char(wrong, rng) for _ in range(DRAWS))
    assert chi_square_goodness_of_fit(observed, DISTRIBUTION, DRAWS) > CRITICAL_VALUE_DF4_999


def test_hand_sampler_and_random_choices_agree_in_distribution() -> None:
    rng = random.Random(99)
    ours = Counter(sample_next_char(DISTRIBUTION, rng) for _ in range(DRAWS))
    theirs = Counter(rng.choices(list(DISTRIBUTION), weights=list(DISTRIBUTION.values()), k=DRAWS))
    assert chi_square_two_samples(ours, theirs) < CRITICAL_VALUE_DF4_999
    shifted = Counter(rng.choices(list(DISTRIBUTION), weights=[0.35, 0.30, 0.2, 0.1, 0.05], k=DRAWS))
    assert chi_square_two_samples(ours, shifted) > CRITICAL_VALUE_DF4_999


def test_total_variation() -> None:
    assert total_variation({"a": 1.0}, {"a": 1.0}) == 0.0
    assert total_variation({"a": 1.0}, {"b": 1.0}) == 1.0
    assert total_variation({"a": 0.5, "b": 0.5}, {"a": 0.7, "b": 0.3}) == pytest.approx(0.2)


def test_temperature_one_changes_nothing() -> None:
    assert apply_temperature(DISTRIBUTION, 1.0) == DISTRIBUTION


def test_temperature_is_power_one_over_t_rescaled() -> None:
    # By hand: T = 0.5 squares, T = 2 takes square roots, then rescale to add up to 1.
    sharp = apply_temperature({"a": 0.75, "b": 0.25}, 0.5)
    assert sharp["a"] == pytest.approx(0.5625 / 0.625) and sharp["b"] == pytest.approx(0.0625 / 0.625)
    flat = apply_temperature({"a": 0.64, "b": 0.16, "c": 0.0}, 2.0)
    assert flat == pytest.approx({"a": 0.8 / 1.2, "b": 0.4 / 1.2, "c": 0.0})
    assert list(flat) == ["a", "b", "c"]  # same order, so sampling stays reproducible


@pytest.mark.parametrize("temperature", [0.05, 0.3, 0.7, 1.5, 3.0, 50.0])
def test_temperature_keeps_a_distribution(temperature: float) -> None:
    reshaped = apply_temperature(DISTRIBUTION, temperature)
    assert math.isclose(sum(reshaped.values()), 1.0, abs_tol=1e-12)
    assert max(reshaped, key=reshaped.get) == "a"
    # Lower temperature: the favourite gains. Higher: it loses.
    assert (reshaped["a"] > DISTRIBUTION["a"]) == (temperature < 1)


def test_small_temperature_approaches_argmax_and_large_approaches_uniform() -> None:
    assert apply_temperature(DISTRIBUTION, 0.01)["a"] > 0.9999
    assert apply_temperature(DISTRIBUTION, 1e-6)["a"] == 1.0  # no underflow crash, just the favourite
    uniform = apply_temperature(DISTRIBUTION, 1000.0)
    assert max(uniform.values()) - min(uniform.values()) < 0.01


def test_temperature_must_be_positive() -> None:
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError):
            apply_temperature(DISTRIBUTION, bad)


def test_generated_text_has_the_right_length_and_known_characters() -> None:
    text = "the cat sat on the mat. the rat ate the chapati."
    probabilities = bigram_probabilities(count_bigrams(text))
    written = generate_text(probabilities, "th", 300, random.Random(5))
    assert written.startswith("th") and len(written) == 302
    assert set(written) <= set(text)
    # Every pair written was a pair seen in the text.
    assert all(b in probabilities[a] for a, b in zip(written[1:], written[2:]))


def test_generation_is_exactly_repeated_sampling_of_the_last_character() -> None:
    text = "monsoon clouds bring rain to the konkan coast"
    probabilities = bigram_probabilities(count_bigrams(text))
    rng = random.Random(11)
    by_hand = "m"
    for _ in range(60):
        by_hand += sample_next_char(probabilities[by_hand[-1]], rng)
    assert generate_text(probabilities, "m", 60, random.Random(11)) == by_hand


def test_same_seed_same_text_and_the_trace_is_the_same_text() -> None:
    probabilities = bigram_probabilities(count_bigrams("ab ba abba baab " * 5))
    first = generate_text(probabilities, "a", 50, random.Random(3), temperature=0.8)
    assert first == generate_text(probabilities, "a", 50, random.Random(3), temperature=0.8)
    assert first != generate_text(probabilities, "a", 50, random.Random(4), temperature=0.8)
    steps = list(generation_steps(probabilities, "a", 50, random.Random(3), temperature=0.8))
    assert "a" + "".join(step.chosen for step in steps) == first
    assert [step.previous for step in steps] == list(first[:-1])
    for step in steps:
        assert choose_by_cumulative_sum(step.distribution, step.draw) == step.chosen


def test_tiny_temperature_writes_the_most_likely_path() -> None:
    probabilities = {"a": {"b": 0.6, "c": 0.4}, "b": {"a": 0.9, "c": 0.1}, "c": {"a": 1.0}}
    assert generate_text(probabilities, "a", 6, random.Random(0), temperature=0.001) == "abababa"


def test_a_dead_end_does_not_stop_generation() -> None:
    # 'z' only ends the text, so nothing ever followed it: the next pick is uniform over known characters.
    probabilities = bigram_probabilities(count_bigrams("ab abz"))
    written = generate_text(probabilities, "z", 20, random.Random(0))
    assert len(written) == 21 and set(written) <= set("ab z")
    with pytest.raises(ValueError):
        generate_text(probabilities, "", 5, random.Random(0))


def test_devanagari_round_trips_through_counting_and_generation() -> None:
    word = "नमस्ते"  # each code point occurs once, so the model can only write the word back
    assert generate_text(bigram_probabilities(count_bigrams(word)), "न", 5, random.Random(0)) == word
    hindi = HINDI_CORPUS.read_text(encoding="utf-8")
    written = generate_text(bigram_probabilities(count_bigrams(hindi)), "क", 500, random.Random(1))
    assert set(written) <= set(hindi)
    assert written.encode("utf-8").decode("utf-8") == written
    assert any("\u0900" <= ch <= "\u097f" for ch in written[1:])
