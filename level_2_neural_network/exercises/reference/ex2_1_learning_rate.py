"""Exercise 2.1 — the reference answer.

Training twice takes a while, so the losses are read from the recorded output of the same two
runs (level_2_neural_network/measured/exercise_runs.json), the numbers solutions.md quotes.
"""

import json
import math

from buildai.paths import REPO_ROOT

level = REPO_ROOT / "level_2_neural_network"
runs = json.loads((level / "measured" / "exercise_runs.json").read_text(encoding="utf-8"))["values"]
untrained = math.log(72)  # step 3: "a uniform guess would be ln(72)", about where the untrained network starts
ANSWERS = {
    "loss_went_up_with": 10 if runs["lr10_val"] > untrained else 0.05,
    "held_out_lr_0_05": runs["lr005_val"],
    "lr_10_vs_untrained": "worse" if runs["lr10_val"] > untrained else "better",
}
