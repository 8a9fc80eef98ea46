"""Level 5 fixtures, shared with Level 6 (whose tutor answers with the fine-tuned model): a tiny local base,
trained once per test session, and two adapters fine-tuned on it. tests/conftest.py makes them visible to every
level's tests, so the session trains them once.

Everything runs offline (HF_HUB_OFFLINE=1) and the way a learner runs it: the step scripts in
level_5_real_finetune/, as subprocesses, writing into one temporary BUILDAI_OUTPUT_DIR.

The base is Level 4's tiny preset, pre-trained for fewer steps than usual -- enough to be a "pre-trained
model" that fine-tuning can improve, in seconds. It sits where Level 4 saves its model, which is where
`--base-model local` looks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, assert_ok

LEVEL_FOLDER = REPO_ROOT / "level_5_real_finetune"
TINY_BASE = ["--preset", "tiny", "--max-steps", "400", "--eval-interval", "400", "--quiet"]
SLICE = "80"  # pairs fine-tuned on in the tests


def run_level5_script(script: str, *args: str, output_root: Path, stdin: str | None = None, timeout: float = 600,
                      folder: Path = LEVEL_FOLDER, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(output_root), "PYTHONIOENCODING": "utf-8",
           "HF_HUB_OFFLINE": "1", **(extra_env or {})}
    return subprocess.run([sys.executable, script, *args], cwd=folder, env=env, input=stdin, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="session")
def level5_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output root holding a pre-trained tiny local base (where finetune.py --base-model local looks)."""
    root = tmp_path_factory.mktemp("level5_outputs")
    assert_ok(run_level5_script("train.py", *TINY_BASE, output_root=root, folder=REPO_ROOT / "level_4_mini_gpt"))
    return root


@pytest.fixture(scope="session")
def finetuned_root(level5_root: Path) -> Path:
    """The same root after prepare -> finetune (adapter 'school'), then a second adapter 'kitchen'."""
    assert_ok(run_level5_script("prepare_data.py", "--base-model", "local", "--limit", SLICE, output_root=level5_root))
    assert_ok(run_level5_script("finetune.py", "--base-model", "local", "--limit", SLICE, "--epochs", "2",
                                output_root=level5_root))
    assert_ok(run_level5_script("finetune.py", "--base-model", "local", "--data", "data/kitchen_qa.jsonl",
                                "--adapter-name", "kitchen", "--limit", "60", "--epochs", "2", output_root=level5_root))
    return level5_root


@pytest.fixture
def run_level5() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_level5_script
