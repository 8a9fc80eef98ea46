"""The checks of Level 2's exercises: `buildai check 2.N` runs this file on your answer.

Each check compares your answer with the course's own code or with the runs the lesson quotes
(level_2_neural_network/lesson_numbers.py), never with a second, typed-in copy of a number. The
quick runs (step 2 on XOR, step 3 on the small Hindi file) are run here exactly as lesson_numbers.py
runs them; the slow step 3 runs of exercises 1 to 4 and 7 are read from their records in
level_2_neural_network/measured/, so no check trains the big network.
"""

from __future__ import annotations

# Step 3 first: it asks NumPy for a single maths thread, which only works before NumPy is imported.
from level_2_neural_network import step3_train  # isort: skip

import math
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np  # noqa: E402

from buildai import grading  # noqa: E402
from buildai.data import load_corpus  # noqa: E402
from buildai.grading import Checker, Stop  # noqa: E402
from buildai.paths import HINDI_CORPUS  # noqa: E402
from buildai.safe_io import read_json  # noqa: E402
from level_2_neural_network import step1_neuron, step2_network  # noqa: E402

MEASURED = Path(__file__).resolve().parents[1] / "measured"  # lesson_numbers.py's recorded runs
READ_OFF = 0.01  # nats: a seeded run repeated on another computer may differ a little in its last digits
COPIED = 0.002  # how close a wrong answer must be to a number the step printed to count as copied from it


# ------------------------------------------------------------------------ the measured numbers


def lesson_numbers() -> ModuleType:
    """The level's lesson_numbers.py, imported only by the checks that run a step (it loads the plotting too)."""
    from level_2_neural_network import lesson_numbers as module

    return module


@cache
def record(name: str) -> dict[str, Any]:
    """One recorded run (measured/<name>.json): the very numbers solutions.md quotes.

    Read as it is: lesson_numbers' `Recorded.load` would first repeat the default training run to
    prove the record is fresh, which takes seconds, and the level's lesson-number tests already
    fail when a record goes stale.
    """
    return read_json(MEASURED / f"{name}.json", what=f"recorded run '{name}'")


def runs() -> dict[str, Any]:
    """Exercises 1 to 4's training runs, by the names lesson_numbers.EXERCISE_RUNS gives them."""
    return record("exercise_runs")["values"]


def default_held_out() -> float:
    """The default `python step3_train.py` run's final held-out loss, as the records were made with it."""
    return record("exercise_runs")["settings"]["default_held_out_loss"]


def flag(run: str) -> float:
    """The number a recorded run was given on the command line: "lr10" -> 10.0 (it ran with --learning-rate 10)."""
    return float(record("exercise_runs")["settings"]["runs"][run][1])


@cache
def vocabulary_size() -> int:
    return load_corpus().tokenizer.vocab_size


# ------------------------------------------------------------------------ small helpers


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def near(value: Any, target: float, tolerance: float = COPIED) -> bool:
    return is_number(value) and abs(value - target) <= tolerance


def mistake(value: Any, typical: Sequence[tuple[float, str]], otherwise: str, tolerance: float = COPIED) -> str:
    """The hint of the first typical mistake `value` matches, else the general hint."""
    return next((hint for wrong, hint in typical if near(value, wrong, tolerance)), otherwise)


def word(value: Any) -> str:
    """A one-word answer as it is compared: case, spaces and hyphens ignored ("N-gram" is "ngram")."""
    return str(value).lower().replace("-", "").replace(" ", "")


def choose(check: Checker, key: str, expected: str, hints: dict[str, str], otherwise: str) -> bool:
    """Is ANSWERS[key] the word `expected`? A wrong word gets its own hint from `hints`, if it has one."""
    value = check.answers().get(key)
    if value is None or value == "":
        return check.that(f"ANSWERS[{key!r}]", False, f"not answered yet: fill in ANSWERS[{key!r}] in your file")
    return check.that(f"ANSWERS[{key!r}]", word(value) == word(expected), hints.get(word(value), otherwise))


