"""Exercise 4.6 — the reference answer: the shortlist by hand, and what the --explain table of the default
preset's model showed (measured/default.json)."""

import json

from buildai.paths import REPO_ROOT


def top_p_shortlist(probabilities: list[float], p: float) -> int:
    kept, total = 0, 0.0
    for chance in sorted(probabilities, reverse=True):  # from the most likely down
        if total >= p:  # the ones so far already reach p
            break
        kept, total = kept + 1, total + chance
    return kept


example = {"e": 0.50, "a": 0.20, "o": 0.15, "i": 0.10, "u": 0.05}
shortlist = sorted(example, key=example.get, reverse=True)[:top_p_shortlist(list(example.values()), 0.8)]
rows = json.loads((REPO_ROOT / "level_4_mini_gpt" / "measured" / "default.json").read_text(encoding="utf-8"))[
    "values"]["explain_rows"].splitlines()
longest = max(rows, key=lambda row: int(row.split("│")[-2]))
ANSWERS = {
    "e_after_top_p_08": example["e"] / sum(example[letter] for letter in shortlist),
    "top_k_5_inside_a_word": 5,
    "top_p_keeps_most_at": "start" if longest.split("│")[2].strip().endswith("␣") else "middle",
}
