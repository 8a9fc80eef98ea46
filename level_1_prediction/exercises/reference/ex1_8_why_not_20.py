"""Exercise 1.8 — the reference answer."""

from buildai.data import load_corpus

length = len(load_corpus().text)
ANSWERS = {
    "most_contexts_in_stories": length - 19 + 1,  # one context starts at each position that has 19 characters
    "possible_contexts": 72 ** 19,
}