def read_off(check: Checker, key: str, expected: float, typical: Sequence[tuple[float, str]], otherwise: str) -> bool:
    """A loss read off a step 3 run, in nats: right within READ_OFF, or the hint of the mistake it matches."""
    value = check.answers().get(key)
    bits = (expected / math.log(2), "that looks like bits per character; the loss is the first number on the line "
                                    "'Final held-out loss', in nats")
    return check.number(key, expected, mistake(value, [*typical, bits], otherwise), tolerance=READ_OFF)


# ------------------------------------------------------------------------ the exercises


def learning_rate(check: Checker) -> None:
    values, guess = runs(), math.log(vocabulary_size())  # a uniform guess: about what the untrained network scores
    too_high, too_low = flag("lr10"), flag("lr005")
    blew_up = next(flag(run) for run in ("lr10", "lr005") if values[f"{run}_val"] > guess)
    check.number("loss_went_up_with", blew_up, mistake(check.answers().get("loss_went_up_with"), [
        (too_low, f"with {too_low:g} every step is tiny: the loss falls each epoch, just slowly. Which run printed "
                  f"the warning 'The loss went UP'?"),
        (step3_train.FULL_LEARNING_RATE, "the default rate trains well; the question is about the two runs you "
                                         f"made, --learning-rate {too_high:g} and {too_low:g}"),
    ], f"run step 3 with --learning-rate {too_high:g} and with {too_low:g}: after which one's epochs does it warn "
       f"'The loss went UP'?", tolerance=1e-9), tolerance=1e-9)
    read_off(check, "held_out_lr_0_05", values["lr005_val"], [
        (default_held_out(), "that is the default run's loss (learning rate 1.0): run again with --learning-rate 0.05"),
        (values["lr005_ngram"], "that is the bigram's line; the network's own is 'Final held-out loss'"),
        (values["lr005_minus"], "that is 'Network minus bigram'; give the network's held-out loss itself"),
    ], "read the first number on the line 'Final held-out loss' of the --learning-rate 0.05 run")
    choose(check, "lr_10_vs_untrained", "worse" if values["lr10_val"] > guess else "better", {},
           f"lower loss is better: compare where the --learning-rate {too_high:g} run ended with its held-out loss "
           f"'Before training' (about ln {vocabulary_size()} = {guess:.2f} nats). Answer \"better\" or \"worse\"")


def parameter_hints(hidden: int, vocab: int) -> list[tuple[float, str]]:
    """What the typical ways of miscounting a vocab -> hidden -> vocab network give, with their hints."""
    weights = 2 * vocab * hidden
    return [
        (weights, "you counted the weights but not the biases: b1 has one per hidden neuron, b2 one per character"),
        (weights + hidden, f"b2 counts too: one bias for each of the {vocab} characters the network scores"),
        (weights + vocab, f"b1 counts too: one bias for each of the {hidden} hidden neurons"),
        (vocab * hidden, "W2 counts too: a weight from every hidden neuron to every character"),
        (vocab * hidden + hidden, "W2 and b2 count too: the output layer has its own weights and biases"),
    ]


def hidden_neurons(check: Checker) -> None:
    values, vocab = runs(), vocabulary_size()
    for run in ("h8", "h256"):
        hidden = int(flag(run))
        key = f"numbers_to_learn_hidden_{hidden}"
        check.number(key, values[f"{run}_params"], mistake(
            check.answers().get(key), parameter_hints(hidden, vocab),
            f"add up the four arrays: W1 is {vocab} × {hidden}, b1 has {hidden} numbers, W2 is {hidden} × {vocab} "
            f"and b2 has {vocab}"), tolerance=0)
    read_off(check, "held_out_hidden_8", values["h8_val"], [
        (default_held_out(), "that is the default run's loss (64 hidden neurons): run again with --hidden 8"),
        (values["h256_val"], "that is the --hidden 256 run; this answer is for --hidden 8"),
        (values["h8_ngram"], "that is the bigram's line; the network's own is 'Final held-out loss'"),
        (values["h8_minus"], "that is 'Network minus bigram'; give the network's held-out loss itself"),
    ], "read the first number on the line 'Final held-out loss' of the --hidden 8 run")
    choose(check, "hidden_256_beats_bigram", "yes" if values["h256_minus"] < 0 else "no", {},
           "look at 'Network minus bigram' in the --hidden 256 run: a plus sign means the network is still behind. "
           "With one character of context, the bigram's table is about the best any model can learn. Answer \"yes\" or \"no\"")


