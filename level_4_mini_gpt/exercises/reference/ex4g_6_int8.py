"""Exercise 4g.6 — the reference answer: by hand, and the size ratio read off the tiny preset's run the lesson
recorded (measured/int8.json), as a learner reads it off quantize_step.py."""

import json

from buildai.paths import REPO_ROOT

row = [0.9, -0.31, 0.047, -0.6]
step = max(abs(w) for w in row) / 127
stored = [round(w / step) for w in row]
run = json.loads((REPO_ROOT / "level_4_mini_gpt" / "measured" / "int8.json").read_text(encoding="utf-8"))["values"]
ANSWERS = {
    "step": step,
    "stored": stored,
    "largest_change": max(abs(w - q * step) for w, q in zip(row, stored)),
    "size_ratio": run["q_ratio"],
}
