"""Exercise 2.4 — the reference answer: the losses from the recorded --context runs, the count by hand."""

import json

from buildai.paths import REPO_ROOT

runs = json.loads((REPO_ROOT / "level_2_neural_network" / "measured" / "exercise_runs.json")
                  .read_text(encoding="utf-8"))["values"]
ANSWERS = {
    "held_out_context_2": runs["c2_val"],
    "held_out_context_3": runs["c3_val"],
    "winner_context_3": "network" if runs["c3_val"] < runs["c3_ngram"] else "n-gram",
    "possible_contexts_3": 72 ** 3,  # 72 choices for each of the 3 places
}
