"""Step 4.2 - Generate text with your GPT: one character at a time, and talk to it.

A GPT writes the way a storyteller at a village fair talks: it never plans the whole story. It looks at everything
said so far, decides how likely each possible next character is, picks one, says it, and repeats::

    "Once upon a tim"  --model-->  e: 0.93  o: 0.02  i: 0.01 ...  --pick-->  "e"
    "Once upon a time" --model-->  ␣: 0.71  ,: 0.20  s: 0.05 ...  --pick-->  " "
    ...

This is called *autoregressive* generation: each choice becomes part of the input for the next one.

How the next character is picked is up to you:

- **temperature** (spice level): below 1 the likely characters become even more likely (safe, repetitive
  text); above 1 the unlikely ones get a bigger chance (surprising text, and more mistakes). 0 means always take
  the most likely character.
- **top-k**: only the k most likely characters stay on the shortlist.
- **top-p**: the shortlist is the smallest group of top characters whose chances add up to p (e.g. 0.9).

Try it:

    python generate.py --prompt "Once upon a time" --temperature 0.8 --top-k 20
    python generate.py --prompt "The monsoon" --explain          # see the top 5 choices for every character
    python generate.py --prompt "The Sun" --compare              # the same prompt at three temperatures
    python generate.py                                           # a conversation: type prompts and commands

After every text a *memorisation meter* tells you what share of the written 8-character pieces appear word for
word in the training stories (see memorisation.py), so you can see when the model copies instead of creating.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path

import torch

from buildai import script, ui
from buildai.data import load_corpus, train_val_split
from buildai.errors import UserError
from buildai.paths import level_dir, show_path
from buildai.tokenizer import CharTokenizer
from level_4_mini_gpt.checkpoint import default_checkpoint_dir, load_checkpoint
from level_4_mini_gpt.memorisation import (
    PIECE_LENGTH,
    describe_memorisation,
    longest_copied_stretch,
    memorised_fraction,
    pieces_of,
)
from level_4_mini_gpt.model import MiniGPT, SamplingSettings, stream_text

LEVEL = 4
COMPARE_TEMPERATURES = (0.5, 1.0, 1.5)  # a little mirchi, the model's own taste, a lot of mirchi
EXPLAIN_CANDIDATES = 5  # how many top choices --explain shows for each character
EXPLAIN_DEFAULT_LENGTH = 40  # an explained run prints one table row per character, so keep it short by default
MAX_LENGTH = 5000  # a generous ceiling for `len N`, so a typing slip like `len 3000000` does not run for an hour
TRAIN_COMMAND = "python train.py --preset tiny"

HELP_TEXT = """Type any text and the model continues it. Commands:
  temp X      temperature (spice level), e.g. temp 0.5; 0 = always the most likely character
  topk N      keep only the N most likely characters; topk 0 = off
  topp P      keep the smallest group of top characters whose chances add up to P; topp 1 = off
  len N       how many characters to write, e.g. len 200
  seed N      the random seed for the next text (each text then uses the next seed: N, N+1, ...)
  compare     the last prompt at temperatures 0.5, 1.0 and 1.5 side by side (or: compare TEXT)
  explain     switch the table of the top 5 choices for every character on or off
  settings    show the current settings
  help        show this help
  quit        leave (exit, or Ctrl-D / Ctrl-Z then Enter, work too)"""


# --------------------------------------------------------------------------- settings


@dataclass
class GenerationSettings:
    """Everything the learner can change: the sampling rules plus length, seed and stop strings."""

    temperature: float = 0.8
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1 = off
    length: int = 300
    seed: int = script.DEFAULT_SEED
    stop: tuple[str, ...] = ()
    explain: bool = False

    def sampling(self) -> SamplingSettings:
        """The model's SamplingSettings, where 'off' is None."""
        return SamplingSettings(
            temperature=self.temperature,
            top_k=self.top_k if self.top_k > 0 else None,
            top_p=self.top_p if self.top_p < 1.0 else None,
        )

    def describe(self, with_temperature: bool = True) -> str:
        """The settings in one line.

        >>> GenerationSettings(top_p=0.9).describe()
        'temperature 0.8, top-k off, top-p 0.9, 300 characters, seed 42'
        """
        top_k = "off" if self.top_k <= 0 else str(self.top_k)
        top_p = "off" if self.top_p >= 1.0 else f"{self.top_p:g}"
        temperature = f"{self.temperature:g}" + (" (greedy: always the top choice)" if self.temperature == 0 else "")
        rest = f"top-k {top_k}, top-p {top_p}, {self.length} characters, seed {self.seed}"
        return f"temperature {temperature}, {rest}" if with_temperature else rest


