"""Step 4.2 - Generate text with your GPT, one character at a time.

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
    python generate.py                                           # no prompt: a fresh story from a new line
    python chat.py                                               # step 4.3: prompt after prompt, as a conversation

After every text a *memorisation meter* tells you what share of the written 8-character pieces appear word for
word in the training stories (memorisation.py), so you can see when the model copies instead of creating.
The choosing itself is in model.py (`next_token_distribution`, `MiniGPT.stream`), turning ids into text in
text.py, and the --explain table in explain.py.

A model trained with `train.py --tokenizer bpe` works the same way, one token (a piece of a word) at a time
instead of one character: --max-new-tokens, top-k and the --explain table then count tokens.
"""

from __future__ import annotations

import argparse
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path

from buildai import script, ui
from level_4_mini_gpt.bpe import BPETokenizer, show_token
from level_4_mini_gpt.checkpoint import find_checkpoint, load_checkpoint
from level_4_mini_gpt.explain import Choice, RecordingModel, show_choices
from level_4_mini_gpt.memorisation import MemorisationMeter
from level_4_mini_gpt.model import MiniGPT, SamplingSettings
from level_4_mini_gpt.reporting import show_model_card
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.tokenizers_choice import Tokenizer, unit_of

COMPARE_TEMPERATURES = (0.5, 1.0, 1.5)  # a little mirchi, the model's own taste, a lot of mirchi
DEFAULT_LENGTH = 300
EXPLAIN_DEFAULT_LENGTH = 40  # an explained run prints one table row per character, so keep it short by default


@dataclass
class GenerationSettings:
    """Everything the learner can change: the sampling rules plus length, seed and stop strings."""

    temperature: float = 0.8
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1 = off
    length: int = DEFAULT_LENGTH
    seed: int = script.DEFAULT_SEED
    stop: tuple[str, ...] = ()
    explain: bool = False

    def sampling(self) -> SamplingSettings:
        """The model's SamplingSettings, where 'off' is None."""
        return SamplingSettings(temperature=self.temperature, top_k=self.top_k if self.top_k > 0 else None,
                                top_p=self.top_p if self.top_p < 1.0 else None)

    def describe(self, with_temperature: bool = True, unit: str = "characters") -> str:
        """The settings in one line (`unit`: what the length counts, "tokens" for a BPE model).

        >>> GenerationSettings(top_p=0.9).describe()
        'temperature 0.8, top-k off, top-p 0.9, 300 characters, seed 42'
        """
        top_k = "off" if self.top_k <= 0 else str(self.top_k)
        top_p = "off" if self.top_p >= 1.0 else f"{self.top_p:g}"
        temperature = f"{self.temperature:g}" + (" (greedy: always the top choice)" if self.temperature == 0 else "")
        rest = f"top-k {top_k}, top-p {top_p}, {self.length} {unit}, seed {self.seed}"
        return f"temperature {temperature}, {rest}" if with_temperature else rest


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


def prepare_prompt(prompt: str, tokenizer: Tokenizer) -> str:
    """The prompt without characters the model has never seen (reported by name), never empty.

    A GPT needs at least one character to look at. With an empty prompt we start from a newline, the way
    every piece in the training text starts (or from the first known character, for text with no newlines).
    A BPE model knows every character (it reads bytes); only a broken half of a UTF-16 pair is skipped.
    """
    unknown = tokenizer.unknown_chars(prompt)
    if unknown:
        kind = "this character" if len(unknown) == 1 else "these characters"
        ui.warn(f"The model never saw {kind} in its training text, so {'it is' if len(unknown) == 1 else 'they are'} "
                f"skipped: {ui.escape(name_characters(unknown))}")
    known = "".join(ch for ch in prompt if ch in tokenizer)
    return known or ("\n" if "\n" in tokenizer else tokenizer.chars[0])  # type: ignore[union-attr]  # char only


