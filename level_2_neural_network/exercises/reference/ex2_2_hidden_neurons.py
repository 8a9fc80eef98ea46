"""Exercise 2.2 — the reference answer: the counts by hand, the loss from the recorded --hidden runs."""

import json

from buildai.paths import REPO_ROOT


def numbers_to_learn(vocabulary: int, hidden: int) -> int:
    w1, b1 = vocabulary * hidden, hidden  # a weight from every character to every hidden neuron, one bias each
    w2, b2 = hidden * vocabulary, vocabulary  # a weight from every hidden neuron to every score, one bias each
    return w1 + b1 + w2 + b2


runs = json.loads((REPO_ROOT / "level_2_neural_network" / "measured" / "exercise_runs.json")
                  .read_text(encoding="utf-8"))["values"]
ANSWERS = {
    "numbers_to_learn_hidden_8": numbers_to_learn(72, 8),
    "numbers_to_learn_hidden_256": numbers_to_learn(72, 256),
    "held_out_hidden_8": runs["h8_val"],
    "hidden_256_beats_bigram": "yes" if runs["h256_minus"] < 0 else "no",  # "Network minus bigram" is +0.006
}
