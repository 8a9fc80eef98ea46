"""The measured numbers Level 3's lesson.md and solutions.md quote, and how each is measured.

Every number the two documents take from running this level's code is measured here by running
the step scripts themselves, in this process, exactly as `python stepN_....py` runs them (same
flags, default seed 42): `run_step` calls a step's `main()` and keeps what it reports (its result
lines, its tables, the text it writes), printing nothing and saving its pictures in a temporary
folder. So a quoted number is always what a learner sees on the screen, never a copy of it.

- Fast, measured on every check: steps 1, 2 and 3 with their defaults, step 2 with
  `--head-size 64` (exercise 5), step 4 with `--steps 1` (its parameter table and its loss before
  training, both printed before the first training step, are the same as in a default run), the
  one-block formula 12·C² + 13·C, and the loss of a model that knows only the letter frequencies.
- Recorded, because training takes minutes (`python lesson_numbers.py --update --run NAME`):
  `step4_default` (the default run of step 4), `step4_exercises` (every run the exercises ask
  for, and the default run with three other seeds) and `timings` (each step run as a program, as
  a learner would, with its wall-clock time). Their numbers are kept in `measured/NAME.json`,
  with the corpus fingerprint and the flags they ran with.

    python lesson_numbers.py                              # check every quoted number
    python lesson_numbers.py --update                     # measure again and rewrite the quoted values
    python lesson_numbers.py --update --run all           # ... after repeating the recorded runs (minutes)

Differences from PyTorch (about 1e-7) are float32 rounding and change from computer to computer,
so the documents quote a bound for them, and tests/level_3/test_lesson_numbers.py checks the bound.

>>> excerpt("The chai\\nwas hot | very hot", 14)
'The chai was h'
>>> most_common_characters("nnnna n")
[('n', 0.7142857142857143), ('a', 0.14285714285714285), (' ', 0.14285714285714285)]
"""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import torch
from rich.console import Console

from buildai import ui
from buildai.data import load_corpus
from buildai.lesson_numbers import LessonNumbers, Quote, Recorded
from level_1_prediction.step3_ngram import NGramModel
from level_3_transformer import step1_embedding, step2_attention, step3_transformer_block, step4_put_it_together
from level_3_transformer.parameter_count import count_parameters_by_part
from level_3_transformer.step3_transformer_block import TransformerBlock

FOLDER = Path(__file__).resolve().parent
SEED = 42  # the step scripts' default seed
SAMPLE_SHOWN = 60  # characters of a generated text that solutions.md shows
PYTORCH_BOUND = 1e-6  # what the documents promise for every difference from PyTorch ("below 10⁻⁶")

# The runs of step 4 that the exercises ask for (solutions.md), by name: their flags.
EXERCISE_RUNS: dict[str, list[str]] = {
    "heads_1": ["--heads", "1"],
    "heads_2": ["--heads", "2"],
    "heads_8": ["--heads", "8"],
    "steps_600": ["--steps", "600"],
    "no_mask_600": ["--no-mask", "--steps", "600"],
    "no_residual": ["--no-residual"],
    "layers_4": ["--layers", "4"],
    "layers_4_no_residual": ["--layers", "4", "--no-residual"],
    "seed_0": ["--seed", "0"],  # the default run with other seeds: how much does chance alone move the loss?
    "seed_1": ["--seed", "1"],
    "seed_2": ["--seed", "2"],
}
STEP_SCRIPTS = ("step1_embedding", "step2_attention", "step3_transformer_block", "step4_put_it_together")


# ------------------------------------------------------------------------------ running a step's main()


@dataclass
class StepRun:
    """What one run of a step's main() reported: its result lines ('label: value'), its tables (by
    title), the text it wrote (a typed prompt and what was streamed after it, as one piece), and what
    the functions we listened to were given."""

    results: dict[str, str] = field(default_factory=dict)
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    generated: list[str] = field(default_factory=list)
    heard: dict[str, list[Any]] = field(default_factory=dict)

    def result(self, label: str) -> str:
        if label not in self.results:
            raise KeyError(f"the step printed no result line {label!r}; it printed {sorted(self.results)}")
        return self.results[label]

    def number(self, label: str) -> float:
        """A result line's number, as printed: '108,800' -> 108800.0, '9.6 s' -> 9.6."""
        return parse_number(self.result(label))

    def table(self, title: str) -> list[tuple[Any, ...]]:
        if title not in self.tables:
            raise KeyError(f"the step printed no table {title!r}; it printed {sorted(self.tables)}")
        return self.tables[title]


