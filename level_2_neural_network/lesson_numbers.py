"""The measured numbers Level 2's lesson.md and solutions.md quote, and how each is measured.

Every loss, percentage, count and picture below comes from running this level's own step scripts
with their default seed, in this process, exactly as a learner runs them: `run_step` calls a step's
`main()` with the learner's flags, keeps everything it printed and the files it saved, and
`printed_value` reads a result line back ("Final held-out loss: 2.4283 nats ..."). So what the lesson
quotes is what `python step3_train.py` prints.

- fast, measured on every check (about 6 s on one core): steps 2.1 and 2.2, the default step 3 run, the Hindi
  runs of exercise 8, and the XOR table of exercise 5;
- recorded (`Recorded`, kept in `measured/*.json`): the nine other training runs of exercises 1 to 4 (about 40 s),
  and the per-sample run and the loop benchmark of exercise 7 (about 30 s; their speeds depend on the
  computer, so they are quoted as what the recording computer measured). Each record names the
  corpus and the default run's held-out loss it was made with, so a change to the stories or to the
  training code makes the check fail until it is recorded again.

    python lesson_numbers.py                          # check every quoted number
    python lesson_numbers.py --update                 # measure again and rewrite the quoted values
    python lesson_numbers.py --update --run all       # also repeat the slow recorded runs (a few minutes)

>>> printed_value("Final held-out loss: 2.4283 nats (3.503 bits per character)", "Final held-out loss")
2.4283
>>> scientific(0.00273)
(2.7, 3)
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

# Step 3 first: it asks NumPy for one maths thread, which only works before NumPy is imported.
from level_2_neural_network import step3_train  # isort: skip

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402

from buildai import script, ui  # noqa: E402
from buildai.data import load_corpus  # noqa: E402
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Recorded, Values  # noqa: E402
from buildai.paths import HINDI_CORPUS, REPO_ROOT  # noqa: E402
from buildai.safe_io import load_numpy, read_json  # noqa: E402
from level_1_prediction.display import readable  # noqa: E402
from level_1_prediction.step3_ngram import NGramModel  # noqa: E402
from level_2_neural_network import step1_neuron, step2_network, step4_visualize  # noqa: E402

FOLDER = Path(__file__).resolve().parent
SEED = script.DEFAULT_SEED  # what every step uses without --seed
XOR_HIDDEN = (1, 2, 3)  # exercise 5's table: hidden layers of 1, 2 and 3 neurons ...
XOR_SEEDS = range(5)  # ... each trained with seeds 0 to 4
NEXT_LETTER_ROWS = 3  # rows of step 4's table the lesson shows
HINDI_LETTER = "क"  # exercise 8's --letter
HINDI_ROWS = 5
SAMPLE_SHOWN = 80  # characters of the trained sample the lesson shows
# Exercise 8: what each likely character after क spells, for the table in solutions.md.
HINDI_GLOSSES = {
    "े": '(के, "ke", as in the very common word के)',
    "र": '(कर, "kar", as in करना, करते)',
    "ा": '(का, "kaa")',
    "ी": '(की, "kee")',
    " ": '(एक , "ek", as in एक जंगल में ...)',
    "ि": '(कि, "ki")',
    "ो": '(को, "ko")',
    "्": '(क्, the start of a joined letter such as क्या)',
    "ु": '(कु, "ku")',
    "ह": '(कह, "kah", as in कहा)',
}


# ------------------------------------------------------------------ running a step as a learner does


@dataclass
class StepRun:
    """What one run of a step script printed and saved, and the flags it ran with."""

    printed: str
    args: Any
    history: dict = field(default_factory=dict)
    model: dict = field(default_factory=dict)
    seconds: float = 0.0

    def value(self, label: str, index: int = 0) -> float:
        return printed_value(self.printed, label, index)


def run_step(main: Callable[[list[str] | None], object], *flags: str) -> StepRun:
    """Run a step's main() with these flags (and a temporary --out-dir); keep its output and files."""
    seen: dict[str, Any] = {}
    start_step = script.start_step

    def remember_args(parser, argv=None):
        seen["args"] = start_step(parser, argv)
        return seen["args"]

    raw = io.BytesIO()
    buffer = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")  # UTF-8 and no terminal: plain output
    console = Console(file=buffer, color_system=None, force_terminal=False, highlight=False, emoji=False,
                      width=200, theme=ui.THEME)
    saved_console, saved_quiet = ui.console, ui.is_quiet()
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(buffer):
        ui.console, script.start_step = console, remember_args
        started = time.perf_counter()
        try:
            main([*flags, "--out-dir", folder])
        finally:
            ui.console, script.start_step = saved_console, start_step
            ui.configure(quiet=saved_quiet)
        buffer.flush()
        if "args" not in seen:
            raise RuntimeError(f"{main.__module__} no longer parses its flags with buildai.script.start_step, "
                               "so run_step cannot see them")
        run = StepRun(raw.getvalue().decode("utf-8"), seen["args"], seconds=time.perf_counter() - started)
        history, model = Path(folder) / step3_train.HISTORY_FILE, Path(folder) / step3_train.MODEL_FILE
        if history.exists():
            run.history = read_json(history, what="training history", how_to_make="")
            run.model = dict(load_numpy(model, what="trained network", how_to_make=""))
    return run


