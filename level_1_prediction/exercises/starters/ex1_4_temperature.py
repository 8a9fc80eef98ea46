"""Exercise 1.4 — Temperature (Level 1, lesson.md, exercise 4).

(a) By hand: the chances after some letter are a 0.6, b 0.3, c 0.1. Work out the chances at
temperature T = 0.5 (the lesson's section 6 shows how), and fill them in below, rounded to
three decimals. (c) What does a temperature close to 0 do? Answer with one of the words
"favourite" (always picks the most likely character), "uniform" (every character equally likely)
or "unchanged" (the chances stay as they are).

Part (b) is for your eyes: compare with `buildai check 1.4 --reveal`.

    buildai check 1.4
"""

ANSWERS = {
    "a_at_half": None,
    "b_at_half": None,
    "c_at_half": None,
    "close_to_zero": None,  # "favourite", "uniform" or "unchanged"
}
