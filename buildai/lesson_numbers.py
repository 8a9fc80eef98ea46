"""Numbers that lessons quote are measured, never typed: declare them, check them, rewrite them.

A lesson is plain Markdown. Every number in it that comes from running the course's code
(a count, a loss, a perplexity, a parameter count) is declared in the level's
`lesson_numbers.py` as a `Quote`: the sentence as it appears in the lesson, with a hole
`{name}` (or `{name:format}`, Python's format language) where the number stands. The same
file says how each named number is measured: a seeded, fast function, or the recorded
output of a named run (`Recorded`) with its settings. Then

    python lesson_numbers.py            # check: is every quoted number what the code measures?
    python lesson_numbers.py --update   # measure again and rewrite the quoted values in place
    buildai lessons [--update]          # the same for every level

and each level's tests call `check_level` so a quoted number that drifts from its
measurement fails the test suite. Whitespace in a quote matches any whitespace, so a
sentence may wrap across lines in the Markdown. A hole written `{name:s}` holds a measured
piece of text instead of a number (e.g. the character a seeded sampler picked).

>>> quote = Quote("lesson.md", "`th` appears {count:,} times, P = {p:.3f}")
>>> text = "In our stories `th` appears\\n2,879 times, P = 0.739."
>>> [(problem.name, problem.quoted, problem.measured) for problem in quote.problems(text, {"count": 2878, "p": 0.7372})]
[('count', '2,879', '2,878'), ('p', '0.739', '0.737')]
>>> quote.rewrite(text, {"count": 2878, "p": 0.7372})
'In our stories `th` appears\\n2,878 times, P = 0.737.'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buildai import ui
from buildai.errors import UserError
from buildai.paths import OUTPUT_ENV_VAR
from buildai.safe_io import atomic_write_text, read_json, write_json

HOLE = re.compile(r"\{(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)(?::(?P<format>[^{}]*))?\}")
# A quoted number: digits with thousands commas and a decimal point, perhaps a minus sign or a
# percent sign (the format spec decides which the measurement is written with).
NUMBER = r"-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)%?"

Values = Mapping[str, Any]  # numbers, and the few measured pieces of text a lesson shows


@dataclass(frozen=True)
class Problem:
    """One quoted number that differs from its measurement (or a quote that is not in the file)."""

    file: str
    line: int
    name: str
    quoted: str
    measured: str

    def describe(self) -> str:
        if self.name == "":
            return f"{self.file}: this sentence is not in the file any more: {self.quoted!r}"
        return f"{self.file}:{self.line}: {self.name} is quoted as {self.quoted} but measures {self.measured}"


@dataclass(frozen=True)
class Quote:
    """A sentence of a lesson (or solutions) with holes where measured numbers stand.

    `tolerance` is how far (in the quoted unit) a quoted value may sit from its measurement and
    still count as right: 0 (the default) means the quoted text must be exactly the formatted
    measurement; a seeded training run that differs in its last digit between computers gets a
    small tolerance. `at_least` is how many times the sentence must appear (usually once).
    """

    file: str
    text: str
    tolerance: float = 0.0
    at_least: int = 1

    @property
    def names(self) -> list[str]:
        return [match.group("name") for match in HOLE.finditer(self.text)]

    def pattern(self) -> re.Pattern[str]:
        parts, last = [], 0
        for index, hole in enumerate(HOLE.finditer(self.text)):
            parts.append(_literal(self.text[last : hole.start()]))
            # A hole with the format 's' holds a measured piece of text (a character the model picked).
            parts.append(f"(?P<h{index}>{'.+?' if hole.group('format') == 's' else NUMBER})")
            last = hole.end()
        parts.append(_literal(self.text[last:]))
        return re.compile("".join(parts))

    def holes(self) -> list[tuple[str, str]]:
        return [(match.group("name"), match.group("format") or "") for match in HOLE.finditer(self.text)]

    def formatted(self, name: str, spec: str, values: Values) -> str:
        if name not in values:
            raise KeyError(f"the quote {self.text!r} needs the measurement {name!r}, which was not measured")
        return format(values[name], spec)

    def problems(self, document: str, values: Values) -> list[Problem]:
        """Every quoted number in `document` that differs from its measurement."""
        found = list(self.pattern().finditer(document))
        if len(found) < self.at_least:
            return [Problem(self.file, 0, "", self.text, "")]
        problems = []
        for match in found:
            for index, (name, spec) in enumerate(self.holes()):
                quoted, measured = match.group(f"h{index}"), self.formatted(name, spec, values)
                if not self._agrees(quoted, measured):
                    line = document.count("\n", 0, match.start(f"h{index}")) + 1
                    problems.append(Problem(self.file, line, name, quoted, measured))
        return problems

    def _agrees(self, quoted: str, measured: str) -> bool:
        if quoted == measured:
            return True
        if self.tolerance <= 0:
            return False
        try:
            return abs(_number(quoted) - _number(measured)) <= self.tolerance + 1e-12
        except ValueError:  # a piece of text, not a number: only an exact match will do
            return False

    def rewrite(self, document: str, values: Values) -> str:
        """`document` with this sentence's numbers replaced by the measurements."""
        holes = self.holes()

        def replace(match: re.Match[str]) -> str:
            text, offset = match.group(0), match.start()
            for index in reversed(range(len(holes))):
                name, spec = holes[index]
                start, end = match.start(f"h{index}") - offset, match.end(f"h{index}") - offset
                text = text[:start] + self.formatted(name, spec, values) + text[end:]
            return text

        return self.pattern().sub(replace, document)