# ----------------------------------------------------------- checking values the learner types


@dataclass(frozen=True)
class Rule:
    """What one setting accepts: whole numbers or any numbers, and from where to where."""

    what: str  # how messages name it
    kind: type  # int or float
    lowest: float | None  # None: no limit
    highest: float | None
    allowed: str  # the range in words, for the message
    example: str  # a command that works, for the message
    lowest_allowed: bool = True  # False: the lowest value itself is not allowed (top-p 0 would keep nothing)


RULES = {
    "temperature": Rule("The temperature", float, 0.0, 10.0, "between 0 and 10", "temp 0.8"),
    "top_k": Rule("top-k", int, 0, None, "0 (off) or more", "topk 20"),
    "top_p": Rule("top-p", float, 0.0, 1.0, "more than 0 and at most 1 (1 = off)", "topp 0.9", lowest_allowed=False),
    "length": Rule("The length", int, 1, MAX_LENGTH, f"between 1 and {MAX_LENGTH} characters", "len 200"),
    "seed": Rule("The seed", int, None, None, "a whole number", "seed 7"),
}


def parse_setting(name: str, value: str) -> float | int:
    """Turn what the learner typed into a setting's value, or raise a UserError that says what would work.

    >>> parse_setting("temperature", "0.7"), parse_setting("top_k", "20"), parse_setting("length", "200")
    (0.7, 20, 200)
    >>> parse_setting("top_p", "0")
    Traceback (most recent call last):
    buildai.errors.UserError: top-p must be more than 0 and at most 1 (1 = off); you gave 0. For example: topp 0.9
    """
    rule = RULES[name]
    try:
        number = rule.kind(value)
    except ValueError:
        kind_name = "a whole number" if rule.kind is int else "a number"
        raise UserError(f"{rule.what} must be {kind_name}, but '{value}' is not. For example: {rule.example}") from None
    too_low = rule.lowest is not None and (number < rule.lowest or (number == rule.lowest and not rule.lowest_allowed))
    too_high = rule.highest is not None and number > rule.highest
    if too_low or too_high or number != number:  # number != number only for 'nan', "not a number"
        raise UserError(f"{rule.what} must be {rule.allowed}; you gave {value}. For example: {rule.example}")
    return number


def flag_type(name: str):  # type: ignore[no-untyped-def]
    """parse_setting as an argparse type, so a bad flag gets the same friendly message as a bad command."""

    def convert(value: str):  # type: ignore[no-untyped-def]
        try:
            return parse_setting(name, value)
        except UserError as problem:
            raise argparse.ArgumentTypeError(str(problem)) from None

    return convert


def unescape(text: str) -> str:
    r"""Let the learner type a newline as \n in a --stop string (a shell cannot easily pass a real newline).

    >>> unescape(r"\n\n") == "\n\n"
    True
    """
    return text.replace("\\n", "\n").replace("\\t", "\t")


def name_characters(characters: Sequence[str]) -> str:
    """Characters with their Unicode names, so a learner can tell what they typed.

    >>> name_characters(["é", "😊"])
    "'é' (LATIN SMALL LETTER E WITH ACUTE), '😊' (SMILING FACE WITH SMILING EYES)"
    """
    return ", ".join(f"'{ch}' ({unicodedata.name(ch, f'code point U+{ord(ch):04X}')})" for ch in characters)


