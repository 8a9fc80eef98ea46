"""Exercise 4.1 — Hindi (Level 4, lesson.md, exercise 1).

Train the tiny preset on the Hindi stories and read what train.py prints (inside level_4_mini_gpt/):

    python train.py --text ../data/stories_hi.txt --preset tiny --out-dir outputs_hi

Then fill in ANSWERS. The first three you can also work out with Python, from any folder:

    import math
    from buildai.data import load_corpus
    from buildai.paths import HINDI_CORPUS
    hindi = load_corpus(HINDI_CORPUS)     # hindi.text, hindi.train_text (the first 90%)
    from level_4_mini_gpt.presets import PRESETS
    PRESETS["tiny"]                       # max_steps, batch_size, block_size, ...

- "vocabulary": how many different characters the Hindi file has (a whole number).
- "untrained_loss": the loss, in nats, of a model that gives every one of those characters the same chance.
- "times_seen": about how many times the tiny preset reads the whole Hindi *training* text in one run
  (steps × windows per step × characters per window, divided by the training characters).
- "best_step": the step at which the held-out loss was lowest.
- "held_out_after_best": after that step, does the held-out loss "rises" or "falls"?
- "beats_ngram": did the best model beat the n-gram's "Score to beat"? "yes" or "no".

Why it happens is for your own words: compare with `buildai check 4.1 --reveal`.

    buildai check 4.1
"""

ANSWERS = {
    "vocabulary": None,
    "untrained_loss": None,  # nats
    "times_seen": None,
    "best_step": None,
    "held_out_after_best": None,  # "rises" or "falls"
    "beats_ngram": None,  # "yes" or "no"
}
