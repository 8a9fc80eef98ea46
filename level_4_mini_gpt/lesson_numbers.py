"""The measured numbers Level 4's lesson.md and solutions.md quote, and how each is measured.

Two kinds of numbers. Fast ones (parameter counts, ln 72, the n-gram baselines, the memorisation meter's
fresh-writing references, corpus sizes) are measured in `measure()` every time. Numbers from training runs
take minutes, so each run is recorded once in `measured/<run>.json` (with the preset, the flags and the
fingerprint of the text it ran on): a changed preset or corpus makes the record stale, and the check says
which run to repeat.

    python lesson_numbers.py                          # check every quoted number
    python lesson_numbers.py --update                 # rewrite the quoted values (fast ones, and the records)
    python lesson_numbers.py --update --run tiny      # train the tiny preset again and record it (about a minute)

>>> evaluation_line({"step": 300, "val_loss": 2.2991, "train_loss": 1.9761})
'step   300  held-out loss 2.299 nats = 3.317 bits/char  (train 1.976)'
>>> meter_numbers("x", "Memorised: 26% (75 of 293 pieces)\\nLongest stretch copied exactly: 29 characters: \\"ab c\\"\\n")
{'x_memorised': 0.26, 'x_found': 75, 'x_pieces': 293, 'x_stretch_length': 29, 'x_stretch': 'ab c'}
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buildai.data import load_corpus, split_paragraphs
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Recorded, Values, run_script
from buildai.paths import HINDI_CORPUS
from level_1_prediction.step3_ngram import best_ngram_baseline
from level_4_mini_gpt import going_further_numbers as going_further  # lesson_going_further.md's numbers
from level_4_mini_gpt.memorisation import describe_memorisation, memorised_fraction
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.presets import PRESETS

HERE = Path(__file__).resolve().parent
SEED = 42  # train.py's and generate.py's default seed
SMALL_STORIES = 11  # exercise 7: the first 11 stories
# Exercises 1 and 7: stop after the memorising began, with one evaluation at the end, so the end is the saved
# model. It must still beat the untrained model of step 0, or that one would be "best" (Hindi at 700 does not).
COPY_STEPS = 700  # English, the first 11 stories
HINDI_COPY_STEPS = 600
HINDI_PROMPT = "एक दिन"
SMALL_PROMPT = "The chai stall at Itarsi Junction"
TOLERANCE = 0.011  # seeded CPU runs may differ in the last digit between computers


# ------------------------------------------------------------------------------ fast measurements


def parameter_count(preset: str, vocab_size: int) -> int:
    sizes = {name: PRESETS[preset][name] for name in ("n_layer", "n_head", "n_embd", "block_size", "dropout")}
    return MiniGPT(GPTConfig(vocab_size=vocab_size, **sizes)).parameter_count()


def small_stories_text() -> str:
    """Exercise 7's file, exactly as its snippet of Python writes it."""
    return "\n\n".join(split_paragraphs(load_corpus().text)[:SMALL_STORIES]) + "\n"


