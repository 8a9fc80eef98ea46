"""Every module's docstring examples run and stay true: buildai and every level."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from buildai.catalog import all_levels
from tests.conftest import REPO_ROOT


def modules() -> list[str]:
    folders = ["buildai"] + [level.folder for level in all_levels() if (REPO_ROOT / level.folder).is_dir()]
    names = []
    for folder in folders:
        for path in sorted((REPO_ROOT / folder).glob("*.py")):
            if path.name != "__main__.py":
                names.append(folder if path.stem == "__init__" else f"{folder}.{path.stem}")
    return names


@pytest.mark.parametrize("name", modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"


def test_the_big_modules_have_examples() -> None:
    """A module can have no examples, but the course as a whole must: a run of zero proves nothing."""
    attempted = sum(doctest.testmod(importlib.import_module(name)).attempted for name in modules())
    assert attempted >= 60, attempted
