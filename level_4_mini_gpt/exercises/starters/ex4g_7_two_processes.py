"""Exercise 4g.7 — Twice the processes (Level 4, lesson_going_further.md, exercise 7).

Think about `torchrun --nproc_per_node 2 train.py --preset tiny` (lesson section 4). The tiny preset's
--batch-size is in its table of settings (from any folder: `from level_4_mini_gpt.presets import PRESETS`,
then PRESETS["tiny"]["batch_size"]). Fill in ANSWERS:

- "windows_per_step": how many windows of text one optimiser step learns from, with both processes together;
- "windows_per_minute_own_processors": when each process has a GPU (or cores) of its own, the windows seen in
  a minute compared with one process: "twice", "same" or "half";
- "windows_per_minute_two_core_laptop": the same on a 2-core laptop: "twice", "same" or "half";
- "models_at_the_end": are the two processes' models the "same" or "different" at the end?
- "processes_that_save": how many processes need to save the checkpoint?

The bigger batch's effect on training is for your own words: compare with `buildai check 4g.7 --reveal`.

    buildai check 4g.7
"""

ANSWERS = {
    "windows_per_step": None,
    "windows_per_minute_own_processors": None,  # "twice", "same" or "half"
    "windows_per_minute_two_core_laptop": None,  # "twice", "same" or "half"
    "models_at_the_end": None,  # "same" or "different"
    "processes_that_save": None,
}