def parse_number(text: str) -> float:
    """The first number in a printed value.

    >>> parse_number("108,800"), parse_number("4.8e-07"), parse_number("9.6 s"), parse_number("+0.48 after")
    (108800.0, 4.8e-07, 9.6, 0.48)
    """
    found = re.search(r"[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", text)
    if found is None:
        raise ValueError(f"no number in {text!r}")
    return float(found.group(0).replace(",", ""))


Listener = Callable[..., Any]  # given a function's arguments, returns what to keep of them


def run_step(module: ModuleType, *flags: str, listen: dict[str, Listener] | None = None) -> StepRun:
    """Run `module.main` as `python <step>.py <flags>` would, in this process, and keep what it reports.

    Nothing is printed (the step writes to a console of its own) and its pictures go to a temporary
    folder. `listen` names functions of the step module to listen to: each call's arguments go
    through the listener first, and what it returns is kept in `heard[name]` (use it to keep what a
    function was given that the step does not print, e.g. the trained model).
    """
    run = StepRun()
    original_result, original_table, original_type, original_stream = ui.result, ui.table, ui.type_out, ui.stream_text

    def result(label: str, value: Any) -> None:
        run.results[label] = str(value)
        original_result(label, value)

    def table(title: str | None, columns: Sequence[str], rows: Any, justify: Sequence[str] | None = None) -> None:
        rows = [tuple(row) for row in rows]
        run.tables[title or ""] = rows
        original_table(title, columns, rows, justify)

    def type_out(text: str, delay: float = 0.02) -> None:  # step 4 types its prompt, then streams what follows
        run.generated.append(text)
        original_type(text, delay)

    def stream_text(pieces: Any) -> str:
        text = original_stream(pieces)
        run.generated.append(run.generated.pop() + text if run.generated else text)
        return text

    def listening(name: str, listener: Listener) -> Callable[..., Any]:
        function = getattr(module, name)

        def heard(*args: Any, **kwargs: Any) -> Any:
            run.heard.setdefault(name, []).append(listener(*args, **kwargs))
            return function(*args, **kwargs)

        return heard

    quiet, threads = ui.is_quiet(), torch.get_num_threads()
    silent = Console(file=io.StringIO(), color_system=None, force_terminal=False, highlight=False, emoji=False, width=100,
                     theme=ui.THEME)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="level3_numbers_"))
        for name, replacement in (("console", silent), ("result", result), ("table", table), ("type_out", type_out),
                                    ("stream_text", stream_text)):
            stack.enter_context(mock.patch.object(ui, name, replacement))
        for name, listener in (listen or {}).items():
            stack.enter_context(mock.patch.object(module, name, listening(name, listener)))
        try:
            module.main([*flags, "--quiet", "--out-dir", folder])
        finally:
            ui.configure(quiet=quiet)
            torch.set_num_threads(threads)
    return run


