"""Exercise 4.6 — Top-k against top-p (Level 4, lesson.md, exercise 6).

Run (inside level_4_mini_gpt/) and compare the last column, "shortlist":

    python generate.py --prompt "The monsoon" --explain --top-p 0.9
    python generate.py --prompt "The monsoon" --explain --top-k 5

Then:

1. Write top_p_shortlist(probabilities, p): how many characters top-p keeps. `probabilities` is a list of
   chances that add up to 1, in any order. Top-p keeps the smallest group of the most likely characters
   whose chances add up to at least p (lesson section 5). Return a whole number.
2. Fill in ANSWERS:
   - "e_after_top_p_08": in the lesson's example (e 0.50, a 0.20, o 0.15, i 0.10, u 0.05) with top-p 0.8,
     e's chance after the shortlist is scaled up to add up to 1 again (three decimals).
   - "top_k_5_inside_a_word": how many candidates top-k 5 keeps in the middle of a word, where one letter
     has 0.97 of the chance.
   - "top_p_keeps_most_at": where did top-p 0.9 keep the longest shortlists: at the "start" of a word
     (just after a space) or in the "middle" of one?

Why top-p is the usual choice is for your own words: compare with `buildai check 4.6 --reveal`.

    buildai check 4.6
"""


def top_p_shortlist(probabilities: list[float], p: float) -> int:
    raise NotImplementedError("write top_p_shortlist")


ANSWERS = {
    "e_after_top_p_08": None,
    "top_k_5_inside_a_word": None,
    "top_p_keeps_most_at": None,  # "start" or "middle"
}
