"""Exercise 4g.6 — int8 by hand, then for real (Level 4, lesson_going_further.md, exercise 6).

By hand (lesson section 3, "per-row absmax"): quantise the row [0.9, -0.31, 0.047, -0.6].

- "step": the step size of this row (five decimals);
- "stored": the four whole numbers stored as int8, as a list;
- "largest_change": the biggest difference between a weight and its int8 version multiplied back by the
  step (four decimals).

For real: train a model and quantise it (inside level_4_mini_gpt/):

    python train.py --preset tiny
    python quantize_step.py

- "size_ratio": how many times smaller the int8 file is (quantize_step.py prints "The int8 file is ...x
  smaller").

Reading the rest of the table is for your eyes: compare with `buildai check 4g.6 --reveal`.

    buildai check 4g.6
"""

ANSWERS = {
    "step": None,
    "stored": None,  # e.g. [1, -2, 3, -4]
    "largest_change": None,
    "size_ratio": None,
}
