"""Exercise 2.3 — the reference answer.

The gradient sizes are read from the recorded runs (level_2_neural_network/measured/), the same
"Backprop vs nudging" tables step 3 prints for each --activation.
"""

import json

from buildai.paths import REPO_ROOT
from level_2_neural_network.step1_neuron import sigmoid


def sigmoid_slope(z: float) -> float:
    """The slope of the sigmoid at z (one number in, one number out)."""
    s = sigmoid(z)
    return s * (1 - s)


runs = json.loads((REPO_ROOT / "level_2_neural_network" / "measured" / "exercise_runs.json")
                  .read_text(encoding="utf-8"))["values"]
tanh_w1 = runs["lr10_W1"]  # the --learning-rate runs use the default tanh network, before any training step
w1_sizes = {"sigmoid": runs["sigmoid_W1"], "tanh": tanh_w1, "relu": runs["relu_W1"]}
ANSWERS = {
    "least_blame": min(w1_sizes, key=w1_sizes.get),
    "tanh_W1_over_sigmoid_W1": tanh_w1 / runs["sigmoid_W1"],
}
