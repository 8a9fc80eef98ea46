"""Exercise 4g.2 — BPE by hand (Level 4, lesson_going_further.md, exercise 2).

With pencil and paper, work out the merges bpe.py learns from the text "lassi lassi laddoo", round by round,
as the lesson does for "chai chai chaat": cut the text into chunks, count the pairs inside each chunk, merge
the commonest pair (on a tie, the pair with the smaller ids), and repeat until no pair appears twice.

Write the new tokens in the order they are learned, as text, e.g. ["ab", "␣ab"] (write a space as " " or
"␣"). Rounds written out in full are for your eyes: compare with `buildai check 4g.2 --reveal`.

    buildai check 4g.2
"""

ANSWERS = {
    "merges": None,  # a list of the new tokens, first merge first
}
