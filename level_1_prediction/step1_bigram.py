"""Step 1 - Counting letter pairs (a bigram model).

The idea
--------
A language model does one thing: it guesses what comes next. The simplest way
to guess the next character is to remember what usually came next before.
So we read the stories and count every pair of neighbouring characters:

    "chai chai"  ->  pairs:  ch  ha  ai  i_  _c  ch  ha  ai      (_ is a space)

    counts["c"]["h"] = 2     counts["h"]["a"] = 2     counts["a"]["i"] = 2
    counts["i"][" "] = 1     counts[" "]["c"] = 1

Divide each row of counts by the row's total and you get probabilities:
"after 'i', a space came 1 time out of 1, so P(' ' | 'i') = 1.0".
That table of probabilities IS our first language model. It is called a
bigram model ("bi" = two: it looks at pairs).

What this script shows
----------------------
1. the counting on a tiny text, so you can check it by hand;
2. the most common pairs in the course stories, as a table with bars;
3. the most likely next characters after a few letters you choose (--letters);
4. a picture (PNG heatmap) of the whole probability table.

Run it
------
    cd level_1_prediction
    python step1_bigram.py
    python step1_bigram.py --letters "a e space"
    python step1_bigram.py --text ../data/stories_hi.txt --letters "क म"

or from anywhere in the repository: buildai run 1.1
"""

from __future__ import annotations

from pathlib import Path

from buildai import paths, script, ui
from buildai.errors import UserError
from level_1_prediction.display import most_common_characters, parse_letters, plot_labels, readable

LEVEL = 1
WARM_UP_TEXT = "chai chai"
HEATMAP_SIZE = 30  # a 72 x 72 picture is unreadable; the 30 most common characters show the pattern


# ------------------------------------------------------------------ the model


def count_bigrams(text: str) -> dict[str, dict[str, int]]:
    """Count how often each character is followed by each other character.

    The result is a dictionary of dictionaries: counts[first][second] is how many
    times `second` came right after `first`. Spaces and newlines are characters too.

    >>> count_bigrams("chai chai")
    {'c': {'h': 2}, 'h': {'a': 2}, 'a': {'i': 2}, 'i': {' ': 1}, ' ': {'c': 1}}
    """
    counts: dict[str, dict[str, int]] = {}
    # zip(text, text[1:]) walks over neighbours: ('c','h'), ('h','a'), ('a','i'), ...
    for first, second in zip(text, text[1:]):
        if first not in counts:
            counts[first] = {}  # the first time we see this character: an empty row
        row = counts[first]
        row[second] = row.get(second, 0) + 1
    return counts


def bigram_probabilities(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, float]]:
    """Turn each row of counts into probabilities: divide by the row's total.

    After this, every row adds up to 1, because the next character must be *something*.

    >>> bigram_probabilities({"q": {"u": 3, ".": 1}})
    {'q': {'u': 0.75, '.': 0.25}}
    """
    probabilities: dict[str, dict[str, float]] = {}
    for first, row in counts.items():
        total = sum(row.values())
        probabilities[first] = {second: count / total for second, count in row.items()}
    return probabilities


# ------------------------------------------------------------- looking inside


def vocabulary(text: str) -> list[str]:
    """Every different character in the text, sorted, so the order is always the same.

    >>> vocabulary("chai chai")
    [' ', 'a', 'c', 'h', 'i']
    """
    return sorted(set(text))


def top_pairs(counts: dict[str, dict[str, int]], how_many: int) -> list[tuple[str, str, int]]:
    """The most common pairs as (first, second, count), most common first.

    Ties are broken by the characters themselves, so the list never changes between runs.

    >>> top_pairs(count_bigrams("chai chai"), 2)
    [('a', 'i', 2), ('c', 'h', 2)]
    """
    pairs = [(first, second, count) for first, row in counts.items() for second, count in row.items()]
    pairs.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return pairs[:how_many]


