"""Exercise 4.5 — A temperature explorer (Level 4, lesson.md, exercise 5).

Generating at eight temperatures and plotting is your own script (the worked answer has one). This file
holds the two measures it plots besides the memorisation meter, and what you saw:

- share_of_real_words(text, training_text): the share (0.0 to 1.0) of the words of `text` that are also
  words of the training text. Words are what str.split() gives (punctuation stays on the word, so "tree,"
  and "tree" differ). Count every word of `text`, repeats included.
- share_of_different_words(text): how many different words there are, divided by how many words there are.

Both give 0.0 for a text with no words. To get the training text from any folder:

    from buildai.data import load_corpus
    training_text = load_corpus().train_text

(the memorisation meter is level_4_mini_gpt.memorisation.memorised_fraction). Then, from your printout or
plot, fill in ANSWERS: as the temperature goes up from 0 to 2, does each share "rises" or "falls"?
What the pattern means is for your own words: compare with `buildai check 4.5 --reveal`.

    buildai check 4.5
"""


def share_of_real_words(text: str, training_text: str) -> float:
    raise NotImplementedError("write share_of_real_words")


def share_of_different_words(text: str) -> float:
    raise NotImplementedError("write share_of_different_words")


ANSWERS = {
    "different_words_as_temperature_rises": None,  # "rises" or "falls"
    "real_words_as_temperature_rises": None,  # "rises" or "falls"
}
