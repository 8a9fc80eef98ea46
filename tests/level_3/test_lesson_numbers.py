"""Every number Level 3's lesson.md and solutions.md quote is what the code measures (see lesson_numbers.py).

The fast numbers are measured again here (steps 1 to 3 with their defaults, step 4's size and first
loss); the training runs come from the records in level_3_transformer/measured/. Where the documents
promise a bound instead of a number (differences from PyTorch), or draw a conclusion from the
numbers, a plain assert checks that it still holds.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from level_3_transformer.lesson_numbers import NUMBERS, PYTORCH_BOUND, RECORDED


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return NUMBERS.values()


def test_every_quoted_number_is_measured(values: dict[str, Any]) -> None:
    problems = NUMBERS.problems(values)
    assert not problems, "\n".join(problem.describe() for problem in problems) + "\nRun: python lesson_numbers.py --update"


def test_records_are_made_with_the_current_corpus_and_flags() -> None:
    for run in RECORDED:  # raises a UserError naming the run when its settings are stale
        assert run.load(NUMBERS.folder)


def test_fast_numbers_agree_with_the_recorded_default_run(values: dict[str, Any]) -> None:
    # step 4 with --steps 1 prints the same size and first loss as the recorded default run
    assert values["params"] == values["default_params"]
    assert values["initial_loss"] == pytest.approx(values["default_initial"], abs=0.002)


def test_differences_from_pytorch_stay_below_the_quoted_bound(values: dict[str, Any]) -> None:
    for name in ("attention_difference_open", "attention_difference_causal", "wide_difference",
                 "mha_difference_open", "mha_difference_causal"):
        assert values[name] < PYTORCH_BOUND, name  # lesson: "below 10⁻⁶", "less than 10⁻⁶ apart"
    assert values["future_leak"] == 0.0  # lesson: "the change is exactly 0"


def test_the_lesson_explanations_still_hold(values: dict[str, Any]) -> None:
    assert values["initial_loss"] == pytest.approx(math.log(values["vocab"]), abs=0.1)  # "about ln 72"
    assert float(values["vowel_after"]) > float(values["consonant_after"])  # vowels end up closer to each other
    assert values["default_train"] < values["initial_loss"] - 1.5 and values["default_held"] < values["initial_loss"] - 1.5
    words = set(re.findall(r"[a-z]+", values["default_generated"]))
    assert {"the", "and", "she"} <= words  # "real ones mixed in, like "the", "and", "she""
    assert values["default_first_recent_low"] > 0.5  # "every head gives more than half of its attention"
    assert values["default_last_focus_high"] > values["default_first_focus_high"]  # the last block picks a few characters


def test_the_solutions_conclusions_still_hold(values: dict[str, Any]) -> None:
    # exercise 1: the head counts do not change the size, and chance moves the loss at least as much
    assert values["heads_1_params"] == values["heads_2_params"] == values["heads_8_params"] == values["params"]
    assert values["heads_spread"] <= values["heads_spread_ceiling"] <= values["seeds_spread"] + 0.005
    # exercise 2: without the mask, normal at first, then collapse; the text repeats one letter
    before = values["no_mask_before_step"]
    assert abs(values["no_mask_before_held"] - values[f"steps_600_step_{before}_held"]) < 0.2
    assert values["no_mask_600_held"] < 0.1 < 1.0 < values["steps_600_held"]
    assert values["no_mask_600_top_share"] > 0.5
    # exercise 3: without residuals the loss stops at the letter-frequency loss, and both texts start alike
    for name in ("no_residual", "layers_4_no_residual"):
        assert values[f"{name}_held"] == pytest.approx(values["letter_frequency_loss"], abs=0.05)
        assert values[f"{name}_held"] > values["letter_frequency_loss"] - 0.01  # no better than the frequencies
        assert abs(values[f"{name}_held"] - values[f"{name}_first_eval_held"]) < 0.05  # "and then stops"
    assert values["no_residual_differences"] <= values["no_residual_length"] / 20  # "almost the same text"
    assert values["layers_4_held"] < values["no_residual_held"] - 0.5
    # exercise 4: 12·C² + 13·C, for the block of step 3 (C = 16) and of step 4 (C = 64)
    for size in (16, 64):
        assert values[f"block_{size}"] == values[f"block_{size}_formula"] == values[f"block_{size}_built"]
    assert values["part_blocks"] == 2 * values["block_64"]
    # exercise 5: without the division the scores are about sqrt(64) = 8 times as spread, and softmax is sure
    assert values["raw_spread"] == pytest.approx(8 * values["scaled_spread"], rel=1e-4)
    assert values["raw_sure_rows"] > values["scaled_sure_rows"]