@dataclass(frozen=True)
class TokenNames:
    """A BPE vocabulary as the --explain table shows it: each token's text (`bpe.show_token`: a space as ␣,
    part of a letter as its bytes in hex). explain.py looks a token up as `.chars[id]`, so this is all it needs.

    >>> TokenNames.of(BPETokenizer([(32, 116)])).chars[256]
    '␣t'
    """

    chars: list[str]

    @classmethod
    def of(cls, tokenizer: BPETokenizer) -> "TokenNames":
        return cls([show_token(tokenizer.token_bytes(index)) for index in range(tokenizer.vocab_size)])


def write(model: MiniGPT, tokenizer: Tokenizer, prompt: str, settings: GenerationSettings,
          choices: list[Choice] | None = None, use_cache: bool = True) -> Iterator[str]:
    """The generated text, piece by piece (text.py's stream_text with our settings).

    With `choices` given, every character's (or BPE token's) choice is recorded there for --explain. The
    probabilities are exactly the ones it was drawn from: after temperature, top-k and top-p
    (next_token_distribution). If a stop string ends the text, `choices` may hold a few more entries than
    are shown (the stop string's own characters).
    """
    streamer = model
    if choices is not None:  # the table's names of a BPE vocabulary are worked out only when there is a table
        names = TokenNames.of(tokenizer) if isinstance(tokenizer, BPETokenizer) else tokenizer
        streamer = RecordingModel(model, names, choices)  # type: ignore[arg-type,assignment]
    return stream_text(streamer, tokenizer, prompt, settings.length, settings.sampling(),  # type: ignore[arg-type]
                       seed=settings.seed, stop=settings.stop, use_cache=use_cache)


def collect(pieces: Iterable[str], into: list[str]) -> Iterator[str]:
    """Pass pieces through unchanged, keeping a copy (so we know what was written even if Ctrl-C stops it)."""
    for piece in pieces:
        into.append(piece)
        yield piece


@dataclass
class Storyteller:
    """A loaded model plus everything needed to write, explain, compare and measure."""

    model: MiniGPT
    tokenizer: Tokenizer
    meter: MemorisationMeter | None
    use_cache: bool = True

    @property
    def unit(self) -> str:
        """What the model writes one at a time: characters, or tokens (BPE)."""
        return unit_of(self.tokenizer)

    def tell(self, prompt: str, settings: GenerationSettings) -> str:
        """Write one continuation of `prompt`, streaming it to the screen, then show the meter. Returns the text."""
        start = prepare_prompt(prompt, self.tokenizer)
        choices: list[Choice] | None = [] if settings.explain else None
        generated: list[str] = []
        ui.say(f"[subtle]{ui.escape(settings.describe(unit=self.unit))}[/subtle]")
        started = time.perf_counter()
        try:
            pieces = write(self.model, self.tokenizer, start, settings, choices, self.use_cache)
            ui.stream_text(chain([start], collect(pieces, generated)))
        except KeyboardInterrupt:
            ui.console.print()
            ui.warn("Stopped (Ctrl-C). Here is what was written so far.")
        seconds = time.perf_counter() - started
        text = "".join(generated)
        if choices and isinstance(self.tokenizer, BPETokenizer):
            # One table row per token: the text so far as token names (show_choices only slices and joins it).
            names = TokenNames.of(self.tokenizer).chars
            prompt_names = [names[index] for index in self.tokenizer.encode(start, skip_unknown=True)]
            show_choices(choices, prompt_names, [choice.chosen for choice in choices])  # type: ignore[arg-type]
        elif choices:
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
        texts = ["".join(write(self.model, self.tokenizer, start, replace(settings, temperature=temperature),
                               use_cache=self.use_cache)) for temperature in COMPARE_TEMPERATURES]
        rows: list[list[str]] = [[ui.escape(start + text) for text in texts]]
        if self.meter is not None:
            rows.append([f"memorised: {self.meter.reading(text):.0%}" for text in texts])
        ui.table(f"The same prompt at three spice levels ({settings.describe(with_temperature=False, unit=self.unit)})",
                 [f"temperature {temperature:g}" for temperature in COMPARE_TEMPERATURES], rows)
        ui.say("Low temperature plays safe (and often repeats itself or copies the stories); high temperature "
               "takes risks (and makes more spelling mistakes).")
        return texts