@dataclass(frozen=True)
class Block:
    """A fenced block (```) of a lesson drawn entirely from measurements, e.g. a bar chart of them.

    `anchor` is a line of text just before the block (the first fence after it is the block);
    `render(values)` returns the block's lines. Use it where a number also sets a drawing (a bar's
    length), so the picture can never disagree with the table beside it.
    """

    file: str
    anchor: str
    render: Callable[[Values], str]

    @property
    def names(self) -> list[str]:
        return ["(block)"]

    def _find(self, document: str) -> tuple[int, int] | None:
        anchor = document.find(self.anchor)
        opening = document.find("```", anchor + len(self.anchor)) if anchor >= 0 else -1
        if opening < 0:
            return None
        start = document.index("\n", opening) + 1
        end = document.find("```", start)
        return (start, end) if end >= 0 else None

    def problems(self, document: str, values: Values) -> list[Problem]:
        found = self._find(document)
        if found is None:
            return [Problem(self.file, 0, "", self.anchor, "")]
        start, end = found
        shown, drawn = document[start:end], self.render(values).rstrip("\n") + "\n"
        if shown == drawn:
            return []
        line = document.count("\n", 0, start) + 1
        return [Problem(self.file, line, f"the block after {self.anchor!r}", "\n" + shown, "\n" + drawn)]

    def rewrite(self, document: str, values: Values) -> str:
        found = self._find(document)
        if found is None:
            return document
        start, end = found
        return document[:start] + self.render(values).rstrip("\n") + "\n" + document[end:]


def _number(text: str) -> float:
    """'2,878' -> 2878.0, '39%' -> 39.0: a quoted number as a value in its quoted unit."""
    return float(text.replace(",", "").rstrip("%"))


def _literal(text: str) -> str:
    """A piece of a quote as a pattern: exact characters, but any run of whitespace matches any run."""
    text = text.replace("{{", "{").replace("}}", "}")  # as in Python's format strings: {{ is a plain {
    return r"\s+".join(re.escape(piece) for piece in re.split(r"\s+", text))


@dataclass(frozen=True)
class Recorded:
    """The recorded output of a named run: too slow to repeat in every test, so it is run on
    `--update` and its numbers kept in `<level>/measured/<name>.json`, with the settings and the
    fingerprint of the text it ran on. `check` fails when the record is missing or its settings
    no longer match, so a changed preset or corpus cannot keep quoting old numbers.

    `measure` runs the run and returns its numbers; `settings` returns what must still be true
    for the record to count (cheap to compute: the preset, the corpus fingerprint, ...).
    """

    name: str
    command: str  # how a person would run it, for the record and the message
    measure: Callable[[], dict[str, float]]
    settings: Callable[[], dict[str, Any]]

    def path(self, folder: Path) -> Path:
        return folder / "measured" / f"{self.name}.json"

    def load(self, folder: Path) -> dict[str, float]:
        path = self.path(folder)
        how = f"Record it with: python lesson_numbers.py --update --run {self.name}"
        record = read_json(path, what=f"recorded run '{self.name}'", how_to_make=how)
        if record.get("settings") != _plain(self.settings()):
            raise UserError(f"The recorded run '{self.name}' ({path.name}) was made with other settings or "
                            f"another text than the code has now, so its numbers may be stale. {how}")
        return dict(record["values"])

    def record(self, folder: Path) -> dict[str, float]:
        started = time.perf_counter()
        values = self.measure()
        write_json(self.path(folder), {
            "run": self.name, "command": self.command, "settings": _plain(self.settings()),
            "seconds": round(time.perf_counter() - started, 1), "values": values,
        })
        return values


