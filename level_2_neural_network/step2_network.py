"""Step 2.2 - A small network: input -> hidden layer -> softmax. It solves XOR.

One neuron draws one straight line. A *hidden layer* is a row of neurons that
each draw their own line; the *output layer* then combines their answers. With
a few hidden neurons the network can carve the square into any shape XOR needs.

The network, for a batch of inputs (one example per row):

    hidden sums    = inputs @ W1 + b1          (every hidden neuron weighs every input)
    hidden         = activation(hidden sums)   (tanh, sigmoid or relu: the squash)
    logits         = hidden @ W2 + b2          (one score per possible answer)
    probabilities  = softmax(logits)           (scores -> chances that add up to 1)
    loss           = cross-entropy             (-log of the chance given to the right answer)

Three ideas live here, and step 3 reuses all of them:

1. **Starting weights** (Xavier / He initialisation): random, but scaled so the
   signal neither dies out nor explodes as it passes through a layer.
2. **The forward pass**, traced shape by shape with the numbers shown.
3. **Gradients by nudging** (finite differences): to see which way a weight
   should move, nudge it up a tiny bit, then down, and watch the loss. It is slow
   (two forward passes per weight!) but obviously right. We train XOR this way.
   Step 3 gets exactly the same gradients much faster, with backpropagation --
   and uses this slow method to check them.

Run it:  python step2_network.py      (or: buildai run 2.2)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from buildai import script, ui
from buildai.errors import UserError
from level_2_neural_network.step1_neuron import GATE_INPUTS, GATE_TARGETS, decision_grid, sigmoid

Parameters = dict[str, np.ndarray]  # "W1", "b1", "W2", "b2" -> arrays of numbers


# ----------------------------------------------------------------- activations


def tanh(z: np.ndarray) -> np.ndarray:
    """Like sigmoid, but from -1 to 1 and centred on 0.

    >>> float(tanh(0.0)), round(float(tanh(2.0)), 3)
    (0.0, 0.964)
    """
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    """'Rectified linear unit': keep positive numbers, turn negative ones into 0.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    return np.maximum(z, 0.0)


# The squashing functions a hidden layer can use, by name (the --activation flag).
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def softmax(logits: np.ndarray) -> np.ndarray:
    """Turn scores into probabilities: exponentiate, then divide by the total (along the last axis).

    Subtracting the largest score first changes nothing mathematically (it cancels in the
    division) but stops exp() from overflowing when a score is large.

    >>> softmax(np.array([[1.0, 1.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    >>> softmax(np.array([2.0, 1.0, 0.1])).round(3)
    array([0.659, 0.242, 0.099])
    """
    powers = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return powers / powers.sum(axis=-1, keepdims=True)


# -------------------------------------------------------------- initialisation


def xavier_std(fan_in: int, fan_out: int) -> float:
    """Xavier (Glorot) scale for tanh/sigmoid layers: sqrt(2 / (inputs + outputs)).

    Keeps the spread of the numbers about the same going forwards AND backwards.

    >>> xavier_std(2, 2)
    0.7071067811865476
    """
    return float(np.sqrt(2.0 / (fan_in + fan_out)))


def he_std(fan_in: int) -> float:
    """He (Kaiming) scale for relu layers: sqrt(2 / inputs).

    relu throws away the negative half of its inputs, so the weights start twice
    as 'loud' (in variance) to make up for it.

    >>> he_std(8)
    0.5
    """
    return float(np.sqrt(2.0 / fan_in))


def hidden_layer_std(input_size: int, hidden_size: int, activation: str) -> float:
    """The starting spread of the hidden layer's weights: He for relu, Xavier otherwise.

    >>> hidden_layer_std(8, 8, "relu"), hidden_layer_std(8, 8, "tanh")
    (0.5, 0.3535533905932738)
    """
    if activation not in ACTIVATIONS:
        raise UserError(f"Unknown activation '{activation}'. Choose one of: {', '.join(ACTIVATIONS)}.")
    return he_std(input_size) if activation == "relu" else xavier_std(input_size, hidden_size)


