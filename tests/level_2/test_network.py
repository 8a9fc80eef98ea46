"""Step 2.2: softmax, cross-entropy and initialisation against PyTorch; the network solves XOR."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from level_2_neural_network.step1_neuron import GATE_INPUTS, GATE_TARGETS
from level_2_neural_network.step2_network import (
    cross_entropy,
    forward_pass,
    he_std,
    init_parameters,
    network_loss,
    numerical_gradient,
    numerical_gradients,
    softmax,
    train_by_nudging,
    xavier_std,
)
from tests.conftest import assert_ok


def test_softmax_and_cross_entropy_match_pytorch() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=5.0, size=(7, 11))
    logits[0, 0] = 800.0  # a huge score must not overflow
    targets = rng.integers(0, 11, size=7)
    expected = torch.softmax(torch.tensor(logits, dtype=torch.float64), dim=-1).numpy()
    np.testing.assert_allclose(softmax(logits), expected, rtol=0, atol=1e-12)
    safe = logits.copy()
    safe[0, 0] = 3.0  # cross-entropy from probabilities needs no probability to underflow to 0
    expected_loss = torch.nn.functional.cross_entropy(torch.tensor(safe), torch.tensor(targets)).item()
    assert cross_entropy(softmax(safe), targets) == pytest.approx(expected_loss, abs=1e-12)


def test_initialisation_scales() -> None:
    assert xavier_std(30, 70) == pytest.approx(np.sqrt(2 / 100))
    assert he_std(50) == pytest.approx(np.sqrt(2 / 50))
    rng = np.random.default_rng(0)
    tanh_params = init_parameters(400, 300, 200, "tanh", rng)
    relu_params = init_parameters(400, 300, 200, "relu", rng)
    assert tanh_params["W1"].std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    assert relu_params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert tanh_params["W2"].std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    assert not tanh_params["b1"].any() and not tanh_params["b2"].any()


def test_numerical_gradient_of_a_known_function() -> None:
    values = np.array([1.5, -2.0])
    loss_of = lambda: float(values[0] ** 3 + 4 * values[1])  # noqa: E731  d/dx0 = 3 x0^2, d/dx1 = 4
    assert numerical_gradient(loss_of, values, (0,)) == pytest.approx(3 * 1.5**2, rel=1e-8)
    assert numerical_gradients(loss_of, {"v": values})["v"] == pytest.approx([6.75, 4.0], rel=1e-8)
    assert values.tolist() == [1.5, -2.0]  # nudged numbers are put back


def test_two_layer_network_solves_xor() -> None:
    targets = GATE_TARGETS["XOR"].astype(int)
    params = init_parameters(2, 4, 2, "tanh", np.random.default_rng(0))
    losses = train_by_nudging(params, GATE_INPUTS, targets, "tanh", learning_rate=1.0, steps=300)
    answers = forward_pass(params, GATE_INPUTS, "tanh")["probabilities"].argmax(axis=1)
    assert answers.tolist() == targets.tolist()
    assert losses[-1] < 0.05
    assert network_loss(params, GATE_INPUTS, targets, "tanh") == pytest.approx(losses[-1])


def test_step2_runs_and_solves_xor(run_script) -> None:
    process = run_script("level_2_neural_network/step2_network.py", "--seed", "0")
    assert_ok(process)
    assert "XOR solved: yes" in process.stdout
    assert "shape (4, 4)" in process.stdout  # the forward pass is traced shape by shape
    assert "Xavier" in process.stdout
