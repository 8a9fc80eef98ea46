"""Exercise 4g.2 — the reference answer, checked with bpe.py as the worked answer shows."""

from level_4_mini_gpt.bpe import BPETokenizer, show_token

tokenizer = BPETokenizer.train("lassi lassi laddoo", vocab_size=300)
ANSWERS = {
    "merges": [show_token(tokenizer.token_bytes(256 + i)) for i in range(len(tokenizer.merges))],
}
