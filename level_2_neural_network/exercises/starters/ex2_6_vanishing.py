"""Exercise 2.6 — Vanishing gradients (Level 2, lesson.md, exercise 6).

Pen and paper (Python can be your calculator). In the backward pass, the blame passing through a
layer is multiplied by the slope of its squash. Imagine 10 layers stacked on top of each other,
every neuron at its steepest point (the best case). What share of the blame from the loss reaches
the first layer? Write each answer as a number: 1 means all of it, 0.5 half of it.

What that does to learning, and what else helps, has no automatic check: compare with
`buildai check 2.6 --reveal`.

    buildai check 2.6
"""

ANSWERS = {
    "sigmoid_10_layers": None,  # 10 sigmoid layers, at best
    "tanh_10_layers": None,     # 10 tanh layers, at best
    "relu_10_layers": None,     # 10 relu layers, every neuron active (its sum above 0)
}
