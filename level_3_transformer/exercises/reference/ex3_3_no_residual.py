"""Exercise 3.3 — the reference answer: the losses step 4 prints, read from its recorded runs."""

from level_3_transformer.lesson_numbers import FOLDER, RECORDED

runs = {}
for run in RECORDED:
    if run.name.startswith("step4_"):
        runs.update(run.load(FOLDER))

ANSWERS = {
    "loss_2_blocks": round(runs["default_held"], 3),  # printed with three decimals
    "loss_2_blocks_no_residual": round(runs["no_residual_held"], 3),
    "loss_4_blocks": round(runs["layers_4_held"], 3),
    "loss_4_blocks_no_residual": round(runs["layers_4_no_residual_held"], 3),
    "more_blocks_help_without_residuals": "no",  # both end at the loss of the letter frequencies alone
}