def printed_value(printed: str, label: str, index: int = 0) -> float:
    """The `index`-th number on the result line 'label: ...' of a step's output."""
    for line in printed.splitlines():
        if line.startswith(f"{label}: "):
            numbers = re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", line[len(label) + 2:])
            return float(numbers[index].replace(",", ""))
    raise LookupError(f"the step printed no line '{label}: ...'")


def printed_table(printed: str, title: str) -> dict[str, list[str]]:
    """The rows of a table the step printed, by their first cell: {'W1': ['(72, 64)', '5.2e-09', ...]}."""
    lines = printed.splitlines()
    start = next(index for index, line in enumerate(lines) if line.strip() == title)
    rows: dict[str, list[str]] = {}
    for line in lines[start + 1:]:
        if line.startswith("╰"):
            break
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


def printed_grid(printed: str, after: str) -> list[str]:
    """The character picture (# . 0 1) a step printed after the line starting with `after`."""
    lines = printed.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(after))
    grid = []
    for line in lines[start + 1:]:
        if not line.startswith("    ") or set(line.strip()) - set("#.01"):
            if grid:
                break
            continue
        grid.append(line.strip())
    return grid


def scientific(value: float) -> tuple[float, int]:
    """A small number as (mantissa, minus the power of ten), the way the solutions write 2.7e-3."""
    power = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**power, 1)
    if mantissa >= 10:  # 9.96e-4 rounds up to 10.0e-4: write it as 1.0e-3
        mantissa, power = round(mantissa / 10, 1), power + 1
    return mantissa, -power


def signed(value: float, places: int) -> str:
    """A difference with its sign always written, as a piece of text: signed(0.0095, 3) -> '+0.010'.

    (A quoted number is never written with a '+', so a signed one is quoted as text: the `:s` hole.)
    """
    return f"{value:+.{places}f}"


def rounded(value: float, places: int) -> int:
    """A count rounded for prose: rounded(131126, -3) -> 131000 ('about 131,000')."""
    return int(round(value, places))


# --------------------------------------------------------------------------- steps 2.1 and 2.2

CORNERS = {(0, 0): "bottom left", (0, 1): "top left", (1, 0): "bottom right", (1, 1): "top right"}


def _line_from(printed: str, after: str) -> tuple[np.ndarray, float]:
    """The weights and bias of the line step 1 printed ('yes when 0.83*x1 - 1.59*x2 - 0.62 >= 0')."""
    tail = printed[printed.index(after):]
    found = re.search(r"yes when\s+(-?[\d.]+)\*x1 ([-+]) ([\d.]+)\*x2 ([-+]) ([\d.]+) >= 0", tail)
    w1, sign2, w2, sign_b, b = found.groups()
    return np.array([float(w1), float(sign2 + w2)]), float(sign_b + b)


def _step1_numbers() -> dict[str, Any]:
    """Step 2.1 as `python step1_neuron.py` runs it, and the worked examples of sections 2 and 3."""
    run = run_step(step1_neuron.main)
    sigmoid = step1_neuron.sigmoid
    values: dict[str, Any] = {f"sigmoid_{'m' if z < 0 else 'p'}{abs(z)}": float(sigmoid(z)) for z in (-6, -2, 0, 2, 6)}
    # Section 2: w1 = w2 = 10 and b = -15 make an AND gate.
    and_gate = step1_neuron.neuron_output(np.array([10.0, 10.0]), -15.0, step1_neuron.GATE_INPUTS)
    values["and_yes"], values["and_no"] = float(and_gate[3]), float(and_gate[2])
    # Section 3: one gradient step from zero weights on the row (1, 1), whose wanted answer is 1.
    row, wanted = step1_neuron.GATE_INPUTS[3:], np.array([1.0])
    values["worked_output"] = float(step1_neuron.neuron_output(np.zeros(2), 0.0, row)[0])
    values["worked_error"] = values["worked_output"] - 1.0
    weight_slopes, bias_slope = step1_neuron.neuron_gradients(np.zeros(2), 0.0, row, wanted)
    values["worked_w1_slope"], values["worked_w2_slope"], values["worked_b_slope"] = (
        float(weight_slopes[0]), float(weight_slopes[1]), bias_slope)
    new_weights, new_bias = -1.0 * weight_slopes, -1.0 * bias_slope  # learning rate 1
    values["worked_new_w1"], values["worked_new_w2"], values["worked_new_b"] = (
        float(new_weights[0]), float(new_weights[1]), new_bias)
    values["worked_new_sum"] = float(row[0] @ new_weights + new_bias)
    values["worked_new_output"] = float(step1_neuron.neuron_output(new_weights, new_bias, row)[0])
    values["step1_steps"] = run.args.steps
    lines, best = re.search(r"Best of ([\d,]+) random lines on XOR: (\d) of 4", run.printed).groups()
    values["random_lines"], values["best_line_rows"] = int(lines.replace(",", "")), int(best)
    values["xor_line_grid"] = printed_grid(run.printed, "The best of")
    weights, bias = _line_from(run.printed, "The best of")
    targets = step1_neuron.GATE_TARGETS["XOR"]
    says_yes = step1_neuron.line_says_yes(weights, bias)(step1_neuron.GATE_INPUTS)
    values["xor_line_wrong"] = [f"the {int(want)} at {CORNERS[(int(x1), int(x2))]}"
                                for (x1, x2), want, yes in zip(step1_neuron.GATE_INPUTS, targets, says_yes)
                                if yes != (want == 1)]
    return values


