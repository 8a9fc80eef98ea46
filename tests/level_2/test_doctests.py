"""The small worked examples in Level 2's docstrings must stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["step1_neuron", "step2_network", "step3_train", "step4_visualize"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"level_2_neural_network.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0
