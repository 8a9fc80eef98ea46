"""Level 1 - Prediction: from counting letter pairs to n-gram models, in pure Python.

Later levels import what this level builds, for example::

    from level_1_prediction.step1_bigram import count_bigrams, bigram_probabilities
    from level_1_prediction.step2_generate import sample_next_char, apply_temperature, generate_text
    from level_1_prediction.step3_ngram import NGramModel, best_ngram_baseline
    from level_1_prediction.display import readable, plot_labels   # showing characters, shared by the steps
"""