def _xor_cell(rows_right: float) -> str:
    # Only "solved or not" is quoted: a stuck network says 0.500 for every row, and which of those
    # rounds to a 1 is decided by the last bit of the arithmetic, which differs between machines.
    return "**solved**" if rows_right == 4 else "not solved"


def _seeds_text(seeds: list[int]) -> str:
    """'seed 2', 'seeds 2 and 3', 'seeds 0, 2 and 3', or 'no seed'."""
    if not seeds:
        return "no seed"
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return "seeds " + ", ".join(map(str, seeds[:-1])) + f" and {seeds[-1]}"


def _step2_numbers() -> dict[str, Any]:
    """Step 2.2 as `python step2_network.py` runs it, and exercise 5's table of tiny hidden layers."""
    run = run_step(step2_network.main)
    scales = printed_table(run.printed, "100 inputs -> 100 tanh neurons, three starting scales")
    values: dict[str, Any] = {
        "saturated_xavier": float(scales["Xavier"][2].rstrip("%")),
        "saturated_huge": float(scales["huge (1.0)"][2].rstrip("%")),
        "xor_hidden": run.args.hidden, "xor_steps": run.args.steps,
        "xor_network_grid": printed_grid(run.printed, "Where the network says 1"),
        "xor_network_rows": run.value("XOR rows right"),
    }
    shapes = step2_network.init_parameters(2, run.args.hidden, 2, run.args.activation, np.random.default_rng(0))
    values["xor_parameters"] = sum(array.size for array in shapes.values())
    values["xor_passes"] = 2 * values["xor_parameters"]
    for hidden in XOR_HIDDEN:
        failed = []
        for seed in XOR_SEEDS:
            rows_right = run_step(step2_network.main, "--hidden", str(hidden), "--seed", str(seed)).value("XOR rows right")
            values[f"xor_{hidden}_{seed}"] = _xor_cell(rows_right)
            if rows_right < 4:
                failed.append(seed)
        values[f"xor_{hidden}_failed"] = _seeds_text(failed)
    return values


# -------------------------------------------------------------------------------- step 2.3 and 2.4


@lru_cache(maxsize=1)
def default_run() -> StepRun:
    """`python step3_train.py` with every default (about 2 s): the run the lesson is about."""
    return run_step(step3_train.main)


def _trained_and_initial(run: StepRun) -> tuple[dict, dict]:
    names = ("W1", "b1", "W2", "b2")
    return {name: run.model[name] for name in names}, {name: run.model[f"initial_{name}"] for name in names}


def next_letter_chances(run: StepRun, corpus, letter: str) -> tuple[str, np.ndarray, np.ndarray, dict[str, float]]:
    """What step 4 shows after `letter`: the context, the untrained and trained chances, and the bigram's."""
    trained, initial = _trained_and_initial(run)
    settings = run.history["settings"]
    context_text = step4_visualize.most_common_context(corpus.train_text, letter, settings["context"])
    ids, vocab_size = corpus.tokenizer.encode(context_text), corpus.tokenizer.vocab_size
    before = step3_train.next_char_probabilities(initial, ids, vocab_size, settings["activation"])
    after = step3_train.next_char_probabilities(trained, ids, vocab_size, settings["activation"])
    bigram = NGramModel(2, vocabulary=set(corpus.text)).fit(corpus.train_text).distribution(letter)
    return context_text, before, after, bigram


def next_letter_table(values: Values) -> str:
    """Section 8's excerpt of step 4's table (after 't'), with step 4's bars (20 blocks = the biggest chance)."""
    lines = [f"   {'next':<4}{'before training':>18}   {'after training':<26}   Level 1 bigram"]
    for label, before, after, bigram in values["next_letter_rows"]:
        biggest = values["next_letter_biggest"]
        lines.append(f"   {label:<4}{before:>18.3f}   {after:.3f} {ui.bar(after, biggest, 20):<20}   "
                     f"{bigram:.3f} {ui.bar(bigram, biggest, 20)}".rstrip())
    return "\n".join(lines)


