"""Level 4 fixtures: one tiny GPT trained once per test session and shared by every Level 4 test.

Training is the slow part of this level's tests, so `train.py --preset tiny` runs once (about half a
minute on two CPU cores) and every test that needs a trained model -- generation, the REPL, the
memorisation meter, checkpoint loading -- reuses its checkpoint.

    def test_something(tiny_checkpoint, tiny_output_root, run_level4):
        process = run_level4("generate.py", "--prompt", "Once", output_root=tiny_output_root)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, assert_ok

LEVEL_FOLDER = REPO_ROOT / "level_4_mini_gpt"


def run_level4_script(
    script: str, *args: str, output_root: Path, stdin: str | None = None, timeout: float = 300,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python <script> <args>` inside level_4_mini_gpt/, as a learner would, writing into `output_root`."""
    env = {
        **os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(output_root), "PYTHONIOENCODING": "utf-8",
        "HF_HUB_OFFLINE": "1",
    }
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, script, *args], cwd=LEVEL_FOLDER, env=env, input=stdin,
        capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )


@pytest.fixture(scope="session")
def tiny_training_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Train the tiny preset once: (BUILDAI_OUTPUT_DIR root, the finished process)."""
    root = tmp_path_factory.mktemp("level4_tiny_outputs")
    process = run_level4_script("train.py", "--preset", "tiny", "--seed", "42", output_root=root)
    assert_ok(process)
    return root, process


@pytest.fixture(scope="session")
def tiny_output_root(tiny_training_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    """The BUILDAI_OUTPUT_DIR the tiny run wrote into: run generate.py with this same root to find its checkpoint."""
    return tiny_training_run[0]


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_output_root: Path) -> Path:
    """The checkpoint folder (model.safetensors + model.json) of the tiny run."""
    folder = tiny_output_root / "level_4_mini_gpt" / "checkpoint"
    assert (folder / "model.safetensors").is_file(), f"no checkpoint in {folder}"
    assert (folder / "model.json").is_file(), f"no checkpoint info in {folder}"
    return folder


@pytest.fixture
def run_level4() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_level4("generate.py", "--prompt", "Hi", output_root=root, stdin="quit\\n")`."""
    return run_level4_script
