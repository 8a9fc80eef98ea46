"""Level 1 - Prediction: from counting letter pairs to n-gram models, in pure Python.

Later levels import what this level builds, for example::

    from level_1_prediction.step1_bigram import count_bigrams, bigram_probabilities
    from level_1_prediction.step2_generate import sample_next_char, apply_temperature, generate_text
    from level_1_prediction.step3_ngram import NGramModel, best_ngram_baseline
"""

from buildai.catalog import Level, Step

# The tour runs every step with its defaults (step 2 a little shorter): about 5-10 seconds in all.
LEVEL_1_STEPS = (
    Step("1.1", "step1_bigram.py", "Count letter pairs and turn them into probabilities",
         tour_note="A language model predicts the next character. The simplest one just counts: "
                   "after 't', how often does 'h' come next? Those counts become probabilities, "
                   "and a heatmap shows the whole table at once."),
    Step("1.2", "step2_generate.py", "Generate text by weighted random sampling",
         tour_args=("--samples", "2", "--trace", "8"),
         tour_note="With probabilities we can write: pick the next letter at random, "
                   "but with the chances the counts gave us, then repeat. Temperature makes it safer or wilder."),
    Step("1.3", "step3_ngram.py", "N-grams, smoothing and perplexity",
         tour_note="Looking further back (n-grams) predicts better on text the model saw, "
                   "but worse on new text after a point: it memorises. That is why we need neural networks."),
)

COURSE_LEVEL = Level(1, "Prediction", "Count which letter follows which, turn counts into probabilities, "
                     "and generate text.", LEVEL_1_STEPS)
