"""Exercise 4.3 — Perplexity by hand (Level 4, lesson.md, exercise 3).

(a) A report card says a held-out loss of 1.10 nats. What are its bits per character and its perplexity?
(b) Another model has 1.8 bits per character. What are its loss (in nats) and its perplexity?
(c) Which model is better: "first" or "second"?

Use Python as a calculator if you like: `import math`, then math.log(2), math.exp(...), 2 ** ...
Give numbers to at least three decimals. Explaining the difference to a friend is for your own words:
compare with `buildai check 4.3 --reveal`.

    buildai check 4.3
"""

ANSWERS = {
    "bits_a": None,  # (a) bits per character
    "perplexity_a": None,  # (a)
    "loss_b": None,  # (b) nats
    "perplexity_b": None,  # (b)
    "better": None,  # "first" or "second"
}
