"""Exercise 4g.7 — the reference answer."""

from level_4_mini_gpt.presets import PRESETS

ANSWERS = {
    "windows_per_step": 2 * PRESETS["tiny"]["batch_size"],  # each process takes a whole batch of its own
    "windows_per_minute_own_processors": "twice",
    "windows_per_minute_two_core_laptop": "same",
    "models_at_the_end": "same",
    "processes_that_save": 1,
}