def most_likely_next(probabilities: dict[str, dict[str, float]], letter: str, how_many: int) -> list[tuple[str, float]]:
    """The `how_many` most likely characters after `letter`, with their probabilities.

    >>> most_likely_next({"q": {"u": 0.75, ".": 0.25}}, "q", 1)
    [('u', 0.75)]
    """
    row = probabilities.get(letter, {})
    return sorted(row.items(), key=lambda item: (-item[1], item[0]))[:how_many]


# ---------------------------------------------------------------- the picture


def heatmap_characters(text: str, limit: int = HEATMAP_SIZE) -> list[str]:
    """Which characters the heatmap shows: the most common ones, newline and space first, then sorted."""
    chosen = most_common_characters(text, limit)
    return sorted(chosen, key=lambda ch: (ch not in "\n ", ch))


def save_heatmap(probabilities: dict[str, dict[str, float]], characters: list[str], path: Path) -> Path:
    """Draw P(next | this) for the given characters as a grid of coloured squares and save it as PNG."""
    from buildai import plotting  # imported here: other levels use the counting without needing matplotlib

    matrix = [[probabilities.get(first, {}).get(second, 0.0) for second in characters] for first in characters]
    labels, fonts = plot_labels(characters)
    size = max(6.0, 0.28 * len(characters) + 2.5)
    figure, axes = plotting.new_figure(size + 1.2, size)
    image = axes.imshow(matrix, cmap="viridis", vmin=0.0)
    long_labels = any(len(label) > 2 for label in labels)  # 'U+0915' needs to stand upright to fit
    axes.set_xticks(range(len(characters)), labels, fontsize=9, fontfamily=fonts, rotation=90 if long_labels else 0)
    axes.set_yticks(range(len(characters)), labels, fontsize=9, fontfamily=fonts)
    axes.set_xlabel("next character")
    axes.set_ylabel("this character")
    axes.set_title("Bigram model: probability of the next character (␣ = space)")
    figure.colorbar(image, ax=axes, label="probability", shrink=0.8)
    return plotting.save_figure(figure, path)


# ---------------------------------------------------------------- the script


def show_warm_up() -> None:
    """Count the pairs of a tiny text, small enough to check with a pencil."""
    counts = count_bigrams(WARM_UP_TEXT)
    probabilities = bigram_probabilities(counts)
    diagram = (
        f"Warm-up on the text '{WARM_UP_TEXT}'. Slide a window two characters wide along it:\n\n"
        "   c h a i ␣ c h a i\n"
        "   [c h]                 pair 1: c -> h\n"
        "     [h a]               pair 2: h -> a\n"
        "       ...               ... and so on, 8 pairs in all\n\n"
        "For each pair we add 1 to counts[first][second]. The result is a dictionary of dictionaries:\n\n"
        f"   {counts!r}\n\n"
        "Dividing each row by its total gives probabilities. After 'i' there was always a space:\n\n"
        f"   probabilities['i'] = {probabilities['i']!r}"
    )
    ui.explain(
        ui.escape(diagram),
        title="Counting pairs by hand",
    )


def show_top_pairs(counts: dict[str, dict[str, int]], how_many: int) -> None:
    pairs = top_pairs(counts, how_many)
    ui.bar_chart(
        f"The {len(pairs)} most common pairs",
        [(f"{readable(first)} -> {readable(second)}", count) for first, second, count in pairs],
        label_header="pair", value_header="count", value_format="{:,}",
    )
    first, second, count = pairs[0]
    ui.result("Distinct pairs seen", f"{sum(len(row) for row in counts.values()):,}")
    times = "time" if count == 1 else "times"
    ui.result("Most common pair", f"'{readable(first)}' -> '{readable(second)}' ({count:,} {times})")


def show_next_letters(probabilities: dict[str, dict[str, float]], letters: list[str], how_many: int) -> None:
    for letter in letters:
        choices = most_likely_next(probabilities, letter, how_many)
        ui.bar_chart(
            f"Most likely next characters after '{readable(letter)}'",
            [(readable(ch), probability) for ch, probability in choices],
            label_header="next", value_header="probability",
        )
        best, best_probability = choices[0]
        ui.result(f"Most likely after '{readable(letter)}'", f"'{readable(best)}' ({best_probability:.2f})")


