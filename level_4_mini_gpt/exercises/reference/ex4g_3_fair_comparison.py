"""Exercise 4g.3 — the reference answer."""

bpe = 6.5 / 2.9  # bits per token ÷ bytes per token
character = 2.1  # English: one character is one byte
ANSWERS = {
    "bpe_bits_per_byte": bpe,
    "character_bits_per_byte": character,
    "better": "character" if character < bpe else "bpe",
}
