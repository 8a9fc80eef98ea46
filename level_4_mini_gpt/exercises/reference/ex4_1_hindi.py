"""Exercise 4.1 — the reference answer: sizes from the Hindi file and the preset, the rest read off the run the
lesson recorded (measured/tiny_hindi.json), as a learner reads it off train.py's lines."""

import json
import math

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS, REPO_ROOT
from level_4_mini_gpt.presets import PRESETS

hindi = load_corpus(HINDI_CORPUS)
tiny = PRESETS["tiny"]
recorded = REPO_ROOT / "level_4_mini_gpt" / "measured" / "tiny_hindi.json"
run = json.loads(recorded.read_text(encoding="utf-8"))["values"]
vocabulary = len(set(hindi.text))
ANSWERS = {
    "vocabulary": vocabulary,
    "untrained_loss": math.log(vocabulary),
    "times_seen": tiny["max_steps"] * tiny["batch_size"] * tiny["block_size"] / len(hindi.train_text),
    "best_step": run["hindi_best_step"],
    "held_out_after_best": "rises" if run["hindi_last_val"] > run["hindi_best_val"] else "falls",
    "beats_ngram": "yes" if run["hindi_best_bits"] < run["hindi_history_ngram_bits"] else "no",
}
