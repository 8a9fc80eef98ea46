"""Showing characters to the learner: in the terminal, on a plot's axes, and from --letters.

Every level prints single characters (a space, a newline, a Hindi vowel sign) and labels
heatmaps with them, so these helpers live here rather than in one step script:
Level 1's steps use them, and Level 2 imports them too.

>>> [readable(ch) for ch in "a b"]
['a', '␣', 'b']
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from buildai import ui

DOTTED_CIRCLE = "\u25cc"  # the base on which a lone vowel sign is shown
# Fonts that can draw Hindi letters, used for the plot labels when the computer has one.
DEVANAGARI_FONTS = ("Nirmala UI", "Mangal", "Noto Sans Devanagari", "Lohit Devanagari", "Kohinoor Devanagari")
CHARACTER_NAMES = {"space": " ", "newline": "\n"}  # names for --letters, since a space is hard to type


def readable(ch: str) -> str:
    """A character ready for the terminal: spaces and newlines visible, rich markup escaped.

    A Devanagari vowel sign such as 'ा' cannot stand alone (it sits on a letter), so it is
    written on a dotted circle, '◌ा', the way Hindi grammar books print it.

    >>> readable(" "), readable("ा"), readable("[")
    ('␣', '◌ा', '\\\\[')
    """
    if unicodedata.category(ch) in ("Mn", "Mc"):  # a combining mark: vowel sign, virama, bindu
        return DOTTED_CIRCLE + ch
    return ui.escape(ui.show_char(ch))


def parse_letters(spec: str) -> list[str]:
    """The characters asked for with --letters: "t h q", "thq", "space" and "newline" all work.

    Each character is kept once, in the order given.

    >>> parse_letters("t h space")
    ['t', 'h', ' ']
    >>> parse_letters("thq t")
    ['t', 'h', 'q']
    """
    letters: list[str] = []
    for word in spec.split():
        for ch in [CHARACTER_NAMES[word.lower()]] if word.lower() in CHARACTER_NAMES else word:
            if ch not in letters:
                letters.append(ch)
    return letters


def most_common_characters(text: str, how_many: int) -> list[str]:
    """The `how_many` most frequent characters of the text (ties broken alphabetically).

    >>> most_common_characters("chai chai", 3)
    ['a', 'c', 'h']
    """
    frequencies = Counter(text)
    return sorted(frequencies, key=lambda ch: (-frequencies[ch], ch))[:how_many]


def default_start(text: str) -> str:
    """The first letter of the text, to begin a sample with: 'T' for the course stories,
    a Hindi letter for Hindi text.

    >>> default_start("\\n  Once upon a time")
    'O'
    """
    stripped = text.strip()
    return stripped[0] if stripped else text[0]


def plot_labels(characters: list[str] | str) -> tuple[list[str], list[str]]:
    """Tick labels for a heatmap of characters, and the fonts to draw them with.

    Matplotlib's own font has no Devanagari. If the computer has a font that does (Windows has
    'Nirmala UI'), we add it. A character that no font here can draw is labelled with its Unicode
    number instead of an empty box: 'U+0915' is the letter क.

    >>> plot_labels(" a\\n")[0]
    ['␣', 'a', '\\\\n']
    """
    from matplotlib import font_manager  # imported here: the terminal helpers above do not need matplotlib
    from matplotlib.ft2font import FT2Font

    installed = {font.name: font.fname for font in font_manager.fontManager.ttflist}
    families = ["DejaVu Sans"] + [name for name in DEVANAGARI_FONTS if name in installed]
    drawable: set[int] = set()
    for name in families:
        drawable |= set(FT2Font(installed.get(name) or font_manager.findfont(name)).get_charmap())
    labels = []
    for ch in characters:
        shown = ui.show_char(ch)
        labels.append(shown if all(ord(part) in drawable for part in shown) else f"U+{ord(ch):04X}")
    return labels, families
