"""Exercise 1.6 — Perplexity by hand (Level 1, lesson.md, exercise 6).

(a) A model gives the four characters of a text the probabilities 1/2, 1/4, 1/8 and 1/2. What are
its bits per character and its perplexity? (b) What is the perplexity of a model that picks uniformly
among the 26 small letters? Fill in ANSWERS (you may use Python as a calculator: `import math`,
math.log2). Part (c) is for your eyes: compare with `buildai check 1.6 --reveal`.

    buildai check 1.6
"""

ANSWERS = {
    "bits_per_character": None,
    "perplexity": None,
    "uniform_26_perplexity": None,
}
