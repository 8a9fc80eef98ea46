"""The building's floors: buildai imports no level, and a level imports only buildai and earlier levels.

Parsed from the source with `ast`, so an import inside a function (done at run time) counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from buildai.catalog import all_levels
from tests.conftest import REPO_ROOT

LEVELS = {level.folder: level.number for level in all_levels()}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("buildai"), ids=lambda path: path.name)
def test_buildai_imports_no_level(path: Path) -> None:
    assert not imported_packages(path) & LEVELS.keys(), f"{path.name} imports a level"


def test_buildai_names_no_level_folder() -> None:
    """The ground floor learns the course's folders from course.toml; its code spells none of them."""
    for path in python_files("buildai"):
        text = path.read_text(encoding="utf-8")
        named = [folder for folder in LEVELS if folder in text]
        assert not named, f"{path.name} names {named}"


@pytest.mark.parametrize("folder", [folder for folder in LEVELS if (REPO_ROOT / folder).is_dir()])
def test_a_level_imports_only_earlier_levels(folder: str) -> None:
    number = LEVELS[folder]
    for path in python_files(folder):
        later = {name for name in imported_packages(path) & LEVELS.keys() if LEVELS[name] > number}
        assert not later, f"{folder}/{path.name} imports a later level: {sorted(later)}"


def test_the_rule_would_catch_a_bad_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from level_4_mini_gpt import model\n", encoding="utf-8")
    assert "level_4_mini_gpt" in imported_packages(bad)