def choose_letters(requested: list[str], probabilities: dict[str, dict[str, float]], text: str) -> list[str]:
    """Keep the requested letters the text has; if none are left, use its three most common letters."""
    found = [ch for ch in requested if ch in probabilities]
    missing = [ch for ch in requested if ch not in probabilities]
    if missing:
        shown = ", ".join(f"'{readable(ch)}'" for ch in missing)
        ui.warn(f"Never followed by anything in this text, so skipped: {shown}")
    if not found:
        found = [ch for ch in most_common_characters(text, 5) if ch.strip() and ch in probabilities][:3]
        ui.say(f"Showing the most common characters instead: {', '.join(readable(ch) for ch in found)}")
    return found


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("Count letter pairs in the stories and turn them into probabilities.")
    parser.add_argument("--letters", default="t h q", help='letters to look after, e.g. "t h q" or "a space" (default "t h q")')
    parser.add_argument("--top", type=script.positive_int, default=15, help="how many of the most common pairs to show (default 15)")
    parser.add_argument("--next", type=script.positive_int, default=6, dest="how_many_next",
                        help="how many next characters to show for each letter (default 6)")
    args = script.start_step(parser, argv)

    ui.heading("Level 1, Step 1 - Counting letter pairs", "The simplest language model: remember what came next")
    ui.explain(
        "Think of finishing a friend's sentence at the chai stall: she says 'One cutting chai and two ...' "
        "and you already know 'samosas' is coming, because you have heard it a hundred times. "
        "A language model does the same thing, one character at a time. Our first model only looks at "
        "the previous character, and it learns by counting."
    )
    show_warm_up()

    text = script.load_corpus(args).text
    if len(text) < 2:
        raise UserError("The text has only one character, so it has no pairs to count. Give a longer text.")
    counts = count_bigrams(text)
    probabilities = bigram_probabilities(counts)
    characters = vocabulary(text)
    ui.result("Characters in text", f"{len(text):,}")
    ui.result("Characters in vocabulary", len(characters))

    ui.explain(
        "Now the same counting on the whole text. Each row of the table is one character; each column is "
        "the character that came next. Most pairs never happen (you will not see 'q' followed by 'z'), "
        "and a few happen thousands of times.",
        title="Counting the whole text",
    )
    show_top_pairs(counts, args.top)

    ui.explain(
        "To turn a row of counts into probabilities, divide each count by the row's total. If 'q' was "
        "followed by 'u' 72 times and by '.' once, then P('u' after 'q') = 72/73 = 0.99. Every row now "
        "adds up to 1. That table is our bigram model.",
        title="From counts to probabilities",
    )
    letters = choose_letters(parse_letters(args.letters), probabilities, text)
    show_next_letters(probabilities, letters, args.how_many_next)

    shown = heatmap_characters(text)
    path = save_heatmap(probabilities, shown, paths.output_dir(LEVEL, args.out_dir) / "bigram_heatmap.png")
    ui.saved(path, f"heatmap of P(next | this) for the {len(shown)} most common characters")
    numbered = [(label, ch) for label, ch in zip(plot_labels(shown)[0], shown) if label.startswith("U+")]
    if numbered:
        label, ch = numbered[0]
        ui.say(f"This computer has no font for some of these characters, so the heatmap labels them with "
               f"their Unicode numbers instead: {label} is '{readable(ch)}'.")
    ui.result("Heatmap", f"{path.name} ({len(shown)} x {len(shown)} characters)")
    ui.explain(
        "In the heatmap each row is 'this character' and each column is 'the next one'; bright squares are "
        "likely pairs. In the course stories, look for the bright column under ␣ (many letters end a word), "
        "the bright square ',' -> ␣ (a comma is almost always followed by a space) and 'T' -> 'h' (The, This, "
        "There). The row of ␣ is dim all along: after a space, almost any letter can start the next word, "
        "so no single guess is very likely. Next: python step2_generate.py uses these probabilities to write "
        "new text.",
        title="What to look at",
    )


if __name__ == "__main__":
    script.run_step(main)
