"""Step 2 - Writing new text by weighted random choice.

The idea
--------
Step 1 gave us, for every character, the chances of each next character.
After 't' the stories had: 'h' 34%, space 22%, 'e' 10%, ... To write, we pick
the next character AT RANDOM, but with those chances, then repeat.

How do you pick "at random, with chances"? Lay the probabilities end to end
on a ruler from 0 to 1, draw one uniform random number, and see where it lands:

    0.0         0.34          0.55    0.65  0.73                     1.0
    |---- 'h' ----|---- ' ' ----|- 'e' -|-'o'-|--- everything else ---|
                          ^
                     draw = 0.41  ->  lands in the ' ' stretch  ->  next is ' '

The end of each stretch is a running total (a "cumulative sum") of the
probabilities. A big probability owns a long stretch, so it is hit more often.

Temperature
-----------
Before sampling we may reshape the chances: raise each probability to the
power 1/T and rescale so they add up to 1 again.
    T < 1 sharpens (the favourite gets even more likely: safer, duller text);
    T = 1 changes nothing;
    T > 1 flattens (rare characters get a bigger chance: wilder text).

Run it
------
    cd level_1_prediction
    python step2_generate.py
    python step2_generate.py --temperature 0.5 --start "Ra" --samples 3
    python step2_generate.py --animate          # a typing effect, on a terminal

or from anywhere in the repository: buildai run 1.2
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from buildai import paths, safe_io, script, ui
from buildai.errors import UserError
from level_1_prediction.display import default_start, most_common_characters, readable
from level_1_prediction.step1_bigram import bigram_probabilities, count_bigrams

LEVEL = 1
TEMPERATURES_TO_COMPARE = (0.5, 1.0, 2.0)
TYPING_DELAY = 0.015  # seconds per character in --animate mode


# ------------------------------------------------------------------ sampling


def choose_by_cumulative_sum(distribution: dict[str, float], draw: float) -> str:
    """Walk along the running total of the probabilities and stop where `draw` falls.

    `draw` is a number in [0, 1). If the probabilities do not add up to exactly 1
    (rounding, or plain counts), the ruler is stretched to their total.

    >>> weights = {"h": 0.5, "e": 0.3, " ": 0.2}
    >>> [choose_by_cumulative_sum(weights, draw) for draw in (0.0, 0.49, 0.5, 0.79, 0.8, 0.99)]
    ['h', 'h', 'e', 'e', ' ', ' ']
    """
    total = sum(distribution.values())
    if not distribution or total <= 0:
        raise ValueError("cannot sample from an empty distribution (no character has a chance above zero)")
    target = draw * total
    running_total = 0.0
    last_possible = ""
    for ch, probability in distribution.items():
        running_total += probability
        if target < running_total:
            return ch
        if probability > 0:
            last_possible = ch
    # Only reached when rounding leaves running_total a hair below `target`: the last stretch wins.
    return last_possible


def sample_next_char(distribution: dict[str, float], rng: random.Random) -> str:
    """Pick one character at random, each with its own chance: one uniform draw, one walk.

    >>> sample_next_char({"u": 1.0}, random.Random(0))
    'u'
    """
    return choose_by_cumulative_sum(distribution, rng.random())


def apply_temperature(distribution: dict[str, float], temperature: float) -> dict[str, float]:
    """Sharpen (T < 1) or flatten (T > 1) a distribution: p becomes p ** (1/T), rescaled to add up to 1.

    We work with logarithms, log(p) / T, because p ** (1/T) for a tiny T would round to
    zero for every character (0.3 ** 1000 is too small for a computer's float).

    >>> apply_temperature({"a": 0.75, "b": 0.25}, 1.0)
    {'a': 0.75, 'b': 0.25}
    >>> {ch: round(p, 3) for ch, p in apply_temperature({"a": 0.75, "b": 0.25}, 0.5).items()}
    {'a': 0.9, 'b': 0.1}
    """
    if temperature <= 0:
        raise ValueError("temperature must be above 0")
    if temperature == 1.0:
        return dict(distribution)
    scaled_logs = {ch: math.log(p) / temperature for ch, p in distribution.items() if p > 0}
    highest = max(scaled_logs.values())  # subtract the highest so the biggest term is exp(0) = 1: no overflow
    weights = {ch: math.exp(value - highest) for ch, value in scaled_logs.items()}
    total = sum(weights.values())
    return {ch: weights.get(ch, 0.0) / total for ch in distribution}


# ---------------------------------------------------------------- generation


@dataclass
class GenerationStep:
    """One character being written: what we looked at, the chances, the draw and the pick."""

    previous: str
    distribution: dict[str, float]
    draw: float
    chosen: str


def next_char_distribution(probabilities: dict[str, dict[str, float]], previous: str) -> dict[str, float]:
    """The chances for the character after `previous`.

    A character that was never followed by anything (it appeared only at the very end of
    the text) has no row: then every known character gets the same chance, so we never get stuck.
    """
    row = probabilities.get(previous)
    if row:
        return row
    every_character = list(probabilities)
    return {ch: 1.0 / len(every_character) for ch in every_character}


def generation_steps(probabilities: dict[str, dict[str, float]], start: str, length: int,
                     rng: random.Random, temperature: float = 1.0) -> Iterator[GenerationStep]:
    """Write `length` characters after `start`, one at a time, telling us about every step.

    Each step is exactly `sample_next_char`: one uniform draw and a walk along the running total.
    """
    if not start:
        raise ValueError("start must have at least one character: the model needs something to follow")
    previous = start[-1]  # a bigram model only ever looks at the last character
    for _ in range(length):
        distribution = apply_temperature(next_char_distribution(probabilities, previous), temperature)
        draw = rng.random()
        chosen = choose_by_cumulative_sum(distribution, draw)
        yield GenerationStep(previous, distribution, draw, chosen)
        previous = chosen


def generate_text(
    probabilities: dict[str, dict[str, float]],
    start: str,
    length: int,
    rng: random.Random,
    temperature: float = 1.0,
) -> str:
    """Return `start` followed by `length` new characters, each sampled after the one before.

    >>> generate_text({"a": {"b": 1.0}, "b": {"a": 1.0}}, "a", 5, random.Random(1))
    'ababab'
    """
    written = [step.chosen for step in generation_steps(probabilities, start, length, rng, temperature)]
    return start + "".join(written)


def sampling_frequencies(
    distribution: dict[str, float], draws: int, rng: random.Random
) -> tuple[Counter[str], Counter[str]]:
    """Draw `draws` characters with our sampler and with Python's random.choices, and count both."""
    ours = Counter(sample_next_char(distribution, rng) for _ in range(draws))
    characters, weights = list(distribution), list(distribution.values())
    theirs = Counter(rng.choices(characters, weights=weights, k=draws))
    return ours, theirs


def total_variation(first: dict[str, float], second: dict[str, float]) -> float:
    """Half the sum of the gaps between two distributions: 0 = identical, 1 = nothing in common.

    >>> total_variation({"a": 0.5, "b": 0.5}, {"a": 0.7, "b": 0.3})
    0.2
    """
    keys = set(first) | set(second)
    return round(sum(abs(first.get(key, 0.0) - second.get(key, 0.0)) for key in keys) / 2, 12)


def top_choices(distribution: dict[str, float], how_many: int) -> list[tuple[str, float]]:
    """The most likely characters of a distribution, most likely first."""
    return sorted(distribution.items(), key=lambda item: (-item[1], item[0]))[:how_many]


# ---------------------------------------------------------------- the script


def show_the_ruler(distribution: dict[str, float], previous: str) -> None:
    """The cumulative-sum 'ruler' for one character, as a table."""
    rows, running_total = [], 0.0
    for ch, probability in top_choices(distribution, 6):
        rows.append((readable(ch), f"{probability:.3f}", f"{running_total:.3f} to {running_total + probability:.3f}"))
        running_total += probability
    if running_total < 0.9995:  # only when some characters did not fit in the table
        rows.append(("(all others)", f"{1 - running_total:.3f}", f"{running_total:.3f} to 1.000"))
    ui.table(f"The ruler for the character after '{readable(previous)}'", ["next", "probability", "stretch of the ruler"],
             rows, justify=["left", "right", "left"])


def show_sampler_check(distribution: dict[str, float], previous: str, draws: int, rng: random.Random) -> None:
    ours, theirs = sampling_frequencies(distribution, draws, rng)
    rows = [
        (readable(ch), probability, ours[ch] / draws, theirs[ch] / draws)
        for ch, probability in top_choices(distribution, 8)
    ]
    ui.table(
        f"{draws:,} draws of the character after '{readable(previous)}'",
        ["next", "probability", "our sampler", "random.choices"], rows,
        justify=["left", "right", "right", "right"],
    )
    gap = total_variation({ch: n / draws for ch, n in ours.items()}, {ch: n / draws for ch, n in theirs.items()})
    ui.result("Hand-written sampler vs random.choices", f"differ by {gap:.3f} in total (0 = identical)")


def show_trace(steps: list[GenerationStep], start: str, how_many: int) -> None:
    rows, written = [], start
    for number, step in enumerate(steps[:how_many], start=1):
        candidates = ", ".join(f"{readable(ch)} {p:.2f}" for ch, p in top_choices(step.distribution, 4))
        written += step.chosen
        rows.append((str(number), readable(step.previous), candidates, f"{step.draw:.3f}", readable(step.chosen),
                     "'" + ui.escape(written[-12:].replace("\n", " ")) + "'"))
    ui.table("Step by step: how the first sample begins",
             ["#", "after", "top candidates", "draw", "picked", "text so far"], rows,
             justify=["right", "center", "left", "right", "center", "left"])


def show_temperatures(probabilities: dict[str, dict[str, float]], previous: str) -> None:
    base = next_char_distribution(probabilities, previous)
    favourites = [ch for ch, _ in top_choices(base, 6)]
    for temperature in TEMPERATURES_TO_COMPARE:
        reshaped = apply_temperature(base, temperature)
        ui.bar_chart(
            f"After '{readable(previous)}' at temperature {temperature:g}",
            [(readable(ch), reshaped[ch]) for ch in favourites],
            label_header="next", value_header="probability",
        )
    sharp, flat = apply_temperature(base, 0.5), apply_temperature(base, 2.0)
    best = favourites[0]
    ui.say(f"The favourite '{readable(best)}' has chance {sharp[best]:.2f} at T=0.5, "
           f"{base[best]:.2f} at T=1 and {flat[best]:.2f} at T=2.")


def show_samples(samples: list[str], animate: bool) -> None:
    for number, sample in enumerate(samples, start=1):
        ui.say()
        ui.success(f"Sample {number}:")  # success, not say: the labels stay in --quiet mode
        ui.type_out(sample + "\n", delay=TYPING_DELAY if animate else 0.0)


def main(argv: list[str] | None = None) -> None:
    parser = script.step_parser("Generate text from the bigram model by weighted random choice.")
    parser.add_argument("--samples", type=script.positive_int, default=4, help="how many samples to write (default 4)")
    parser.add_argument("--length", type=script.positive_int, default=200, help="characters per sample (default 200)")
    parser.add_argument("--temperature", type=script.positive_float, default=1.0,
                        help="above 0: below 1 = safer (try 0.5), above 1 = wilder (try 1.5) (default 1.0)")
    parser.add_argument("--start", default=None, metavar="TEXT", help="text to begin each sample with (default: the first letter of the text)")
    parser.add_argument("--trace", type=script.non_negative_int, default=12, metavar="N",
                        help="show the first N characters step by step (default 12, 0 = none)")
    parser.add_argument("--letter", default="t", help="the character whose ruler, sampler check and temperatures are shown (default t)")
    parser.add_argument("--draws", type=script.positive_int, default=5000, help="draws for the sampler check (default 5000)")
    parser.add_argument("--animate", action="store_true", help="type the samples out slowly (only on a terminal)")
    args = script.start_step(parser, argv)
    if args.start == "":
        raise UserError("--start cannot be empty: give at least one character, e.g. --start \"Ra\".")
    rng = random.Random(args.seed)

    ui.heading("Level 1, Step 2 - Writing with weighted random choice", "Roll a loaded dice for every character")
    text = script.load_corpus(args).text
    if len(text) < 2:
        raise UserError("The text has only one character, so there are no pairs to learn from. Give a longer text.")
    probabilities = bigram_probabilities(count_bigrams(text))
    start = args.start if args.start is not None else default_start(text)
    if start[-1] not in probabilities:
        ui.warn(f"'{readable(start[-1])}' is never followed by anything in the text, so the first character "
                "after it is picked with equal chances for every character.")
    example = args.letter if args.letter in probabilities else next(
        (ch for ch in most_common_characters(text, 10) if ch.strip() and ch in probabilities), start[-1])
    if example != args.letter:
        ui.say(f"'{readable(args.letter)}' is never followed by anything in this text, "
               f"so the examples use '{readable(example)}' instead.")
    example_distribution = next_char_distribution(probabilities, example)

    ui.explain(
        "Think of a jar of marbles at a mela game: 34 red, 22 blue, 10 green and so on. Shut your eyes and "
        "pick one: red is the most likely, but not certain. Our model does the same for the next character. "
        "In code we use a ruler instead of a jar: each character owns a stretch of the ruler from 0 to 1 as "
        "long as its probability, and one random number between 0 and 1 says where we land.",
        title="Weighted random choice",
    )
    show_the_ruler(example_distribution, example)

    ui.explain(
        "Is our hand-written sampler right? Python has its own, random.choices. We draw many times from the "
        "same probabilities with both and compare how often each character came out. With enough draws, "
        "both should match the probabilities closely (they will never match exactly: it is random).",
        title="Checking our sampler",
    )
    show_sampler_check(example_distribution, example, args.draws, rng)

    rng = random.Random(args.seed)  # start fresh, so the samples do not depend on --draws
    steps = list(generation_steps(probabilities, start, args.length, rng, args.temperature))
    if args.trace:
        ui.explain(
            "Each row is one character being written. We look only at the previous character, take its row of "
            "probabilities (with the temperature applied), draw a random number between 0 and 1, and walk "
            "along the ruler until the running total passes the draw.",
            title="Watching the model write",
        )
        show_trace(steps, start, args.trace)

    ui.explain(
        "Temperature reshapes the chances before we draw: every probability p becomes p to the power 1/T, "
        "then they are rescaled to add up to 1. T below 1 makes the favourite even more likely (safe, "
        "repetitive text). T above 1 gives rare characters a better chance (creative, then nonsense). "
        "T = 1 leaves the model as it is. Watch the same row at three temperatures:",
        title="Temperature",
    )
    show_temperatures(probabilities, example)

    samples = [start + "".join(step.chosen for step in steps)]
    samples += [generate_text(probabilities, start, args.length, rng, args.temperature) for _ in range(args.samples - 1)]
    ui.heading(f"{args.samples} sample{'s' if args.samples > 1 else ''} at temperature {args.temperature:g}")
    ui.say("A bigram model only remembers ONE character, so expect word-like pieces and no real sentences:")
    show_samples(samples, args.animate)

    path = safe_io.atomic_write_text(paths.output_dir(LEVEL, args.out_dir) / "bigram_samples.txt",
                                     "\n\n".join(samples) + "\n")
    ui.saved(path, "the samples")
    ui.result("Temperature", f"{args.temperature:g}")
    ui.result("Samples written", f"{len(samples)} of {args.length} characters each")
    ui.explain(
        "Some pieces look like English words ('the', 'and', 'he') because those pairs are so common. "
        "But the model forgets everything except the last character, so it cannot finish a word it has "
        "started. Next: python step3_ngram.py lets the model look further back.",
        title="What to notice",
    )


if __name__ == "__main__":
    script.run_step(main)
