"""Exercise 4.2 — Heads and blocks (Level 4, lesson.md, exercise 2).

With the same time budget, train the default preset five times, changing one setting each time (inside
level_4_mini_gpt/, each run in its own folder):

    python train.py --time-budget 60 --out-dir outputs_1block  --n-layer 1
    python train.py --time-budget 60 --out-dir outputs_4blocks --n-layer 4
    python train.py --time-budget 60 --out-dir outputs_6blocks --n-layer 6
    python train.py --time-budget 60 --out-dir outputs_1head   --n-head 1
    python train.py --time-budget 60 --out-dir outputs_8heads  --n-head 8

Read "Best held-out bits per character" in each report card and the number of numbers each model learns
(the first panel says "It learns ... numbers"), then fill in ANSWERS:

- "best_run": the run with the lowest best held-out bits per character: "1 block", "4 blocks", "6 blocks",
  "1 head" or "8 heads".
- "matters_most": which change moved the score more, "blocks" or "heads"?
- "extra_numbers_with_8_heads": how many more numbers the 8-head model learns than the 1-head model
  (a whole number; 0 if they learn the same number, negative if it learns fewer).

The check compares with the lesson's own set of runs on a 2-core laptop; on a laptop CPU your winner should
be the same, even though your numbers differ. (With a GPU or a much longer budget the winner can change: then
compare your table with the worked answer.) Why is for your own words: compare with `buildai check 4.2 --reveal`.

    buildai check 4.2
"""

ANSWERS = {
    "best_run": None,  # "1 block", "4 blocks", "6 blocks", "1 head" or "8 heads"
    "matters_most": None,  # "blocks" or "heads"
    "extra_numbers_with_8_heads": None,
}
