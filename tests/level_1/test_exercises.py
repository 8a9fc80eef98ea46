"""Level 1's exercises: the reference answers pass, typical wrong answers get the hint meant for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildai.exercises import exercises_of
from level_1_prediction.exercises.checks import measured
from tests.exercise_helpers import assert_all_pass, assert_hint, grade_file, grade_source

GRADABLE = [exercise for exercise in exercises_of("1") if exercise.gradable]


@pytest.mark.parametrize("exercise", GRADABLE, ids=lambda exercise: exercise.id)
def test_reference_answer_passes(exercise) -> None:
    assert_all_pass(grade_file(exercise.id, exercise.reference_path))


COUNTS = "{'d': {'a': 2}, 'a': {'l': 3, 'w': 1}, 'l': {' ': 2}, ' ': {'c': 1, 'd': 1}, 'c': {'h': 1}, 'h': {'a': 1}, 'w': {'a': 1}}"
TRIGRAMS = """
def count_trigrams(text):
    counts = {{}}
    for i in range({stop}):
        row = counts.setdefault(text[{context}], {{}})
        row[text[i + 2]] = row.get(text[i + 2], 0) + 1
    return counts
ANSWERS = {{"top_three_after_th": ["e", " ", "a"]}}
"""

# The measured counts the lesson quotes, so the wrong answers stay wrong in the same way if the stories change.
_MEASURED = measured()
SEEN_TH, SEEN_E, VOCABULARY = _MEASURED["th_train"], _MEASURED["th_e_train"], _MEASURED["vocabulary_split"]
LENGTH = _MEASURED["characters"]

WRONG = {
    "1.1": [
        # The last 'l' given a pair (wrapping round to the first 'd'): 14 pairs instead of 13.
        ("ANSWERS = {'counts': {'d': {'a': 2}, 'a': {'l': 3, 'w': 1}, 'l': {' ': 2, 'd': 1}, ' ': {'c': 1, 'd': 1}, "
         "'c': {'h': 1}, 'h': {'a': 1}, 'w': {'a': 1}}, 'p_l_given_a': 0.75}", "a text of 14 characters has only 13"),
        # Spaces forgotten.
        ("ANSWERS = {'counts': {'d': {'a': 2}, 'a': {'l': 3, 'w': 1}, 'c': {'h': 1}, 'h': {'a': 1}, 'w': {'a': 1}}, "
         "'p_l_given_a': 0.75}", "the spaces count too"),
        # Divided by all 13 pairs instead of the row of 'a'.
        (f"ANSWERS = {{'counts': {COUNTS}, 'p_l_given_a': 3 / 13}}", "divide by how many pairs start with 'a'"),
    ],
    "1.2": [
        (TRIGRAMS.format(stop="len(text) - 3", context="i:i + 2"), "the last one included"),
        (TRIGRAMS.format(stop="len(text) - 2", context="i + 1"), "is not two characters"),
        ("def count_trigrams(text):\n    raise NotImplementedError\nANSWERS = {'top_three_after_th': None}", "not written yet"),
        (TRIGRAMS.format(stop="len(text) - 2", context="i:i + 2").replace('["e", " ", "a"]', '[" ", "e", "a"]'),
         "right characters, wrong order"),
    ],
    "1.3": [
        ("ANSWERS = {'most_common_pair': 'े ', 'best_n': 4}", "n = 4 is the best order for the English stories"),
        ("ANSWERS = {'most_common_pair': 'के', 'best_n': 3}", "a vowel sign such as"),
        ("ANSWERS = {'most_common_pair': 'के ', 'best_n': 3}", "yours has 3"),
    ],
    "1.4": [
        ("ANSWERS = {'a_at_half': 0.36, 'b_at_half': 0.09, 'c_at_half': 0.01, 'close_to_zero': 'favourite'}",
         "divide each by their new total"),
        ("ANSWERS = {'a_at_half': 0.6, 'b_at_half': 0.3, 'c_at_half': 0.1, 'close_to_zero': 'favourite'}",
         "temperature is not a multiplier"),
        ("ANSWERS = {'a_at_half': 0.783, 'b_at_half': 0.196, 'c_at_half': 0.022, 'close_to_zero': 'uniform'}",
         "near 0 the favourite's chance goes to 1"),
    ],
    "1.6": [
        ("ANSWERS = {'bits_per_character': 7, 'perplexity': 3.36, 'uniform_26_perplexity': 26}", "divide by 4"),
        ("ANSWERS = {'bits_per_character': 1.75, 'perplexity': 128, 'uniform_26_perplexity': 26}", "*average* bits"),
        ("ANSWERS = {'bits_per_character': 1.75, 'perplexity': 3.36, 'uniform_26_perplexity': None}", "not answered yet"),
    ],
    "1.7": [
        (f"ANSWERS = {{'p_e_given_th_k1': {SEEN_E + 1} / {SEEN_TH + 1}, 'big_k': 'hurts'}}", "add k once for every character"),
        (f"ANSWERS = {{'p_e_given_th_k1': {SEEN_E} / {SEEN_TH}, 'big_k': 'hurts'}}", "without smoothing"),
        (f"ANSWERS = {{'p_e_given_th_k1': {SEEN_E + 1} / {SEEN_TH + VOCABULARY}, 'big_k': 'helps'}}",
         "handed to characters never seen"),
    ],
    "1.8": [
        (f"ANSWERS = {{'most_contexts_in_stories': {LENGTH - 18}, 'possible_contexts': 19 * 72}}", "multiply the choices"),
        (f"ANSWERS = {{'most_contexts_in_stories': {LENGTH - 18}, 'possible_contexts': 19 ** 72}}", "the other way round"),
        ("ANSWERS = {'most_contexts_in_stories': 72 ** 19, 'possible_contexts': 72 ** 19}", "cannot be more contexts"),
    ],
}
CASES = [(exercise_id, source, hint) for exercise_id, cases in WRONG.items() for source, hint in cases]


@pytest.mark.parametrize("exercise_id, source, hint", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_wrong_answer_gets_its_hint(exercise_id: str, source: str, hint: str, tmp_path: Path) -> None:
    assert_hint(grade_source(exercise_id, source, tmp_path), hint)


def test_every_gradable_exercise_has_two_wrong_answers() -> None:
    assert {exercise.id for exercise in GRADABLE} == set(WRONG)
    assert all(len(cases) >= 2 for cases in WRONG.values())
