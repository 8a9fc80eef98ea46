"""Exercise 1.8 — Challenge: why not n = 20? (Level 1, lesson.md, exercise 8).

An n = 20 counting model looks at the 19 characters before each position. (a) At most how many
different 19-character contexts can the stories contain? (Their length is in the lesson.) (b) How
many 19-character strings are *possible* with the stories' 72 characters? Python can work it out
exactly. What it tells you about an n = 20 model is for your eyes: `buildai check 1.8 --reveal`.

    buildai check 1.8
"""

ANSWERS = {
    "most_contexts_in_stories": None,
    "possible_contexts": None,
}
