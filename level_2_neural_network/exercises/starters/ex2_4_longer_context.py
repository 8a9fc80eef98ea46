"""Exercise 2.4 — Longer context (Level 2, lesson.md, exercise 4).

Train with a longer context, from any folder of the course:

    buildai run 2.3 --context 2
    buildai run 2.3 --context 3

(or, inside level_2_neural_network/: python step3_train.py --context 2). Each run also prints the
held-out loss of Level 1's n-gram that sees the same number of characters. Fill in ANSWERS; the
last one is pen and paper (Python can be your calculator). Why a much bigger text could change the
winner has no automatic check: compare with `buildai check 2.4 --reveal`.

    buildai check 2.4
"""

ANSWERS = {
    # The network's final held-out losses, in nats (the first number on "Final held-out loss").
    "held_out_context_2": None,
    "held_out_context_3": None,
    # With context 3, who has the lower held-out loss: "network" or "n-gram"?
    "winner_context_3": None,
    # How many different 3-character contexts are possible with the stories' 72 characters? A whole number.
    "possible_contexts_3": None,
}