# ------------------------------------------------------------------------ the model's choices


@dataclass
class Choice:
    """One generated character and what the model was thinking when it picked it (for --explain)."""

    chosen: str
    candidates: list[tuple[str, float]]  # the top choices, most likely first: (character, probability)
    kept: int  # how many characters were on the shortlist after top-k / top-p


def top_candidates(probabilities: torch.Tensor, tokenizer: CharTokenizer,
                   how_many: int = EXPLAIN_CANDIDATES) -> list[tuple[str, float]]:
    """The `how_many` most likely characters with their probabilities; characters filtered out (0) are left out.

    >>> top_candidates(torch.tensor([0.1, 0.6, 0.0, 0.3]), CharTokenizer(list("abcd")), how_many=3)
    [('b', 0.6000000238418579), ('d', 0.30000001192092896), ('a', 0.10000000149011612)]
    """
    values, ids = torch.topk(probabilities, k=min(how_many, probabilities.numel()))
    return [(tokenizer.chars[int(i)], float(p)) for p, i in zip(values, ids) if p > 0]


def prepare_prompt(prompt: str, tokenizer: CharTokenizer) -> str:
    """The prompt without characters the model has never seen (reported by name), never empty.

    A GPT needs at least one character to look at. With an empty prompt we start from a newline, the way
    every piece in the training text starts (or from the first known character, for text with no newlines).
    """
    unknown = tokenizer.unknown_chars(prompt)
    if unknown:
        kind = "this character" if len(unknown) == 1 else "these characters"
        ui.warn(f"The model never saw {kind} in its training text, so {'it is' if len(unknown) == 1 else 'they are'} "
                f"skipped: {ui.escape(name_characters(unknown))}")
    known = "".join(ch for ch in prompt if ch in tokenizer)
    if known:
        return known
    return "\n" if "\n" in tokenizer else tokenizer.chars[0]


class RecordingModel:
    """Wraps a MiniGPT so that every token it streams is also recorded, with the probabilities it was drawn from.

    stream_text only needs the model's `stream` method, so handing it this wrapper lets --explain reuse
    stream_text exactly (seed, unknown characters, stop strings): the explained text is the same text.
    """

    def __init__(self, model: MiniGPT, tokenizer: CharTokenizer, choices: list[Choice]):
        self.model, self.tokenizer, self.choices = model, tokenizer, choices

    def stream(self, *args, **kwargs) -> Iterator[tuple[int, torch.Tensor]]:  # type: ignore[no-untyped-def]
        for token_id, probabilities in self.model.stream(*args, **kwargs):
            self.choices.append(Choice(self.tokenizer.chars[token_id], top_candidates(probabilities, self.tokenizer),
                                       int((probabilities > 0).sum())))
            yield token_id, probabilities


def write(model: MiniGPT, tokenizer: CharTokenizer, prompt: str, settings: GenerationSettings,
          choices: list[Choice] | None = None, use_cache: bool = True) -> Iterator[str]:
    """The generated text, piece by piece (the model's stream_text with our settings).

    With `choices` given, every character's choice is recorded there for --explain. The probabilities are
    exactly the ones the character was drawn from: after temperature, top-k and top-p (next_token_distribution).
    If a stop string ends the text, `choices` may hold a few more entries than there are characters
    (the stop string's own characters, which are not shown).
    """
    streamer = model if choices is None else RecordingModel(model, tokenizer, choices)
    return stream_text(streamer, tokenizer, prompt, settings.length, settings.sampling(),  # type: ignore[arg-type]
                       seed=settings.seed, stop=settings.stop, use_cache=use_cache)


def collect(pieces: Iterable[str], into: list[str]) -> Iterator[str]:
    """Pass pieces through unchanged, keeping a copy (so we know what was written even if Ctrl-C stops it)."""
    for piece in pieces:
        into.append(piece)
        yield piece


# ------------------------------------------------------------------------------ the meter


