"""Exercise 4g.3 — A fair comparison (Level 4, lesson_going_further.md, exercise 3).

A character model scores 2.1 bits per character on the held-out English stories. A BPE model with 2.9 bytes
per token scores 6.5 bits per token on the same text. Put both in bits per byte (lesson section 1, "Comparing
models that read different tokens"), to at least two decimals, and say which is better: "character" or "bpe".

    buildai check 4g.3
"""

ANSWERS = {
    "bpe_bits_per_byte": None,
    "character_bits_per_byte": None,
    "better": None,  # "character" or "bpe"
}
