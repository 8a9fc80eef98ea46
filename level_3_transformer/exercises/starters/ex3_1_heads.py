"""Exercise 3.1 — How many heads? (Level 3, lesson.md, exercise 1).

In the level_3_transformer folder, run step 4 with 1 head and with 8 heads (each run takes less than
a minute; from any other folder of the course, `buildai run 3.4 --heads 1` runs the same script):

    python step4_put_it_together.py --heads 1
    python step4_put_it_together.py --heads 8

(For the lesson's full table, also run it with --heads 2, and with no flag for the default 4 heads.)
Each run prints the line "Total learnable numbers" near the top and "Final held-out loss" after the
training. Copy them into ANSWERS below.

Then think about ONE block's attention, with the default 64 numbers per position and 8 heads: how many
learnable numbers has its query layer, and how many of the 64 numbers does each head work on?

Last: is one number of heads clearly the best here? To judge, run the default once more with `--seed 1`:
that shows how much the loss moves by chance alone. Answer "yes" or "no".

Why the count of numbers stays the same is for your eyes: compare your reason with
`buildai check 3.1 --reveal`. Check your answers with:

    buildai check 3.1
"""

ANSWERS = {
    # "Total learnable numbers" of each run, as a whole number without commas (1,234 is written 1234).
    "parameters_1_head": None,
    "parameters_8_heads": None,
    # "Final held-out loss" of each run, as printed (a number like 2.345).
    "loss_1_head": None,
    "loss_8_heads": None,
    # One block, 64 numbers per position, 8 heads: the learnable numbers of the query layer (weights and biases).
    "query_numbers_8_heads": None,
    # ... and how many of the 64 numbers each of the 8 heads gets.
    "numbers_per_head_8_heads": None,
    # Is any number of heads clearly better than the others in these short runs? "yes" or "no".
    "clear_winner": None,
}
