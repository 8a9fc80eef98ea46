"""Exercise 1.3 — the reference answer: read off step 1's and step 3's output for the Hindi stories."""

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from level_1_prediction.step1_bigram import count_bigrams, top_pairs
from level_1_prediction.step3_ngram import evaluate_orders

corpus = load_corpus(HINDI_CORPUS)
first, second, _ = top_pairs(count_bigrams(corpus.text), 1)[0]
best = min(evaluate_orders(corpus.train_text, corpus.val_text, range(1, 7)), key=lambda result: result.val_bits)
ANSWERS = {
    "most_common_pair": first + second,
    "best_n": best.order,
}