@dataclass
class MemorisationMeter:
    """Measures how much of a generated text is copied from the model's own training text."""

    training_text: str
    fresh_writing_fraction: float  # the reading for the held-out stories: new writing by the same authors

    @classmethod
    def for_checkpoint(cls, info: dict) -> "MemorisationMeter | None":
        """The meter for the text this model was trained on (info['data_path'], or the course stories).

        Returns None (and says why) if that text cannot be read any more, e.g. the file was moved.
        """
        data_path = info.get("data_path")
        try:
            training_text, held_out_text = train_val_split(load_corpus(data_path))
        except UserError as problem:
            ui.warn(f"No memorisation meter this time: the training text cannot be read. {ui.escape(str(problem))}")
            return None
        return cls(training_text, memorised_fraction(held_out_text, training_text))

    def report(self, generated: str) -> float:
        """Print the meter's reading for `generated` in two or three friendly lines; return the fraction."""
        pieces = pieces_of(generated)
        if not pieces:
            ui.result("Memorised", f"too short to measure (fewer than {PIECE_LENGTH} characters)")
            return 0.0
        fraction = memorised_fraction(generated, self.training_text)
        copied = round(fraction * len(pieces))
        ui.result("Memorised", f"{fraction:.0%} ({copied} of {len(pieces)} pieces of {PIECE_LENGTH} characters "
                               f"appear word for word in the training text)")
        stretch = longest_copied_stretch(generated, self.training_text)
        shown = ui.escape(stretch.replace("\n", " "))  # on one line; the quote marks show where it starts and ends
        ui.result("Longest stretch copied exactly", f"{len(stretch)} characters" + (f': "{shown}"' if stretch else ""))
        ui.say(describe_memorisation(fraction, self.fresh_writing_fraction, len(stretch)))
        return fraction


# --------------------------------------------------------------------------- showing results


def show_model(model: MiniGPT, tokenizer: CharTokenizer, info: dict, folder: Path) -> None:
    """A short table about the loaded model, so the learner knows what is talking."""
    config = model.config
    parameters = model.parameter_count()
    metrics = info.get("metrics") if isinstance(info.get("metrics"), dict) else {}
    rows = [
        ("checkpoint", show_path(folder)),
        ("parameters (numbers it learned)", f"{parameters:,}"),
        ("blocks x attention heads", f"{config.n_layer} x {config.n_head}"),
        ("numbers per character (embedding size)", str(config.n_embd)),
        ("context (characters it can look back at)", str(config.block_size)),
        ("vocabulary (characters it knows)", str(tokenizer.vocab_size)),
    ]
    step = info.get("step")
    if isinstance(step, int):
        rows.append(("training steps", f"{step:,}"))
    held_out = metrics.get("val_bits_per_char")
    if isinstance(held_out, (int, float)):
        rows.append(("held-out bits per character (lower is better)", f"{held_out:.3f}"))
    ngram = info.get("ngram_baseline") if isinstance(info.get("ngram_baseline"), dict) else {}
    if isinstance(ngram.get("val_bits_per_char"), (int, float)):
        rows.append(("the best Level 1 n-gram, for comparison", f"{ngram['val_bits_per_char']:.3f}"))
    ui.table("Your model", ["what", "value"], rows, justify=["left", "right"])


def show_choices(choices: Sequence[Choice], prompt: str, generated: str, limit: int = 100) -> None:
    """The --explain table: for every character written, the top candidates it was picked from."""
    rows = []
    for index, choice in enumerate(choices[:limit]):
        context = (prompt + generated)[: len(prompt) + index][-12:]
        cells = [f"{ui.show_char(ch)} {p:.3f}" for ch, p in choice.candidates]
        cells += [""] * (EXPLAIN_CANDIDATES - len(cells))
        shown_context = "".join(ui.show_char(ch) for ch in context)  # so a space at the end is visible
        rows.append((str(index + 1), ui.escape(shown_context), ui.escape(ui.show_char(choice.chosen)),
                     *(ui.escape(cell) for cell in cells), str(choice.kept)))
    ordinals = ["1st", "2nd", "3rd", "4th", "5th"][:EXPLAIN_CANDIDATES]
    ui.table("What the model was choosing from (probabilities after temperature, top-k and top-p)",
             ["#", "text so far ends", "picked", *ordinals, "shortlist"], rows,
             justify=["right", "right", "center", *["left"] * EXPLAIN_CANDIDATES, "right"])
    if len(choices) > limit:
        ui.say(f"(only the first {limit} of {len(choices)} characters are shown)")