def _step3_numbers() -> dict[str, Any]:
    """The default step 3 run, and step 4's table after its default letter, 't'."""
    run, corpus = default_run(), load_corpus()
    history, args = run.history, run.args
    check = printed_table(run.printed, "Backprop vs nudging")
    errors = [float(check[name][1]) for name in ("W1", "b1", "W2", "b2")]
    final, bigram = history["validation_loss"][-1], history["bigram_validation_loss"]
    vocab = history["vocabulary_size"]
    values: dict[str, Any] = {
        "seed": args.seed, "hidden": args.hidden, "epochs": args.epochs, "batch_size": args.batch_size,
        "default_rate": args.learning_rate, "reference_batch": step3_train.REFERENCE_BATCH_SIZE,
        "rate_first": history["learning_rates"][1], "rate_last": history["learning_rates"][-1],
        "vocab": vocab, "vocab_2": vocab**2, "vocab_3": vocab**3, "context3_inputs": 3 * vocab,
        "ln_vocab": math.log(vocab), "ln2": math.log(2),
        "parameters": history["parameter_count"], "nudge_passes": 2 * history["parameter_count"],
        "train_examples_rounded": rounded(history["train_examples"], -3),
        "batches_per_epoch": math.ceil(history["train_examples"] / args.batch_size),
        "english_examples_5": rounded(args.epochs * history["train_examples"], -3),
        "err_low_exp": -math.floor(math.log10(min(errors))), "err_high_exp": -math.ceil(math.log10(max(errors))),
        "final_val": final, "final_bits": final / math.log(2), "bigram": bigram, "bigram_bits": bigram / math.log(2),
        "final_minus": final - bigram, "untrained_val": history["validation_loss"][0],
        "final_minus_3": signed(final - bigram, 3), "final_minus_4": signed(final - bigram, 4),
    }
    for name in ("W1", "W2"):
        values[f"tanh_{name}_m"], values[f"tanh_{name}_e"] = scientific(float(check[name][2]))
    sample = (history["prompt"] + history["sample_after"]).replace("\n", " / ")  # as step 3 shows it
    values["trained_sample"] = "   " + sample[:SAMPLE_SHOWN].rsplit(" ", 1)[0]  # whole words only
    context_text, before, after, bigram_chances = next_letter_chances(run, corpus, "t")
    chars = corpus.tokenizer.chars
    values["next_letter_biggest"] = max(float(after.max()), max(bigram_chances.values()), float(before.max()))
    values["next_letter_rows"] = [(f"'{readable(chars[index])}'", float(before[index]), float(after[index]),
                                   bigram_chances.get(chars[index], 0.0))
                                  for index in np.argsort(-after)[:NEXT_LETTER_ROWS]]
    return values


def _hindi_numbers() -> dict[str, Any]:
    """Exercise 8: step 3 on the Hindi stories for 5 and 30 epochs, and what the second expects after क."""
    corpus = load_corpus(HINDI_CORPUS)
    short = run_step(step3_train.main, "--text", str(HINDI_CORPUS))
    long = run_step(step3_train.main, "--text", str(HINDI_CORPUS), "--epochs", "30")
    bigram = short.history["bigram_validation_loss"]
    values: dict[str, Any] = {
        "hindi_hundred_characters": rounded(len(corpus.text), -2),
        "hindi_examples_5": rounded(short.args.epochs * short.history["train_examples"], -3),
        "hindi_val": short.history["validation_loss"][-1], "hindi_bigram": bigram,
        "hindi_behind": short.history["validation_loss"][-1] - bigram,
        "hindi30_val": long.history["validation_loss"][-1], "hindi30_gain": bigram - long.history["validation_loss"][-1],
    }
    _, _, after, bigram_chances = next_letter_chances(long, corpus, HINDI_LETTER)
    top = [corpus.tokenizer.chars[index] for index in np.argsort(-after)[:HINDI_ROWS]]
    values["hindi_rows"] = [(ch, float(after[corpus.tokenizer.chars.index(ch)])) for ch in top]
    bigram_top = sorted(bigram_chances, key=lambda ch: -bigram_chances[ch])[:HINDI_ROWS]
    values["hindi_agreement"] = ("(and the bigram agrees)" if set(bigram_top) == set(top)
                                 else "(the bigram's favourites differ a little)")
    return values


def hindi_table(values: Values) -> str:
    return "\n".join(f"   {readable(ch):<4}{chance:.3f}    {HINDI_GLOSSES.get(ch, '')}".rstrip()
                     for ch, chance in values["hindi_rows"])