def measure() -> dict[str, Any]:
    """Every fast number the lesson and the solutions quote (a few seconds)."""
    english, hindi = load_corpus(), load_corpus(HINDI_CORPUS)
    vocabulary, hindi_vocabulary = english.tokenizer.vocab_size, hindi.tokenizer.vocab_size
    default = PRESETS["default"]
    values: dict[str, Any] = {
        "vocabulary": vocabulary, "ln_vocabulary": math.log(vocabulary), "log2_vocabulary": math.log2(vocabulary),
        "hindi_vocabulary": hindi_vocabulary, "ln_hindi_vocabulary": math.log(hindi_vocabulary),
        "params_tiny": parameter_count("tiny", vocabulary), "params_default": parameter_count("default", vocabulary),
        "params_gpu_millions": parameter_count("gpu", vocabulary) / 1e6,
        "default_layers": default["n_layer"], "default_embd": default["n_embd"],
        "default_block_size": default["block_size"],
        "default_blocks_approx": round(12 * default["n_embd"] ** 2 * default["n_layer"], -3),
        "english_thousand_characters": round(len(english.text), -3),
        "english_train_thousands": round(len(english.train_text), -4),
        "chinchilla_parameters": round(len(english.train_text), -4) / 20,
        "english_stories": len(split_paragraphs(english.text)),
        "hindi_paragraphs": len(split_paragraphs(hindi.text)),
        "hindi_kilobytes": round(len(HINDI_CORPUS.read_bytes()) / 1000),
        "hindi_hundred_characters": round(len(hindi.text), -2), "hindi_train": len(hindi.train_text),
        "size_ratio": round(len(english.text) / len(hindi.text)),
        "hindi_times_seen": round(PRESETS["tiny"]["max_steps"] * PRESETS["tiny"]["batch_size"]
                                  * PRESETS["tiny"]["block_size"] / len(hindi.train_text), -1),
        "fresh_english": memorised_fraction(english.val_text, english.train_text),
        "fresh_hindi": memorised_fraction(hindi.val_text, hindi.train_text),
        "small_stories": SMALL_STORIES, "hindi_copy_steps": HINDI_COPY_STEPS, "copy_steps": COPY_STEPS,
    }
    for preset, settings in PRESETS.items():
        values.update({f"{preset}_{name}": value for name, value in settings.items()})
    values["english_ngram_order"], values["english_ngram_bits"] = best_ngram_baseline(english.train_text, english.val_text)
    values["hindi_ngram_order"], values["hindi_ngram_bits"] = best_ngram_baseline(hindi.train_text, hindi.val_text)
    small = load_corpus_text(small_stories_text())
    values["small_thousand_characters"] = round(len(small.text), -3)
    values["fresh_small"] = memorised_fraction(small.val_text, small.train_text)
    return values


def load_corpus_text(text: str):
    """A Corpus for a text given as a string (written to a temporary file, as a learner's file would be)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "small_stories.txt"
        path.write_text(text, encoding="utf-8")
        corpus = load_corpus(path)
        corpus.text  # read it now, while the file exists  # noqa: B018
        return corpus


# ------------------------------------------------------------------------------ recorded runs


def evaluation_line(entry: dict[str, float]) -> str:
    """One evaluation as train.py prints it."""
    return (f"step {entry['step']:5d}  held-out loss {entry['val_loss']:.3f} nats = "
            f"{entry['val_loss'] / math.log(2):.3f} bits/char  (train {entry['train_loss']:.3f})")


def meter_numbers(prefix: str, output: str) -> dict[str, Any]:
    """What generate.py --quiet printed: the text, its speed and the memorisation meter's reading."""
    memorised = re.search(r"Memorised: (\d+)% \((\d+) of (\d+) pieces", output)
    stretch = re.search(r'Longest stretch copied exactly: (\d+) characters(?:: "(.*)")?', output)
    if memorised is None or stretch is None:
        raise RuntimeError(f"generate.py printed no memorisation meter:\n{output}")
    values: dict[str, Any] = {f"{prefix}_memorised": int(memorised.group(1)) / 100,
                              f"{prefix}_found": int(memorised.group(2)), f"{prefix}_pieces": int(memorised.group(3)),
                              f"{prefix}_stretch_length": int(stretch.group(1)), f"{prefix}_stretch": stretch.group(2) or ""}
    written = re.search(r"\n([^\n]*(?:\n[^\n]*)*?)\nCharacters written: (\d+)", output)
    speed = re.search(r"Speed: ([\d,]+) characters per second", output)
    if written is not None:
        values[f"{prefix}_text"] = written.group(1).rsplit("╯\n", 1)[-1]
        values[f"{prefix}_written"] = int(written.group(2))
    if speed is not None:
        values[f"{prefix}_speed"] = int(speed.group(1).replace(",", ""))
    return values


def _script(folder: Path, script: str, *args: str, cwd: Path = HERE) -> str:
    """Run one of this level's scripts (with the seed every quoted run uses), its outputs in `folder`."""
    return run_script(HERE, script, "--seed", str(SEED), *args, output_root=folder, cwd=cwd)


def _history(folder: Path, out_dir: str = "outputs") -> dict[str, Any]:
    base = folder / "level_4_mini_gpt" if out_dir == "outputs" else HERE / out_dir
    return json.loads((base / "history.json").read_text(encoding="utf-8"))


