"""Exercise 1.3 — Hindi in Devanagari (Level 1, lesson.md, exercise 3).

Run the three steps on the Hindi stories, as the lesson shows, then fill in ANSWERS. (The "why"
questions have no automatic check: compare your reasons with `buildai check 1.3 --reveal`.)

    buildai check 1.3
"""

ANSWERS = {
    # The most common pair in the Hindi stories, as a string of two characters: the character, then
    # the one that follows it. Step 1 prints the pairs; a vowel sign such as "ा" is one character.
    "most_common_pair": None,
    # The n (1 to 6) with the lowest held-out bits per character on the Hindi stories (step 3's table).
    "best_n": None,
}
