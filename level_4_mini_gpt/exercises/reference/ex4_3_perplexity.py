"""Exercise 4.3 — the reference answer."""

import math

loss_a, bits_b = 1.10, 1.8
ANSWERS = {
    "bits_a": loss_a / math.log(2),
    "perplexity_a": math.exp(loss_a),
    "loss_b": bits_b * math.log(2),
    "perplexity_b": 2 ** bits_b,
    "better": "first",  # perplexity 3.00 against 3.48: lower is better
}
