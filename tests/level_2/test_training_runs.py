"""Steps 2.3 and 2.4 as a learner runs them: the default training run, small runs, and bad input."""

from __future__ import annotations

import re

import json
import math
from pathlib import Path

import numpy as np
import pytest

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS, level_folder
from level_1_prediction.step3_ngram import NGramModel
from tests.conftest import assert_bad_text_rejected, assert_ok

STEP3 = "level_2_neural_network/step3_train.py"
STEP4 = "level_2_neural_network/step4_visualize.py"
SMALL = ("--epochs", "1", "--hidden", "8", "--sample-length", "40")


def one_line(message: str) -> str:
    """A message from a bordered panel as one line of words (the panel wraps long lines)."""
    return " ".join(message.replace("│", " ").replace("|", " ").split())


def level_2_outputs(output_root: Path) -> Path:
    return output_root / level_folder(2)


@pytest.fixture
def small_text(tmp_path: Path) -> Path:
    """The first 4,000 characters of the stories: enough for a quick run."""
    path = tmp_path / "small_stories.txt"
    path.write_text(load_corpus().text[:4000], encoding="utf-8")
    return path


def test_default_run_matches_the_bigram_then_step4_shows_it(run_script, output_root: Path) -> None:
    """The full default run (the whole corpus, about 10-20 s): its held-out loss ends within 0.05 nats of
    Level 1's smoothed bigram on the same split. Then step 4 reads what step 3 saved."""
    process = run_script(STEP3, "--seed", "0")
    assert_ok(process)
    folder = level_2_outputs(output_root)
    history = json.loads((folder / "training_history.json").read_text(encoding="utf-8"))
    corpus = load_corpus()
    text, train_text, val_text = corpus.text, corpus.train_text, corpus.val_text
    bigram = NGramModel(2, vocabulary=set(text)).fit(train_text).bits_per_char(val_text) * math.log(2)
    final = history["validation_loss"][-1]
    assert abs(final - bigram) < 0.05, (final, bigram)
    assert history["bigram_validation_loss"] == pytest.approx(bigram)
    assert history["validation_loss"][0] > final + 1.0  # training really happened
    assert history["settings"]["context"] == 1 and history["settings"]["loop"] == "vectorised"
    assert len(history["epochs"]) == len(history["train_loss"]) == history["settings"]["epochs"] + 1
    assert history["gradient_check_max_relative_error"] < 1e-6
    assert history["corpus_path"] is None and history["corpus_sha256"] == corpus.sha256  # the course stories
    assert "Final held-out loss:" in process.stdout and "Level 1 bigram held-out loss:" in process.stdout
    with np.load(folder / "char_model.npz", allow_pickle=False) as saved:
        assert "".join(chr(code) for code in saved["vocabulary"]) == "".join(sorted(set(text)))
        assert saved["W1"].shape == (len(set(text)), 64)
        assert str(saved["activation"]) == "tanh"

    shown = run_script(STEP4, "--seed", "0", "--letter", "t")
    assert_ok(shown)
    assert (folder / "loss_curves.png").stat().st_size > 10_000
    assert (folder / "hidden_weights.png").stat().st_size > 10_000
    assert "Most likely after 't': 'h'" in shown.stdout
    assert "Level 1 bigram" in shown.stdout and "before training" in shown.stdout
    difference = float(shown.stdout.split("(total variation): ")[1].split()[0])
    assert difference < 0.1  # with context 1 the trained network's guesses look like the bigram's


def test_per_sample_loop_small_run(run_script, output_root: Path, small_text: Path) -> None:
    process = run_script(STEP3, "--seed", "0", "--text", str(small_text), "--loop", "per-sample", *SMALL)
    assert_ok(process)
    assert "per-sample loop" in process.stdout
    history = json.loads((level_2_outputs(output_root) / "training_history.json").read_text(encoding="utf-8"))
    assert history["settings"]["loop"] == "per-sample"
    assert history["validation_loss"][-1] < history["validation_loss"][0]


def test_same_seed_same_output(run_script, small_text: Path) -> None:
    first = run_script(STEP3, "--seed", "3", "--text", str(small_text), *SMALL)
    second = run_script(STEP3, "--seed", "3", "--text", str(small_text), *SMALL)
    assert_ok(first)
    # Wall-clock times differ between runs; everything else must be identical.
    timing = re.compile(r"\d+(\.\d+)? ?(ms|s)\b")
    strip = lambda out: [timing.sub("<time>", line) for line in out.splitlines()  # noqa: E731
                         if "Training time" not in line and "%" not in line]
    assert strip(first.stdout) == strip(second.stdout)


def test_context_3_relu_then_step4(run_script, output_root: Path, small_text: Path) -> None:
    process = run_script(STEP3, "--seed", "0", "--text", str(small_text), "--context", "3",
                         "--activation", "relu", *SMALL)
    assert_ok(process)
    assert "Level 1 4-gram held-out loss:" in process.stdout
    shown = run_script(STEP4, "--seed", "0", "--letter", "e")
    assert_ok(shown)  # step 4 finds the text step 3 used, without being told
    assert "most common 3-character context" in shown.stdout


