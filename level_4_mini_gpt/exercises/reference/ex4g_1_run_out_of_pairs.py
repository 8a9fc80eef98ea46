"""Exercise 4g.1 — the reference answer."""

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from level_4_mini_gpt.bpe import BPETokenizer

tokenizer = BPETokenizer.train(load_corpus(HINDI_CORPUS).train_text, 2048)
ANSWERS = {
    "merges_asked": 2048 - 256 - 1,
    "merges_learned": len(tokenizer.merges),
    "smallest_count_to_merge": 2,
}