def init_parameters(
    input_size: int, hidden_size: int, output_size: int, activation: str, rng: np.random.Generator
) -> Parameters:
    """Random starting weights for input -> hidden -> output, and zero biases.

    The hidden layer uses He scaling for relu and Xavier scaling for tanh and sigmoid;
    the output layer (no squash before softmax) uses Xavier.

    >>> params = init_parameters(2, 4, 2, "tanh", np.random.default_rng(0))
    >>> {name: value.shape for name, value in params.items()}
    {'W1': (2, 4), 'b1': (4,), 'W2': (4, 2), 'b2': (2,)}
    """
    return {
        "W1": rng.normal(0.0, hidden_layer_std(input_size, hidden_size, activation), size=(input_size, hidden_size)),
        "b1": np.zeros(hidden_size),
        "W2": rng.normal(0.0, xavier_std(hidden_size, output_size), size=(hidden_size, output_size)),
        "b2": np.zeros(output_size),
    }


# ---------------------------------------------------------------- forward pass


def forward_pass(params: Parameters, inputs: np.ndarray, activation: str) -> dict[str, np.ndarray]:
    """Run the network on a batch (one example per row) and keep every in-between result.

    Step 3's backpropagation needs the in-between results, so we return them all.
    It also works on a single example given as a 1-D array.

    >>> params = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.eye(2), "b2": np.zeros(2)}
    >>> forward_pass(params, np.array([[0.0, 0.0]]), "relu")["probabilities"]
    array([[0.5, 0.5]])
    """
    hidden_sums = inputs @ params["W1"] + params["b1"]     # (batch, hidden)
    hidden = ACTIVATIONS[activation](hidden_sums)          # (batch, hidden)
    logits = hidden @ params["W2"] + params["b2"]          # (batch, outputs)
    return {
        "inputs": inputs,
        "hidden_sums": hidden_sums,
        "hidden": hidden,
        "logits": logits,
        "probabilities": softmax(logits),                  # (batch, outputs), each row adds up to 1
    }


def cross_entropy(probabilities: np.ndarray, targets: np.ndarray) -> float:
    """The average of -log(probability given to the right answer), over a batch. 0 would be perfect.

    >>> round(cross_entropy(np.array([[0.5, 0.5]]), np.array([1])), 4)   # a 50:50 guess: log(2)
    0.6931
    >>> round(cross_entropy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 0])), 4)
    0.1643
    """
    return float(-np.mean(np.log(probabilities[np.arange(len(targets)), targets])))


def network_loss(params: Parameters, inputs: np.ndarray, targets: np.ndarray, activation: str) -> float:
    """Forward pass, then cross-entropy: one number saying how wrong the network is."""
    return cross_entropy(forward_pass(params, inputs, activation)["probabilities"], targets)


# ------------------------------------------------------- gradients by nudging


def numerical_gradient(loss_of: Callable[[], float], array: np.ndarray, index: tuple[int, ...],
                       epsilon: float = 1e-6) -> float:
    """How fast the loss changes when ONE number in `array` changes (central difference).

    Nudge the number up by epsilon, measure the loss; nudge it down, measure again;
    the slope is (loss_up - loss_down) / (2 * epsilon). The number is put back afterwards.

    >>> x = np.array([3.0])
    >>> round(numerical_gradient(lambda: float(x[0] ** 2), x, (0,)), 6)   # d(x^2)/dx = 2x = 6
    6.0
    """
    original = array[index]
    array[index] = original + epsilon
    loss_up = loss_of()
    array[index] = original - epsilon
    loss_down = loss_of()
    array[index] = original
    return (loss_up - loss_down) / (2.0 * epsilon)


def numerical_gradients(loss_of: Callable[[], float], params: Parameters, epsilon: float = 1e-6) -> Parameters:
    """The gradient of the loss for EVERY number in `params`, by nudging each one in turn.

    `loss_of()` must compute the loss from the current values in `params`.
    Cost: two forward passes per number -- fine for XOR's 22 numbers, far too slow
    for step 3's thousands. That is why backpropagation exists.
    """
    gradients = {}
    for name, array in params.items():
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            gradient[index] = numerical_gradient(loss_of, array, index, epsilon)
        gradients[name] = gradient
    return gradients


