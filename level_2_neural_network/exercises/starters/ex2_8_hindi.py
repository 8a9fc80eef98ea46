"""Exercise 2.8 — Your own text (challenge) (Level 2, lesson.md, exercise 8).

Train on the Hindi stories with the default 5 epochs, then look at what the network expects after
क. From the course's main folder:

    buildai run 2.3 --text data/stories_hi.txt
    buildai run 2.4 --letter क

(inside level_2_neural_network/ the file is ../data/stories_hi.txt; in Python it is
`from buildai.paths import HINDI_CORPUS`). Fill in ANSWERS. What you could change for such a
small file, and why so many vowel signs follow क, have no automatic check: compare with
`buildai check 2.8 --reveal`.

    buildai check 2.8
"""

ANSWERS = {
    # The final held-out loss on the Hindi stories, in nats (the first number on "Final held-out loss").
    "hindi_held_out": None,
    # Is the network "ahead" of the bigram (lower held-out loss) or "behind" it?
    "hindi_vs_bigram": None,
    # Of the five characters the trained network finds most likely after क (the first five rows of
    # step 4's table), how many are vowel signs (matras, like ◌ा)? A whole number.
    "vowel_signs_in_top_5": None,
}