def keep_arguments(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


def excerpt(text: str, length: int = SAMPLE_SHOWN) -> str:
    """The start of a generated text as one line that fits in a Markdown table cell."""
    return " ".join(text.split("\n"))[:length].replace("|", "/").replace("`", "'")


def most_common_characters(text: str) -> list[tuple[str, float]]:
    """Every character of `text` with its share, the most common first (ties: in order of appearance)."""
    counts = Counter(text)
    return [(ch, count / len(text)) for ch, count in counts.most_common()]


def signed(value: float) -> str:
    """A number as the steps print similarities and embeddings: always with its sign ('+0.48')."""
    return f"{value:+.2f}"


def whole_seconds(seconds: float) -> int:
    """A time as the lesson quotes it: whole seconds, at least 1."""
    return max(1, round(seconds))


# ------------------------------------------------------------------------------ the fast measurements


def _step1_numbers() -> dict[str, Any]:
    """Step 1 with its defaults: the vocabulary, the embedding table, the vowels before and after training."""
    run = run_step(step1_embedding, listen={
        # train_neighbour_model(model, ...) is given the model before its first step: keep its random table.
        "train_neighbour_model": lambda model, *rest, **named: model.embedding.weight.detach().clone(),
    })
    tokenizer = load_corpus().tokenizer
    table = run.heard["train_neighbour_model"][0]
    rows, columns = (int(number) for number in re.findall(r"\d+", run.result("Embedding table shape"))[:2])
    values: dict[str, Any] = {"vocab": int(run.number("Vocabulary size")), "embedding_rows": rows, "embedding_columns": columns}
    values["vocab_last_id"] = values["vocab"] - 1
    for index, ch_id in enumerate(tokenizer.encode("chai")):
        values[f"chai_id_{index}"] = ch_id
    for ch in "ac":
        row = table[tokenizer.encode(ch)[0]]
        values[f"row_{ch}_id"] = tokenizer.encode(ch)[0]
        values[f"row_{ch}"] = f"{signed(float(row[0]))} {signed(float(row[1]))}"  # its first two numbers
    for name, label in (("vowel", "vowel with vowel"), ("consonant", "vowel with consonant")):
        before, after = re.findall(r"[-+]\d+\.\d+", run.result(f"Average similarity, {label}"))
        values[f"{name}_before"], values[f"{name}_after"] = before, after
    return values


def _query_and_key(run: StepRun) -> tuple[torch.Tensor, torch.Tensor]:
    """The query and key step 2 gave scaled_dot_product_attention (its first call: the causal one)."""
    (query, key, _), _ = run.heard["scaled_dot_product_attention"][0]
    return query, key


def _step2_numbers() -> dict[str, Any]:
    """Step 2 with its defaults (the differences from PyTorch), and with --head-size 64 (exercise 5)."""
    default = run_step(step2_attention)
    values: dict[str, Any] = {
        "attention_difference_open": default.number("Largest difference from PyTorch, without mask"),
        "attention_difference_causal": default.number("Largest difference from PyTorch, with causal mask"),
    }
    wide = run_step(step2_attention, "--head-size", "64", listen={"scaled_dot_product_attention": keep_arguments})
    values["wide_difference"] = max(wide.number("Largest difference from PyTorch, without mask"),
                                    wide.number("Largest difference from PyTorch, with causal mask"))
    query, key = _query_and_key(wide)
    length, head_size = query.shape
    visible = step2_attention.causal_mask(length)  # the scores a row may use: its own past and present
    raw = query @ key.T
    for name, scores in (("scaled", raw / math.sqrt(head_size)), ("raw", raw)):  # with and without the division
        weights = torch.softmax(scores.masked_fill(~visible, float("-inf")), dim=-1)
        values[f"{name}_spread"] = float(scores[visible].std())
        values[f"{name}_sure_rows"] = int((weights.max(dim=-1).values > 0.9).sum())
    values["sentence_length"] = length
    values["raw_spread_rounded"] = round(values["raw_spread"])
    values["exp_raw_spread_millions"] = math.exp(values["raw_spread_rounded"]) / 1e6  # e^spread / e^0
    return values


def _step3_numbers() -> dict[str, Any]:
    """Step 3 with its defaults: shapes through the block, its size, the checks against PyTorch."""
    run = run_step(step3_transformer_block)
    trace = next(rows for title, rows in run.tables.items() if title.startswith("Shapes through one block"))
    shapes = {piece: shape for piece, shape, _ in trace}
    total = dict((part, count) for part, count in run.table("Learnable numbers in one block"))["total"]
    return {
        "attention_shape": shapes["attention weights"], "expand_shape": shapes["expand(.)"], "block_16": total,
        "mha_difference_open": run.number("Largest difference from nn.MultiheadAttention, without mask"),
        "mha_difference_causal": run.number("Largest difference from nn.MultiheadAttention, with causal mask"),
        "future_leak": run.number("Biggest change at earlier positions when a later character changes"),
    }


def _step4_numbers() -> dict[str, Any]:
    """Step 4's parameter table and loss before training: printed before the first training step, so
    `--steps 1` shows the same ones as a default run (the test checks this against the recorded run)."""
    run = run_step(step4_put_it_together, "--steps", "1")
    parts = {part: count for part, count, *_ in run.table("Learnable numbers, part by part")}
    values: dict[str, Any] = {f"part_{part}": count for part, count in parts.items()}
    values["params"] = int(run.number("Total learnable numbers"))
    values["params_untied"] = values["params"] + parts["token_embedding"]  # a head of its own: one more table
    values["block_64"] = sum(count for _, count in run.table("Inside one block"))
    values["initial_loss"] = run.number("Loss before training")
    values["ln_vocab"] = run.number("ln(vocabulary size)")
    return values


def letter_frequency_loss() -> float:
    """The held-out loss of a model that ignores the text and always predicts each character's share of
    the training text: Level 1's n = 1 model, in nats (the unit of the transformer's loss)."""
    corpus = load_corpus()
    return NGramModel(1, vocabulary=set(corpus.text)).fit(corpus.train_text).nats_per_char(corpus.val_text)


def block_formula(size: int) -> int:
    """12·C² + 13·C: the learnable numbers of one block with C numbers per position (exercise 4)."""
    return 12 * size * size + 13 * size


def measure() -> dict[str, Any]:
    """Every quoted number that is quick to measure (about 10 seconds)."""
    values = _step1_numbers()
    values.update(_step2_numbers())
    values.update(_step3_numbers())
    values.update(_step4_numbers())
    values["letter_frequency_loss"] = letter_frequency_loss()
    for size in (16, 64):  # exercise 4: the formula, and a block built with that many numbers per position
        values[f"block_{size}_formula"] = block_formula(size)
        values[f"block_{size}_built"] = sum(count for _, count in count_parameters_by_part(TransformerBlock(size, 4)))
    return values


# ------------------------------------------------------------------------------ the recorded runs


def _training_run(*flags: str, attention: bool = False) -> dict[str, Any]:
    """One run of step 4: its results, its loss table (unrounded) and the start of the text it wrote.

    With `attention`, also how the trained heads of the first and the last block attend on the
    held-out piece of step4_attention_trained.png.
    """
    listen: dict[str, Listener] = {"save_loss_plot": keep_arguments}
    if attention:
        listen["save_trained_attention_plot"] = lambda model, ids, *rest, **named: attention_summary(model, ids)
    run = run_step(step4_put_it_together, *flags, listen=listen)
    (_, evaluations, _), _ = run.heard["save_loss_plot"][0]
    generated = run.generated[0]  # the prompt and what the model wrote after it, as the learner sees it
    written = int(run.number("Characters generated"))
    top, share = most_common_characters(generated[len(generated) - written :])[0]  # of what the model wrote
    values: dict[str, Any] = {
        "params": int(run.number("Total learnable numbers")), "initial": run.number("Loss before training"),
        "train": evaluations[-1][1], "held": evaluations[-1][2], "training_seconds": run.number("Training time"),
        "evaluations": [list(row) for row in evaluations], "generated": generated, "sample": excerpt(generated).rstrip(),
        "written": generated[len(generated) - written :], "length": written, "top_character": top, "top_share": share,
    }
    if attention:
        values.update(run.heard["save_trained_attention_plot"][0])
    return values


def attention_summary(model: step4_put_it_together.MiniTransformer, ids: list[int]) -> dict[str, float]:
    """How the trained heads attend on a piece of text, in two numbers per block:

    - `recent`: the share of a position's attention on the three characters just before it, averaged
      over the positions that have three before them (a bright band just left of the diagonal);
    - `focus`: the share of all attention (positions 4 on) that goes to the three most-listened-to
      characters of the piece (a few bright columns).

    Returned for the first block (lowest and highest head) and the last block (highest head).
    """
    with torch.no_grad():
        model.eval()
        model(torch.tensor([ids]))
    summary: dict[str, list[float]] = {}
    for name, block in (("first", model.blocks[0]), ("last", model.blocks[-1])):
        weights = block.attention.last_attention_weights[0]  # (heads, T, T)
        length = weights.shape[-1]
        recent = torch.stack([weights[:, t, t - 3 : t].sum(dim=-1) for t in range(3, length)]).mean(dim=0)
        listened = weights[:, 4:].sum(dim=1)  # (heads, T): how much each character is listened to
        focus = listened.topk(3, dim=-1).values.sum(dim=-1) / listened.sum(dim=-1)
        summary[f"{name}_recent"], summary[f"{name}_focus"] = recent.tolist(), focus.tolist()
    return {
        "first_recent_low": min(summary["first_recent"]), "first_recent_high": max(summary["first_recent"]),
        "first_focus_high": max(summary["first_focus"]), "last_focus_high": max(summary["last_focus"]),
        "last_recent_high": max(summary["last_recent"]),
    }


def _flatten(prefix: str, run: dict[str, Any]) -> dict[str, Any]:
    values = {f"{prefix}_{name}": value for name, value in run.items() if name != "evaluations"}
    for step, train, held in run["evaluations"]:
        values[f"{prefix}_step_{step}_train"], values[f"{prefix}_step_{step}_held"] = train, held
    values[f"{prefix}_first_eval_step"], _, values[f"{prefix}_first_eval_held"] = run["evaluations"][1]
    return values


def record_default_run() -> dict[str, Any]:
    """`python step4_put_it_together.py`: the lesson's losses, text and trained attention."""
    return _flatten("default", _training_run(attention=True))


def record_exercise_runs() -> dict[str, Any]:
    """Every run of step 4 that solutions.md reports, and the default run with other seeds."""
    runs = {name: _training_run(*flags) for name, flags in EXERCISE_RUNS.items()}
    values: dict[str, Any] = {}
    for name, run in runs.items():
        values.update(_flatten(name, run))
    # Exercise 2: the evaluation at which the run without the mask collapses, and the one before it.
    evaluations = runs["no_mask_600"]["evaluations"]
    collapse = next(index for index, (_, _, held) in enumerate(evaluations) if held < 0.5)
    values["no_mask_collapse_step"], values["no_mask_collapse_held"] = evaluations[collapse][0], evaluations[collapse][2]
    values["no_mask_before_step"], values["no_mask_before_held"] = evaluations[collapse - 1][0], evaluations[collapse - 1][2]
    return values


def record_timings() -> dict[str, Any]:
    """Each step run as a program with its defaults, as a learner runs it: wall-clock seconds."""
    values: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="level3_timings_") as folder:
        for number, name in enumerate(STEP_SCRIPTS, start=1):
            started = time.perf_counter()
            finished = subprocess.run([sys.executable, f"{name}.py", "--out-dir", folder], cwd=FOLDER, capture_output=True,
                                      text=True, encoding="utf-8", env={**os.environ, "NO_COLOR": "1"}, check=True)
            values[f"step{number}_seconds"] = time.perf_counter() - started
            if number == 4:
                values["training_seconds"] = parse_number(re.search(r"^Training time: (.+)$", finished.stdout,
                                                                    flags=re.MULTILINE).group(1))
    for key in list(values):
        values[f"{key}_whole"] = whole_seconds(values[key])
    return values