def train_by_nudging(
    params: Parameters, inputs: np.ndarray, targets: np.ndarray, activation: str,
    learning_rate: float, steps: int, on_step: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Gradient descent with numerical gradients. Changes `params` in place; returns the losses."""
    losses = []
    loss_of = lambda: network_loss(params, inputs, targets, activation)  # noqa: E731
    for step in range(steps):
        gradients = numerical_gradients(loss_of, params)
        for name in params:
            params[name] -= learning_rate * gradients[name]       # a step downhill
        losses.append(loss_of())
        if on_step is not None:
            on_step(step, losses[-1])
    return losses


def network_says_yes(params: Parameters, activation: str) -> Callable[[np.ndarray], np.ndarray]:
    """The network as a yes/no rule: yes where it gives answer 1 the higher probability."""
    return lambda points: forward_pass(params, points, activation)["probabilities"][:, 1] >= 0.5


# --------------------------------------------------------------------- display


def show_matrix(title: str, matrix: np.ndarray, row_names: list[str], column_names: list[str]) -> None:
    """A small matrix as a table, announced with its shape."""
    matrix = np.atleast_2d(matrix)
    ui.say(f"[heading]{title}[/heading]   shape {tuple(matrix.shape)}")
    rows = [[name, *(f"{value:+.3f}" for value in row)] for name, row in zip(row_names, matrix)]
    ui.table(None, ["", *column_names], rows, justify=["left"] + ["right"] * matrix.shape[1])


def trace_forward_pass(params: Parameters, inputs: np.ndarray, activation: str) -> None:
    """Print every stage of a forward pass with its shape and numbers."""
    examples = [f"({int(a)},{int(b)})" for a, b in inputs]
    batch, hidden_size, outputs = len(inputs), params["W1"].shape[1], params["W2"].shape[1]
    hidden_names = [f"h{j + 1}" for j in range(hidden_size)]
    answer_names = [f"answer {k}" for k in range(outputs)]
    cache = forward_pass(params, inputs, activation)
    ui.say(f"inputs {(batch, 2)} @ W1 {(2, hidden_size)} + b1 ({hidden_size},) -> hidden sums {(batch, hidden_size)}"
           f" -> {activation} -> hidden {(batch, hidden_size)}")
    ui.say(f"hidden {(batch, hidden_size)} @ W2 {(hidden_size, outputs)} + b2 ({outputs},) -> logits "
           f"{(batch, outputs)} -> softmax -> probabilities {(batch, outputs)}")
    show_matrix("1. inputs: one example per row", inputs, examples, ["x1", "x2"])
    show_matrix("2. W1: one column of weights per hidden neuron", params["W1"], ["x1", "x2"], hidden_names)
    show_matrix("   b1: one bias per hidden neuron", params["b1"], ["b1"], hidden_names)
    show_matrix("3. hidden sums = inputs @ W1 + b1", cache["hidden_sums"], examples, hidden_names)
    show_matrix(f"4. hidden = {activation}(hidden sums)", cache["hidden"], examples, hidden_names)
    show_matrix("5. W2: one column of weights per answer", params["W2"], hidden_names, answer_names)
    show_matrix("6. logits = hidden @ W2 + b2 (b2 starts at 0)", cache["logits"], examples, answer_names)
    show_matrix("7. probabilities = softmax(logits): each row adds up to 1", cache["probabilities"], examples,
                [f"chance of {k}" for k in range(outputs)])


def show_initialisation_demo(rng: np.random.Generator) -> None:
    """Why the starting scale matters: push random inputs through a wide tanh layer."""
    inputs = rng.normal(size=(500, 100))
    rows = []
    for label, std in (("tiny (0.01)", 0.01), ("Xavier", xavier_std(100, 100)), ("huge (1.0)", 1.0)):
        hidden = np.tanh(inputs @ rng.normal(0.0, std, size=(100, 100)))
        saturated = np.mean(np.abs(hidden) > 0.99) * 100
        rows.append((label, f"{std:.3f}", f"{hidden.std():.3f}", f"{saturated:.1f}%"))
    ui.table("100 inputs -> 100 tanh neurons, three starting scales",
             ["starting weights", "weight spread (std)", "hidden spread", "stuck at +-1 (saturated)"],
             rows, justify=["left", "right", "right", "right"])
    ui.say("Tiny weights: every hidden neuron says almost 0, the signal fades away. Huge weights: many neurons "
           "are stuck at +1 or -1, where tanh is flat, so their gradients vanish. Xavier sits in between.")


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("A small network (input -> hidden -> softmax) learns XOR.", text_flag=False)
    parser.add_argument("--hidden", type=script.positive_int, default=4, help="number of hidden neurons (default 4)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="tanh", help="hidden squash (default tanh)")
    parser.add_argument("--steps", type=script.positive_int, default=300, help="gradient descent steps (default 300)")
    parser.add_argument("--learning-rate", type=script.positive_float, default=1.0, help="size of each downhill step (default 1.0)")
    args = script.start_step(parser, argv)
    rng = np.random.default_rng(args.seed)
    targets = GATE_TARGETS["XOR"].astype(int)

    ui.heading("Step 2.2 - A network with a hidden layer", "input -> hidden -> softmax, trained on XOR")
    ui.explain(
        "One neuron is one council member drawing one straight line. Now we seat a small council: "
        f"{args.hidden} hidden neurons each look at the inputs and vote, and an output layer listens to their "
        "votes and gives a score to each answer (0 and 1). Softmax turns the two scores into two chances "
        "that add up to 1.\n\n"
        "  x1 ─┐   ┌─ h1 ─┐\n"
        "      ├─W1┼─ h2 ─┼─W2─> score for 0 ─┐\n"
        "  x2 ─┘   ├─ h3 ─┤                   ├─ softmax ─> chance of 0, chance of 1\n"
        "          └─ h4 ─┘─W2─> score for 1 ─┘"
    )

    ui.heading("Starting weights: Xavier and He")
    show_initialisation_demo(np.random.default_rng(rng.integers(2**32)))
    params = init_parameters(2, args.hidden, 2, args.activation, rng)
    rule = "He: sqrt(2 / inputs)" if args.activation == "relu" else "Xavier: sqrt(2 / (inputs + outputs))"
    ui.table("The scales our XOR network starts with", ["layer", "rule", "std"], [
        (f"W1 (2 -> {args.hidden}, {args.activation})", rule, f"{hidden_layer_std(2, args.hidden, args.activation):.3f}"),
        (f"W2 ({args.hidden} -> 2, softmax)", "Xavier: sqrt(2 / (inputs + outputs))", f"{xavier_std(args.hidden, 2):.3f}"),
    ], justify=["left", "left", "right"])

    ui.heading("A forward pass, shape by shape (before training)")
    trace_forward_pass(params, GATE_INPUTS, args.activation)
    loss_before = network_loss(params, GATE_INPUTS, targets, args.activation)
    ui.result("Loss before training", f"{loss_before:.4f}")

    ui.heading("Training by nudging every weight")
    parameter_count = sum(array.size for array in params.values())
    ui.explain(
        f"The network has {parameter_count} numbers to learn. For each training step we nudge every one of "
        f"them up and down by a millionth and watch the loss: that is {2 * parameter_count} forward passes "
        "per step, and tells us which way each number should move. Then we move them all a little downhill. "
        "Slow, but you can see it is right. Step 3 does the same job with backpropagation."
    )
    with ui.progress(total=args.steps, description="Training on XOR") as tracker:
        losses = train_by_nudging(params, GATE_INPUTS, targets, args.activation, args.learning_rate, args.steps,
                                  on_step=lambda step, loss: tracker.advance(loss=loss))
    probabilities = forward_pass(params, GATE_INPUTS, args.activation)["probabilities"]
    answers = probabilities.argmax(axis=1)
    rows = [
        (str(int(a)), str(int(b)), str(want), f"{p[1]:.3f}", f"{got}  {'right' if got == want else 'WRONG'}")
        for (a, b), want, p, got in zip(GATE_INPUTS, targets, probabilities, answers)
    ]
    ui.table("XOR after training", ["x1", "x2", "wanted", "chance of 1", "answer"], rows,
             justify=["center", "center", "center", "right", "left"])
    ui.say("Where the network says 1 ('#') -- no longer one straight line:")
    for line in decision_grid(network_says_yes(params, args.activation), GATE_TARGETS["XOR"]):
        ui.say("    " + line)
    correct = int(np.sum(answers == targets))
    ui.result("Loss after training", f"{losses[-1]:.4f}")
    ui.result("XOR rows right", f"{correct} of 4")
    ui.result("XOR solved", "yes" if correct == 4 else "no")
    if correct < 4:
        ui.warn("Not solved this time: try more --steps, a different --seed, or more --hidden neurons.")


if __name__ == "__main__":
    script.run_step(main)