def sigmoid_slope_hints(points: Sequence[float]) -> list[tuple[list[float], str]]:
    """What the typical wrong slopes give at `points`, with their hints."""
    s = [float(step1_neuron.sigmoid(z)) for z in points]
    return [
        ([out * (1 - z) for out, z in zip(s, points)],
         "use the sigmoid's output in both places: s × (1 − s) with s = sigmoid(z), not s × (1 − z)"),
        ([z * (1 - z) for z in points], "put z through the sigmoid first: s = sigmoid(z), then s × (1 − s)"),
        (s, "that is sigmoid(z) itself, the vote; the slope is how fast the vote changes when z grows"),
        ([1 - out**2 for out in s], "1 − s² is tanh's rule (1 − tanh²); sigmoid's slope is s × (1 − s)"),
        ([1 - math.tanh(z) ** 2 for z in points], "that is tanh's slope; this function is for the sigmoid"),
    ]


def as_float(value: Any) -> float | None:
    """A number the learner's function returned (a float, a NumPy number, a one-number array), or None."""
    try:
        number = float(np.asarray(value, dtype=float).reshape(-1)[0]) if np.size(value) == 1 else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


def sigmoid_slope_agrees(check: Checker) -> None:
    """Part (a): the learner's sigmoid_slope against nudging, the lesson's own test of a slope (section 6)."""
    sigmoid_slope = check.function("sigmoid_slope")
    points, step = (-4.0, -1.0, 0.0, 0.5, 3.0), 1e-6
    given = [as_float(check.call(sigmoid_slope, z)) for z in points]
    check.require("it returns a number", all(value is not None for value in given),
                  "sigmoid_slope(z) should return one number for one number z")
    nudged = [float(step1_neuron.sigmoid(z + step) - step1_neuron.sigmoid(z - step)) / (2 * step) for z in points]
    wrong = [index for index, (mine, truth) in enumerate(zip(given, nudged)) if abs(mine - truth) > 1e-6]
    hint = ""
    if wrong:
        at = wrong[0]
        hint = next((hint for values, hint in sigmoid_slope_hints(points)
                     if all(abs(mine - value) < 1e-6 for mine, value in zip(given, values))),
                    f"compare with nudging: at z = {points[at]:g}, (sigmoid(z + 0.000001) − sigmoid(z − 0.000001)) / "
                    f"0.000002 is {nudged[at]:.4f}, but yours gives {given[at]:.4f}")
    check.that("sigmoid_slope agrees with nudging", not wrong, hint)


