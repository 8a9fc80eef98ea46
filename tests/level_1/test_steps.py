"""Every Level 1 step script, run as a learner would: plain output, key results, same seed same output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from buildai.data import load_corpus
from level_1_prediction.step3_ngram import best_ngram_baseline
from tests.conftest import assert_bad_text_rejected, assert_ok

STEP1 = "level_1_prediction/step1_bigram.py"
STEP2 = "level_1_prediction/step2_generate.py"
STEP3 = "level_1_prediction/step3_ngram.py"
SMALL_STEP2 = ("--samples", "2", "--length", "60", "--trace", "5", "--draws", "500")
HINDI = "../data/stories_hi.txt"  # relative to the level folder, as in the lesson


def result_value(stdout: str, label: str) -> str:
    """The value of a `label: value` result line."""
    match = re.search(rf"^{re.escape(label)}: (.+)$", stdout, flags=re.MULTILINE)
    assert match, f"no result line '{label}' in:\n{stdout[-2000:]}"
    return match.group(1).strip()


def test_step1_counts_and_saves_a_heatmap(run_script, output_root: Path) -> None:
    process = run_script(STEP1, "--seed", "1")
    assert_ok(process)
    assert result_value(process.stdout, "Characters in vocabulary") == str(load_corpus().tokenizer.vocab_size)
    assert result_value(process.stdout, "Most common pair").startswith("'e' -> '␣'")
    assert result_value(process.stdout, "Most likely after 'q'").startswith("'u'")
    heatmap = output_root / "level_1_prediction" / "bigram_heatmap.png"
    assert heatmap.read_bytes()[:4] == b"\x89PNG"
    assert "bigram_heatmap.png" in result_value(process.stdout, "Heatmap")


def test_step1_on_hindi_text(run_script) -> None:
    process = run_script(STEP1, "--seed", "1", "--text", HINDI, "--letters", "क म", "--quiet")
    assert_ok(process)
    assert result_value(process.stdout, "Characters in vocabulary") == str(len(set(
        (Path(__file__).resolve().parents[2] / "data/stories_hi.txt").read_text(encoding="utf-8"))))
    assert "Most likely after 'क'" in process.stdout and "Most likely after 'म'" in process.stdout
    assert "Heatmap:" in process.stdout


def test_step1_skips_letters_the_text_does_not_have(run_script) -> None:
    process = run_script(STEP1, "--text", HINDI, "--quiet")  # the default letters t h q are not in Hindi text
    assert_ok(process)
    assert "skipped: 't', 'h', 'q'" in process.stdout
    assert "Most likely after" in process.stdout


def test_step2_generates_with_all_key_lines(run_script, output_root: Path) -> None:
    process = run_script(STEP2, "--seed", "3", *SMALL_STEP2, "--temperature", "0.7")
    assert_ok(process)
    assert result_value(process.stdout, "Hand-written sampler vs random.choices").startswith("differ by")
    assert result_value(process.stdout, "Temperature") == "0.7"
    assert result_value(process.stdout, "Samples written") == "2 of 60 characters each"
    assert "Step by step" in process.stdout and "Sample 2:" in process.stdout
    samples = (output_root / "level_1_prediction" / "bigram_samples.txt").read_text(encoding="utf-8")
    first_letter = load_corpus().text[0]  # step 2 starts each sample with the text's first letter by default
    assert samples.startswith(first_letter) and samples.count("\n\n") >= 1


def test_step2_same_seed_same_output_and_animate_is_off_in_a_pipe(run_script) -> None:
    first = run_script(STEP2, "--seed", "5", *SMALL_STEP2)
    again = run_script(STEP2, "--seed", "5", *SMALL_STEP2, "--animate")
    other = run_script(STEP2, "--seed", "6", *SMALL_STEP2)
    for process in (first, again, other):
        assert_ok(process)
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout


def test_step2_on_hindi_text(run_script) -> None:
    process = run_script(STEP2, "--text", HINDI, "--start", "एक", "--letter", "क", *SMALL_STEP2)
    assert_ok(process)
    assert "Sample 1:\nएक" in process.stdout


@pytest.mark.parametrize("step, flags, message", [
    (STEP1, ("--top", "0"), "argument --top: must be at least 1 (you gave 0)"),
    (STEP2, ("--temperature", "0"), "argument --temperature: must be above 0 (you gave 0)"),
    (STEP2, ("--length", "0"), "argument --length: must be at least 1 (you gave 0)"),
    (STEP2, ("--trace", "-1"), "argument --trace: must be 0 or more (you gave -1)"),
    (STEP2, ("--samples", "two"), "argument --samples: 'two' is not a whole number"),
    (STEP2, ("--start", ""), "--start cannot be empty"),
    (STEP3, ("--max-order", "13"), "argument --max-order: invalid choice: 13"),
    (STEP3, ("--k", "0"), "argument --k: must be above 0 (you gave 0)"),
])
def test_bad_flags_are_explained(run_script, step: str, flags: tuple[str, str], message: str) -> None:
    """A wrong number is caught by its argparse type: a one-line message, exit code 2, no traceback."""
    process = run_script(step, *flags)
    assert process.returncode == 2
    assert message in " ".join(process.stderr.split()) and "Traceback" not in process.stderr


def test_step3_reports_the_best_order_and_memorisation(run_script) -> None:
    process = run_script(STEP3, "--seed", "2")
    assert_ok(process)
    order = int(result_value(process.stdout, "Best order on held-out text").removeprefix("n = "))
    bits = float(result_value(process.stdout, "Held-out bits per character"))
    corpus = load_corpus()
    expected_order, expected_bits = best_ngram_baseline(corpus.train_text, corpus.val_text)
    assert (order, bits) == (expected_order, round(expected_bits, 3))
    assert result_value(process.stdout, "Bigger n memorises").startswith(f"yes: held-out rises after n = {order},")
    assert "the bigger models memorise" in process.stdout
    assert "Why we need neural networks" in process.stdout
    assert "Samples for each n" in process.stdout


def test_step3_quick_settings_same_seed_same_output(run_script) -> None:
    flags = ("--seed", "4", "--max-order", "3", "--length", "30", "--tune-k", "--quiet")
    first, again = run_script(STEP3, *flags), run_script(STEP3, *flags)
    assert_ok(first)
    assert first.stdout == again.stdout
    assert "Held-out bits per character for several k" in first.stdout
    assert "Best order on held-out text" in first.stdout  # --quiet keeps the results


def test_step3_on_hindi_text(run_script) -> None:
    process = run_script(STEP3, "--text", HINDI, "--max-order", "4", "--quiet")
    assert_ok(process)
    assert float(result_value(process.stdout, "Held-out bits per character")) > 0


@pytest.mark.parametrize("step", [STEP1, STEP2, STEP3])
def test_bad_text_files_exit_2_and_name_the_file(run_script, bad_text_file: Path, step: str) -> None:
    assert_bad_text_rejected(run_script(step, "--text", str(bad_text_file)), bad_text_file)