def _losses(prefix: str, history: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for entry in history["evaluations"]:
        values[f"{prefix}_train_{entry['step']}"] = entry["train_loss"]
        values[f"{prefix}_val_{entry['step']}"] = entry["val_loss"]
        values[f"{prefix}_val_bits_{entry['step']}"] = entry["val_loss"] / math.log(2)
    values[f"{prefix}_lines"] = "\n".join(evaluation_line(entry) for entry in history["evaluations"])
    values[f"{prefix}_best_step"] = history["best"]["step"]
    values[f"{prefix}_best_val"] = history["best"]["val_loss"]
    values[f"{prefix}_best_bits"] = history["best"]["val_loss"] / math.log(2)
    values[f"{prefix}_last_train"] = history["evaluations"][-1]["train_loss"]
    values[f"{prefix}_last_val"] = history["evaluations"][-1]["val_loss"]
    values[f"{prefix}_seconds"] = history["seconds"]
    values[f"{prefix}_last_p"] = math.exp(-values[f"{prefix}_last_train"])  # the chance of the true next character
    values[f"{prefix}_start_perplexity"] = math.exp(history["evaluations"][0]["val_loss"])
    return values


def _temporary_run(work: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="buildai_l4_") as folder:
        return work(Path(folder))


def measure_tiny() -> dict[str, Any]:
    """The tiny preset on the English stories, then generate.py as section 4 runs it."""
    def work(folder: Path) -> dict[str, Any]:
        _script(folder, "train.py", "--preset", "tiny", "--quiet")
        values = _losses("tiny", _history(folder))
        output = _script(folder, "generate.py", "--prompt", "Once upon a time", "--temperature", "0.8",
                         "--top-k", "20", "--quiet")
        values.update(meter_numbers("tiny_sample", output))
        return values
    return _temporary_run(work)


def _copy_run(prefix: str, folder: Path, text: Path, generate_args: list[list[str]],
              full_generate: list[str] | None = None, copy_steps: int = COPY_STEPS) -> dict[str, Any]:
    """Train the tiny preset on `text` for the whole run, then briefly (so the end is the copying model)."""
    _script(folder, "train.py", "--text", str(text), "--preset", "tiny", "--quiet")
    values = _losses(prefix, _history(folder))
    values[f"{prefix}_history_ngram_bits"] = _history(folder)["ngram_baseline"]["val_bits_per_char"]
    if full_generate is not None:
        values.update(meter_numbers(f"{prefix}_best", _script(folder, "generate.py", *full_generate, "--quiet")))
    _script(folder, "train.py", "--text", str(text), "--preset", "tiny", "--max-steps", str(copy_steps),
            "--eval-interval", str(copy_steps), "--quiet")
    values.update(_losses(f"{prefix}_copy", _history(folder)))
    corpus = load_corpus(text)
    fresh = memorised_fraction(corpus.val_text, corpus.train_text)
    for index, arguments in enumerate(generate_args):
        name = f"{prefix}_copy_{index}"
        values.update(meter_numbers(name, _script(folder, "generate.py", *arguments, "--quiet")))
        values[f"{name}_stretch_stripped"] = values[f"{name}_stretch"].strip()
        values[f"{name}_meaning"] = describe_memorisation(values[f"{name}_memorised"], fresh,
                                                          values[f"{name}_stretch_length"])
    return values


def measure_hindi() -> dict[str, Any]:
    """Exercise 1: the tiny preset on the Hindi stories, the full run and the short one that copies."""
    def work(folder: Path) -> dict[str, Any]:
        return _copy_run("hindi", folder, HINDI_CORPUS, [["--prompt", HINDI_PROMPT]], ["--prompt", HINDI_PROMPT],
                         copy_steps=HINDI_COPY_STEPS)
    return _temporary_run(work)


def measure_small() -> dict[str, Any]:
    """Exercise 7: the tiny preset on the first 11 stories, and the short run at temperatures 0.5 and 0.2."""
    def work(folder: Path) -> dict[str, Any]:
        path = folder / "small_stories.txt"
        path.write_text(small_stories_text(), encoding="utf-8")
        return _copy_run("small", folder, path, [["--prompt", SMALL_PROMPT, "--temperature", "0.5"],
                                                 ["--prompt", SMALL_PROMPT, "--temperature", "0.2"]])  # the command solutions.md shows
    return _temporary_run(work)


EXPLORER_ANCHOR = "Save as `temperature_explorer.py`"  # exercise 5's script, in solutions.md
EXPLAIN_PROMPT = "The monsoon"
EXPLAIN_ROWS = 14  # exercise 6 shows the first rows of the --explain table
BUDGET_RUNS = {  # exercise 2: one setting of the default preset changed per run, 60 s each
    "1block": ["--n-layer", "1"], "4blocks": ["--n-layer", "4"], "6blocks": ["--n-layer", "6"],
    "1head": ["--n-head", "1"], "8heads": ["--n-head", "8"],
}
BUDGET_SECONDS = 60


def solution_script(anchor: str) -> str:
    """The first ```python block after `anchor` in solutions.md: the script exactly as a learner copies it."""
    document = (HERE / "solutions.md").read_text(encoding="utf-8")
    start = document.index("```python", document.index(anchor)) + len("```python\n")
    return document[start : document.index("```", start)]


def explorer_numbers(output: str) -> dict[str, Any]:
    """Exercise 5's printed lines -> the numbers of each temperature.

    >>> explorer_numbers("T= 0.0: copied 64%, real words 88%, different words 6%   ' the'")["explorer_0_real"]
    0.88
    """
    values: dict[str, Any] = {}
    lines = [line for line in output.splitlines() if line.startswith("T=")]
    for index, line in enumerate(lines):
        found = re.match(r"T=\s*([\d.]+): copied (\d+)%, real words (\d+)%, different words (\d+)%\s+(.*)", line)
        if found is None:
            raise RuntimeError(f"temperature_explorer.py printed an unexpected line: {line!r}")
        values[f"explorer_{index}_copied"] = int(found.group(2)) / 100
        values[f"explorer_{index}_real"] = int(found.group(3)) / 100
        values[f"explorer_{index}_different"] = int(found.group(4)) / 100
        values[f"explorer_{index}_opening"] = " ".join(found.group(5).strip("'\"").split()[:5])
    values["explorer_lines"] = "\n".join(lines)
    return values


def explain_numbers(output: str) -> dict[str, Any]:
    """Exercise 6: the first rows of generate.py's --explain table, and each row's shortlist size."""
    rows = [line for line in output.splitlines() if re.match(r"│\s+\d+ │", line)][:EXPLAIN_ROWS]
    shortlists = [int(row.rstrip(" │").rsplit("│", 1)[-1]) for row in rows]
    return {"explain_rows": "\n".join(rows), "explain_shortlist_min": min(shortlists),
            "explain_shortlist_max": max(shortlists)}


def measure_default() -> dict[str, Any]:
    """The default preset, then exercise 5's explorer script and exercise 6's --explain table with it."""
    def work(folder: Path) -> dict[str, Any]:
        _script(folder, "train.py", "--quiet")
        values = _losses("default", _history(folder))
        # In a folder of its own: a script's folder comes first on the import path, and `folder` holds an
        # outputs folder named level_4_mini_gpt that would hide the real package.
        script = folder / "explorer" / "temperature_explorer.py"
        script.parent.mkdir()
        script.write_text(solution_script(EXPLORER_ANCHOR), encoding="utf-8")
        values.update(explorer_numbers(_script(folder, str(script), cwd=script.parent)))
        values.update(explain_numbers(_script(folder, "generate.py", "--prompt", EXPLAIN_PROMPT, "--explain",
                                              "--top-p", "0.9")))
        return values
    return _temporary_run(work)


def measure_budget() -> dict[str, Any]:
    """Exercise 2: equal time budgets, one changed setting each (timings depend on the computer)."""
    def work(folder: Path) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, flags in BUDGET_RUNS.items():
            _script(folder, "train.py", "--time-budget", str(BUDGET_SECONDS), *flags, "--quiet")
            history = _history(folder)
            steps = history["evaluations"][-1]["step"]
            values[f"budget_{name}_steps"] = steps
            values[f"budget_{name}_ms"] = 1000 * history["seconds"] / max(steps, 1)
            values[f"budget_{name}_bits"] = history["best"]["val_loss"] / math.log(2)
        return values
    return _temporary_run(work)


def _settings(preset: str, text: str | None, flags: list[str]) -> Callable[[], dict[str, Any]]:
    def settings() -> dict[str, Any]:
        corpus_text = small_stories_text() if text == "small" else None
        sha = (load_corpus(HINDI_CORPUS).sha256 if text == "hindi" else
               hashlib.sha256(corpus_text.encode("utf-8")).hexdigest() if corpus_text else
               load_corpus().sha256)
        return {"preset": PRESETS[preset], "flags": flags, "seed": SEED, "corpus_sha256": sha,
                "english_sha256": load_corpus().sha256}
    return settings


RUNS = [
    Recorded("tiny", "python train.py --preset tiny; python generate.py --prompt 'Once upon a time' "
                     "--temperature 0.8 --top-k 20", measure_tiny,
             _settings("tiny", None, ["--temperature", "0.8", "--top-k", "20"])),
    Recorded("tiny_hindi", f"python train.py --text ../data/stories_hi.txt --preset tiny (and --max-steps {HINDI_COPY_STEPS} "
                           f"--eval-interval {HINDI_COPY_STEPS}); python generate.py --prompt '{HINDI_PROMPT}'",
             measure_hindi, _settings("tiny", "hindi", [str(HINDI_COPY_STEPS), HINDI_PROMPT])),
    Recorded("small", f"python train.py --text small_stories.txt --preset tiny (and --max-steps {COPY_STEPS} "
                      f"--eval-interval {COPY_STEPS}); python generate.py --prompt '{SMALL_PROMPT}' "
                      f"--temperature 0.5 (and 0.2)", measure_small,
             _settings("tiny", "small", [str(COPY_STEPS), SMALL_PROMPT, "0.5", "0.2"])),
    Recorded("default", f"python train.py; exercise 5's temperature_explorer.py; python generate.py --prompt "
                        f"'{EXPLAIN_PROMPT}' --explain --top-p 0.9", measure_default,
             _settings("default", None, [EXPLAIN_PROMPT, "0.9", solution_script(EXPLORER_ANCHOR)])),
    Recorded("budget", f"python train.py --time-budget {BUDGET_SECONDS} with each of {list(BUDGET_RUNS.values())}",
             measure_budget, _settings("default", None, [str(BUDGET_SECONDS), json.dumps(BUDGET_RUNS)])),
]


# ------------------------------------------------------------------------------ the quotes


def close(file: str, text: str) -> Quote:
    """A quote of a training result: the last digit may differ between computers."""
    return Quote(file, text, tolerance=TOLERANCE)


def sample_block(values: Values) -> str:
    """Section 4: what generate.py printed for the tiny model (its text wrapped to fit the page)."""
    written = textwrap.fill(values["tiny_sample_text"], width=100)
    meaning = describe_memorisation(values["tiny_sample_memorised"], values["fresh_english"],
                                    values["tiny_sample_stretch_length"])
    return "\n".join([
        "temperature 0.8, top-k 20, top-p off, 300 characters, seed 42", written,
        f"Characters written: {values['tiny_sample_written']}",
        f"Speed: {values['tiny_sample_speed']:,} characters per second",
        f"Seed: {SEED}",
        f"Memorised: {values['tiny_sample_memorised']:.0%} ({values['tiny_sample_found']} of "
        f"{values['tiny_sample_pieces']} pieces of 8 characters appear word for word in the training text)",
        f'Longest stretch copied exactly: {values["tiny_sample_stretch_length"]} characters: "{values["tiny_sample_stretch"]}"',
        textwrap.fill(meaning, width=100),
    ])


def evaluation_lines(prefix: str, values: Values) -> list[str]:
    """A run's evaluation lines as train.py printed them, with its 'best so far, saved' marks."""
    lines, best = [], math.inf
    for line in values[f"{prefix}_lines"].split("\n"):
        step = int(line.split()[1])
        improved = values[f"{prefix}_val_{step}"] < best
        best = min(best, values[f"{prefix}_val_{step}"])
        lines.append(line + ("  best so far, saved" if improved else ""))
    return lines


def hindi_block(values: Values) -> str:
    """Exercise 1: the Hindi run's score to beat and evaluation lines."""
    return "\n".join([f"Score to beat (best Level 1 n-gram, held-out): {values['hindi_history_ngram_bits']:.4f} bits "
                      f"per character (order {values['hindi_ngram_order']})", *evaluation_lines("hindi", values)])


def small_meter_block(values: Values) -> str:
    """Exercise 7: the meter's lines for the copying model at temperature 0.5."""
    """(At temperature 0.2: small_copy_1.)"""
    return "\n".join([
        f"Memorised: {values['small_copy_1_memorised']:.0%} ({values['small_copy_1_found']} of "
        f"{values['small_copy_1_pieces']} pieces of 8 characters appear word for word in the training text)",
        f'Longest stretch copied exactly: {values["small_copy_1_stretch_length"]} characters: '
        f'"{values["small_copy_1_stretch"]}"',
        textwrap.fill(values["small_copy_1_meaning"], width=100),
    ])


def explorer_block(values: Values) -> str:
    """Exercise 5: what temperature_explorer.py printed for the default preset's model."""
    return values["explorer_lines"]


EXPLAIN_HEADER = "│  # │ text so far ends │ picked │ 1st     │ 2nd     │ 3rd     │ 4th     │ 5th     │ shortlist │"


def explain_block(values: Values) -> str:
    """Exercise 6: the first rows of generate.py --explain --top-p 0.9 for the default preset's model."""
    return EXPLAIN_HEADER + "\n" + values["explain_rows"]


L, S = "lesson.md", "solutions.md"


def preset_row(name: str, label: str, extra: str, size: str, time: str) -> Quote:
    return Quote(L, f"| {label} | {{{name}_n_layer}} blocks × {{{name}_n_head}} heads, {{{name}_n_embd}} numbers{extra}, "
                    f"context {{{name}_block_size}}{size} | {{{name}_max_steps:,}} steps | {time}")


QUOTES: list[Quote | Block] = [
    # Section 2: the model and its size
    Quote(L, "each character becomes its number in the vocabulary ({vocabulary} characters for our stories)"),
    Quote(L, "Our models look back {tiny_block_size} characters (tiny preset), {default_block_size} (default) or "
             "{gpu_block_size} (gpu)"),
    Quote(L, "The default\npreset has {default_layers} blocks and {default_embd} numbers per character: 12 × "
             "{default_embd} × {default_embd} × {default_layers} ≈ {default_blocks_approx:,}, plus the two embedding "
             "tables\n({vocabulary} characters and {default_block_size} positions, {default_embd} numbers each) and "
             "the small LayerNorm and bias numbers — **{params_default:,}** in\nall"),
    Quote(L, "The tiny preset has {params_tiny:,}, the gpu preset\nabout {params_gpu_millions:.1f} million."),
    # Section 3: the untrained loss, the evaluation lines, the presets
    Quote(L, "spreads its chances evenly over the {vocabulary} characters of our vocabulary, so every\ncharacter gets "
             "*p* = 1/{vocabulary} and the loss is ln {vocabulary} ≈ **{ln_vocabulary:.2f}**."),
    Quote(L, "| Measure | Formula | Untrained ({vocabulary} characters) | What it means |"),
    Quote(L, "| loss (nats per character) | −ln *p*, averaged | {ln_vocabulary:.2f} |"),
    Quote(L, "| **bits per character** (bpc) | loss ÷ ln 2 | {log2_vocabulary:.2f} |"),
    Quote(L, "| *e*<sup>loss</sup> = 2<sup>bpc</sup> | {vocabulary} |"),
    Quote(L, "a loss near {ln_vocabulary:.2f} nats = {log2_vocabulary:.2f} bits per character"),
    close(L, "`step 300  held-out loss {tiny_val_300:.3f} nats = {tiny_val_bits_300:.3f} bits/char  "
             "(train {tiny_train_300:.3f})  best so far, saved`"),
    preset_row("tiny", "`--preset tiny`", " per character", " ({params_tiny:,} numbers)", "under a minute"),
    preset_row("default", "`--preset default` (or no `--preset`)", "",
               ", dropout {default_dropout:.1f} ({params_default:,} numbers)", "under 5 minutes"),
    preset_row("gpu", "`--preset gpu`", "", ", dropout {gpu_dropout:.1f} (about {params_gpu_millions:.1f} million numbers)",
               "for a computer"),
    # Section 4: what generate.py prints
    Block(L, "held-out score), then the text appearing character by character, then a few result lines:", sample_block),
    # Section 7: the memorisation meter
    Quote(L, "Our stories are about {english_thousand_characters:,} characters."),
    Quote(L, "the held-out stories (written by the same authors, never shown to the model) score about "
             "**{fresh_english:.0%}**"),
    Quote(L, "- Around {fresh_english:.0%}: the model writes like a new author"),
    # Section 8: more data
    Quote(L, "The same tiny-preset model, the same {tiny_max_steps:,} steps, once on only the first {small_stories} "
             "stories (about {small_thousand_characters:,}\ncharacters)"),
    close(L, "| {small_stories} stories | {small_last_train:.2f} | {small_best_val:.2f} (at step {small_best_step}) | "
             "{small_last_val:.2f} |\n| all {english_stories} stories | {tiny_last_train:.2f} | {tiny_best_val:.2f} | "
             "{tiny_last_val:.2f} |"),
    Quote(L, "and after step {small_best_step} every extra step\nmade it *worse* at new text."),
    Quote(L, "Our stories have about {english_train_thousands:,} training\ncharacters; by that rule of thumb they "
             "would feed a model of only about {chinchilla_parameters:,.0f} parameters. Our default model\nhas "
             "{params_default:,},"),
    Quote(L, "7. **Catch the model copying.** Train on only {small_stories} stories"),

    # solutions.md, exercise 1: Hindi
    Quote(S, "for this file\n{hindi_vocabulary} of them"),
    Block(S, "Here is what one run of ours printed", hindi_block),
    Quote(S, "near ln {hindi_vocabulary} ≈ {ln_hindi_vocabulary:.2f} nats instead of ln {vocabulary} ≈ {ln_vocabulary:.2f}"),
    close(S, "**The training loss falls almost to zero** ({hindi_last_train:.3f} nats: the model gives the true next "
             "character of the\n  training text a probability of about e^−{hindi_last_train:.3f} ≈ {hindi_last_p:.2f})."),
    Quote(S, "**The held-out loss falls until step {hindi_best_step} and then shoots up**"),
    Quote(S, "After step\n  {hindi_best_step} the model is not learning Hindi any more; it is learning *these "
             "{hindi_paragraphs} paragraphs*"),
    Quote(S, "The Hindi file is about {hindi_kilobytes} KB on disk, but each Devanagari character takes 3 bytes, so it "
             "is only\nabout {hindi_hundred_characters:,} characters — {hindi_train:,} to train on. That is **about "
             "{size_ratio} times less** than the English stories. The tiny\npreset reads {tiny_max_steps:,} steps × "
             "{tiny_batch_size} windows × {tiny_block_size} characters"),
    Quote(S, "so it sees the whole Hindi\ntraining text about {hindi_times_seen:.0f} times over."),
    Quote(S, "(lower than English's {fresh_english:.0%}"),
    # exercise 2
    Quote(S, "Each run changes one setting of the default preset: {default_n_layer} blocks of {default_n_head} heads."),
    Quote(S, "the n-gram's {english_ngram_bits:.2f}:"),
    # exercise 3
    Quote(S, "with our {vocabulary}\ncharacters the perplexity is about {vocabulary} — the model is choosing almost "
             "evenly among all {vocabulary} characters."),
    close(S, "Our `train.py` runs\nstart at about {tiny_val_0:.2f} nats, perplexity about {tiny_start_perplexity:.0f}:"),
    # exercise 7
    Quote(S, "Train the tiny preset on only the first {small_stories} English stories (about "
             "{small_thousand_characters:,} characters)"),
    Quote(S, "[:{small_stories}]  # the first {small_stories} stories"),
    close(S, "| 0 | {small_train_0:.2f} | {small_val_0:.2f} | {tiny_train_0:.2f} | {tiny_val_0:.2f} |\n"
             "| 300 | {small_train_300:.2f} | **{small_val_300:.2f}** | {tiny_train_300:.2f} | {tiny_val_300:.2f} |\n"
             "| 600 | {small_train_600:.2f} | {small_val_600:.2f} | {tiny_train_600:.2f} | {tiny_val_600:.2f} |\n"
             "| 900 | {small_train_900:.2f} | {small_val_900:.2f} | {tiny_train_900:.2f} | {tiny_val_900:.2f} |\n"
             "| 1200 | {small_train_1200:.2f} | {small_val_1200:.2f} | {tiny_train_1200:.2f} | **{tiny_val_1200:.2f}** |"),
    Quote(S, "On {small_thousand_characters:,} characters it learns the text by heart (training loss near 0)\nand gets "
             "*worse* at new text after step {small_best_step}."),
    Block(S, "meter said:", small_meter_block),
    Quote(S, "The reference number is {fresh_small:.0%} here, not {fresh_english:.0%}:"),
    Quote(S, "at temperature 0.5 the same model reads only\n{small_copy_0_memorised:.0%}, with nothing longer than "
             "{small_copy_0_stretch_length} characters copied"),
    Quote(S, "Ours wrote, among other things, `{small_copy_1_stretch_stripped:s}` — straight"),
    Quote(S, "--preset tiny --max-steps {copy_steps} --eval-interval {copy_steps} --out-dir outputs_copy"),
    Quote(S, "--preset tiny --max-steps {hindi_copy_steps} --eval-interval {hindi_copy_steps} --out-dir outputs_hi_copy"),
    Quote(S, "so `generate.py` uses the model from step {hindi_best_step}, which did not beat\nthe n-gram here "
             "({hindi_best_bits:.2f} against {hindi_history_ngram_bits:.2f} bits per character)."),
    Quote(S, "Its meter reading is low ({hindi_best_memorised:.0%} in our run), around the {fresh_hindi:.0%} that "
             "fresh Hindi writing"),
    close(S, "In our run this model (training loss {hindi_copy_last_train:.2f}, held-out {hindi_copy_last_val:.2f}) "
             "wrote, among other things, a stretch of {hindi_copy_0_stretch_length} characters copied exactly"),
    Quote(S, "The meter said `Memorised: {hindi_copy_0_memorised:.0%}` with\n\"{hindi_copy_0_meaning:s}\""),
]

QUOTES += [
    # solutions.md, exercise 2: equal time budgets
    Quote(S, "| 1 block | {budget_1block_ms:.0f} ms | {budget_1block_steps} | **{budget_1block_bits:.2f}** |"),
    Quote(S, "| 4 blocks (one more than the default) | {budget_4blocks_ms:.0f} ms | {budget_4blocks_steps} | {budget_4blocks_bits:.2f} |"),
    Quote(S, "| 6 blocks | {budget_6blocks_ms:.0f} ms | {budget_6blocks_steps} | {budget_6blocks_bits:.2f} |"),
    Quote(S, "| 1 head | {budget_1head_ms:.0f} ms | {budget_1head_steps} | {budget_1head_bits:.2f} |"),
    Quote(S, "| 8 heads | {budget_8heads_ms:.0f} ms | {budget_8heads_steps} | {budget_8heads_bits:.2f} |"),
    Quote(S, "so a step of 1 block takes\n  {budget_1block_ms:.0f} ms against {budget_4blocks_ms:.0f} ms for 4 blocks, and in the "
             "same minute 1 block makes {budget_1block_steps} steps to their {budget_4blocks_steps}."),
    Quote(S, "(All of them are still behind the n-gram's {english_ngram_bits:.2f}"),
    # solutions.md, exercises 5 and 6: the default preset's model
    Quote(S, "What the default preset's model printed (`python train.py`, best held-out score {default_best_bits:.2f} bits"),
    Block(S, "yours will differ in the details):", explorer_block),
    Quote(S, "stuck in a loop (`{explorer_0_opening:s} ...`): {explorer_0_real:.0%} real words, but only {explorer_0_different:.0%} different\n"
             "  words. Its {explorer_0_copied:.0%} \"copied\""),
    Quote(S, "At T = 2 almost every word is different ({explorer_7_different:.0%}) and only {explorer_7_real:.0%} are real words"),
    Block(S, "with `--top-p 0.9` (`␣` is a space):", explain_block),
    Quote(S, "keeps a long shortlist, up to {explain_shortlist_max} candidates here. In the middle of a word it is often sure, "
             "and top-p keeps\nonly {explain_shortlist_min}"),
]

NUMBERS = LessonNumbers(HERE, QUOTES + going_further.QUOTES, lambda: {**measure(), **going_further.measure()},
                        recorded=RUNS + going_further.RUNS)

if __name__ == "__main__":
    raise SystemExit(NUMBERS.main())