def tanh_or_sigmoid(check: Checker) -> None:
    try:
        sigmoid_slope_agrees(check)
    except Stop:  # a missing or crashing function is already a failed check; part (b) is graded all the same
        pass
    values = runs()
    # The default run is tanh; its W1 gradient is the sigmoid's times the ratio the record keeps.
    tanh_w1 = values["sigmoid_W1"] * values["sigmoid_W1_ratio"]
    blame = {"sigmoid": values["sigmoid_W1"], "tanh": tanh_w1, "relu": values["relu_W1"]}
    choose(check, "least_blame", min(blame, key=blame.get), {
        "tanh": "tanh can pass back the most: its slope is 1 at z = 0. Compare the W1 row of 'typical gradient "
                "size' in the three runs: which is smallest?",
        "relu": "relu's slope is exactly 1 wherever a neuron is active, so it passes blame back well. Compare the "
                "W1 row of 'typical gradient size' in the three runs",
    }, "answer with one of the squashes' names, sigmoid, tanh or relu: the one whose W1 row shows the smallest "
       "'typical gradient size'")
    ratio = values["sigmoid_W1_ratio"]
    check.number("tanh_W1_over_sigmoid_W1", ratio, mistake(check.answers().get("tanh_W1_over_sigmoid_W1"), [
        (1 / ratio, "divide the other way round: tanh's W1 size by sigmoid's, the bigger by the smaller"),
        (tanh_w1 / values["relu_W1"], "that is tanh's W1 size divided by relu's; divide by sigmoid's instead"),
    ], "divide the W1 'typical gradient size' of the tanh run (the default) by that of the sigmoid run",
        tolerance=0.02), tolerance=0.05, relative=True)


def longer_context(check: Checker) -> None:
    values, vocab = runs(), vocabulary_size()
    for run, other in (("c2", "c3"), ("c3", "c2")):
        context = int(flag(run))
        read_off(check, f"held_out_context_{context}", values[f"{run}_val"], [
            (values[f"{run}_ngram"], f"that is Level 1's {context + 1}-gram line; the network's own is 'Final "
                                     f"held-out loss'"),
            (values[f"{run}_minus"], "that is 'Network minus bigram'; give the network's held-out loss itself"),
            (values[f"{other}_val"], f"that is the --context {int(flag(other))} run; this answer is for "
                                     f"--context {context}"),
            (default_held_out(), f"that is the default run (context 1): run again with --context {context}"),
        ], f"read the first number on the line 'Final held-out loss' of the --context {context} run")
    context = int(flag("c3"))
    choose(check, "winner_context_3", "network" if values["c3_val"] < values["c3_ngram"] else "n-gram", {},
           f"in the --context {context} run compare 'Final held-out loss' with 'Level 1 {context + 1}-gram held-out "
           f"loss': the lower loss wins. Answer \"network\" or \"n-gram\"")
    key = "possible_contexts_3"
    check.number(key, vocab**3, mistake(check.answers().get(key), [
        (3 * vocab, f"multiply the choices, don't add them: {vocab} choices for each of 3 places"),
        (3**vocab, f"the other way round: {vocab} choices at each of 3 places is {vocab} ** 3"),
        (vocab**2, "that is for two characters; a context of 3 has one more place to fill"),
    ], f"each of the 3 places can hold any of the {vocab} characters: {vocab} × {vocab} × {vocab}", tolerance=0.5),
        tolerance=0)


@cache
def smallest_xor_hidden() -> int:
    """The smallest hidden layer that solves XOR with one of exercise 5's seeds, run as `step2_network.py` runs."""
    numbers = lesson_numbers()
    for hidden in numbers.XOR_HIDDEN:
        for seed in numbers.XOR_SEEDS:
            run = numbers.run_step(step2_network.main, "--hidden", str(hidden), "--seed", str(seed))
            if run.value("XOR rows right") == 4:
                return hidden
    raise RuntimeError("no hidden layer of exercise 5's table solved XOR: step 2 has changed")


def xor(check: Checker) -> None:
    numbers = lesson_numbers()
    rows, _, _ = step1_neuron.best_random_line(step1_neuron.GATE_TARGETS["XOR"], np.random.default_rng(numbers.SEED))
    check.number("best_line_rows", rows, mistake(check.answers().get("best_line_rows"), [
        (4, "no straight line gets all four: the two 1s sit on one diagonal and the two 0s on the other, and the "
            "centre of the square would have to be on both sides"),
        (2, "a line can do better than half: draw one that cuts off just one corner of the square"),
    ], "step 1 prints a line 'Best of ... random lines on XOR: ... of 4': how many rows can one line get right?"),
        tolerance=0)
    smallest = smallest_xor_hidden()
    check.number("smallest_hidden", smallest, mistake(check.answers().get("smallest_hidden"), [
        (1, "one hidden neuron still bases its answer on one straight-line sum, so it never gets all four rows: "
            "did any seed print 'XOR solved: yes'?"),
        (0, "a network needs at least one hidden neuron: count the neurons of the hidden layer"),
    ], "gradient descent sometimes gets stuck, so one failed run does not prove a size is too small: try each "
       "smaller --hidden with --seed 0, 1, 2, 3 and 4 before you decide"), tolerance=0)


