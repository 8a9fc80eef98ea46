"""Exercise 2.5 — XOR with one neuron, and with tiny hidden layers (Level 2, lesson.md, exercise 5).

(a) Run step 1 (`buildai run 2.1`, or python step1_neuron.py inside level_2_neural_network/). How
many of XOR's four rows can the best straight line get right?

(b) Run step 2 with tiny hidden layers, and try a few seeds for each size:

    buildai run 2.2 --hidden 1
    buildai run 2.2 --hidden 2 --seed 0
    buildai run 2.2 --hidden 2 --seed 1      (and so on)

Each run ends with "XOR solved: yes" or "no". Fill in ANSWERS. Your explanation and drawing of
why one neuron cannot learn XOR have no automatic check: compare with `buildai check 2.5 --reveal`.

    buildai check 2.5
"""

ANSWERS = {
    # (a) The most rows of XOR's truth table that one straight line gets right: a whole number, 0 to 4.
    "best_line_rows": None,
    # (b) The smallest --hidden that solved XOR for at least one seed: a whole number.
    "smallest_hidden": None,
}
