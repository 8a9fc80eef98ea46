"""Exercise 2.2 — More hidden neurons (Level 2, lesson.md, exercise 2).

(a) By hand first: how many numbers (weights and biases) does step 3's network have to learn with
8 hidden neurons, and with 256? The network is one-hot (72 characters) -> W1, b1 -> hidden layer ->
W2, b2 -> 72 scores. Step 3 prints the count in its table "What we train on", so you can check
yourself afterwards.

(b) Train with 8 and with 256 hidden neurons, from any folder of the course:

    buildai run 2.3 --hidden 8
    buildai run 2.3 --hidden 256

(or, inside level_2_neural_network/: python step3_train.py --hidden 8), and fill in ANSWERS.
The training times and the "why" have no automatic check: compare with `buildai check 2.2 --reveal`.

    buildai check 2.2
"""

ANSWERS = {
    # (a) Whole numbers: W1, b1, W2 and b2 together.
    "numbers_to_learn_hidden_8": None,
    "numbers_to_learn_hidden_256": None,
    # (b) The final held-out loss of the --hidden 8 run, in nats (first number on "Final held-out loss").
    "held_out_hidden_8": None,
    # (b) Does the --hidden 256 network end with a lower held-out loss than the bigram? "yes" or "no".
    "hidden_256_beats_bigram": None,
}
