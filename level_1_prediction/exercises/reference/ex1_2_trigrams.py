"""Exercise 1.2 — the reference answer."""

from buildai.paths import DEFAULT_CORPUS


def count_trigrams(text: str) -> dict[str, dict[str, int]]:
    """counts[two characters][next character] = how often that character came after those two."""
    counts: dict[str, dict[str, int]] = {}
    for position in range(len(text) - 2):
        context, next_char = text[position:position + 2], text[position + 2]
        row = counts.setdefault(context, {})
        row[next_char] = row.get(next_char, 0) + 1
    return counts


after_th = count_trigrams(DEFAULT_CORPUS.read_text(encoding="utf-8"))["th"]
ANSWERS = {
    "top_three_after_th": sorted(after_th, key=after_th.get, reverse=True)[:3],
}
