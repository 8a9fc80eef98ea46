"""Step 4.3 - Talk to your GPT: prompt after prompt, changing how it writes as you go.

generate.py writes one text and stops. Here the model stays loaded and you take turns with it: every line
you type is a prompt for it to continue, unless it is one of a few short commands that change the
settings (`temp 0.5`, `topk 20`, `len 200`, ...). So you can try one prompt at five temperatures in a
minute, and watch the memorisation meter move.

    python chat.py
    python chat.py --temperature 0.5 --top-p 0.9      # start with these settings
    python chat.py < my_prompts.txt                   # one prompt or command per line, e.g. for a class demo

The writing itself is generate.py's (`Storyteller`); this file only reads lines and understands commands.
A model trained with `train.py --tokenizer bpe` talks the same way; `len` and `topk` then count tokens.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from buildai import script, ui
from buildai.errors import UserError
from level_4_mini_gpt.generate import GenerationSettings, Storyteller, add_writing_flags, load_storyteller, settings_from_flags

MAX_LENGTH = 5000  # a generous ceiling for `len N`, so a typing slip like `len 3000000` does not run for an hour

HELP_TEXT = """Each line you type is the start of a text for the model to carry on, unless it is a command:
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


# ------------------------------------------------------------------ checking values the learner types


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
SETTING_COMMANDS = {"temp": "temperature", "topk": "top_k", "topp": "top_p", "len": "length", "seed": "seed"}


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


# ------------------------------------------------------------------------------ the conversation


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


@dataclass
class Chat:
    """The conversation so far: the storyteller, the settings as the learner changed them, the last prompt."""

    teller: Storyteller
    settings: GenerationSettings
    last_prompt: str | None = None  # what `compare` uses when no prompt is given

    def handle(self, line: str) -> bool:
        """Do what one line asks: a command, or else a prompt to continue. Returns False when the learner quits.

        A line is a command only when it looks like one: `temp 0.5` changes the temperature, but
        `seed of a mango tree` is a prompt (a command has at most one word after its name).
        """
        words, settings = line.split(), self.settings
        if not words:
            ui.say("Type a prompt for the model to continue, or 'help' for the commands.")
            return True
        command, alone = words[0].lower(), len(words) == 1
        if command in ("quit", "exit", "q") and alone:
            return False
        if command in ("help", "?") and alone:
            ui.say(ui.escape(HELP_TEXT))
        elif command == "settings" and alone:
            ui.result("Settings", settings.describe(unit=self.teller.unit))
        elif command == "explain" and alone:
            settings.explain = not settings.explain
            ui.result("Explain", "on: a table of the top 5 choices after every character" if settings.explain else "off")
        elif command == "compare":
            prompt = line.strip()[len(words[0]):].strip() or self.last_prompt
            if prompt is None:
                ui.warn("Nothing to compare yet: type a prompt first, or give one, like: compare Once upon a time")
                return True
            self.last_prompt = prompt
            self.teller.compare(prompt, settings)
            settings.seed += 1
        elif command in SETTING_COMMANDS and len(words) <= 2:
            self.change(SETTING_COMMANDS[command], command, words[1] if len(words) == 2 else None)
        else:
            self.last_prompt = line
            self.teller.tell(line, settings)
            settings.seed += 1  # the next text gets the next seed: different, but still reproducible
        return True

    def change(self, name: str, command: str, value: str | None) -> None:
        """`temp 0.5` and friends: show the setting (no value), or check the value and change it."""
        if value is None:
            ui.say(f"{command} is now {getattr(self.settings, name)}. Change it like this: {RULES[name].example}")
            return
        try:
            number = parse_setting(name, value)
        except UserError as problem:
            ui.warn(ui.escape(str(problem)))
            return
        setattr(self.settings, name, number)
        vocab_size = self.teller.tokenizer.vocab_size
        if name == "top_k" and number >= vocab_size:
            ui.say(f"(The model knows only {vocab_size} {self.teller.unit}, so this keeps all of them.)")
        ui.result("Settings", self.settings.describe(unit=self.teller.unit))


def talk(chat: Chat, from_terminal: bool) -> None:
    """Each line is a command or a prompt, until quit, exit or end of input."""
    ui.explain(HELP_TEXT, title="Talk to your GPT")
    lines = read_lines(from_terminal)
    while True:
        try:
            line = next(lines)
        except (StopIteration, KeyboardInterrupt):  # end of input, or Ctrl-C while waiting for a line
            break
        try:
            if not chat.handle(line):
                break
        except KeyboardInterrupt:  # Ctrl-C during a long `compare`: stop that, keep talking
            ui.console.print()
            ui.warn("Stopped (Ctrl-C). Type another prompt, or quit.")
    ui.console.print()
    ui.success("Goodbye! Try the other presets in train.py, then come back and compare.")


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Talk to the GPT you trained in train.py: type prompts and commands.",
                                text_flag=False, threads_flag=True)
    add_writing_flags(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 4.3 - Talk to your GPT", "Type a prompt, read what it writes, change the settings, try again")
    teller = load_storyteller(args.checkpoint, args.out_dir, not args.no_cache, "chat.py")
    talk(Chat(teller, settings_from_flags(args)), from_terminal=sys.stdin.isatty())


if __name__ == "__main__":
    script.run_step(main)
