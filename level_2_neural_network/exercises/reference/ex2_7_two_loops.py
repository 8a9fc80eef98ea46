"""Exercise 2.7 — the reference answer.

The example count is step 3's (one per training character with a character before it); the
benchmark ratio is the one recorded for the lesson (level_2_neural_network/measured/loop_speeds.json).
"""

import json
import math

from buildai.data import load_corpus
from buildai.paths import REPO_ROOT

examples = len(load_corpus().train_ids) - 1  # the first character has nothing before it to predict it from
speeds = json.loads((REPO_ROOT / "level_2_neural_network" / "measured" / "loop_speeds.json")
                    .read_text(encoding="utf-8"))["values"]
ANSWERS = {
    "updates_per_epoch_per_sample": examples,
    "updates_per_epoch_vectorised": math.ceil(examples / 64),  # the last batch is smaller, but still a step
    "benchmark_ratio": speeds["benchmark_ratio"],
}
