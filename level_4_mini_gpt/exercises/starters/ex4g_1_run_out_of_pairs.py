"""Exercise 4g.1 — Run out of pairs (Level 4, lesson_going_further.md, exercise 1).

Train a tokenizer on the Hindi stories alone (inside level_4_mini_gpt/, a few seconds):

    python bpe_step.py --text ../data/stories_hi.txt --vocab-size 2048 --out-dir outputs_bpe_hi

Or from any folder, in Python:

    from buildai.data import load_corpus
    from buildai.paths import HINDI_CORPUS
    from level_4_mini_gpt.bpe import BPETokenizer
    tokenizer = BPETokenizer.train(load_corpus(HINDI_CORPUS).train_text, 2048)   # tokenizer.merges

Fill in ANSWERS with whole numbers:

- "merges_asked": how many merges a vocabulary of 2048 tokens asks for (256 byte tokens and the one special
  token <|endoftext|> are not learned).
- "merges_learned": how many merges the step really learned before its warning.
- "smallest_count_to_merge": how many times must a pair appear, at least, to be merged?

Why the Hindi text runs out is for your own words: compare with `buildai check 4g.1 --reveal`.

    buildai check 4g.1
"""

ANSWERS = {
    "merges_asked": None,
    "merges_learned": None,
    "smallest_count_to_merge": None,
}
