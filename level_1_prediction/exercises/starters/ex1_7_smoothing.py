"""Exercise 1.7 — Smoothing by hand (Level 1, lesson.md, exercise 7).

Using the numbers in the lesson's section 8 (how often `th` was seen in the training part, how often
`e` followed it, and the vocabulary size V), work out P(e | th) with add-k smoothing for k = 1
instead of 0.03. Then say whether a big k "helps" or "hurts" the estimate for `e` after `th`.
(The --tune-k table is for your eyes: compare with `buildai check 1.7 --reveal`.)

    buildai check 1.7
"""

ANSWERS = {
    "p_e_given_th_k1": None,  # a number between 0 and 1
    "big_k": None,            # "helps" or "hurts"
}
