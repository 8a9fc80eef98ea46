"""Exercise 1.2 — Trigrams (Level 1, lesson.md, exercise 2).

Write count_trigrams in the style of count_bigrams (step1_bigram.py): the window is three characters
wide, the first two are the context and the third is what came next. Then use it on the stories
to find the three most likely characters after "th", and fill in ANSWERS. To read the stories from
any folder:

    from buildai.paths import DEFAULT_CORPUS
    text = DEFAULT_CORPUS.read_text(encoding="utf-8")

Check your work with:

    buildai check 1.2
"""


def count_trigrams(text: str) -> dict[str, dict[str, int]]:
    """counts[two characters][next character] = how often that character came after those two."""
    raise NotImplementedError("write count_trigrams")


ANSWERS = {
    # The three most likely characters after "th" in the stories, most likely first, e.g. ["x", "y", "z"].
    # A space is " ".
    "top_three_after_th": None,
}