def test_hindi_text_works(run_script, output_root: Path, tmp_path: Path) -> None:
    hindi = tmp_path / "hindi.txt"
    hindi.write_text(HINDI_CORPUS.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    process = run_script(STEP3, "--seed", "0", "--text", str(hindi), *SMALL)
    assert_ok(process)
    shown = run_script(STEP4, "--seed", "0", "--text", str(hindi), "--letter", "क")
    assert_ok(shown)
    assert "What comes after 'क'?" in shown.stdout


def test_step4_without_history_says_run_step3(run_script) -> None:
    process = run_script(STEP4, "--seed", "0")
    assert process.returncode == 2, process.stdout + process.stderr
    assert "training history" in one_line(process.stderr) and "step3_train.py" in one_line(process.stderr)
    assert "Traceback" not in process.stderr


def test_step4_without_model_says_run_step3(run_script, output_root: Path) -> None:
    folder = level_2_outputs(output_root)
    folder.mkdir(parents=True)
    (folder / "training_history.json").write_text('{"epochs": [0], "train_loss": [4], "validation_loss": [4]}')
    process = run_script(STEP4, "--seed", "0")
    assert process.returncode == 2 and "step3_train.py" in one_line(process.stderr) and "Traceback" not in process.stderr


def test_step4_rejects_a_different_text_and_unknown_letter(run_script, small_text: Path, tmp_path: Path) -> None:
    assert_ok(run_script(STEP3, "--seed", "0", "--text", str(small_text), *SMALL))
    other = tmp_path / "other.txt"
    other.write_text("zzzz yyyy xxxx wwww " * 10, encoding="utf-8")
    different = run_script(STEP4, "--text", str(other))
    assert different.returncode == 2 and "same --text" in one_line(different.stderr)
    unknown = run_script(STEP4, "--letter", "#")
    assert unknown.returncode == 2 and "--letter" in one_line(unknown.stderr) and "Traceback" not in unknown.stderr


@pytest.mark.parametrize("script, flags, message", [
    (STEP3, ("--learning-rate", "0"), "argument --learning-rate: must be above 0 (you gave 0)"),
    (STEP3, ("--context", "9"), "argument --context: invalid choice: 9"),
    (STEP3, ("--epochs", "0"), "argument --epochs: must be at least 1 (you gave 0)"),
    (STEP3, ("--sample-length", "-1"), "argument --sample-length: must be 0 or more (you gave -1)"),
    (STEP4, ("--top", "0"), "argument --top: must be at least 1 (you gave 0)"),
    ("level_2_neural_network/step1_neuron.py", ("--steps", "0"), "argument --steps: must be at least 1 (you gave 0)"),
    ("level_2_neural_network/step2_network.py", ("--learning-rate", "-1"), "argument --learning-rate: must be above 0"),
])
def test_bad_flags_are_explained(run_script, script: str, flags: tuple[str, str], message: str) -> None:
    """A wrong number is caught by its argparse type, before any work: one line, exit code 2, no traceback."""
    process = run_script(script, *flags)
    assert process.returncode == 2 and message in one_line(process.stderr) and "Traceback" not in process.stderr


def test_step4_finds_the_text_step3_learned_from(run_script, output_root: Path, small_text: Path) -> None:
    """Step 3 saves the text's path as corpus_path, and step 4 reads the same text back without --text."""
    assert_ok(run_script(STEP3, "--seed", "0", "--text", str(small_text), *SMALL))
    history = json.loads((level_2_outputs(output_root) / "training_history.json").read_text(encoding="utf-8"))
    assert history["corpus_path"] == str(small_text.resolve())
    assert history["corpus_sha256"] == load_corpus(small_text).sha256
    assert "text_file" not in history["settings"]
    shown = run_script(STEP4, "--seed", "0", "--letter", "a")
    assert_ok(shown)
    small_text.write_text(small_text.read_text(encoding="utf-8")[::-1], encoding="utf-8")  # same letters, new text
    changed = run_script(STEP4, "--seed", "0", "--letter", "a")
    assert_ok(changed)
    assert "not the same text" in one_line(changed.stderr + changed.stdout)


@pytest.mark.parametrize("script", [STEP3, STEP4])
def test_bad_text_files_are_rejected(run_script, bad_text_file: Path, script: str) -> None:
    process = run_script(script, "--seed", "0", "--text", str(bad_text_file))
    assert_bad_text_rejected(process, bad_text_file)


def test_buildai_run_reaches_level_2(run_cli) -> None:
    process = run_cli("run", "2.1", "--seed", "0", "--quiet")
    assert_ok(process)
    assert "AND learned: yes" in process.stdout
