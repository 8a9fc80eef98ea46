"""Exercise 4.5 — the reference answer: the two measures, and the directions read off the explorer's printout
for the default preset's model that the worked answer shows (measured/default.json)."""

import json

from buildai.paths import REPO_ROOT


def share_of_real_words(text: str, training_text: str) -> float:
    words, known = text.split(), set(training_text.split())
    return sum(word in known for word in words) / len(words) if words else 0.0


def share_of_different_words(text: str) -> float:
    words = text.split()
    return len(set(words)) / len(words) if words else 0.0


run = json.loads((REPO_ROOT / "level_4_mini_gpt" / "measured" / "default.json").read_text(encoding="utf-8"))["values"]
coldest, hottest = 0, 7  # T = 0 and T = 2, the first and last of the eight temperatures
ANSWERS = {
    "different_words_as_temperature_rises":
        "rises" if run[f"explorer_{hottest}_different"] > run[f"explorer_{coldest}_different"] else "falls",
    "real_words_as_temperature_rises":
        "rises" if run[f"explorer_{hottest}_real"] > run[f"explorer_{coldest}_real"] else "falls",
}
