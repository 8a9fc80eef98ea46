"""Step 2.1 - One neuron learns AND and OR, and cannot learn XOR.

A neuron is the smallest piece of a neural network. It takes some numbers in,
multiplies each by a *weight* (how much that input matters), adds them up with a
*bias* (how easily it says yes), and squashes the total into a number between 0
and 1 with the *sigmoid* function:

    output = sigmoid(w1*x1 + w2*x2 + b)

Training means finding weights that give the right answers. We do it with
*gradient descent*: measure how wrong the neuron is (the loss), work out which
way each weight should move to make the loss smaller (the gradient), take a
small step that way, and repeat.

For AND and OR that works perfectly. For XOR ("one or the other, but not both")
it cannot work: a neuron's "yes" region is always one side of a straight line,
and no straight line puts XOR's two 1s on one side and its two 0s on the other.
This script draws that line for you, in the terminal.

Run it:  python step1_neuron.py      (or: buildai run 2.1)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from buildai import script, ui

# The four possible inputs of a logic gate, one row each: (x1, x2).
GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

# The answer each gate wants for those four rows.
GATE_TARGETS = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),  # 1 only when both inputs are 1
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),   # 1 when at least one input is 1
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),  # 1 when exactly one input is 1
}


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """Squash any number into the range 0..1: big positive -> near 1, big negative -> near 0.

    >>> float(sigmoid(0.0))
    0.5
    >>> round(float(sigmoid(4.0)), 3)
    0.982
    """
    # exp() of a number above about 709 is too big for the computer; sigmoid is already
    # exactly 0 or 1 long before that, so clipping changes nothing and avoids a warning.
    z = np.clip(z, -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-z))


def neuron_output(weights: np.ndarray, bias: float, inputs: np.ndarray) -> np.ndarray:
    """The neuron's answer for each row of `inputs`: sigmoid(inputs . weights + bias).

    >>> neuron_output(np.array([10.0, 10.0]), -15.0, GATE_INPUTS).round(3)  # an AND gate
    array([0.   , 0.007, 0.007, 0.993])
    """
    return sigmoid(inputs @ weights + bias)


def log_loss(outputs: np.ndarray, targets: np.ndarray) -> float:
    """How wrong the neuron is, on average (0 = perfect). Also called binary cross-entropy.

    For a row whose answer should be 1 the loss is -log(output): tiny when the output is
    near 1, huge when it is near 0. For a row whose answer should be 0 it is -log(1 - output).

    >>> round(log_loss(np.array([0.5]), np.array([1.0])), 4)  # a coin toss: log(2)
    0.6931
    """
    outputs = np.clip(outputs, 1e-12, 1 - 1e-12)  # log(0) would be minus infinity
    return float(np.mean(-(targets * np.log(outputs) + (1 - targets) * np.log(1 - outputs))))


def neuron_gradients(
    weights: np.ndarray, bias: float, inputs: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, float]:
    """Which way (and how strongly) the loss changes when each weight and the bias grow.

    For sigmoid with the log loss, the maths simplifies beautifully: the gradient of the
    loss with respect to the sum z is just (output - target). Each weight then gets that
    "error" times the input it multiplies, averaged over the rows.

    >>> w, b = neuron_gradients(np.zeros(2), 0.0, GATE_INPUTS, GATE_TARGETS["OR"])
    >>> w, b          # all outputs are 0.5 at the start: every weight and the bias should grow
    (array([-0.25, -0.25]), -0.25)
    """
    errors = neuron_output(weights, bias, inputs) - targets  # d(loss)/dz for each row
    weight_gradients = inputs.T @ errors / len(targets)      # d(loss)/dw = error * input
    bias_gradient = float(np.mean(errors))                   # d(loss)/db = error * 1
    return weight_gradients, bias_gradient


def train_neuron(
    targets: np.ndarray,
    rng: np.random.Generator,
    learning_rate: float = 1.0,
    steps: int = 2000,
    inputs: np.ndarray = GATE_INPUTS,
) -> tuple[np.ndarray, float, list[float]]:
    """Gradient descent: start with small random weights, then step downhill `steps` times.

    Returns the final weights, the final bias and the loss after every step.
    """
    weights = rng.normal(0.0, 0.5, size=inputs.shape[1])
    bias = 0.0
    losses = []
    for _ in range(steps):
        weight_gradients, bias_gradient = neuron_gradients(weights, bias, inputs, targets)
        # Step AGAINST the gradient: the gradient points uphill, we want to go down.
        weights = weights - learning_rate * weight_gradients
        bias = bias - learning_rate * bias_gradient
        losses.append(log_loss(neuron_output(weights, bias, inputs), targets))
    return weights, bias, losses


def count_correct(outputs: np.ndarray, targets: np.ndarray) -> int:
    """How many rows the neuron gets right, reading an output of 0.5 or more as 'yes'.

    >>> count_correct(np.array([0.1, 0.8, 0.6, 0.3]), np.array([0.0, 1.0, 1.0, 1.0]))
    3
    """
    return int(np.sum((outputs >= 0.5) == (targets == 1.0)))


def decision_grid(
    says_yes: Callable[[np.ndarray], np.ndarray], targets: np.ndarray, columns: int = 21, rows: int = 9
) -> list[str]:
    """A picture of where a model says yes, drawn with characters.

    `says_yes` takes points (one (x1, x2) per row) and returns True/False for each. The
    square from -0.5 to 1.5 on both axes is drawn as '#' where the model says yes and '.'
    where it says no. The four gate inputs are drawn as the answer they WANT (0 or 1), so
    you can see whether each lands on the right side. Row 0 is the top (x2 = 1.5).

    >>> line = line_says_yes(np.array([1.0, 1.0]), -1.5)   # yes when x1 + x2 >= 1.5
    >>> decision_grid(line, GATE_TARGETS["AND"], columns=5, rows=5)   # x1, x2 = -0.5, 0, 0.5, 1, 1.5
    ['.####', '.0#1#', '...##', '.0.0#', '.....']
    """
    x_values = np.linspace(-0.5, 1.5, columns)
    y_values = np.linspace(1.5, -0.5, rows)
    points = np.array([(x, y) for y in y_values for x in x_values])
    answers = np.asarray(says_yes(points)).reshape(rows, columns)
    picture = [["#" if yes else "." for yes in row] for row in answers]
    for (x1, x2), wanted in zip(GATE_INPUTS, targets):
        column = int(np.argmin(np.abs(x_values - x1)))
        row = int(np.argmin(np.abs(y_values - x2)))
        picture[row][column] = str(int(wanted))
    return ["".join(line) for line in picture]


def line_says_yes(weights: np.ndarray, bias: float) -> Callable[[np.ndarray], np.ndarray]:
    """A neuron as a yes/no rule: yes on the side of the line where weights . x + bias >= 0."""
    return lambda points: points @ weights + bias >= 0


def best_random_line(
    targets: np.ndarray, rng: np.random.Generator, tries: int = 10_000
) -> tuple[int, np.ndarray, float]:
    """Try many random straight lines; return the most rows any of them gets right, and that line.

    A line is a neuron with random weights; we only ask which side each point is on.
    For AND and OR some line gets all 4; for XOR the best is always 3.
    """
    weights = rng.normal(size=(tries, 2))
    biases = rng.normal(size=tries)
    sides = GATE_INPUTS @ weights.T + biases >= 0          # (4 rows, tries lines): yes or no
    correct = np.sum(sides == (targets[:, None] == 1.0), axis=0)
    best = int(np.argmax(correct))
    return int(correct[best]), weights[best], float(biases[best])


def show_truth_table(gate: str, before: np.ndarray, after: np.ndarray) -> None:
    targets = GATE_TARGETS[gate]
    rows = []
    for (x1, x2), wanted, old, new in zip(GATE_INPUTS, targets, before, after):
        answer = int(new >= 0.5)
        mark = "right" if answer == wanted else "WRONG"
        rows.append((str(int(x1)), str(int(x2)), str(int(wanted)), f"{old:.3f}", f"{new:.3f}", f"{answer}  {mark}"))
    ui.table(
        f"{gate}: truth table, before and after training",
        ["x1", "x2", "wanted", "output before", "output after", "answer after"],
        rows,
        justify=["center", "center", "center", "right", "right", "left"],
    )


def show_decision_line(weights: np.ndarray, bias: float, targets: np.ndarray) -> None:
    w1, w2 = weights
    if max(abs(w1), abs(w2)) < 0.01:
        ui.say("The weights shrank to almost zero: the neuron now answers about 0.5 -- 'no idea' -- "
               "for every input. That is the best a single line can do for the loss on XOR.")
        return
    ui.say(f"The neuron says yes when  {w1:.2f}*x1 {_signed(w2)}*x2 {_signed(bias)} >= 0.")
    if abs(w2) > 1e-9:
        ui.say(f"Its dividing line is      x2 = {-w1 / w2:.2f}*x1 {_signed(-bias / w2)}")
    ui.say("Picture: x1 goes right, x2 goes up; '#' = the neuron says yes, '.' = no;")
    ui.say("the digits are the answer each of the four inputs WANTS.")
    for line in decision_grid(line_says_yes(weights, bias), targets):
        ui.say("    " + line)


def _signed(value: float) -> str:
    """'+ 1.50' or '- 1.50', so an equation reads naturally."""
    return f"{'-' if value < 0 else '+'} {abs(value):.2f}"


def learn_gate(gate: str, args, rng: np.random.Generator) -> int:
    """Train one neuron on a gate, show everything, and return how many rows it gets right."""
    targets = GATE_TARGETS[gate]
    ui.heading(f"Teaching one neuron the {gate} gate")
    start_rng = np.random.default_rng(rng.integers(2**32))
    start_weights = start_rng.normal(0.0, 0.5, size=2)
    before = neuron_output(start_weights, 0.0, GATE_INPUTS)
    weights, bias, losses = train_neuron(
        targets, np.random.default_rng(rng.integers(2**32)), args.learning_rate, args.steps
    )
    after = neuron_output(weights, bias, GATE_INPUTS)
    show_truth_table(gate, before, after)
    ui.table(
        "The neuron's numbers after training",
        ["weight w1", "weight w2", "bias b", "loss at start", "loss at end"],
        [(f"{weights[0]:.3f}", f"{weights[1]:.3f}", f"{bias:.3f}", f"{losses[0]:.4f}", f"{losses[-1]:.4f}")],
        justify=["right"] * 5,
    )
    show_decision_line(weights, bias, targets)
    correct = count_correct(after, targets)
    ui.result(f"{gate} rows right", f"{correct} of 4")
    return correct


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("One neuron learns AND and OR by gradient descent, and fails at XOR.", text_flag=False)
    parser.add_argument("--steps", type=script.positive_int, default=2000, help="gradient descent steps per gate (default 2000)")
    parser.add_argument("--learning-rate", type=script.positive_float, default=1.0, help="size of each downhill step (default 1.0)")
    args = script.start_step(parser, argv)
    rng = np.random.default_rng(args.seed)

    ui.heading("Step 2.1 - A single neuron", "weights, a bias, and a squashing function")
    ui.explain(
        "A neuron is like a village council member deciding yes or no. Each input is a voice in the "
        "meeting; the weight says how much that voice counts; the bias is how easily the member says yes. "
        "The neuron adds up the weighted voices and the bias, then the sigmoid squashes the total into a "
        "number between 0 (a firm no) and 1 (a firm yes).\n\n"
        "Training: we measure how wrong the answers are (the loss) and nudge every weight a little in the "
        "direction that makes the loss smaller. That is gradient descent."
    )
    ui.say("The sigmoid squashes any number into the range 0..1:")
    ui.table(None, ["z", "sigmoid(z)"],
             [(f"{z:+.0f}", f"{float(sigmoid(z)):.4f}") for z in (-6, -2, 0, 2, 6)], justify=["right", "right"])

    for gate in ("AND", "OR"):
        correct = learn_gate(gate, args, rng)
        ui.result(f"{gate} learned", "yes" if correct == 4 else "no")

    correct = learn_gate("XOR", args, rng)
    ui.result("XOR learned by one neuron", "yes" if correct == 4 else "no")
    best, line_weights, line_bias = best_random_line(GATE_TARGETS["XOR"], np.random.default_rng(rng.integers(2**32)))
    ui.explain(
        "XOR wants 1 at the top-left and bottom-right corners, and 0 at the other two:\n\n"
        "      x2\n"
        "      1 |  1 ........ 0\n"
        "        |  .          .\n"
        "      0 |  0 ........ 1\n"
        "        +-------------- x1\n"
        "           0          1\n\n"
        "A neuron can only cut the square with ONE straight line: yes on one side, no on the other. "
        "The two 1s sit on opposite corners, with the 0s on the other diagonal, so any line that puts both 1s "
        "on the yes side also catches at least one 0. The best any line can do is 3 of 4. "
        "Training pushes the weights towards zero and every output towards 0.5: the neuron gives up. "
        "Step 2.2 fixes this with a hidden layer: several neurons draw several lines, and a final neuron "
        "combines them.",
        title="Why one neuron cannot learn XOR",
    )
    ui.say("The best of 10,000 random straight lines, drawn the same way:")
    show_decision_line(line_weights, line_bias, GATE_TARGETS["XOR"])
    ui.result("Best of 10,000 random lines on XOR", f"{best} of 4")


if __name__ == "__main__":
    script.run_step(main)
