"""Exercise 3.2 — Take away the mask (Level 3, lesson.md, exercise 2).

In the level_3_transformer folder, run step 4 for 600 steps without the causal mask, and then a normal
run of 600 steps (each takes less than a minute; from any other folder of the course,
`buildai run 3.4 --no-mask --steps 600` runs the same script):

    python step4_put_it_together.py --no-mask --steps 600
    python step4_put_it_together.py --steps 600

Copy each run's "Final held-out loss" into ANSWERS, and look at the text each one writes at the end.

Then the lesson's hint: during training, every position of a window must guess the character that
comes next. Number the positions of a window 0, 1, 2, ... Position 5 must guess the character at which
position? Without the mask, position 5 can see that character.

Last: compared with the normal run, is the text written without the mask "better", "same" or "worse"?

Explaining both is for your eyes: compare with `buildai check 3.2 --reveal`. Check your answers with:

    buildai check 3.2
"""

ANSWERS = {
    # "Final held-out loss" of each 600-step run, as printed (a number like 2.345).
    "loss_with_mask": None,
    "loss_without_mask": None,
    # Position 5 must guess the character at position ... (a whole number)
    "target_of_position_5": None,
    # The text written without the mask, compared with the normal run's: "better", "same" or "worse".
    "generated_text": None,
}