def measure() -> dict[str, Any]:
    """Every number measured fresh on each check (about 6 s on one core)."""
    values = _step1_numbers()
    values.update(_step2_numbers())
    values.update(_step3_numbers())
    values.update(_hindi_numbers())
    values["softmax_2"], values["softmax_0"] = (float(p) for p in step2_network.softmax(np.array([2.0, 0.0])))
    values["sigmoid_max_slope"] = float(step3_train.activation_slope("sigmoid", np.zeros(1), np.full(1, 0.5))[0])
    values["ten_sigmoid_layers"] = values["sigmoid_max_slope"] ** 10
    return values


# ------------------------------------------------------------------------------- recorded runs

# Exercises 1 to 4: the other step 3 runs, by the flags the exercises give.
EXERCISE_RUNS = {
    "lr10": ["--learning-rate", "10"], "lr005": ["--learning-rate", "0.05"],
    "h8": ["--hidden", "8"], "h256": ["--hidden", "256"],
    "sigmoid": ["--activation", "sigmoid"], "relu": ["--activation", "relu"],
    "c2": ["--context", "2"], "c3": ["--context", "3"], "c3big": ["--context", "3", "--hidden", "128", "--epochs", "10"],
}
BENCHMARK = REPO_ROOT / "benchmarks" / "level2_training.py"


def record_settings(runs: dict[str, list[str]]) -> dict[str, Any]:
    """What a record must still match: the text, the seed, the runs, and what the default run gives today
    (so a change to the training code, which changes the default run, makes every record stale)."""
    return {"seed": SEED, "corpus_sha256": load_corpus().sha256, "runs": runs,
            "default_held_out_loss": round(default_run().history["validation_loss"][-1], 4)}


def _exercise_numbers() -> dict[str, Any]:
    """Exercises 1 to 4 (about 40 s): each run's held-out loss, and how it compares with the default run."""
    default = run_step(step3_train.main)  # again, so its time is measured beside the others
    started = time.perf_counter()  # and the whole command, as a learner types it
    subprocess.run([sys.executable, "step3_train.py", "--quiet", "--out-dir", tempfile.mkdtemp()], cwd=FOLDER,
                   check=True, capture_output=True)
    command_seconds = time.perf_counter() - started
    base, bigram = default.history["validation_loss"][-1], default.history["bigram_validation_loss"]
    values: dict[str, Any] = {"default_run_seconds": command_seconds,
                                "default_training_seconds": default.history["training_seconds"]}
    for name, flags in EXERCISE_RUNS.items():
        run = run_step(step3_train.main, *flags)
        history, check = run.history, printed_table(run.printed, "Backprop vs nudging")
        values[f"{name}_val"] = history["validation_loss"][-1]
        values[f"{name}_minus"] = history["validation_loss"][-1] - bigram
        values[f"{name}_minus_3"] = signed(values[f"{name}_minus"], 3)
        values[f"{name}_ngram"] = history["same_context_ngram_validation_loss"]
        values[f"{name}_params"] = history["parameter_count"]
        values[f"{name}_seconds"] = history["training_seconds"]
        for array in ("W1", "W2"):
            values[f"{name}_{array}"] = float(check[array][2])
            values[f"{name}_{array}_m"], values[f"{name}_{array}_e"] = scientific(values[f"{name}_{array}"])
    tanh_w1 = float(printed_table(default.printed, "Backprop vs nudging")["W1"][2])
    values["sigmoid_W1_ratio"] = tanh_w1 / values["sigmoid_W1"]
    values["sigmoid_behind"] = values["sigmoid_val"] - base
    values["h256_gain"] = base - values["h256_val"]
    values["h256_param_ratio"] = values["h256_params"] / default.history["parameter_count"]
    values["h256_time_ratio"] = values["h256_seconds"] / values["default_training_seconds"]
    return values


def _loop_numbers() -> dict[str, float]:
    """Exercise 7 (about 2 minutes): the full per-sample run, the vectorised run just after it, and the benchmark."""
    per_sample = run_step(step3_train.main, "--loop", "per-sample")
    vectorised = run_step(step3_train.main)
    benchmark = subprocess.run([sys.executable, str(BENCHMARK)], capture_output=True, text=True, check=True,
                               cwd=REPO_ROOT, encoding="utf-8")
    result = json.loads(benchmark.stdout.strip().splitlines()[-1])
    return {
        "per_sample_val": per_sample.history["validation_loss"][-1],
        "per_sample_seconds": per_sample.history["training_seconds"],
        "per_sample_speed": rounded(per_sample.history["examples_per_second"], -2),
        "vectorised_speed": rounded(vectorised.history["examples_per_second"], -3),
        "benchmark_ratio": result["ratio"],
    }


RECORDED = [
    Recorded("exercise_runs", "python step3_train.py with each of exercises 1-4's flags", _exercise_numbers,
             lambda: record_settings(EXERCISE_RUNS)),
    Recorded("loop_speeds", "python step3_train.py --loop per-sample; python step3_train.py; "
             "python benchmarks/level2_training.py", _loop_numbers,
             lambda: record_settings({"per_sample": ["--loop", "per-sample"], "vectorised": [],
                                      "benchmark": [str(BENCHMARK.relative_to(REPO_ROOT))]})),
]