def vanishing(check: Checker) -> None:
    layers = 10
    # The steepest slopes, from step 3's own activation_slope: each squash at z = 0, and relu where it is active.
    sigmoid = float(step3_train.activation_slope("sigmoid", np.zeros(1), step1_neuron.sigmoid(np.zeros(1)))[0])
    tanh = float(step3_train.activation_slope("tanh", np.zeros(1), np.tanh(np.zeros(1)))[0])
    relu = float(step3_train.activation_slope("relu", np.ones(1), np.ones(1))[0])
    key = "sigmoid_10_layers"
    value, best = check.answers().get(key), sigmoid**layers
    hint = mistake(value, [
        (sigmoid * layers, f"the blame is multiplied by {sigmoid:g} at every layer, not added: "
                           f"{sigmoid:g} × {sigmoid:g} × … ({layers} times)"),
        (sigmoid, f"that is one layer; the blame passes through {layers} of them, shrinking at each"),
        (sigmoid ** (layers - 1), f"count the factors: one {sigmoid:g} for each of the {layers} layers"),
        (sigmoid ** (layers + 1), f"count the factors: one {sigmoid:g} for each of the {layers} layers"),
        (sigmoid**-layers, "the blame shrinks, so the share that gets through is less than 1: yours is 1 over it"),
    ], f"at best every sigmoid layer keeps {sigmoid:g} of the blame: {sigmoid:g} to the power {layers}",
        tolerance=best * 1e-3)
    if near(value, best, best * 0.1) and not near(value, best, best * 0.01):
        hint = (f"close, and 'about a millionth' is the right idea: give {sigmoid:g} ** {layers} exactly "
                f"(Python can work it out)")
    check.number(key, best, hint, tolerance=0.01, relative=True)
    key = "tanh_10_layers"
    check.number(key, tanh**layers, mistake(check.answers().get(key), [
        (sigmoid**layers, f"{sigmoid:g} is the sigmoid's steepest slope; tanh's is 1 − tanh(0)² at z = 0"),
        (0, "tanh's slope is near 0 only where a neuron is saturated; at best (sums near 0) it is 1 − tanh(0)²"),
    ], f"tanh's steepest slope is 1 − tanh(0)²: multiply it {layers} times", tolerance=1e-9), tolerance=0.001)
    key = "relu_10_layers"
    check.number(key, relu**layers, mistake(check.answers().get(key), [
        (0, "0 is the slope of a relu whose sum is negative (a dead relu); for active neurons it is 1"),
        (sigmoid**layers, f"{sigmoid:g} is the sigmoid's slope; relu's slope is 1 wherever its sum is positive"),
    ], f"relu passes the blame on unchanged wherever its neuron is active (slope 1): through {layers} such layers?",
        tolerance=1e-9), tolerance=0.001)