# ---------------------------------------------------------------------------- the storyteller


@dataclass
class Storyteller:
    """A loaded model plus everything needed to write, explain, compare and measure."""

    model: MiniGPT
    tokenizer: CharTokenizer
    meter: MemorisationMeter | None
    use_cache: bool = True
    last_prompt: str | None = None  # what `compare` uses when no prompt is given

    def tell(self, prompt: str, settings: GenerationSettings) -> str:
        """Write one continuation of `prompt`, streaming it to the screen, then show the meter. Returns the text."""
        start = prepare_prompt(prompt, self.tokenizer)
        self.last_prompt = prompt
        choices: list[Choice] | None = [] if settings.explain else None
        generated: list[str] = []
        ui.say(f"[subtle]{ui.escape(settings.describe())}[/subtle]")
        started = time.perf_counter()
        try:
            ui.stream_text(chain([start], collect(write(self.model, self.tokenizer, start, settings, choices,
                                                        self.use_cache), generated)))
        except KeyboardInterrupt:
            ui.console.print()
            ui.warn("Stopped (Ctrl-C). Here is what was written so far.")
        seconds = time.perf_counter() - started
        text = "".join(generated)
        if choices:
            show_choices(choices[: len(text)], start, text)
        ui.result("Characters written", len(text))
        if seconds > 0 and text:
            ui.result("Speed", f"{len(text) / seconds:,.0f} characters per second")
        ui.result("Seed", settings.seed)
        if self.meter is not None:
            self.meter.report(text)
        return text

    def compare(self, prompt: str, settings: GenerationSettings) -> list[str]:
        """The same prompt at three temperatures, same seed, side by side -- only the spice level changes."""
        start = prepare_prompt(prompt, self.tokenizer)
        self.last_prompt = prompt
        texts = []
        for temperature in COMPARE_TEMPERATURES:
            one = replace(settings, temperature=temperature, explain=False)
            texts.append("".join(write(self.model, self.tokenizer, start, one, use_cache=self.use_cache)))
        header = [f"temperature {temperature:g}" for temperature in COMPARE_TEMPERATURES]
        rows: list[list[str]] = [[ui.escape(start + text) for text in texts]]
        if self.meter is not None:
            rows.append([f"memorised: {memorised_fraction(text, self.meter.training_text):.0%}" for text in texts])
        ui.table(f"The same prompt at three spice levels ({settings.describe(with_temperature=False)})", header, rows)
        ui.say("Low temperature plays safe (and often repeats itself or copies the stories); high temperature "
               "takes risks (and makes more spelling mistakes).")
        return texts


# ------------------------------------------------------------------------------- the REPL


def read_lines(from_terminal: bool) -> Iterator[str]:
    """The learner's lines: typed at the terminal, or read from stdin (a file or a pipe, e.g. in tests)."""
    if from_terminal:
        while True:
            try:
                yield ui.console.input("[label]you>[/label] ")
            except EOFError:
                return
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        ui.console.print(f"you> {ui.escape(line)}")  # echo, so a saved transcript reads like a conversation
        yield line


SETTING_COMMANDS = {"temp": "temperature", "topk": "top_k", "topp": "top_p", "len": "length", "seed": "seed"}