# ------------------------------------------------------------------------------ the command line


def add_writing_flags(parser: argparse.ArgumentParser) -> None:
    """The flags generate.py and chat.py share: how to pick characters, how many, and from which model."""
    parser.add_argument("--temperature", type=script.non_negative_float, default=0.8,
                        help="spice level: below 1 safer, above 1 wilder, 0 = always the top choice (default 0.8)")
    parser.add_argument("--top-k", type=script.non_negative_int, default=0,
                        help="keep only the K most likely characters (tokens, for a BPE model) (default 0 = off)")
    parser.add_argument("--top-p", type=script.probability, default=1.0,
                        help="keep the top characters whose chances add up to P, e.g. 0.9 (default 1 = off)")
    parser.add_argument("--max-new-tokens", type=script.positive_int, default=None, metavar="N",
                        help=f"how many characters (tokens, for a BPE model) to write (default {DEFAULT_LENGTH}; "
                             f"{EXPLAIN_DEFAULT_LENGTH} with --explain)")
    parser.add_argument("--stop", action="append", default=[], metavar="TEXT",
                        help=r"stop when this text appears, e.g. --stop '\n\n' for the end of a paragraph (repeatable)")
    parser.add_argument("--explain", action="store_true",
                        help="show the top 5 candidates and their probabilities for every character written")
    parser.add_argument("--no-cache", action="store_true",
                        help="switch off the key/value cache (slower: to see how much the cache helps)")
    parser.add_argument("--checkpoint", type=Path, default=None, metavar="DIR",
                        help="the checkpoint folder to load (default: the one train.py wrote, in outputs/checkpoint)")


def settings_from_flags(args: argparse.Namespace) -> GenerationSettings:
    length = args.max_new_tokens or (EXPLAIN_DEFAULT_LENGTH if args.explain else DEFAULT_LENGTH)
    return GenerationSettings(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, length=length,
                              seed=args.seed, stop=tuple(unescape(stop) for stop in args.stop if stop),
                              explain=args.explain)


def load_storyteller(checkpoint: Path | None, out_dir: Path | None, use_cache: bool, script_name: str) -> Storyteller:
    """Find and load the trained model, show what it is, and set up its memorisation meter."""
    folder = find_checkpoint(checkpoint, out_dir, script_name)
    model, tokenizer, info = load_checkpoint(folder)
    show_model_card(model.config, model.parameter_count(), info, folder)
    return Storyteller(model, tokenizer, MemorisationMeter.for_checkpoint(info), use_cache)


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Generate text with the GPT you trained in train.py.", text_flag=False, threads_flag=True)
    parser.add_argument("--prompt", default="",
                        help="the text to continue (default: none, so the model starts a fresh story on a new line)")
    parser.add_argument("--compare", action="store_true",
                        help="write the prompt at temperatures 0.5, 1.0 and 1.5, side by side")
    add_writing_flags(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 4.2 - Generate text with your GPT", "One character at a time, each one chosen by the model")
    teller = load_storyteller(args.checkpoint, args.out_dir, not args.no_cache, "generate.py")
    ui.explain(
        "The model reads the text so far and gives every character it knows a probability of coming next. "
        "We pick one at random with those chances, add it to the text, and repeat: that is all "
        "'generation' is. Temperature is the spice level (low = safe, high = wild); top-k and top-p "
        "cut the list of candidates down to a shortlist before we pick. Thanks to the key/value cache, "
        "each new character costs the model one position, not the whole text again."
    )
    settings = settings_from_flags(args)
    if args.compare:
        teller.compare(args.prompt, settings)
    else:
        teller.tell(args.prompt, settings)
    ui.say("To talk to the model, one prompt after another, changing its settings as you go: python chat.py")


if __name__ == "__main__":
    script.run_step(main)
