"""Exercise 3.3 — Take away the residuals (Level 3, lesson.md, exercise 3).

In the level_3_transformer folder, run step 4 four times (each run takes less than a minute; from any
other folder of the course, `buildai run 3.4 --no-residual` and so on run the same script):

    python step4_put_it_together.py                              (2 blocks, with residuals)
    python step4_put_it_together.py --no-residual                (2 blocks, no residuals)
    python step4_put_it_together.py --layers 4                   (4 blocks, with residuals)
    python step4_put_it_together.py --layers 4 --no-residual     (4 blocks, no residuals)

Copy each run's "Final held-out loss" into ANSWERS. Then compare the two runs WITHOUT residuals: did
two more blocks help? Answer "yes" or "no".

Why the residuals matter (and what the runs without them end up learning) is for your eyes: compare
your explanation with `buildai check 3.3 --reveal`. Check your answers with:

    buildai check 3.3
"""

ANSWERS = {
    # "Final held-out loss" of each run, as printed (a number like 2.345).
    "loss_2_blocks": None,
    "loss_2_blocks_no_residual": None,
    "loss_4_blocks": None,
    "loss_4_blocks_no_residual": None,
    # Without residuals, did 4 blocks reach a lower held-out loss than 2 blocks? "yes" or "no".
    "more_blocks_help_without_residuals": None,
}
