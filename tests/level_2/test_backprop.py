"""Step 2.3's hand-written maths: gradients vs finite differences, forward pass vs PyTorch, the two loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from level_2_neural_network.step2_network import cross_entropy, forward_pass, init_parameters, network_loss, numerical_gradients
from level_2_neural_network.step3_train import (
    backward,
    make_examples,
    one_hot_contexts,
    relative_error,
    sample_gradients,
    train_epoch_per_sample,
    train_epoch_vectorised,
)

ACTIVATIONS = ["sigmoid", "tanh", "relu"]
VOCAB = 5


def tiny_problem(activation: str, context: int, seed: int = 0, batch: int = 6):
    """A tiny network with 'awake' weights (not the gentle starting scale), so every squash is exercised."""
    rng = np.random.default_rng(seed)
    params = init_parameters(context * VOCAB, 4, VOCAB, activation, rng)
    params = {name: rng.normal(scale=1.0, size=array.shape) for name, array in params.items()}
    contexts = rng.integers(0, VOCAB, size=(batch, context))
    targets = rng.integers(0, VOCAB, size=batch)
    return params, one_hot_contexts(contexts, VOCAB), targets


def max_relative_error(analytic: dict, numeric: dict) -> float:
    return max(relative_error(analytic[name], numeric[name]) for name in analytic)


@pytest.mark.parametrize("context", [1, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_matches_finite_differences(activation: str, context: int) -> None:
    params, inputs, targets = tiny_problem(activation, context)
    analytic = backward(params, forward_pass(params, inputs, activation), targets, activation)
    numeric = numerical_gradients(lambda: network_loss(params, inputs, targets, activation), params)
    error = max_relative_error(analytic, numeric)
    print(f"{activation} context {context}: max relative error {error:.2e}")
    assert error < 1e-6
    for name in params:  # every entry too, not just the arrays as a whole
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("context", [1, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_sample_gradients_match_finite_differences(activation: str, context: int) -> None:
    params, inputs, targets = tiny_problem(activation, context, seed=1, batch=1)
    loss, analytic = sample_gradients(params, inputs[0], int(targets[0]), activation)
    assert loss == pytest.approx(network_loss(params, inputs, targets, activation), abs=1e-14)
    numeric = numerical_gradients(lambda: network_loss(params, inputs, targets, activation), params)
    assert max_relative_error(analytic, numeric) < 1e-6


def test_gradient_check_catches_a_wrong_gradient() -> None:
    """The check must be able to fail: backprop with the wrong squash slope is far off."""
    params, inputs, targets = tiny_problem("tanh", 1)
    wrong = backward(params, forward_pass(params, inputs, "tanh"), targets, "sigmoid")  # sigmoid slope, tanh net
    wrong["W2"] = backward(params, forward_pass(params, inputs, "tanh"), targets, "tanh")["W2"]
    numeric = numerical_gradients(lambda: network_loss(params, inputs, targets, "tanh"), params)
    assert relative_error(wrong["W1"], numeric["W1"]) > 1e-2


def torch_reference(params: dict, inputs: np.ndarray, targets: np.ndarray, activation: str):
    """The same network written with PyTorch's own layers and loss, in float64."""
    tensors = {name: torch.tensor(array, dtype=torch.float64, requires_grad=True) for name, array in params.items()}
    squash = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    hidden = squash(torch.nn.functional.linear(torch.tensor(inputs), tensors["W1"].T, tensors["b1"]))
    logits = torch.nn.functional.linear(hidden, tensors["W2"].T, tensors["b2"])
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(targets))
    loss.backward()
    return torch.softmax(logits, dim=-1).detach().numpy(), loss.item(), {n: t.grad.numpy() for n, t in tensors.items()}


@pytest.mark.parametrize("context", [1, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_loss_and_gradients_match_pytorch(activation: str, context: int) -> None:
    params, inputs, targets = tiny_problem(activation, context, seed=2, batch=9)
    cache = forward_pass(params, inputs, activation)
    probabilities, loss, gradients = torch_reference(params, inputs, targets, activation)
    np.testing.assert_allclose(cache["probabilities"], probabilities, rtol=0, atol=1e-10)
    assert cross_entropy(cache["probabilities"], targets) == pytest.approx(loss, abs=1e-10)
    ours = backward(params, cache, targets, activation)
    for name in params:
        np.testing.assert_allclose(ours[name], gradients[name], rtol=0, atol=1e-10)


def test_make_examples_and_one_hot() -> None:
    contexts, targets = make_examples(np.array([3, 1, 4, 1, 5]), context=3)
    assert contexts.tolist() == [[3, 1, 4], [1, 4, 1]] and targets.tolist() == [1, 5]
    rows = one_hot_contexts(contexts, vocab_size=6)
    assert rows.shape == (2, 18)
    assert np.flatnonzero(rows[0]).tolist() == [3, 6 + 1, 12 + 4]
    assert rows.sum() == 6
    assert make_examples(np.array([1, 2]), context=2)[0].shape == (0, 2)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_per_sample_and_vectorised_loops_give_the_same_weights(activation: str) -> None:
    rng = np.random.default_rng(5)
    vocab, context = 7, 2
    ids = rng.integers(0, vocab, size=300)
    contexts, targets = make_examples(ids, context)
    start = init_parameters(context * vocab, 8, vocab, activation, np.random.default_rng(0))
    per_sample = {name: array.copy() for name, array in start.items()}
    vectorised = {name: array.copy() for name, array in start.items()}
    loop_rng_a, loop_rng_b = np.random.default_rng(42), np.random.default_rng(42)
    for rate in (0.5, 0.2):
        loss_a = train_epoch_per_sample(per_sample, contexts, targets, vocab, activation, rate, loop_rng_a)
        loss_b = train_epoch_vectorised(vectorised, contexts, targets, vocab, activation, rate, 1, loop_rng_b)
        assert loss_a == pytest.approx(loss_b, abs=1e-12)
    for name in start:
        assert np.max(np.abs(per_sample[name] - vectorised[name])) < 1e-12, name
        assert np.max(np.abs(per_sample[name] - start[name])) > 1e-3, f"{name} never changed: the test proves nothing"
    # A bigger batch is different maths (averaged steps), so it must NOT give the same weights.
    batched = {name: array.copy() for name, array in start.items()}
    train_epoch_vectorised(batched, contexts, targets, vocab, activation, 0.5, 8, np.random.default_rng(42))
    assert np.max(np.abs(batched["W2"] - per_sample["W2"])) > 1e-3


def test_training_lowers_the_loss() -> None:
    rng = np.random.default_rng(0)
    ids = np.tile(np.array([0, 1, 2, 3]), 100)  # a perfectly predictable text: 0 1 2 3 0 1 2 3 ...
    contexts, targets = make_examples(ids, 1)
    params = init_parameters(4, 8, 4, "tanh", rng)
    before = network_loss(params, one_hot_contexts(contexts, 4), targets, "tanh")
    for _ in range(20):
        train_epoch_vectorised(params, contexts, targets, 4, "tanh", 1.0, 16, rng)
    after = network_loss(params, one_hot_contexts(contexts, 4), targets, "tanh")
    assert before > 1.0 and after < 0.05
