"""Exercise 3.1 — the reference answer: the numbers step 4 prints, read from its recorded runs."""

from level_3_transformer.lesson_numbers import FOLDER, RECORDED

runs = {}
for run in RECORDED:
    if run.name.startswith("step4_"):
        runs.update(run.load(FOLDER))

C, heads = 64, 8  # step 4's default numbers per position, and the 8 heads the question asks about
ANSWERS = {
    "parameters_1_head": runs["heads_1_params"],
    "parameters_8_heads": runs["heads_8_params"],
    "loss_1_head": round(runs["heads_1_held"], 3),  # printed with three decimals
    "loss_8_heads": round(runs["heads_8_held"], 3),
    "query_numbers_8_heads": C * C + C,  # one Linear(C, C) for all heads together: weights and biases
    "numbers_per_head_8_heads": C // heads,
    "clear_winner": "no",  # all within about 0.02, less than a different --seed moves one run
}
