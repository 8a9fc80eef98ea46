"""The one terminal UI every script uses, built on `rich`.

Why one module: the learner sees one consistent look in every level, and the
rules below hold everywhere without each script having to remember them.

- Colour, bold and animation only on a real terminal. When `NO_COLOR` is set
  (https://no-color.org) or stdout is a file or a pipe, output is plain text:
  no escape codes, no spinners, progress printed as a few ordinary lines.
- `--quiet` (see `buildai.script`) hides explanations and progress but keeps
  results, so a quiet run still tells you what happened.
- Errors go to stderr as one short paragraph.

Typical use in a step script::

    from buildai import ui
    ui.heading("Step 1 - Counting letter pairs")
    ui.explain("We count how often each letter follows another ...")
    ui.table("Top pairs", ["pair", "count"], rows)
    ui.result("Most common pair", "'e' -> ' '")
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.theme import Theme

from buildai.paths import show_path

# One colour theme for the whole course. Scripts name roles ("good", "number"),
# never colours, so the look can change in one place.
THEME = Theme(
    {
        "heading": "bold magenta",
        "subtle": "dim",
        "good": "bold green",
        "warn": "bold yellow",
        "bad": "bold red",
        "number": "bold cyan",
        "char": "bold yellow",
        "label": "cyan",
        "bar": "green",
        "explain.border": "blue",
    }
)

BLOCK_FULL = "\u2588"  # a full block, the unit of our bar charts
BLOCK_PARTS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"  # 0/8 .. 7/8 of a block


def _make_stream_utf8(stream: Any) -> None:
    """Make sure Hindi, block characters and emoji-free symbols can always be printed.

    On Windows a redirected stdout may use a legacy code page; writing Devanagari
    there would crash. Files and pipes get UTF-8; a terminal replaces what it cannot show.
    """
    if not hasattr(stream, "reconfigure"):
        return
    encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
    if encoding == "utf8":
        return
    try:
        if stream.isatty():
            stream.reconfigure(errors="replace")
        else:
            stream.reconfigure(encoding="utf-8")
    except (OSError, ValueError):  # a closed or unusual stream: leave it alone
        pass


def plain_output() -> bool:
    """True when we must print plain text: NO_COLOR is set, TERM is dumb, or stdout is not a terminal."""
    if os.environ.get("NO_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return True
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return True


def _make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    _make_stream_utf8(stream)
    if plain_output():
        # color_system=None makes rich drop every style, so not a single escape code is written.
        return Console(
            file=stream, color_system=None, force_terminal=False, highlight=False,
            emoji=False, width=int(os.environ.get("COLUMNS", "100")), theme=THEME,
        )
    return Console(file=stream, highlight=False, emoji=False, theme=THEME)


console = _make_console()
error_console = _make_console(stderr=True)
_quiet = False


def configure(quiet: bool = False) -> None:
    """Set quiet mode for this run (called by `buildai.script.start_step`)."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    return _quiet


def can_animate() -> bool:
    """Animations (typing effect, live bars) only on a real, colourful, non-quiet terminal."""
    return not plain_output() and not _quiet


# --------------------------------------------------------------------------- text


def heading(title: str, subtitle: str | None = None) -> None:
    """A big section title. Shown even in quiet mode, so output stays easy to scan."""
    console.print()
    console.rule(f"[heading]{title}[/heading]", style="heading")
    if subtitle and not _quiet:
        console.print(f"[subtle]{subtitle}[/subtle]", justify="center")


def explain(text: str, title: str = "What is happening") -> None:
    """An explanatory panel for the learner. Hidden with --quiet."""
    if _quiet:
        return
    console.print(Panel(text.strip(), title=title, border_style="explain.border", box=_box(), padding=(0, 1)))


def say(text: str = "") -> None:
    """An ordinary line of narration. Hidden with --quiet."""
    if not _quiet:
        console.print(text)


def result(label: str, value: Any) -> None:
    """A key result line, always printed: 'label: value'. Tests look for these lines."""
    console.print(f"[label]{label}:[/label] [number]{value}[/number]")


def success(text: str) -> None:
    console.print(f"[good]{text}[/good]")


def warn(text: str) -> None:
    console.print(f"[warn]{text}[/warn]")


def saved(path: Path, what: str) -> None:
    """Tell the learner where a file went, as a path they can open."""
    console.print(f"[good]Saved[/good] {what}: [label]{show_path(path)}[/label]")


def error(message: str, title: str = "Problem") -> None:
    """One short paragraph on stderr: what happened and what to do."""
    error_console.print(Panel(message.strip(), title=title, border_style="bad", box=_box(), padding=(0, 1)))


def markdown(text: str) -> None:
    """A piece of a lesson (a worked answer): rendered Markdown, or the Markdown itself when output is plain."""
    if plain_output():
        console.print(text, markup=False, highlight=False)
    else:
        console.print(Markdown(text))


def show_char(ch: str) -> str:
    """A character as a learner can read it: spaces and newlines become visible names."""
    names = {" ": "␣", "\n": "\\n", "\t": "\\t", "": "(start)"}
    return names.get(ch, ch)


def escape(text: str) -> str:
    """Escape rich markup so text from a corpus or a user prints as it is."""
    return text.replace("[", r"\[")


# ------------------------------------------------------------------------- tables


def _box() -> box.Box:
    return box.ASCII if plain_output() and _ascii_only() else box.ROUNDED


