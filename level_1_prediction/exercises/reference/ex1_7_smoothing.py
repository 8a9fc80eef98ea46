"""Exercise 1.7 — the reference answer, from the counts the lesson's section 8 quotes."""

from buildai.data import load_corpus
from level_1_prediction.step3_ngram import NGramModel

corpus = load_corpus()
vocabulary = set(corpus.text)
model = NGramModel(3, vocabulary=vocabulary).fit(corpus.train_text)
seen_th, th_then_e, k = model.context_totals["th"], model.counts["th"]["e"], 1
ANSWERS = {
    "p_e_given_th_k1": (th_then_e + k) / (seen_th + k * len(vocabulary)),
    "big_k": "hurts",
}
