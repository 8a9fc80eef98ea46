"""Level 3 tests use the same thread choice as the step scripts (see buildai.script.set_torch_threads):
the models are small, and on a busy 2-core machine two threads can be many times slower than one.
After each test, quiet mode is switched off again (some tests run a step's main() in-process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from buildai import script, ui


@pytest.fixture(autouse=True)
def sensible_torch_threads() -> Iterator[None]:
    before = torch.get_num_threads()
    script.set_torch_threads()
    yield
    torch.set_num_threads(before)
    ui.configure(quiet=False)  # a step's main() run in-process with --quiet must not silence later tests