def corpus_settings() -> dict[str, Any]:
    return {"corpus_sha256": load_corpus().sha256, "seed": SEED}


RECORDED = [
    Recorded("step4_default", "python step4_put_it_together.py", record_default_run,
             lambda: {**corpus_settings(), "flags": [], "shown": SAMPLE_SHOWN}),
    Recorded("step4_exercises", "python step4_put_it_together.py " + " / ".join(" ".join(flags) for flags in EXERCISE_RUNS.values()),
             record_exercise_runs, lambda: {**corpus_settings(), "runs": EXERCISE_RUNS, "shown": SAMPLE_SHOWN}),
    Recorded("timings", " ; ".join(f"python {name}.py" for name in STEP_SCRIPTS), record_timings,
             lambda: {**corpus_settings(), "scripts": list(STEP_SCRIPTS)}),
]


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """Numbers that combine several runs (the recorded ones included)."""
    heads = [values[f"{name}_held"] for name in ("heads_1", "heads_2", "default", "heads_8")]
    seeds = [values[f"{name}_held"] for name in ("seed_0", "seed_1", "seed_2", "default")]  # the default seed is 42
    spread = max(heads) - min(heads)
    first, second = values["no_residual_written"], values["layers_4_no_residual_written"]  # exercise 3: how alike?
    return {
        "no_residual_differences": sum(a != b for a, b in zip(first, second)) + abs(len(first) - len(second)),
        "heads_spread": spread, "heads_spread_ceiling": math.ceil(spread * 100 - 1e-9) / 100,  # "within 0.02"
        "seeds_low": min(seeds), "seeds_high": max(seeds), "seeds_spread": max(seeds) - min(seeds),
    }