def handle_line(line: str, teller: Storyteller, settings: GenerationSettings) -> bool:
    """Do what one line asks: a command, or else a prompt to continue. Returns False when the learner quits.

    A line is a command only when it looks like one: `temp 0.5` changes the temperature, but
    `seed of a mango tree` is a prompt (a command has at most one word after its name).
    """
    words = line.split()
    if not words:
        ui.say("Type a prompt for the model to continue, or 'help' for the commands.")
        return True
    command = words[0].lower()
    if command in ("quit", "exit", "q") and len(words) == 1:
        return False
    if command in ("help", "?") and len(words) == 1:
        ui.say(ui.escape(HELP_TEXT))
        return True
    if command == "settings" and len(words) == 1:
        ui.result("Settings", settings.describe())
        return True
    if command == "explain" and len(words) == 1:
        settings.explain = not settings.explain
        ui.result("Explain", "on: a table of the top 5 choices after every character" if settings.explain else "off")
        return True
    if command == "compare":
        prompt = line.strip()[len(words[0]):].strip() or teller.last_prompt
        if prompt is None:
            ui.warn("Nothing to compare yet: type a prompt first, or give one, like: compare Once upon a time")
            return True
        teller.compare(prompt, settings)
        settings.seed += 1
        return True
    if command in SETTING_COMMANDS and len(words) <= 2:
        name = SETTING_COMMANDS[command]
        if len(words) == 1:
            ui.say(f"{command} is now {getattr(settings, name)}. Change it like this: {RULES[name].example}")
            return True
        try:
            value = parse_setting(name, words[1])
        except UserError as problem:
            ui.warn(ui.escape(str(problem)))
            return True
        setattr(settings, name, value)
        if name == "top_k" and value >= teller.tokenizer.vocab_size:
            ui.say(f"(The model knows only {teller.tokenizer.vocab_size} characters, so this keeps all of them.)")
        ui.result("Settings", settings.describe())
        return True
    teller.tell(line, settings)
    settings.seed += 1  # the next text gets the next seed: different, but still reproducible
    return True


def repl(teller: Storyteller, settings: GenerationSettings, from_terminal: bool) -> None:
    """Talk to the model: each line is a command or a prompt, until quit, exit or end of input."""
    ui.explain(HELP_TEXT, title="Talk to your GPT")
    lines = read_lines(from_terminal)
    while True:
        try:
            line = next(lines)
        except (StopIteration, KeyboardInterrupt):  # end of input, or Ctrl-C while waiting for a line
            break
        try:
            if not handle_line(line, teller, settings):
                break
        except KeyboardInterrupt:  # Ctrl-C during a long `compare`: stop that, keep talking
            ui.console.print()
            ui.warn("Stopped (Ctrl-C). Type another prompt, or quit.")
    ui.console.print()
    ui.success("Goodbye! Try the other presets in train.py, then come back and compare.")


# -------------------------------------------------------------------- finding the checkpoint


def can_ask() -> bool:
    """Only ask questions of a person at a real terminal, never in CI or when input comes from a file."""
    if os.environ.get("CI"):
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def train_tiny_now(out_dir: Path | None) -> None:
    """Run `train.py --preset tiny` (the learner said yes), writing where this script will look."""
    command = [sys.executable, "train.py", "--preset", "tiny"]
    if out_dir is not None:
        command += ["--out-dir", str(out_dir)]
    code = subprocess.call(command, cwd=level_dir(LEVEL))
    if code != 0:
        raise UserError(f"Training stopped with exit code {code}, so there is no model to talk to yet. "
                        f"Run it on its own to see what happened: {TRAIN_COMMAND}")


def find_checkpoint(args: argparse.Namespace) -> Path:
    """The checkpoint folder to load. If there is none, say how to make one (or offer to, at a terminal)."""
    folder = Path(args.checkpoint) if args.checkpoint is not None else default_checkpoint_dir(args.out_dir)
    if (folder / "model.safetensors").exists() or (folder / "model.json").exists():
        return folder  # present (if damaged, load_checkpoint explains)
    message = (f"There is no trained model in '{show_path(folder)}' yet, so there is nothing to generate with. "
               f"Train one first (the tiny preset takes about a minute): cd level_4_mini_gpt, then {TRAIN_COMMAND} "
               f"-- or from anywhere in the course: buildai run 4.1 --preset tiny. Then run generate.py again.")
    if args.checkpoint is None and can_ask():
        ui.warn("There is no trained model yet.")
        answer = ui.console.input(ui.escape("Train the tiny preset now? It takes about a minute. [y/N] "))
        if answer.strip().lower() in ("y", "yes", "haan", "ha"):
            train_tiny_now(args.out_dir)
            return folder
    raise UserError(message)


