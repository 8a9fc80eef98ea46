"""Every number Level 2's lesson and solutions quote is what the step scripts measure today."""

from __future__ import annotations

import pytest

from level_2_neural_network import step3_train
from level_2_neural_network.lesson_numbers import NUMBERS, default_run, printed_value


@pytest.fixture(scope="module")
def values() -> dict:
    return NUMBERS.values()


def test_every_quoted_number_is_its_measurement(values: dict) -> None:
    problems = NUMBERS.problems(values)
    assert not problems, "\n".join(problem.describe() for problem in problems)


def test_the_measured_default_run_is_what_step3_prints(values: dict) -> None:
    """The lesson's numbers are read from step 3's own output, not worked out a second way."""
    printed = default_run().printed
    assert printed_value(printed, "Final held-out loss") == pytest.approx(values["final_val"], abs=5e-5)
    assert printed_value(printed, "Level 1 bigram held-out loss") == pytest.approx(values["bigram"], abs=5e-5)
    assert printed_value(printed, "Network minus bigram") == pytest.approx(values["final_minus"], abs=5e-5)
    assert default_run().args.seed == 42 and default_run().args.hidden == 64
    assert values["parameters"] == default_run().history["parameter_count"]
    assert default_run().history["model_file"] == step3_train.MODEL_FILE
