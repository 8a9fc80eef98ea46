"""lesson.md and solutions.md must describe the scripts as they really are: every flag they show exists, and the
preset table matches train.py's PRESETS (so changing a preset without updating the lesson fails here)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO_ROOT
from level_4_mini_gpt import generate, train
from level_4_mini_gpt.model import GPTConfig, MiniGPT

LEVEL = REPO_ROOT / "level_4_mini_gpt"
DOCUMENTS = ["lesson.md", "solutions.md"]


def flags_shown_for(script: str, step: str) -> set[str]:
    """Every --flag written after `python <script>` or `buildai run <step>` in the lesson and the solutions."""
    pattern = re.compile(rf"(?:python {re.escape(script)}|buildai run {re.escape(step)})([^\n`|]*)")
    flags = set()
    for name in DOCUMENTS:
        for match in pattern.finditer((LEVEL / name).read_text(encoding="utf-8")):
            flags.update(re.findall(r"(--[a-z][a-z0-9-]*)", match.group(1)))
    return flags


def known_flags(parser) -> set[str]:  # type: ignore[no-untyped-def]
    return {option for action in parser._actions for option in action.option_strings}


@pytest.mark.parametrize(("script", "step", "parser"), [
    ("train.py", "4.1", train.build_parser()),
    ("generate.py", "4.2", generate.build_parser()),
])
def test_every_flag_in_the_lesson_exists(script, step, parser) -> None:  # type: ignore[no-untyped-def]
    shown = flags_shown_for(script, step)
    assert len(shown) >= 5, f"expected the documents to show several {script} flags, found {shown}"
    unknown = shown - known_flags(parser)
    assert not unknown, f"lesson/solutions show {script} flags that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("preset", sorted(train.PRESETS))
def test_preset_table_matches_train_py(preset: str) -> None:
    values = train.PRESETS[preset]
    rows = [line for line in (LEVEL / "lesson.md").read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| `--preset {preset}`")]
    assert len(rows) == 1, f"no row for the {preset} preset in lesson.md's preset table"
    row = rows[0]
    config = GPTConfig(vocab_size=72, **{name: values[name] for name in
                                         ("n_layer", "n_head", "n_embd", "block_size", "dropout")})
    parameters = MiniGPT(config).parameter_count()
    assert f"{config.n_layer} blocks × {config.n_head} heads" in row
    assert f"{config.n_embd} numbers" in row and f"context {config.block_size}" in row
    assert f"{values['max_steps']:,} steps" in row
    shown = f"about {parameters / 1e6:.1f} million" if parameters >= 1e6 else f"{parameters:,}"
    assert shown in row, f"expected {shown} parameters in: {row}"


def test_every_flag_mentioned_anywhere_exists() -> None:
    """Flags in tables and prose too (e.g. `--block-size`), checked against both scripts together."""
    both = known_flags(train.build_parser()) | known_flags(generate.build_parser())
    mentioned = set()
    for name in DOCUMENTS:
        mentioned.update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", (LEVEL / name).read_text(encoding="utf-8")))
    assert {"--block-size", "--threads", "--checkpoint", "--stop"} <= mentioned
    assert not mentioned - both, f"flags that neither script has: {sorted(mentioned - both)}"
