"""generate.py: --explain's probabilities, reproducible one-shot runs, unknown characters, and clear errors.

The explain-mode probabilities are checked against an independent oracle written here from the model's raw
logits: softmax(logits / T), then top-k, then top-p, renormalised over the kept characters.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from buildai import ui
from buildai.errors import UserError
from level_4_mini_gpt.checkpoint import load_checkpoint
from level_4_mini_gpt.chat import parse_setting
from level_4_mini_gpt.explain import top_candidates
from level_4_mini_gpt.generate import GenerationSettings, name_characters, prepare_prompt, unescape, write
from tests.conftest import assert_ok, assert_plain
from tests.level_4.generate_output import explain_rows

PROMPT = "Once upon a time"


@pytest.fixture(scope="module")
def loaded(tiny_checkpoint: Path):  # type: ignore[no-untyped-def]
    torch.set_num_threads(1)
    return load_checkpoint(tiny_checkpoint)


def oracle_distribution(logits: torch.Tensor, temperature: float, top_k: int | None, top_p: float | None) -> torch.Tensor:
    """softmax(logits / T) renormalised over the kept set, written independently of model.py."""
    logits = logits.double()
    if temperature == 0:
        probabilities = torch.zeros_like(logits)
        probabilities[int(torch.argmax(logits))] = 1.0
        return probabilities
    probabilities = torch.softmax(logits / temperature, dim=-1)
    order = sorted(range(len(probabilities)), key=lambda i: -float(probabilities[i]))
    kept = order[:top_k] if top_k else order
    total = sum(float(probabilities[i]) for i in kept)
    if top_p is not None:
        nucleus, running = [], 0.0
        for i in kept:  # smallest group of top characters whose renormalised chances reach top_p
            nucleus.append(i)
            running += float(probabilities[i]) / total
            if running >= top_p:
                break
        kept = nucleus
    result = torch.zeros_like(probabilities)
    for i in kept:
        result[i] = probabilities[i]
    return result / result.sum()


@pytest.mark.parametrize(
    ("temperature", "top_k", "top_p"),
    [(1.0, 0, 1.0), (0.6, 0, 1.0), (1.4, 10, 1.0), (0.9, 0, 0.8), (1.0, 12, 0.7), (0.0, 0, 1.0)],
)
def test_explain_probabilities_equal_softmax_over_the_kept_set(loaded, temperature, top_k, top_p) -> None:  # type: ignore[no-untyped-def]
    model, tokenizer, _ = loaded
    prompt = "The monkey said"
    length = min(30, model.config.block_size - len(prompt))  # stay inside one window: the context is everything
    settings = GenerationSettings(temperature=temperature, top_k=top_k, top_p=top_p, length=length, seed=3)
    choices: list = []
    text = "".join(write(model, tokenizer, prompt, settings, choices))
    assert len(text) == length == len(choices)
    for position, choice in enumerate(choices):
        context = torch.tensor([tokenizer.encode(prompt + text[:position])])
        with torch.no_grad():
            logits = model(context)[0][0, -1]
        expected = oracle_distribution(logits, temperature, top_k or None, top_p if top_p < 1 else None)
        assert choice.chosen == text[position]
        assert choice.kept == int((expected > 0).sum())
        assert expected[tokenizer.encode(choice.chosen)[0]] > 0, "a character outside the shortlist was picked"
        top = torch.topk(expected, k=min(5, choice.kept))
        assert [p for _, p in choice.candidates] == pytest.approx(top.values.tolist(), abs=1e-5)
        for (character, probability), index in zip(choice.candidates, top.indices.tolist()):
            assert expected[tokenizer.encode(character)[0]] == pytest.approx(probability, abs=1e-5)


def test_explained_text_is_the_same_text(loaded) -> None:  # type: ignore[no-untyped-def]
    """Recording the choices must not change what is written (same seed, same settings, same text)."""
    model, tokenizer, _ = loaded
    settings = GenerationSettings(temperature=0.9, top_k=20, length=80, seed=11, stop=("\n",))
    plain = "".join(write(model, tokenizer, PROMPT, settings))
    choices: list = []
    explained = "".join(write(model, tokenizer, PROMPT, settings, choices))
    assert plain == explained
    assert len(choices) >= len(explained)  # a stop string's own characters are recorded but not shown
    assert "\n" not in plain


def test_top_candidates_leave_out_filtered_characters() -> None:
    from buildai.tokenizer import CharTokenizer

    tokenizer = CharTokenizer(list("abcd"))
    candidates = top_candidates(torch.tensor([0.1, 0.6, 0.0, 0.3]), tokenizer)
    assert [ch for ch, _ in candidates] == ["b", "d", "a"]
    assert [p for _, p in candidates] == pytest.approx([0.6, 0.3, 0.1])


def test_prompt_preparation_skips_and_names_unknown_characters(loaded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, tokenizer, _ = loaded
    warnings: list[str] = []
    monkeypatch.setattr(ui, "warn", warnings.append)
    assert prepare_prompt("Chai café 😊", tokenizer) == "Chai caf "
    output = " ".join(warnings)
    assert "LATIN SMALL LETTER E WITH ACUTE" in output and "SMILING FACE WITH SMILING EYES" in output
    assert prepare_prompt("", tokenizer) == "\n"  # nothing known: start like a fresh story
    assert prepare_prompt("😊", tokenizer) == "\n"
    assert name_characters(["é"]) == "'é' (LATIN SMALL LETTER E WITH ACUTE)"


def test_setting_values_are_checked() -> None:
    assert parse_setting("temperature", "0") == 0.0 and parse_setting("top_k", "0") == 0
    assert parse_setting("top_p", "1") == 1.0 and parse_setting("length", "5") == 5
    assert parse_setting("seed", "-3") == -3
    for name, bad in [("temperature", "hot"), ("temperature", "-1"), ("temperature", "11"), ("temperature", "nan"),
                      ("top_k", "-2"), ("top_k", "2.5"), ("top_p", "0"), ("top_p", "1.5"), ("top_p", "nan"),
                      ("length", "0"), ("length", "ten"), ("length", "100000"), ("seed", "x")]:
        with pytest.raises(UserError):
            parse_setting(name, bad)
    assert unescape(r"\n\n") == "\n\n"
    settings = GenerationSettings(top_k=0, top_p=1.0)
    assert settings.sampling().top_k is None and settings.sampling().top_p is None
    assert "top-k off, top-p off" in settings.describe()


def test_stop_strings_end_the_text_before_them(loaded) -> None:  # type: ignore[no-untyped-def]
    model, tokenizer, _ = loaded
    settings = GenerationSettings(temperature=1.0, length=120, seed=4)
    full = "".join(write(model, tokenizer, PROMPT, settings))
    assert " " in full.strip()
    stopped = "".join(write(model, tokenizer, PROMPT, GenerationSettings(temperature=1.0, length=120, seed=4,
                                                                         stop=(unescape(" "),))))
    assert stopped == full[: full.index(" ")]  # the same text, up to (not including) the first stop string


def test_one_shot_explain_and_unknown_characters(run_level4, tiny_output_root) -> None:  # type: ignore[no-untyped-def]
    explained = run_level4("generate.py", "--prompt", "The crow ☔ said", "--explain", "--top-k", "3",
                           output_root=tiny_output_root)
    assert_ok(explained)
    assert "UMBRELLA WITH RAIN DROPS" in " ".join(explained.stdout.split())  # named, skipped, no crash
    assert "What the model was choosing from" in explained.stdout
    assert "Characters written: 40" in explained.stdout  # --explain's shorter default length
    rows = explain_rows(explained.stdout)
    assert len(rows) == 40
    assert all(1 <= int(row[-1]) <= 3 for row in rows)  # the shortlist never holds more than top-k characters
    assert "Memorised:" in explained.stdout


def test_one_shot_compare(run_level4, tiny_output_root) -> None:  # type: ignore[no-untyped-def]
    compared = run_level4("generate.py", "--prompt", PROMPT, "--compare", "--max-new-tokens", "30",
                          output_root=tiny_output_root)
    assert_ok(compared)
    for header in ("temperature 0.5", "temperature 1 ", "temperature 1.5"):
        assert header in compared.stdout
    assert compared.stdout.count("memorised:") == 3


def test_missing_checkpoint_tells_the_learner_to_train(run_level4, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No checkpoint: exit 2 with the command to run. Input is not a terminal, so no offer to train is made."""
    process = run_level4("generate.py", output_root=tmp_path / "nothing_trained_here", stdin="y\nquit\n")
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert "python train.py --preset tiny" in output.replace("\n", " ")
    assert "[y/N]" not in output
    assert "Traceback" not in output
    assert_plain(process)


def test_truncated_checkpoint_is_a_clear_error(run_level4, tiny_checkpoint, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "checkpoint"
    shutil.copytree(tiny_checkpoint, folder)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])  # cut off half-way, as by an interrupted copy
    process = run_level4("generate.py", "--prompt", PROMPT, "--checkpoint", str(folder), output_root=tmp_path)
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert "Traceback" not in output
    assert "model.safetensors" in output.replace("\n", "")
    assert_plain(process)
