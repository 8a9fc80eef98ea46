"""Exercise 3.2 — the reference answer: the losses step 4 prints, read from its recorded runs."""

from level_3_transformer.lesson_numbers import FOLDER, RECORDED

runs = {}
for run in RECORDED:
    if run.name.startswith("step4_"):
        runs.update(run.load(FOLDER))

ANSWERS = {
    "loss_with_mask": round(runs["steps_600_held"], 3),  # printed with three decimals
    "loss_without_mask": round(runs["no_mask_600_held"], 3),
    "target_of_position_5": 6,  # the character that comes next
    "generated_text": "worse",
}
