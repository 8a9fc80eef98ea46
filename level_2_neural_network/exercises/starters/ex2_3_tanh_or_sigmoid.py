"""Exercise 2.3 — tanh or sigmoid? (Level 2, lesson.md, exercise 3).

(a) Write sigmoid_slope(z) below: how fast sigmoid(z) changes when z grows (its derivative). The
lesson's section 6 gives the rule. You may use the course's sigmoid:

    from level_2_neural_network.step1_neuron import sigmoid

The check tests your function the way step 3 tests backprop: by nudging z a tiny bit up and down.

(b) Train with each squash, from any folder of the course:

    buildai run 2.3 --activation sigmoid
    buildai run 2.3 --activation tanh
    buildai run 2.3 --activation relu

and look at the "typical gradient size" column of the table "Backprop vs nudging" (the W1 row) in
each run. Then fill in ANSWERS. The "why" has no automatic check: compare with
`buildai check 2.3 --reveal`.

    buildai check 2.3
"""


def sigmoid_slope(z: float) -> float:
    """The slope of the sigmoid at z (one number in, one number out)."""
    raise NotImplementedError("write sigmoid_slope")


ANSWERS = {
    # Which squash passes back the least blame to W1 (the smallest W1 gradient)? "sigmoid", "tanh" or "relu".
    "least_blame": None,
    # How many times bigger is tanh's W1 "typical gradient size" than sigmoid's? A number like 1.5.
    "tanh_W1_over_sigmoid_W1": None,
}