def two_loops(check: Checker) -> None:
    # Step 3's default job, context 1 (the bigram's): one training example per character that has one before it.
    _, targets = step3_train.make_examples(np.array(load_corpus().train_ids), 1)
    examples, batch = len(targets), step3_train.REFERENCE_BATCH_SIZE
    batches = math.ceil(examples / batch)
    key = "updates_per_epoch_per_sample"
    check.number(key, examples, mistake(check.answers().get(key), [
        (examples + 1, "off by one: the very first character has nothing before it, so it is never predicted"),
        (batches, "that is the vectorised loop's count; the per-sample loop steps after every single example"),
    ], "the per-sample loop steps once for every training example: step 3's table 'What we train on' says how "
       "many there are", tolerance=0), tolerance=0)
    key = "updates_per_epoch_vectorised"
    check.number(key, batches, mistake(check.answers().get(key), [
        (examples // batch, f"the last batch is smaller than {batch} but is still a step: round up"),
        (examples / batch, "a number of steps is a whole number: the last, smaller batch is one more step, so round up"),
        (examples, f"that is the per-sample loop's count; the vectorised loop steps once per batch of {batch}"),
    ], f"one step per mini-batch: {examples:,} examples in batches of {batch}", tolerance=1e-6), tolerance=0)
    recorded = record("loop_speeds")["values"]["benchmark_ratio"]
    key = "benchmark_ratio"
    value = check.answers().get(key)
    if is_number(value) and 0 < value < 1:
        hint = "you divided the slow speed by the fast one: the ratio is vectorised ÷ per-sample, more than 1"
    elif is_number(value) and value < recorded:
        hint = (f"that is much less than the lesson's {recorded:.0f} times: read the \"ratio\" in the line the "
                f"benchmark prints, and if your computer was busy, run it again")
    else:
        hint = (f"read the \"ratio\" in the line python benchmarks/level2_training.py prints (the lesson's computer "
                f"measured {recorded:.0f})")
    # Speeds depend on the computer: anything within 4 times of the recording (either way) counts.
    check.that(f"ANSWERS[{key!r}]", is_number(value) and recorded / 4 <= value <= recorded * 4,
               hint if value is not None else f"not answered yet: fill in ANSWERS[{key!r}] in your file")


@cache
def hindi_run() -> Any:
    """`python step3_train.py --text ../data/stories_hi.txt`, run as lesson_numbers runs it (about a second)."""
    return lesson_numbers().run_step(step3_train.main, "--text", str(HINDI_CORPUS))


def is_vowel_sign(character: str) -> bool:
    return "VOWEL SIGN" in unicodedata.name(character, "")


def hindi(check: Checker) -> None:
    numbers, run, corpus = lesson_numbers(), hindi_run(), load_corpus(HINDI_CORPUS)
    held_out, bigram = run.history["validation_loss"][-1], run.history["bigram_validation_loss"]
    read_off(check, "hindi_held_out", held_out, [
        (bigram, "that is the bigram's line; the network's own is 'Final held-out loss'"),
        (default_held_out(), "that is the English stories' loss: add --text with the Hindi file"),
        (held_out - bigram, "that is 'Network minus bigram'; give the network's held-out loss itself"),
    ], "read the first number on the line 'Final held-out loss' of the run on the Hindi stories (default 5 epochs)")
    choose(check, "hindi_vs_bigram", "behind" if held_out > bigram else "ahead", {},
           "lower loss is better: compare 'Final held-out loss' with 'Level 1 bigram held-out loss' in the Hindi run. "
           "Answer \"ahead\" or \"behind\"")
    _, _, after, _ = numbers.next_letter_chances(run, corpus, numbers.HINDI_LETTER)
    top_five = [corpus.tokenizer.chars[index] for index in np.argsort(-after)[:5]]
    signs = sum(map(is_vowel_sign, top_five))
    value = check.answers().get("vowel_signs_in_top_5")
    hint = ("you counted something that is not a vowel sign: a consonant such as र, or the space, is not a matra"
            if is_number(value) and value > signs else
            "look again at the first five rows of step 4's table: every character drawn on a dotted circle, like ◌ा, "
            "is a vowel sign")
    check.number("vowel_signs_in_top_5", signs, hint, tolerance=0)


CHECKS = {"2.1": learning_rate, "2.2": hidden_neurons, "2.3": tanh_or_sigmoid, "2.4": longer_context, "2.5": xor,
          "2.6": vanishing, "2.7": two_loops, "2.8": hindi}

if __name__ == "__main__":
    grading.main(CHECKS)
