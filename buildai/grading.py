"""Grading a learner's exercise file: checks that pass or fail with a hint that teaches, never a traceback.

A level's `exercises/checks.py` holds one check function per gradable exercise and ends with
`grading.main(CHECKS)`. `buildai check` runs that script in a separate process, with a time
limit, so an endless loop or a crash in the learner's code is reported kindly. A check function
gets a `Checker` and looks at the learner's file through it:

    def check_trigrams(check: Checker) -> None:
        count_trigrams = check.function("count_trigrams")
        counts = check.call(count_trigrams, "chai chai")
        check.that("'ch' is followed by 'a' twice", counts.get("ch", {}).get("a") == 2,
                   "count every three-letter window: 'cha' appears twice in 'chai chai'")

>>> check = Checker(answer={"ANSWERS": {"p": 0.5, "q": None}})
>>> check.number("p", 0.5, hint="...")
True
>>> check.number("q", 2, hint="...")
False
>>> [(r.passed, r.hint) for r in check.results]
[(True, ''), (True, ''), (False, "not answered yet: fill in ANSWERS['q'] in your file")]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import math
import sys
import traceback
from collections.abc import Callable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from buildai.safe_io import atomic_write_text


@dataclass(frozen=True)
class Result:
    """One check: what it looked at, whether it passed, and (when it did not) a hint."""

    name: str
    passed: bool
    hint: str = ""


class Stop(Exception):
    """Raised by a check that cannot go on (a missing function, a crash): the checks so far still count."""


def where_in(path: str | None, error: BaseException) -> str:
    """' (line N of your file)' for the deepest line of the learner's file in an error's traceback."""
    if path is None:
        return ""
    if isinstance(error, SyntaxError) and error.lineno:
        return f" (line {error.lineno} of your file)"
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == path]
    return f" (line {lines[-1]} of your file)" if lines else ""


def describe_error(error: BaseException, path: str | None = None) -> str:
    """An exception as a learner reads it: its kind, its message and where, in one line.

    >>> describe_error(ZeroDivisionError("division by zero"))
    'ZeroDivisionError: division by zero'
    """
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = type(error).__name__
    return (f"{name}: {message}" if message else name) + where_in(path, error)


@dataclass
class Checker:
    """Collects the results of one exercise's checks against the learner's file (`answer`: its names)."""

    answer: Mapping[str, Any]
    path: str | None = None  # the learner's file, to say which of its lines went wrong
    results: list[Result] = field(default_factory=list)
    _answers_seen: bool = field(default=False, repr=False)

    def that(self, name: str, passed: bool, hint: str) -> bool:
        """Record one check; `hint` is shown only when it fails."""
        self.results.append(Result(name, bool(passed), "" if passed else hint))
        return bool(passed)

    def require(self, name: str, passed: bool, hint: str) -> None:
        """A check the others depend on: when it fails, the exercise's checks stop here."""
        if not self.that(name, passed, hint):
            raise Stop

    def function(self, name: str) -> Callable[..., Any]:
        """The learner's function `name`, or a failed check that says it is missing."""
        value = self.answer.get(name)
        self.require(f"your file defines {name}()", callable(value),
                     f"your file has no function called {name} — keep the name the starter gave it")
        return value  # type: ignore[return-value]

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the learner's function; if it raises, that is a failed check with the error in one line."""
        shown = ", ".join([repr(arg) if len(repr(arg)) < 40 else "…" for arg in args] + [f"{k}=…" for k in kwargs])
        name = f"{getattr(function, '__name__', 'function')}({shown}) runs"
        try:
            with redirect_stdout(io.StringIO()):
                return function(*args, **kwargs)
        except NotImplementedError:
            self.that(name, False, "not written yet: replace the 'raise NotImplementedError' line with your code")
            raise Stop from None
        except Exception as error:  # the learner's code: any mistake is a hint, not a crash
            self.that(name, False, f"it raised {describe_error(error, self.path)}")
            raise Stop from None

    def answers(self) -> Mapping[str, Any]:
        """The learner's `ANSWERS = {...}` dictionary (pen-and-paper exercises)."""
        value = self.answer.get("ANSWERS")
        if not self._answers_seen:  # checked once, however many answers are read
            self.require("your file has an ANSWERS dictionary", isinstance(value, Mapping),
                         "keep the ANSWERS = {...} dictionary from the starter and fill in its values")
            self._answers_seen = True
        return value  # type: ignore[return-value]

    def number(self, key: str, expected: float, hint: str, tolerance: float = 0.01, relative: bool = False,
               name: str | None = None) -> bool:
        """Is ANSWERS[key] a number close to `expected`? Within `tolerance` (absolute, or a share of it)."""
        value = self.answers().get(key)
        name = name or f"ANSWERS[{key!r}]"
        if value is None or value is ...:
            return self.that(name, False, f"not answered yet: fill in ANSWERS[{key!r}] in your file")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.that(name, False, f"ANSWERS[{key!r}] should be a number, like 0.25 — it is {value!r}")
        allowed = tolerance * abs(expected) if relative else tolerance
        return self.that(name, abs(value - expected) <= allowed, hint)

    def choice(self, key: str, expected: str, hint: str, name: str | None = None) -> bool:
        """Is ANSWERS[key] the expected word or letter (case and spaces ignored)?"""
        value = self.answers().get(key)
        name = name or f"ANSWERS[{key!r}]"
        if value is None or value is ... or value == "":
            return self.that(name, False, f"not answered yet: fill in ANSWERS[{key!r}] in your file")
        return self.that(name, str(value).strip().lower() == expected.strip().lower(), hint)


CheckFunction = Callable[[Checker], None]


def load_answer(path: Path) -> tuple[dict[str, Any] | None, str]:
    """Run the learner's file as a module; its names, or None and a one-line reason it could not run."""
    spec = importlib.util.spec_from_file_location("learner_answer", path)
    if spec is None or spec.loader is None:
        return None, f"{path.name} is not a Python file"
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # the learner may import a helper file of their own beside it
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            spec.loader.exec_module(module)
    except SyntaxError as error:
        return None, f"Python cannot read your file: {error.msg}{where_in(str(path), error)}"
    except (Exception, SystemExit) as error:  # the learner's code: report, never crash
        return None, f"your file stopped with {describe_error(error, str(path))} while it was loading"
    return vars(module), ""


def grade(checks: CheckFunction, path: Path) -> list[Result]:
    """Every result of one exercise's checks against the learner's file."""
    names, problem = load_answer(path)
    if names is None:
        return [Result("your file runs", False, problem)]
    checker = Checker(names, str(path))
    try:
        checks(checker)
    except Stop:
        pass
    except Exception as error:  # the learner gave back something the checks did not expect
        checker.that("your answers have the expected form", False,
                     f"checking them went wrong with {describe_error(error)} — compare the shape of what you return "
                     f"with the starter's docstring")
    return checker.results


def main(checks: Mapping[str, CheckFunction], argv: list[str] | None = None) -> None:
    """The entry point of a level's checks.py: grade one file and write the results as JSON."""
    parser = argparse.ArgumentParser(description="Grade one exercise file (buildai check runs this for you).")
    parser.add_argument("--exercise", required=True, help="the exercise, e.g. 1.2")
    parser.add_argument("--answer", required=True, type=Path, help="the learner's file")
    parser.add_argument("--result", required=True, type=Path, help="where to write the results (JSON)")
    args = parser.parse_args(argv)
    results = grade(checks[args.exercise], args.answer.resolve())
    atomic_write_text(args.result, json.dumps([asdict(result) for result in results], ensure_ascii=False))
