"""Exercise 1.1 — Count with a pencil (Level 1, lesson.md, exercise 1).

Work with a pencil first: slide a two-character window along the text `dal chawal dal` (the spaces
count) and write down how often each character is followed by each other one. Then fill in ANSWERS
below and check your work with:

    buildai check 1.1
"""

ANSWERS = {
    # The nested dictionary of pair counts, e.g. {"d": {"a": 2}, ...}: counts[first][next] = how many times.
    "counts": None,
    # P(l | a): after an 'a', the chance that the next character is 'l' (a number between 0 and 1).
    "p_l_given_a": None,
}
