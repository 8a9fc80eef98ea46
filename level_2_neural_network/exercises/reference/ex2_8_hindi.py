"""Exercise 2.8 — the reference answer: step 3 on the Hindi stories, and step 4's table after क."""

import unicodedata

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from level_2_neural_network import step3_train
from level_2_neural_network.lesson_numbers import next_letter_chances, run_step

run = run_step(step3_train.main, "--text", str(HINDI_CORPUS))
corpus = load_corpus(HINDI_CORPUS)
_, _, after, _ = next_letter_chances(run, corpus, "क")  # the "after training" column of step 4
top_five = [corpus.tokenizer.chars[index] for index in after.argsort()[::-1][:5]]
held_out, bigram = run.history["validation_loss"][-1], run.history["bigram_validation_loss"]
ANSWERS = {
    "hindi_held_out": held_out,
    "hindi_vs_bigram": "ahead" if held_out < bigram else "behind",
    "vowel_signs_in_top_5": sum("VOWEL SIGN" in unicodedata.name(ch) for ch in top_five),
}
