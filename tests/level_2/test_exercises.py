"""Level 2's exercises: the reference answers pass, typical wrong answers get the hint meant for them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from buildai.data import load_corpus
from buildai.exercises import exercises_of
from level_2_neural_network.exercises.checks import default_held_out, hindi_run, record, runs, vocabulary_size
from tests.exercise_helpers import assert_all_pass, assert_hint, grade_file, grade_source

GRADABLE = [exercise for exercise in exercises_of("2") if exercise.gradable]


@pytest.mark.parametrize("exercise", GRADABLE, ids=lambda exercise: exercise.id)
def test_reference_answer_passes(exercise) -> None:
    assert_all_pass(grade_file(exercise.id, exercise.reference_path))


# The recorded and measured numbers the lesson quotes, so the wrong answers stay wrong in the same way if a run
# is recorded again.
RUNS, DEFAULT, V = runs(), default_held_out(), vocabulary_size()
RATIO = RUNS["sigmoid_W1_ratio"]
EXAMPLES = len(load_corpus().train_ids) - 1  # step 3 predicts every training character but the first
BENCHMARK = record("loop_speeds")["values"]["benchmark_ratio"]
HINDI = hindi_run().history
HINDI_HELD_OUT, HINDI_BIGRAM = HINDI["validation_loss"][-1], HINDI["bigram_validation_loss"]


def answers(**values: object) -> str:
    return f"ANSWERS = {values!r}\n"


def lr(**changes: object) -> str:
    return answers(**{"loss_went_up_with": 10, "held_out_lr_0_05": RUNS["lr005_val"], "lr_10_vs_untrained": "worse",
                      **changes})


def hidden(**changes: object) -> str:
    return answers(**{"numbers_to_learn_hidden_8": RUNS["h8_params"], "numbers_to_learn_hidden_256": RUNS["h256_params"],
                      "held_out_hidden_8": RUNS["h8_val"], "hidden_256_beats_bigram": "no", **changes})


def slopes(body: str, **changes: object) -> str:
    """An answer to 2.3 whose sigmoid_slope returns `body` (with s = sigmoid(z))."""
    values = {"least_blame": "sigmoid", "tanh_W1_over_sigmoid_W1": RATIO, **changes}
    return ("import math\nfrom level_2_neural_network.step1_neuron import sigmoid\n"
            f"def sigmoid_slope(z):\n    s = sigmoid(z)\n    return {body}\n" + answers(**values))


def context(**changes: object) -> str:
    return answers(**{"held_out_context_2": RUNS["c2_val"], "held_out_context_3": RUNS["c3_val"],
                      "winner_context_3": "n-gram", "possible_contexts_3": V**3, **changes})


def xor(**changes: object) -> str:
    return answers(**{"best_line_rows": 3, "smallest_hidden": 2, **changes})


def vanishing(**changes: object) -> str:
    return answers(**{"sigmoid_10_layers": 0.25**10, "tanh_10_layers": 1, "relu_10_layers": 1, **changes})


def loops(**changes: object) -> str:
    return answers(**{"updates_per_epoch_per_sample": EXAMPLES, "updates_per_epoch_vectorised": math.ceil(EXAMPLES / 64),
                      "benchmark_ratio": BENCHMARK, **changes})


def hindi(**changes: object) -> str:
    return answers(**{"hindi_held_out": HINDI_HELD_OUT, "hindi_vs_bigram": "behind", "vowel_signs_in_top_5": 3,
                      **changes})


WRONG = {
    "2.1": [
        (lr(loss_went_up_with=0.05), "every step is tiny"),
        (lr(held_out_lr_0_05=DEFAULT), "that is the default run's loss"),
        (lr(held_out_lr_0_05=RUNS["lr005_val"] / math.log(2)), "that looks like bits per character"),
        (lr(lr_10_vs_untrained="better"), "lower loss is better"),
    ],
    "2.2": [
        (hidden(numbers_to_learn_hidden_8=2 * V * 8), "but not the biases"),
        (hidden(numbers_to_learn_hidden_256=2 * V * 256 + 256), "b2 counts too"),
        (hidden(held_out_hidden_8=DEFAULT), "default run's loss (64 hidden neurons)"),
        (hidden(hidden_256_beats_bigram="yes"), "a plus sign means the network is still behind"),
    ],
    "2.3": [
        (slopes("s * (1 - z)"), "not s × (1 − z)"),
        (slopes("s"), "that is sigmoid(z) itself"),
        (slopes("1 - s ** 2"), "tanh's rule"),
        (slopes("1 / (1 + z * z)"), "compare with nudging: at z = -4"),
        ("def sigmoid_slope(z):\n    raise NotImplementedError\n", "not written yet"),
        (slopes("s * (1 - s)", least_blame="relu"), "relu's slope is exactly 1"),
        (slopes("s * (1 - s)", tanh_W1_over_sigmoid_W1=1 / RATIO), "divide the other way round"),
    ],
    "2.4": [
        (context(held_out_context_3=RUNS["c3_ngram"]), "Level 1's 4-gram line"),
        (context(held_out_context_2=RUNS["c3_val"]), "that is the --context 3 run"),
        (context(winner_context_3="network"), "the lower loss wins"),
        (context(possible_contexts_3=3 * V), "multiply the choices"),
        (context(possible_contexts_3=3**V), "the other way round"),
    ],
    "2.5": [
        (xor(best_line_rows=4), "no straight line gets all four"),
        (xor(smallest_hidden=1), "one hidden neuron still bases its answer on one straight-line sum"),
        (xor(smallest_hidden=3), "one failed run does not prove a size is too small"),
    ],
    "2.6": [
        (vanishing(sigmoid_10_layers=2.5), "not added"),
        (vanishing(sigmoid_10_layers=1e-6), "'about a millionth' is the right idea"),
        (vanishing(tanh_10_layers=0.25**10), "the sigmoid's steepest slope"),
        (vanishing(relu_10_layers=0), "a dead relu"),
    ],
    "2.7": [
        (loops(updates_per_epoch_vectorised=EXAMPLES // 64), "round up"),
        (loops(updates_per_epoch_per_sample=EXAMPLES + 1), "off by one"),
        (loops(benchmark_ratio=1 / BENCHMARK), "you divided the slow speed by the fast one"),
        (loops(benchmark_ratio=None), "not answered yet"),
    ],
    "2.8": [
        (hindi(hindi_held_out=HINDI_BIGRAM), "that is the bigram's line"),
        (hindi(hindi_held_out=DEFAULT), "the English stories' loss"),
        (hindi(hindi_vs_bigram="ahead"), "lower loss is better"),
        (hindi(vowel_signs_in_top_5=5), "not a vowel sign"),
        (hindi(vowel_signs_in_top_5=2), "dotted circle"),
    ],
}
CASES = [(exercise_id, source, hint) for exercise_id, cases in WRONG.items() for source, hint in cases]


@pytest.mark.parametrize("exercise_id, source, hint", CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_wrong_answer_gets_its_hint(exercise_id: str, source: str, hint: str, tmp_path: Path) -> None:
    assert_hint(grade_source(exercise_id, source, tmp_path), hint)


def test_every_gradable_exercise_has_two_wrong_answers() -> None:
    assert {exercise.id for exercise in GRADABLE} == set(WRONG)
    assert all(len(cases) >= 2 for cases in WRONG.values())


def test_only_the_wrong_part_fails(tmp_path: Path) -> None:
    """A wrong answer fails its own check only: the right ones beside it still pass."""
    results = grade_source("2.6", vanishing(relu_10_layers=0), tmp_path)
    assert [result.name for result in results if not result.passed] == ["ANSWERS['relu_10_layers']"]


def test_the_checks_read_the_records_lesson_numbers_keeps() -> None:
    """The checks read measured/ directly (no retraining); it must be the very files the lesson is checked against."""
    from level_2_neural_network import lesson_numbers
    from level_2_neural_network.exercises import checks

    for run in lesson_numbers.RECORDED:
        assert checks.MEASURED / f"{run.name}.json" == run.path(lesson_numbers.FOLDER)
    assert record("exercise_runs")["settings"]["runs"] == lesson_numbers.EXERCISE_RUNS
