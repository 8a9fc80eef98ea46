"""Exercise 4.7 — the reference answer: the small file made as the worked answer makes it, the meter's
reference measured on it, and the runs read off the ones the lesson recorded (measured/small.json)."""

import json
import tempfile
from pathlib import Path

from buildai.data import load_corpus, split_paragraphs
from buildai.paths import REPO_ROOT
from level_4_mini_gpt.memorisation import memorised_fraction

text = "\n\n".join(split_paragraphs(load_corpus().text)[:11]) + "\n"
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "small_stories.txt"
    path.write_text(text, encoding="utf-8")
    small = load_corpus(path)
    fresh = memorised_fraction(small.val_text, small.train_text)
run = json.loads((REPO_ROOT / "level_4_mini_gpt" / "measured" / "small.json").read_text(encoding="utf-8"))["values"]
ANSWERS = {
    "small_characters": len(text),
    "fresh_reference": fresh,
    "best_step": run["small_best_step"],
    # small_copy_0 was written at temperature 0.5, small_copy_1 at 0.2
    "meter_higher_at_temperature": 0.2 if run["small_copy_1_memorised"] > run["small_copy_0_memorised"] else 0.5,
}
