"""Step 2.1: one neuron learns AND and OR exactly, and cannot learn XOR."""

from __future__ import annotations

import numpy as np
import pytest

from level_2_neural_network.step1_neuron import (
    GATE_INPUTS,
    GATE_TARGETS,
    best_random_line,
    count_correct,
    decision_grid,
    line_says_yes,
    log_loss,
    neuron_gradients,
    neuron_output,
    sigmoid,
    train_neuron,
)
from tests.conftest import assert_ok


def test_sigmoid_matches_hand_computed_values() -> None:
    assert float(sigmoid(0.0)) == 0.5
    assert float(sigmoid(2.0)) == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-15)
    assert float(sigmoid(-1000.0)) == pytest.approx(0.0, abs=1e-200)  # no overflow warning, no NaN
    assert float(sigmoid(1000.0)) == 1.0


@pytest.mark.parametrize("gate", ["AND", "OR"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neuron_learns_and_and_or_exactly(gate: str, seed: int) -> None:
    targets = GATE_TARGETS[gate]
    weights, bias, losses = train_neuron(targets, np.random.default_rng(seed))
    outputs = neuron_output(weights, bias, GATE_INPUTS)
    assert count_correct(outputs, targets) == 4
    assert np.all(np.abs(outputs - targets) < 0.1), outputs  # confidently right, not just on the right side
    assert losses[-1] < losses[0]


def test_one_neuron_fails_xor() -> None:
    targets = GATE_TARGETS["XOR"]
    for seed in range(5):
        weights, bias, losses = train_neuron(targets, np.random.default_rng(seed))
        outputs = neuron_output(weights, bias, GATE_INPUTS)
        assert count_correct(outputs, targets) <= 3
        # The best a single line can do for the log loss on XOR is to answer 0.5 everywhere: loss ln 2.
        assert losses[-1] == pytest.approx(np.log(2), abs=1e-3)


def test_no_straight_line_separates_xor_but_some_line_separates_and_or() -> None:
    rng = np.random.default_rng(0)
    assert best_random_line(GATE_TARGETS["XOR"], rng)[0] == 3
    assert best_random_line(GATE_TARGETS["AND"], rng)[0] == 4
    assert best_random_line(GATE_TARGETS["OR"], rng)[0] == 4


def test_neuron_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(3)
    weights, bias = rng.normal(size=2), 0.3
    targets = GATE_TARGETS["OR"]
    weight_gradients, bias_gradient = neuron_gradients(weights, bias, GATE_INPUTS, targets)
    epsilon = 1e-6
    for index in range(2):
        step = np.zeros(2)
        step[index] = epsilon
        numeric = (log_loss(neuron_output(weights + step, bias, GATE_INPUTS), targets)
                   - log_loss(neuron_output(weights - step, bias, GATE_INPUTS), targets)) / (2 * epsilon)
        assert weight_gradients[index] == pytest.approx(numeric, rel=1e-6)
    numeric_bias = (log_loss(neuron_output(weights, bias + epsilon, GATE_INPUTS), targets)
                    - log_loss(neuron_output(weights, bias - epsilon, GATE_INPUTS), targets)) / (2 * epsilon)
    assert bias_gradient == pytest.approx(numeric_bias, rel=1e-6)


def test_decision_grid_draws_the_line_and_the_wanted_answers() -> None:
    grid = decision_grid(line_says_yes(np.array([1.0, 1.0]), -1.5), GATE_TARGETS["AND"], columns=5, rows=5)
    # x1 and x2 take the values -0.5, 0, 0.5, 1, 1.5; yes ('#') where x1 + x2 >= 1.5; top row is x2 = 1.5.
    assert grid == [".####", ".0#1#", "...##", ".0.0#", "....."]


def test_step1_runs(run_script) -> None:
    process = run_script("level_2_neural_network/step1_neuron.py", "--seed", "0")
    assert_ok(process)
    assert "AND learned: yes" in process.stdout
    assert "OR learned: yes" in process.stdout
    assert "XOR learned by one neuron: no" in process.stdout
    assert "Best of 10,000 random lines on XOR: 3 of 4" in process.stdout
    assert "#" in process.stdout and "Why one neuron cannot learn XOR" in process.stdout