# ------------------------------------------------------------------------------- the quotes


def line_grid(values: Values) -> str:
    """Section 4's picture: step 1's best random line on XOR, with a note on the corner it gets wrong."""
    wrong = values["xor_line_wrong"]
    first = (f"one corner ({wrong[0]}) is on the wrong side," if len(wrong) == 1
             else f"{len(wrong)} corners ({', '.join(wrong)}) are on the wrong side,")
    notes = {2: first, 3: "and no straight border can fix that"}
    return "\n".join(f"    {row}" + (f"      {notes[index]}" if index in notes else "")
                     for index, row in enumerate(values["xor_line_grid"]))


def network_grid(values: Values) -> str:
    """Section 5's picture: where step 2's trained XOR network says 1."""
    return "\n".join(f"    {row}" + ("     the yes-region (#) bends around the two 1s" if index == 2 else "")
                     for index, row in enumerate(values["xor_network_grid"]))


def _xor_row(hidden: int) -> str:
    """One row of exercise 5's table; the table is quoted whole, so a row cannot match another table."""
    cells = " | ".join(f"{{xor_{hidden}_{seed}:s}}" for seed in XOR_SEEDS)
    return f"| {hidden} | {cells} |"


QUOTES: list[Quote | Block] = [
    # lesson.md, sections 2 to 4: one neuron
    Quote("lesson.md", "sigmoid(z)  {sigmoid_m6:.4f}   {sigmoid_m2:.2f}    {sigmoid_p0:.1f}    {sigmoid_p2:.2f}    {sigmoid_p6:.4f}"),
    Quote("lesson.md", "sigmoid(5) ≈ {and_yes:.2f}: yes. For (1, 0) the sum is `-5`, and sigmoid(-5) ≈ {and_no:.3f}: no."),
    Quote("lesson.md", "output = sigmoid(0) = {worked_output:.1f}      output - wanted = {worked_output:.1f} - 1 = {worked_error:.1f}"),
    Quote("lesson.md", "slopes: w1: {worked_error:.1f} × 1 = {worked_w1_slope:.1f}     w2: {worked_error:.1f} × 1 = "
                       "{worked_w2_slope:.1f}     b: {worked_b_slope:.1f}"),
    Quote("lesson.md", "w1 = 0 - 1 × ({worked_w1_slope:.1f}) = {worked_new_w1:.1f},  w2 = {worked_new_w2:.1f},  b = {worked_new_b:.1f}"),
    Quote("lesson.md", "sigmoid({worked_new_w1:.1f} + {worked_new_w2:.1f} + {worked_new_b:.1f}) = sigmoid({worked_new_sum:.1f}) ≈ {worked_new_output:.2f}"),
    Quote("lesson.md", "averaged over all four rows, {step1_steps:,} times."),
    Quote("lesson.md", "It tries {random_lines:,} random lines and reports that the best gets {best_line_rows} of 4 right."),
    Block("lesson.md", "corners marked by the answer they want:", line_grid),
    # section 5: a network
    Quote("lesson.md", "with weights of spread 1.0, about {saturated_huge:.0f}%\nof them are stuck at ±1; with the Xavier spread, "
                       "about {saturated_xavier:.0f}%."),
    Quote("lesson.md", "A\nscore of 2 and a score of 0 become `e²/(e² + 1) ≈ {softmax_2:.2f}` and `1/(e² + 1) ≈ {softmax_0:.2f}`."),
    Quote("lesson.md", "for each of the {xor_parameters} numbers in the network"),
    Quote("lesson.md", "That is {xor_passes} forward passes per step, then one step downhill for every number. After {xor_steps} steps"),
    Block("lesson.md", "the picture of where it says yes is no longer one straight line:", network_grid),
    Quote("lesson.md", "Step 3's character network has {parameters:,} numbers: {nudge_passes:,} forward passes"),
    # section 6: backpropagation
    Quote("lesson.md", "it takes well under a millisecond for all {parameters:,} numbers"),
    Quote("lesson.md", "comes out between about 1e-{err_low_exp} and 1e-{err_high_exp}."),
    # section 7: the character network
    Quote("lesson.md", "({vocab} for our stories)"),
    Quote("lesson.md", "{vocab} numbers, one 1"),
    Quote("lesson.md", "three one-hot rows are laid end to end: {context3_inputs} numbers with three 1s."),
    Quote("lesson.md", "one-hot ({vocab}) ─► W1 ({vocab} × {hidden}) ─► tanh ({hidden}) ─► W2 ({hidden} × {vocab}) ─► "
                       "softmax: {vocab} chances"),
    Quote("lesson.md", "gets its own row of {hidden} learned numbers"),
    Quote("lesson.md", "Final held-out loss:           {final_val:.4f} nats ({final_bits:.3f} bits per character)\n"
                       "   Level 1 bigram held-out loss:  {bigram:.4f} nats ({bigram_bits:.3f} bits per character)\n"
                       "   Network minus bigram:          {final_minus_4:s} nats"),
    Quote("lesson.md", "So\n{final_val:.4f} nats = {final_val:.4f} / {ln2:.3f} ≈ {final_bits:.2f} bits"),
    Quote("lesson.md", "almost evenly among {vocab} characters, so it starts near ln {vocab} ≈ {ln_vocab:.2f} nats."),
    Quote("lesson.md", "every one of {train_examples_rounded:,} steps per epoch."),
    Quote("lesson.md", "takes a **mini-batch** of {batch_size} examples"),
    Quote("lesson.md", "on the shared 2-core computer that measured this lesson's numbers it was {benchmark_ratio:.0f} times faster."),
    Quote("lesson.md", "A gradient averaged over {batch_size} examples points more reliably downhill"),
    Quote("lesson.md", "The default learning rate is {default_rate:.1f} for batches of {reference_batch}, and smaller\nin proportion "
                       "for smaller batches (1/{reference_batch} for one example at a time)."),
    # section 8: running the scripts
    Quote("lesson.md", "python step3_train.py                  # about {default_run_seconds:.0f} seconds"),
    Quote("lesson.md", "`Best of {random_lines:,} random lines on XOR: {best_line_rows} of 4`"),
    Block("lesson.md", "With one letter of context, that is all anyone can do.", lambda values: values["trained_sample"]),
    Block("lesson.md", "and the next-letter chances after your `--letter`", next_letter_table),
    Quote("lesson.md", "Before training the chances are flat (about 1/{vocab} each)."),
    # section 9: exercises
    Quote("lesson.md", "`--hidden 8`, the default {hidden}, and `--hidden 256`."),
    Quote("lesson.md", "after the default {epochs} epochs? The Hindi file is only about {hindi_hundred_characters:,}\n   characters"),

    # solutions.md
    Quote("solutions.md", "All numbers below come from runs with the default seed ({seed}) on the course stories"),
    # exercise 1
    Quote("solutions.md", "| learning rate | final held-out loss (nats) | compared with the bigram ({bigram:.4f}) |\n|---|---|---|\n"
                          "| 10 | {lr10_val:.2f} | far worse: worse even than the untrained network ({untrained_val:.2f}) |\n"
                          "| {default_rate:.1f} (default) | {final_val:.4f} | {final_minus_3:s} |\n"
                          "| 0.05 | {lr005_val:.4f} | {lr005_minus_3:s} |"),
    Quote("solutions.md", "The loss ends near {lr10_val:.0f} nats, which\nmeans the network gives the right character a chance of "
                          "about e^-{lr10_val:.0f}"),
    Quote("solutions.md", "after {epochs} epochs the network is still\non the hillside"),
    Quote("solutions.md", "on the hillside: {lr005_minus:.1f} nats worse than the bigram."),
    Quote("solutions.md", "the rate during training (from {rate_first:.1f} to {rate_last:.1f})"),
    # exercise 2
    Quote("solutions.md", "| training time |\n|---|---|---|---|---|\n"
                          "| 8 | {h8_params:,} | {h8_val:.4f} | {h8_minus_3:s} | about {h8_seconds:.1f} s |\n"
                          "| {hidden} (default) | {parameters:,} | {final_val:.4f} | {final_minus_3:s} | "
                          "about {default_training_seconds:.1f} s |\n"
                          "| 256 | {h256_params:,} | {h256_val:.4f} | {h256_minus_3:s} | about {h256_seconds:.1f} s |"),
    Quote("solutions.md", "The network must squeeze the whole\n{vocab} × {vocab} table"),
    Quote("solutions.md", "**Why 256 is hardly better than {hidden}.**"),
    Quote("solutions.md", "table ({hidden} is plenty)"),
    Quote("solutions.md", "It is still surprisingly close ({h8_minus:.2f} nats)"),
    Quote("solutions.md", "256 neurons end only {h256_gain:.3f} nats below {hidden}, and still {h256_minus:.3f} above the bigram. "
                          "They mostly cost time: about {h256_param_ratio:.0f} times more\nnumbers, about {h256_time_ratio:.0f} "
                          "times slower."),
    # exercise 3
    Quote("solutions.md", "| for W2 |\n|---|---|---|---|\n"
                          "| sigmoid | {sigmoid_val:.4f} | {sigmoid_W1_m:.1f}e-{sigmoid_W1_e} | {sigmoid_W2_m:.1f}e-{sigmoid_W2_e} |"),
    Quote("solutions.md", "| tanh (default) | {final_val:.4f} | {tanh_W1_m:.1f}e-{tanh_W1_e} | {tanh_W2_m:.1f}e-{tanh_W2_e} |"),
    Quote("solutions.md", "| relu | {relu_val:.4f} | {relu_W1_m:.1f}e-{relu_W1_e} | {relu_W2_m:.1f}e-{relu_W2_e} |"),
    Quote("solutions.md", "**sigmoid passes back the least blame to W1**, about {sigmoid_W1_ratio:.0f} times less than tanh."),
    Quote("solutions.md", "same {epochs} epochs the sigmoid network is {sigmoid_behind:.2f} nats behind."),
    # exercise 4
    Quote("solutions.md", "| Level 1 n-gram, same context |\n|---|---|---|---|\n"
                          "| 1 | {final_val:.4f} | {final_minus_3:s} | bigram: {bigram:.4f} |\n"
                          "| 2 | {c2_val:.4f} | {c2_minus_3:s} | 3-gram: {c2_ngram:.4f} |\n"
                          "| 3 | {c3_val:.4f} | {c3_minus_3:s} | 4-gram: {c3_ngram:.4f} |\n"
                          "| 3, `--hidden 128 --epochs 10` | {c3big_val:.4f} | {c3big_minus_3:s} | 4-gram: {c3big_ngram:.4f} |"),
    Quote("solutions.md", "gap ({c3big_val:.3f} instead of {c3_val:.3f})."),
    Quote("solutions.md", "{vocab} for\ncontext 1, {vocab}² = {vocab_2:,} for context 2, {vocab}³ = {vocab_3:,} for context 3 (more than our "
                          "{train_examples_rounded:,} training\ncharacters!), and {vocab}¹⁰"),
    # exercise 5
    Quote("solutions.md", "the best is {best_line_rows} of 4, which is exactly what step 1's {random_lines:,} random lines found."),
    Quote("solutions.md", "(`python step2_network.py --hidden N --seed S`, {xor_steps} steps):\n\n"
                          "| hidden | seed 0 | seed 1 | seed 2 | seed 3 | seed 4 |\n|---|---|---|---|---|---|\n"
                          + "\n".join(_xor_row(hidden) for hidden in XOR_HIDDEN)),
    Quote("solutions.md", "with 2 neurons, {xor_2_failed:s} got stuck"),
    # exercise 6
    Quote("solutions.md", "each sigmoid layer multiplies the blame passing through it by {sigmoid_max_slope:.2f} (its steepest slope)."),
    Quote("solutions.md", "{sigmoid_max_slope:.2f} ^ 10 = {ten_sigmoid_layers:.8f}..."),
    Quote("solutions.md", "sigmoid's W1 gradient was about {sigmoid_W1_ratio:.0f} times\nsmaller than tanh's."),
    Quote("solutions.md", "(step 2 showed {saturated_huge:.0f}% of tanh neurons stuck at ±1 with too-large weights, but about "
                          "{saturated_xavier:.0f}% with Xavier)"),
    # exercise 7
    Quote("solutions.md", "a full default run with `--loop per-sample` trained at about {per_sample_speed:,} examples\nper second "
                          "({per_sample_seconds:.0f} seconds for {epochs} epochs), and ended at a held-out loss of {per_sample_val:.4f}, "
                          "almost the same as the\nvectorised loop's {final_val:.4f}. The vectorised loop, run just after, trained at "
                          "about {vectorised_speed:,} examples per second."),
    Quote("solutions.md", "once per batch of {batch_size} examples, and then NumPy runs\nits tight compiled loops over all "
                          "{batch_size} at once."),
    Quote("solutions.md", "measured the vectorised loop {benchmark_ratio:.0f} times faster."),
    Quote("solutions.md", "per-sample\ntakes {train_examples_rounded:,} small steps per epoch (learning rate 1/{reference_batch} each), "
                          "the vectorised loop {batches_per_epoch:,} bigger ones."),
    # exercise 8
    Quote("solutions.md", "With the default {epochs} epochs, the network's held-out loss on the Hindi stories is {hindi_val:.4f} nats "
                          "against the\nbigram's {hindi_bigram:.4f}: {hindi_behind:.2f} nats behind. The Hindi file is only about "
                          "{hindi_hundred_characters:,} characters, so {epochs} epochs show the\nnetwork only about {hindi_examples_5:,} "
                          "examples, against about {english_examples_5:,} for the English stories."),
    Quote("solutions.md", "and the held-out loss reaches {hindi30_val:.4f}, now slightly *better* than the bigram (by {hindi30_gain:.3f})."),
    Quote("solutions.md", "After क, the trained network (the 30-epoch one) expects {hindi_agreement:s}:"),
    Block("solutions.md", "After क, the trained network (the 30-epoch one) expects", hindi_table),
]

NUMBERS = LessonNumbers(FOLDER, QUOTES, measure, RECORDED)

if __name__ == "__main__":
    script.run_step(NUMBERS.main)
