"""Exercise 1.6 — the reference answer."""
import math

surprises = [-math.log2(p) for p in (1 / 2, 1 / 4, 1 / 8, 1 / 2)]
ANSWERS = {
    "bits_per_character": sum(surprises) / len(surprises),
    "perplexity": 2 ** (sum(surprises) / len(surprises)),
    "uniform_26_perplexity": 26,
}