def _ascii_only() -> bool:
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower()
    return "utf" not in encoding


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    justify: Sequence[str] | None = None,
) -> None:
    """Print a table. `justify` gives 'left' / 'right' / 'center' per column (numbers: right)."""
    grid = Table(title=title, box=_box(), header_style="heading", title_style="heading")
    for index, name in enumerate(columns):
        grid.add_column(name, justify=(justify[index] if justify else "left"))  # type: ignore[arg-type]
    for row in rows:
        grid.add_row(*(cell if isinstance(cell, str) else _format_number(cell) for cell in row))
    console.print(grid)


def _format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def bar(value: float, max_value: float, width: int = 30) -> str:
    """A horizontal bar made of blocks, with eighth-block precision.

    >>> bar(1, 2, width=4)
    '██'
    """
    if max_value <= 0 or value <= 0:
        return ""
    eighths = round(min(value / max_value, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return BLOCK_FULL * full + (BLOCK_PARTS[part] if part else "")


def bar_chart(
    title: str | None,
    items: Sequence[tuple[str, float]],
    label_header: str = "item",
    value_header: str = "value",
    value_format: str = "{:.3f}",
    width: int = 30,
) -> None:
    """A table of labels, numbers and block bars: the course's favourite picture."""
    top = max((value for _, value in items), default=0.0)
    rows = [
        (label, value_format.format(value), f"[bar]{bar(value, top, width)}[/bar]")
        for label, value in items
    ]
    table(title, [label_header, value_header, ""], rows, justify=["left", "right", "left"])


def line_chart(
    series: dict[str, Sequence[float]],
    title: str | None = None,
    height: int = 12,
    width: int = 60,
) -> None:
    """A line chart drawn with characters, for loss curves in the terminal.

    Each series gets its own marker ('*', 'o', '+', 'x'); the y axis is labelled
    with the highest and lowest values. Long series are resampled to `width` points.
    """
    markers = "*o+x#@"
    points = {name: list(values) for name, values in series.items() if len(values) > 0}
    if not points:
        return
    low = min(min(values) for values in points.values())
    high = max(max(values) for values in points.values())
    span = (high - low) or 1.0
    grid = [[" "] * width for _ in range(height)]
    for marker, values in zip(markers, points.values()):
        for column in range(width):
            index = round(column * (len(values) - 1) / max(width - 1, 1))
            row = round((high - values[index]) / span * (height - 1))
            grid[row][column] = marker
    if title:
        console.print(f"[heading]{title}[/heading]")
    for row_index, row in enumerate(grid):
        label = f"{high:8.3f} |" if row_index == 0 else (f"{low:8.3f} |" if row_index == height - 1 else "         |")
        console.print(label + escape("".join(row)), highlight=False)
    console.print("         +" + "-" * width)
    legend = "   ".join(f"{marker} {name}" for marker, name in zip(markers, points))
    console.print(f"          {legend}")


# ----------------------------------------------------------------------- progress


class ProgressTracker:
    """What a `progress()` block hands you: call `advance()` once per unit of work."""

    def __init__(self, progress: Progress | None, task: int | None, total: int, description: str):
        self._progress = progress
        self._task = task
        self.total = total
        self.description = description
        self.completed = 0
        self._start = time.perf_counter()
        self._next_report = 0.25  # plain mode prints at 25%, 50%, 75% and 100%

    def advance(self, steps: int = 1, **fields: Any) -> None:
        """Move forward by `steps`; `fields` (e.g. loss=2.31) are shown beside the bar."""
        self.completed += steps
        info = "  ".join(f"{key} {_format_number(value)}" for key, value in fields.items())
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=steps, info=info)
            return
        if _quiet or self.total <= 0:
            return
        while self.completed / self.total >= self._next_report - 1e-9 and self._next_report <= 1.0:
            elapsed = time.perf_counter() - self._start
            console.print(
                f"{self.description}: {int(self._next_report * 100):3d}% "
                f"({self.completed}/{self.total}, {elapsed:.1f}s) {info}".rstrip()
            )
            self._next_report += 0.25

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._start


@contextmanager
def progress(total: int, description: str) -> Iterator[ProgressTracker]:
    """A progress bar with elapsed time and ETA on a terminal; a few plain lines otherwise.

        with ui.progress(total=steps, description="Training") as tracker:
            for step in range(steps):
                ...
                tracker.advance(loss=loss)
    """
    if not can_animate():
        yield ProgressTracker(None, None, total, description)
        return
    columns = (
        TextColumn("[label]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("[number]{task.fields[info]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar_display:
        task = bar_display.add_task(description, total=total, info="")
        yield ProgressTracker(bar_display, task, total, description)


def type_out(text: str, delay: float = 0.02) -> None:
    """Print text one character at a time, like someone typing -- only on a real terminal."""
    if not can_animate() or delay <= 0:
        console.print(escape(text), end="")
        return
    for ch in text:
        console.print(escape(ch), end="")
        console.file.flush()
        time.sleep(delay)


def stream_text(pieces: Iterable[str]) -> str:
    """Print pieces of text as they arrive (e.g. from a generator) and return all of it."""
    collected = []
    for piece in pieces:
        console.print(escape(piece), end="", soft_wrap=True)
        console.file.flush()
        collected.append(piece)
    console.print()
    return "".join(collected)
