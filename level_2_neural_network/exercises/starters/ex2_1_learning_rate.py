"""Exercise 2.1 — Learning rate too high, too low (Level 2, lesson.md, exercise 1).

Train step 3's network twice, from any folder of the course:

    buildai run 2.3 --learning-rate 10
    buildai run 2.3 --learning-rate 0.05

(or, inside level_2_neural_network/: python step3_train.py --learning-rate 10). Watch the loss after
each epoch, then fill in ANSWERS. What each run tells you about the hill in fog has no automatic
check: compare your explanation with `buildai check 2.1 --reveal`.

    buildai check 2.1
"""

ANSWERS = {
    # Which of the two learning rates made step 3 warn "The loss went UP"? A number: 10 or 0.05.
    "loss_went_up_with": None,
    # The final held-out loss of the --learning-rate 0.05 run, in nats: the first number on the line
    # "Final held-out loss", e.g. 2.7182.
    "held_out_lr_0_05": None,
    # Where did the --learning-rate 10 run end, compared with the untrained network (its held-out loss
    # "Before training")? One word: "better" or "worse".
    "lr_10_vs_untrained": None,
}
