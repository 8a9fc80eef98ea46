"""Every Level 3 step, run as a learner would (a subprocess, NO_COLOR=1, --seed 0), in a small configuration."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from buildai.paths import HINDI_CORPUS
from buildai.errors import UserError
from level_3_transformer.step1_embedding import main as step1_main
from level_3_transformer.step2_attention import main as step2_main
from level_3_transformer.step3_transformer_block import main as step3_main
from level_3_transformer.step4_put_it_together import main as step4_main
from tests.conftest import assert_bad_text_rejected, assert_ok

FOLDER = "level_3_transformer"
TINY_STEP4 = ["--steps", "30", "--block-size", "16", "--layers", "1", "--embed-size", "16", "--heads", "2",
              "--batch-size", "8", "--eval-batches", "2", "--length", "30"]


def result(stdout: str, label: str) -> str:
    """The value of a 'label: value' result line."""
    found = re.search(rf"^{re.escape(label)}: (.+)$", stdout, flags=re.MULTILINE)
    assert found, f"no result line '{label}' in:\n{stdout[-3000:]}"
    return found.group(1).strip()


def test_step1_embeddings(run_script, output_root: Path) -> None:  # type: ignore[no-untyped-def]
    process = run_script(f"{FOLDER}/step1_embedding.py", "--seed", "0", "--steps", "150", "--positions", "32")
    assert_ok(process)
    assert (output_root / FOLDER / "step1_positional_encoding.png").stat().st_size > 1000
    assert result(process.stdout, "Vocabulary size") == "72"
    vowels = result(process.stdout, "Average similarity, vowel with vowel")
    before, after = (float(value) for value in re.findall(r"[+-]\d\.\d\d", vowels))
    assert after > before + 0.2  # training pulls the vowels together
    assert float(result(process.stdout, "Loss at the last step")) < float(result(process.stdout, "Loss at the first step"))


def test_step2_attention(run_script, output_root: Path) -> None:  # type: ignore[no-untyped-def]
    process = run_script(f"{FOLDER}/step2_attention.py", "--seed", "0")
    assert_ok(process)
    assert (output_root / FOLDER / "step2_attention_heatmap.png").stat().st_size > 1000
    assert result(process.stdout, "Rows add up to 1") == "True"
    for label in ("Largest difference from PyTorch, without mask", "Largest difference from PyTorch, with causal mask"):
        assert float(result(process.stdout, label)) < 1e-6
    assert "-inf" in process.stdout and "Masked scores" in process.stdout


def test_step3_block_on_hindi_text(run_script, output_root: Path) -> None:  # type: ignore[no-untyped-def]
    process = run_script(f"{FOLDER}/step3_transformer_block.py", "--seed", "0", "--embed-size", "8", "--heads", "2",
                         "--text", str(HINDI_CORPUS))
    assert_ok(process)
    sentence = result(process.stdout, "Sentence")
    assert any("\u0900" <= ch <= "\u097f" for ch in sentence)  # a Devanagari sentence from the text itself
    assert (output_root / FOLDER / "step3_attention_heads.png").stat().st_size > 1000
    assert result(process.stdout, "Traced output equals block(x)") == "True"
    assert "(1, 2, 11, 11)" in process.stdout  # the attention weights: (batch, heads, T, T)
    assert "(1, 11, 32)" in process.stdout  # the feed-forward network is 4 times wider
    for label in ("Largest difference from nn.MultiheadAttention, without mask",
                  "Largest difference from nn.MultiheadAttention, with causal mask",
                  "Biggest change at earlier positions when a later character changes"):
        assert float(result(process.stdout, label)) < 1e-5


def test_step4_mini_transformer(run_script, output_root: Path) -> None:  # type: ignore[no-untyped-def]
    process = run_script(f"{FOLDER}/step4_put_it_together.py", "--seed", "0", *TINY_STEP4, "--prompt", "The chai")
    assert_ok(process)
    for name in ("step4_loss.png", "step4_attention_trained.png"):
        assert (output_root / FOLDER / name).stat().st_size > 1000
    initial = float(result(process.stdout, "Loss before training"))
    assert initial == pytest.approx(math.log(72), abs=0.1)
    assert float(result(process.stdout, "ln(vocabulary size)")) == pytest.approx(math.log(72), abs=1e-3)
    assert float(result(process.stdout, "Final training loss")) < initial - 0.5
    assert result(process.stdout, "Characters generated") == "30"
    assert "head" in process.stdout and "shared with token_embedding" in process.stdout


def test_step4_bad_text_files_are_rejected(run_script, bad_text_file: Path) -> None:  # type: ignore[no-untyped-def]
    """Every kind of bad file, through a real subprocess: exit code 2, the file named, no traceback."""
    process = run_script(f"{FOLDER}/step4_put_it_together.py", "--seed", "0", "--text", str(bad_text_file))
    assert_bad_text_rejected(process, bad_text_file)


@pytest.mark.parametrize("main", [step1_main, step2_main, step3_main], ids=["step1", "step2", "step3"])
def test_steps_1_to_3_reject_bad_text_files(main, bad_text_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same check in-process (each subprocess costs seconds of importing PyTorch): the step stops
    with a UserError naming the file, which `script.run_step` turns into exit code 2 (tested above)."""
    with pytest.raises(UserError) as caught:
        main(["--seed", "0", "--text", str(bad_text_file), "--out-dir", str(tmp_path / "out"), "--quiet"])
    assert bad_text_file.name in str(caught.value)
    assert not (tmp_path / "out").exists()  # stopped before writing anything


@pytest.mark.parametrize("flags, message", [
    (["--heads", "3"], "split evenly"),
    (["--prompt", "chai\u00e9"], "never seen"),
])
def test_step4_explains_bad_flags(flags: list[str], message: str, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=message):
        step4_main([*TINY_STEP4, *flags, "--out-dir", str(tmp_path), "--quiet"])


@pytest.mark.parametrize("main, flags, message", [
    (step4_main, ["--steps", "0"], "argument --steps: must be at least 1 (you gave 0)"),
    (step4_main, ["--temperature", "-1"], "argument --temperature: must be 0 or more (you gave -1)"),
    (step4_main, ["--dropout", "1"], "argument --dropout: must be at least 0 and below 1 (you gave 1)"),
    (step4_main, ["--top-k", "-2"], "argument --top-k: must be 0 or more (you gave -2)"),
    (step4_main, ["--learning-rate", "0"], "argument --learning-rate: must be above 0 (you gave 0)"),
    (step4_main, ["--threads", "0"], "argument --threads: must be at least 1 (you gave 0)"),
    (step1_main, ["--pe-size", "0"], "argument --pe-size: must be at least 1 (you gave 0)"),
    (step2_main, ["--head-size", "x"], "argument --head-size: 'x' is not a whole number"),
    (step3_main, ["--embed-size", "0"], "argument --embed-size: must be at least 1 (you gave 0)"),
], ids=["steps", "temperature", "dropout", "top-k", "learning-rate", "threads", "pe-size", "head-size", "embed-size"])
def test_bad_numbers_stop_at_the_command_line(main, flags: list[str], message: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """A wrong number is caught by its argparse type before anything runs: exit code 2 and a one-line
    message naming the flag (no traceback, nothing written)."""
    with pytest.raises(SystemExit) as stopped:
        main([*flags, "--out-dir", str(tmp_path / "out"), "--quiet"])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
