"""Level 1 - Prediction: from counting letter pairs to n-gram models, in pure Python."""

from buildai.catalog import Level, Step

COURSE_LEVEL = Level(
    number=1,
    title="Prediction",
    summary="Count which letter follows which, turn counts into probabilities, and generate text.",
    steps=(
        Step("1.1", "step1_bigram.py", "Count letter pairs and turn them into probabilities",
             tour_note="A language model predicts the next character. The simplest one just counts: "
                       "after 't', how often does 'h' come next? Those counts become probabilities."),
        Step("1.2", "step2_generate.py", "Generate text by weighted random sampling",
             tour_args=("--samples", "3"),
             tour_note="With probabilities we can write: pick the next letter at random, "
                       "but with the chances the counts gave us, then repeat."),
        Step("1.3", "step3_ngram.py", "N-grams, smoothing and perplexity",
             tour_note="Looking further back (n-grams) predicts better on text the model saw, "
                       "but worse on new text after a point: it memorises. That is why we need neural networks."),
    ),
)
