"""The checks of Level 1's exercises: `buildai check 1.N` runs this file on your answer.

Each check compares your answer with the course's own code or with the numbers the lesson
measures (level_1_prediction/lesson_numbers.py), never with a second, typed-in copy of them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Any

from buildai import grading
from buildai.data import load_corpus
from buildai.grading import Checker
from buildai.paths import HINDI_CORPUS
from level_1_prediction import lesson_numbers
from level_1_prediction.step1_bigram import bigram_probabilities, count_bigrams, top_pairs
from level_1_prediction.step2_generate import apply_temperature

PENCIL_TEXT = "dal chawal dal"
TEMPERATURE_CHANCES = {"a": 0.6, "b": 0.3, "c": 0.1}


@cache
def measured() -> dict[str, Any]:
    """The numbers the lesson quotes that these exercises need (a few seconds, once)."""
    corpus = load_corpus()
    values: dict[str, Any] = {"characters": len(corpus.text), "vocabulary": len(set(corpus.text))}
    values.update(lesson_numbers._smoothing_numbers(corpus.train_text, corpus.val_text))
    hindi = load_corpus(HINDI_CORPUS)
    first, second, _ = top_pairs(count_bigrams(hindi.text), 1)[0]
    values["hindi_top_pair"] = first + second
    values.update(lesson_numbers._ngram_numbers(hindi.train_text, hindi.val_text, prefix="hindi_"))
    values["english_best_order"] = lesson_numbers._ngram_numbers(corpus.train_text, corpus.val_text)["best_order"]
    return values


def pencil(check: Checker) -> None:
    answers = check.answers()
    counts, truth = answers.get("counts"), count_bigrams(PENCIL_TEXT)
    if not isinstance(counts, Mapping):
        check.that("the pair counts", False, "not answered yet: fill in ANSWERS['counts'] as a nested dictionary, "
                                             "like {'d': {'a': 2}, ...}")
    else:
        total = sum(sum(row.values()) for row in counts.values() if isinstance(row, Mapping))
        if " " not in counts and " " in truth:
            hint = "the spaces count too: ' ' is a character, so 'l' is followed by ' ' and ' ' by 'c' and 'd'"
        elif total == len(PENCIL_TEXT):
            hint = (f"you have {total} pairs, but a text of {len(PENCIL_TEXT)} characters has only "
                    f"{len(PENCIL_TEXT) - 1}: the last 'l' has nothing after it")
        else:
            wrong = sorted(first for first in set(truth) | set(counts) if counts.get(first) != truth.get(first))
            hint = f"look again at the row of {wrong[0]!r}: which characters follow it, and how often?" if wrong else ""
        check.that("the pair counts", dict(counts) == truth, hint)
    expected = bigram_probabilities(truth)["a"]["l"]
    value = answers.get("p_l_given_a")
    if isinstance(value, (int, float)) and math.isclose(value, truth["a"]["l"] / (len(PENCIL_TEXT) - 1), abs_tol=0.005):
        hint = "P(l | a) looks only at the row of 'a': divide by how many pairs start with 'a', not by all pairs"
    elif isinstance(value, (int, float)) and math.isclose(value, 1 - expected, abs_tol=0.005):
        hint = "that is the chance of 'w' after 'a'; which character follows 'a' three times?"
    else:
        hint = "count the pairs that start with 'a', then the share of them that go on to 'l'"
    check.number("p_l_given_a", expected, hint, tolerance=0.005)


def trigrams(check: Checker) -> None:
    count_trigrams = check.function("count_trigrams")
    sample = "chai chai"
    truth: dict[str, dict[str, int]] = {}
    for context, following in Counter((sample[i:i + 2], sample[i + 2]) for i in range(len(sample) - 2)).items():
        truth.setdefault(context[0], {})[context[1]] = following
    counts = check.call(count_trigrams, sample)
    check.require("it returns a dictionary", isinstance(counts, Mapping),
                  f"count_trigrams should return a dictionary of dictionaries, not {type(counts).__name__}")
    keys_of_one = [key for key in counts if isinstance(key, str) and len(key) != 2]
    check.require("its keys are two characters", not keys_of_one,
                  f"a key like {keys_of_one[0]!r} is not two characters: the context is the two characters before "
                  f"the next one" if keys_of_one else "")
    got = sum(sum(row.values()) for row in counts.values())
    check.that(f"counts every window of {sample!r}", got == len(sample) - 2,
               f"it counted {got} windows, but a text of {len(sample)} characters has {len(sample) - 2}: "
               f"the window starts at every position up to len(text) - 3, the last one included")
    check.that("'ch' is followed by 'a' twice", counts.get("ch", {}).get("a") == 2,
               "in 'chai chai' the window 'cha' appears twice, so counts['ch']['a'] should be 2")
    check.that(f"the whole table of {sample!r}", {key: dict(row) for key, row in counts.items()} == truth,
               f"compare with the windows by hand: {', '.join(repr(sample[i:i + 3]) for i in range(len(sample) - 2))}")
    text = load_corpus().text
    stories = Counter(text[i + 2] for i in range(len(text) - 2) if text[i:i + 2] == "th")
    expected = [character for character, _ in stories.most_common(3)]
    top = check.answers().get("top_three_after_th")
    if top is None:
        check.that("the three most likely characters after 'th'", False,
                   "not answered yet: fill in ANSWERS['top_three_after_th'], most likely first")
    else:
        hint = ("right characters, wrong order: most likely first" if isinstance(top, (list, tuple)) and
                sorted(map(str, top)) == sorted(expected) else
                "run your count_trigrams on the whole stories and sort counts['th'] by how often each character came")
        check.that("the three most likely characters after 'th'", list(top) == expected, hint)


def hindi(check: Checker) -> None:
    values = measured()
    pair = check.answers().get("most_common_pair")
    if isinstance(pair, (list, tuple)):
        pair = "".join(map(str, pair))
    if pair is None:
        check.that("the most common pair", False, "not answered yet: fill in ANSWERS['most_common_pair']")
    else:
        hint = ("a vowel sign such as 'े' is a character of its own, and the pair here is a character followed "
                "by the one after it — look at step 1's table of pairs for the Hindi file")
        if isinstance(pair, str) and len(pair) != 2:
            hint = f"write the pair as two characters, e.g. 'क' then 'ा' is 'का' — yours has {len(pair)}"
        check.that("the most common pair", pair == values["hindi_top_pair"], hint)
    english = values["english_best_order"]
    value = check.answers().get("best_n")
    hint = (f"n = {english} is the best order for the English stories; run step 3 with --text on the Hindi file"
            if value == english else "read the held-out column of step 3's table for the Hindi file: which row is lowest?")
    check.number("best_n", values["hindi_best_order"], hint, tolerance=0)


def temperature(check: Checker) -> None:
    expected = apply_temperature(TEMPERATURE_CHANCES, 0.5)
    answers = check.answers()
    given = [answers.get(f"{letter}_at_half") for letter in "abc"]
    if all(isinstance(value, (int, float)) for value in given) and not math.isclose(sum(given), 1, abs_tol=0.01):
        hint = (f"your three chances add up to {sum(given):.2f}: after raising each to the power 1/T, divide each "
                f"by their new total so they add up to 1 again")
    elif all(isinstance(value, (int, float)) for value in given) and math.isclose(given[0], 0.6 * 0.5 / 0.5, abs_tol=0.01):
        hint = "temperature is not a multiplier: raise each chance to the power 1/T (here, square it), then rescale"
    else:
        hint = "square each chance (1/T = 2), add up the squares, then divide each square by that total"
    for letter, value in zip("abc", given):
        check.number(f"{letter}_at_half", expected[letter], hint, tolerance=0.002)
    check.choice("close_to_zero", "favourite",
                 "as T falls the tallest bar grows: near 0 the favourite's chance goes to 1 — which word says that?")


def perplexity(check: Checker) -> None:
    surprises = [-math.log2(p) for p in (1 / 2, 1 / 4, 1 / 8, 1 / 2)]
    bits = sum(surprises) / len(surprises)
    value = check.answers().get("bits_per_character")
    hint = ("that is the total surprise of all four characters; bits per character is the average: divide by 4"
            if isinstance(value, (int, float)) and math.isclose(value, sum(surprises)) else
            "the surprise of each character is -log2(its probability); average the four surprises")
    check.number("bits_per_character", bits, hint, tolerance=0.005)
    given = check.answers().get("perplexity")
    hint = ("perplexity is 2 to the power of the *average* bits, not of the total"
            if isinstance(given, (int, float)) and math.isclose(given, 2 ** sum(surprises), rel_tol=0.01) else
            "perplexity = 2 ** (bits per character)")
    check.number("perplexity", 2 ** bits, hint, tolerance=0.01)
    check.number("uniform_26_perplexity", 26, "each letter gets 1/26, so each costs log2(26) bits; what is 2 to that power?",
                 tolerance=0.01)


def smoothing(check: Checker) -> None:
    values = measured()
    seen, followed, size = values["th_train"], values["th_e_train"], values["vocabulary_split"]
    given = check.answers().get("p_e_given_th_k1")
    if isinstance(given, (int, float)) and math.isclose(given, (followed + 1) / (seen + 1), abs_tol=2e-5):
        hint = f"add k once for every character of the vocabulary to the bottom: {seen:,} + 1 × {size}"
    elif isinstance(given, (int, float)) and math.isclose(given, followed / seen, abs_tol=2e-5):
        hint = "that is the estimate without smoothing: add k = 1 to the top and k × V to the bottom"
    else:
        hint = f"P(e | th) = (count of 'the' + k) / (count of 'th' + k × V), with the counts from section 8 and V = {size}"
    check.number("p_e_given_th_k1", values["k1_p_e"], hint, tolerance=0.0005)
    check.choice("big_k", "hurts", "compare with k = 0.03: did the well-counted 'e' keep its probability, or was some "
                                   "of it handed to characters never seen after 'th'?")


def why_not_20(check: Checker) -> None:
    values = measured()
    most = values["characters"] - 19 + 1
    given = check.answers().get("most_contexts_in_stories")
    hint = ("at most one context starts at each position: about as many as the stories have characters"
            if not (isinstance(given, (int, float)) and given > values["characters"]) else
            "there cannot be more contexts than positions in the text: one 19-character context starts at each")
    check.number("most_contexts_in_stories", most, hint, tolerance=0.01, relative=True)
    given = check.answers().get("possible_contexts")
    vocabulary = values["vocabulary"]
    if isinstance(given, (int, float)) and given == 19 * vocabulary:
        hint = f"multiply the choices, don't add them: {vocabulary} choices for each of 19 places is {vocabulary} ** 19"
    elif isinstance(given, (int, float)) and math.isclose(given, 19 ** vocabulary, rel_tol=0.01):
        hint = f"the other way round: {vocabulary} choices at each of 19 places is {vocabulary} ** 19"
    else:
        hint = f"each of the 19 places can hold any of the {vocabulary} characters: {vocabulary} × {vocabulary} × … (19 times)"
    check.number("possible_contexts", vocabulary ** 19, hint, tolerance=0.01, relative=True)


CHECKS = {"1.1": pencil, "1.2": trigrams, "1.3": hindi, "1.4": temperature, "1.6": perplexity, "1.7": smoothing,
          "1.8": why_not_20}

if __name__ == "__main__":
    grading.main(CHECKS)