# ---------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Generate text with the GPT you trained in train.py, or talk to it.", text_flag=False)
    parser.add_argument("--prompt", default=None,
                        help="the text to continue; leave it out to talk to the model (type prompts and commands)")
    parser.add_argument("--interactive", action="store_true",
                        help="talk to the model after the --prompt (the default when there is no --prompt)")
    parser.add_argument("--temperature", type=flag_type("temperature"), default=0.8,
                        help="spice level: below 1 safer, above 1 wilder, 0 = always the top choice (default 0.8)")
    parser.add_argument("--top-k", type=flag_type("top_k"), default=0,
                        help="keep only the K most likely characters (default 0 = off)")
    parser.add_argument("--top-p", type=flag_type("top_p"), default=1.0,
                        help="keep the top characters whose chances add up to P, e.g. 0.9 (default 1 = off)")
    parser.add_argument("--max-new-tokens", type=flag_type("length"), default=None, metavar="N",
                        help=f"how many characters to write (default 300; {EXPLAIN_DEFAULT_LENGTH} with --explain)")
    parser.add_argument("--stop", action="append", default=[], metavar="TEXT",
                        help=r"stop when this text appears, e.g. --stop '\n\n' for the end of a paragraph (repeatable)")
    parser.add_argument("--explain", action="store_true",
                        help="show the top 5 candidates and their probabilities for every character written")
    parser.add_argument("--compare", action="store_true",
                        help="write the --prompt at temperatures 0.5, 1.0 and 1.5, side by side")
    parser.add_argument("--no-cache", action="store_true",
                        help="switch off the key/value cache (slower: to see how much the cache helps)")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="CPU threads (default 1: writing one character at a time is too little work to share, "
                             "and on a busy computer extra threads mostly wait for each other)")
    parser.add_argument("--checkpoint", type=Path, default=None, metavar="DIR",
                        help="the checkpoint folder to load (default: the one train.py wrote, in outputs/checkpoint)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, args.threads))
    ui.heading("Step 4.2 - Generate text with your GPT", "One character at a time, each one chosen by the model")

    folder = find_checkpoint(args)
    model, tokenizer, info = load_checkpoint(folder)
    show_model(model, tokenizer, info, folder)
    ui.explain(
        "The model reads the text so far and gives every character it knows a probability of coming next. "
        "We pick one at random with those chances, add it to the text, and repeat: that is all "
        "'generation' is. Temperature is the spice level (low = safe, high = wild); top-k and top-p "
        "cut the list of candidates down to a shortlist before we pick. Thanks to the key/value cache, "
        "each new character costs the model one position, not the whole text again."
    )

    length = args.max_new_tokens or (EXPLAIN_DEFAULT_LENGTH if args.explain else 300)
    settings = GenerationSettings(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, length=length,
                                  seed=args.seed, stop=tuple(unescape(stop) for stop in args.stop if stop),
                                  explain=args.explain)
    teller = Storyteller(model, tokenizer, MemorisationMeter.for_checkpoint(info), use_cache=not args.no_cache)

    if args.prompt is not None:
        if args.compare:
            teller.compare(args.prompt, settings)
        else:
            teller.tell(args.prompt, settings)
        settings.seed += 1
        if not args.interactive:
            ui.say("Talk to the model (type prompts and commands) by running: python generate.py")
            return
    elif args.compare:
        raise UserError("--compare needs a prompt to compare, for example: "
                        "python generate.py --prompt \"Once upon a time\" --compare")
    repl(teller, settings, from_terminal=sys.stdin.isatty())


if __name__ == "__main__":
    script.run_step(main)