def _plain(data: Any) -> Any:
    """Settings as JSON would give them back (tuples become lists), so a fresh copy compares equal."""
    return json.loads(json.dumps(data))


@dataclass
class LessonNumbers:
    """Everything one level declares: where its documents are, what they quote, how it is measured."""

    folder: Path
    quotes: list[Quote | Block]
    measure: Callable[[], dict[str, float]] = dict  # the fast, seeded measurements
    recorded: list[Recorded] = field(default_factory=list)

    def values(self, rerun: Iterable[str] = ()) -> dict[str, float]:
        """All measurements: the fast ones now, and each recorded run (run again if named in `rerun`)."""
        values = dict(self.measure())
        for run in self.recorded:
            values.update(run.record(self.folder) if run.name in rerun else run.load(self.folder))
        return values

    def problems(self, values: Values) -> list[Problem]:
        problems = []
        for quote in self.quotes:
            problems += quote.problems((self.folder / quote.file).read_text(encoding="utf-8"), values)
        return problems

    def update(self, values: Values) -> list[str]:
        """Rewrite every document whose quoted numbers differ; return the files changed."""
        changed = []
        for file in sorted({quote.file for quote in self.quotes}):
            path = self.folder / file
            before = path.read_text(encoding="utf-8")
            after = before
            for quote in (quote for quote in self.quotes if quote.file == file):
                after = quote.rewrite(after, values)
            if after != before:
                atomic_write_text(path, after)
                changed.append(file)
        return changed

    def main(self, argv: list[str] | None = None) -> int:
        """The command line of a level's lesson_numbers.py."""
        parser = argparse.ArgumentParser(description="Check (or --update) the measured numbers this level's "
                                                     "lesson and solutions quote.")
        parser.add_argument("--update", action="store_true", help="measure again and rewrite the quoted numbers")
        parser.add_argument("--run", action="append", default=[], metavar="NAME",
                            help="with --update: also repeat this recorded run (slow); 'all' for every one")
        args = parser.parse_args(argv)
        rerun = [run.name for run in self.recorded] if "all" in args.run else args.run
        unknown = set(rerun) - {run.name for run in self.recorded}
        if unknown:
            raise UserError(f"No recorded run called {sorted(unknown)}. Known: {[run.name for run in self.recorded]}")
        values = self.values(rerun if args.update else ())
        if args.update:
            changed = self.update(values)
            ui.result("Rewritten", ", ".join(changed) or "nothing: every quoted number was already right")
        problems = self.problems(values)
        for problem in problems:
            ui.warn(problem.describe())
        quoted = sum(len(quote.names) for quote in self.quotes)
        if problems:
            ui.error(f"{len(problems)} quoted numbers differ from their measurements. "
                     f"Run: python lesson_numbers.py --update")
            return 1
        ui.success(f"All {quoted} quoted numbers in {len(self.quotes)} sentences match their measurements.")
        return 0


def run_script(folder: Path, script: str, *args: str, output_root: Path, cwd: Path | None = None,
               env: dict[str, str] | None = None, input_text: str | None = None) -> str:
    """Run one of a level's scripts as a learner would, its outputs under `output_root`; return what it printed.

    Plain output (NO_COLOR, a very wide terminal) so what it prints can be read back exactly; offline, so a
    recorded run never depends on the network. A failure raises with everything the script printed.
    """
    environment = {**os.environ, OUTPUT_ENV_VAR: str(output_root), "COLUMNS": "1000", "NO_COLOR": "1",
                   "PYTHONIOENCODING": "utf-8", "HF_HUB_OFFLINE": "1", **(env or {})}
    done = subprocess.run([sys.executable, script, *args], cwd=cwd or folder, env=environment, capture_output=True,
                          text=True, encoding="utf-8", check=False, input=input_text)
    if done.returncode != 0:
        raise RuntimeError(f"python {script} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_level_script(folder: Path, update: bool, runs: list[str]) -> int:
    """Run one level's lesson_numbers.py as its own program (the ground floor never imports a level)."""
    command = [sys.executable, "lesson_numbers.py", *(["--update"] if update else [])]
    for run in runs:
        command += ["--run", run]
    return subprocess.call(command, cwd=folder)