class Level3Numbers(LessonNumbers):
    def values(self, rerun: Any = ()) -> dict[str, Any]:
        values = super().values(rerun)
        values.update(derived(values))
        return values


LOSS = 0.002  # a seeded training run's loss may differ in its last digit on another computer


def _lesson(text: str, tolerance: float = 0.0) -> Quote:
    return Quote("lesson.md", text, tolerance)


def _solutions(text: str, tolerance: float = 0.0) -> Quote:
    return Quote("solutions.md", text, tolerance)


QUOTES: list[Quote] = [
    # lesson.md, quick start: how long each step takes
    _lesson("python step1_embedding.py # characters and positions become numbers (~{step1_seconds_whole} s)"),
    _lesson('python step2_attention.py # attention by hand on "chai is hot" (~{step2_seconds_whole} s)'),
    _lesson("python step3_transformer_block.py # heads, feed-forward, residuals, LayerNorm (~{step3_seconds_whole} s)"),
    _lesson("python step4_put_it_together.py # a mini-transformer that trains and writes (~{step4_seconds_whole} s)"),
    # step 1
    _lesson("our stories have {vocab} different characters, so the ids go from 0 to {vocab_last_id}."),
    _lesson("That table is `nn.Embedding({vocab}, {embedding_columns})` — {vocab} rows, {embedding_columns} numbers per row"),
    _lesson('"chai" ──► ids [{chai_id_0}, {chai_id_1}, {chai_id_2}, {chai_id_3}] ──►'),
    _lesson("{row_a_id} ─►│ {row_a:s} ... (a) │"),
    _lesson("{row_c_id} ─►│ {row_c:s} ... (c) │"),
    _lesson("({embedding_rows} rows × {embedding_columns} columns)"),
    _lesson("Average similarity, vowel with vowel: {vowel_before:s} before -> {vowel_after:s} after\n"
            "Average similarity, vowel with consonant: {consonant_before:s} before -> {consonant_after:s} after"),
    # step 3
    _lesson("the attention\nweights are `{attention_shape:s}`: batch, heads, T, T, and the feed-forward layer is `{expand_shape:s}`: four times\nwider)"),
    # step 4
    _lesson("├─ token embedding ({vocab} × 64 table) (B, T, 64)"),
    _lesson("└─ head (uses the embedding table) (B, T, {vocab})"),
    _lesson("uses *the same* {vocab} × 64 table as\nthe token embedding."),
    _lesson("It saves {part_token_embedding:,} numbers"),
    _lesson("With the defaults: {params:,} numbers in all, {part_blocks:,} of them in the two\n   blocks"),
    _lesson("(C = 64 gives {block_64:,})"),
    _lesson("The loss before training: about **{initial_loss:.2f}**. Why that number? An untrained model gives each of the "
            "{vocab}\n   characters about the same chance, 1/{vocab}, and the loss is −ln(1/{vocab}) = ln {vocab} ≈ {ln_vocab:.3f}."),
    _lesson("in 300 steps the loss falls from about {initial_loss:.2f} to about {default_train:.1f} on\n"
            "   the training text and {default_held:.1f} on the held-out text"),
    _lesson("After {training_seconds_whole} seconds of training it is still mostly"),
    _lesson("every head gives more than half of its attention ({default_first_recent_low:.0%} to "
            "{default_first_recent_high:.0%}) to the\n   three characters just before"),
    _lesson("one head gives\n   {default_last_focus_high:.0%} of all its attention to just three characters of the piece"),
    # solutions.md, exercise 1
    _solutions("| 1 | 64 | {heads_1_params:,} | {heads_1_held:.3f} |\n| 2 | 32 | {heads_2_params:,} | {heads_2_held:.3f} |\n"
               "| 4 | 16 | {default_params:,} | {default_held:.3f} |\n| 8 | 8 | {heads_8_params:,} | {heads_8_held:.3f} |", LOSS),
    _solutions("different cutting — so the same {params:,} numbers."),
    _solutions("all four losses are within {heads_spread_ceiling:.2f} of each other, which is no more than a different "
               "`--seed` changes them\n(the default run with seeds 0, 1, 2 and 42 ends between {seeds_low:.3f} and {seeds_high:.3f}).",
               LOSS),
    # exercise 2
    _solutions("| with the mask | {steps_600_held:.3f} | `{steps_600_sample:s} ...` |", LOSS),
    _solutions("| **without** the mask | **{no_mask_600_held:.3f}** | `{no_mask_600_sample:s} ...` |", LOSS),
    _solutions("stays like a normal run's for a while ({no_mask_before_held:.2f} at step {no_mask_before_step}), and then\n"
               "suddenly collapses to almost zero ({no_mask_collapse_held:.2f} at step {no_mask_collapse_step}). "
               "A loss of {no_mask_600_held:.2f} means"),
    _solutions("here one letter over and over: {no_mask_600_top_share:.0%} of its characters are `{no_mask_600_top_character:s}`."),
    # exercise 3
    _solutions("| 2 blocks, with residuals (default) | {default_held:.3f} |\n| 2 blocks, no residuals | {no_residual_held:.3f} |\n"
               "| 4 blocks, with residuals | {layers_4_held:.3f} |\n| 4 blocks, no residuals | {layers_4_no_residual_held:.3f} |",
               LOSS),
    _solutions("Without residuals the loss falls from {no_residual_initial:.2f} to about {no_residual_first_eval_held:.2f} in the "
               "first {no_residual_first_eval_step} steps"),
    _solutions("(their {no_residual_length} characters differ in only {no_residual_differences} place"),
    _solutions("letters shaken out of a bag: `{no_residual_sample:s} ...`."),
    _solutions("its held-out loss on our stories is {letter_frequency_loss:.3f}"),
    # exercise 4
    _solutions("12 × 256 + 13 × 16 = 3,072 + 208 = **{block_16:,}**"),
    _solutions("12 × 4,096 + 13 × 64 = 49,152 + 832 = **{block_64:,}** per block, so\n  {part_blocks:,} for two blocks"),
    _solutions("The whole default model: token embedding {vocab} × 64 = {part_token_embedding:,}, position embedding 64 × 64 = "
               "{part_position_embedding:,}, two blocks\n{part_blocks:,}, final LayerNorm {part_final_norm:,}, head {part_head} "
               "(it shares the token embedding's {part_token_embedding:,} numbers). Total **{params:,}**.\n"
               "Without weight tying it would be {params:,} + {part_token_embedding:,} = {params_untied:,}."),
    # exercise 5
    _solutions("have a spread of about {scaled_spread:.0f},\nand one character gets more than 0.9 of a row's attention in only "
               "{scaled_sure_rows} of the {sentence_length} rows"),
    _solutions("the scores now have a spread\nof about {raw_spread:.0f}, and in {raw_sure_rows} of the {sentence_length} rows "
               "one character gets more than 0.9"),
    _solutions("e^{raw_spread_rounded} is about {exp_raw_spread_millions:.0f} million times e^0."),
]

NUMBERS = Level3Numbers(FOLDER, QUOTES, measure, RECORDED)

if __name__ == "__main__":
    raise SystemExit(NUMBERS.main())
