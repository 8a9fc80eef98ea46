"""The offline path end to end: prepare -> fine-tune -> evaluate -> chat, on a tiny local base."""

from __future__ import annotations

import json
from pathlib import Path

from safetensors.torch import load_file

from tests.conftest import assert_ok
from tests.level_5.conftest import SLICE

LEVEL = "level_5_real_finetune"


def test_finetune_saves_adapter_summary_and_curve(finetuned_root: Path):
    folder = finetuned_root / LEVEL / "adapters" / "school"
    for name in ("adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "training_summary.json", "loss_curve.png"):
        assert (folder / name).is_file(), name
    summary = json.loads((folder / "training_summary.json").read_text(encoding="utf-8"))
    assert summary["base"]["name"] == "local" and summary["base"]["char_level"] is True
    assert summary["examples"]["train"] + summary["examples"]["validation"] <= int(SLICE)
    assert len(summary["history"]["validation"]) == summary["training"]["epochs"]  # evaluated every epoch
    assert 0 < summary["parameters"]["trainable"] < summary["parameters"]["total"] / 5
    weights = load_file(folder / "adapter_model.safetensors")
    assert weights and all("lora_" in name for name in weights)  # only the sticky notes are saved
    # The Hugging Face export of the base sits beside it, with its record of the Level 4 weights.
    assert (finetuned_root / LEVEL / "local_base" / "config.json").is_file()


def test_finetuned_model_beats_base_on_held_out_answers(finetuned_root: Path, run_level5):
    done = run_level5("evaluate.py", "--adapter", "school", "--limit", "8", output_root=finetuned_root)
    assert_ok(done)
    report = json.loads((finetuned_root / LEVEL / "eval_report.json").read_text(encoding="utf-8"))
    assert set(report) == {"base", "finetuned", "n", "base_model"}
    for side in ("base", "finetuned"):
        assert set(report[side]) == {"answer_perplexity", "token_f1", "rouge_l"}
    assert report["n"] == 8
    assert report["finetuned"]["answer_perplexity"] < report["base"]["answer_perplexity"]
    assert "Five answers side by side" in done.stdout
    assert (finetuned_root / LEVEL / "eval_chart.png").stat().st_size > 1000
    assert len((finetuned_root / LEVEL / "eval_answers.jsonl").read_text(encoding="utf-8").splitlines()) == 8


def test_chat_ask_answers_and_names_the_newest_adapter(finetuned_root: Path, run_level5):
    done = run_level5("chat.py", "--ask", "What is a food chain?", output_root=finetuned_root)
    assert_ok(done)
    assert "Adapter: kitchen" in done.stdout  # the most recently fine-tuned one, named
    assert "Answer:" in done.stdout


def test_chat_commands_and_polite_input_handling(finetuned_root: Path, run_level5):
    long_question = "why " * 400
    commands = "\n".join(["help", "What is rain?", "temp 0", "temp hot", "compare", "adapter school",
                          "adapter nonsense", long_question, "", "quit"]) + "\n"
    done = run_level5("chat.py", output_root=finetuned_root, stdin=commands)
    assert_ok(done)
    assert "Temperature is now 0.0" in done.stdout
    assert "Write the temperature as a number" in done.stdout
    assert "Now using adapter 'school'" in done.stdout and " ms" in done.stdout
    assert "There is no adapter called 'nonsense'" in done.stdout
    assert "Please ask it in under" in done.stdout
    assert "base model" in done.stdout  # the compare table
    assert "Traceback" not in done.stdout + done.stderr


def test_resume_and_merge(finetuned_root: Path, run_level5):
    done = run_level5("finetune.py", "--base-model", "local", "--limit", SLICE, "--epochs", "3", "--resume", "--merge",
                      "--adapter-name", "school", output_root=finetuned_root)
    assert_ok(done)
    summary = json.loads((finetuned_root / LEVEL / "adapters" / "school" / "training_summary.json").read_text(encoding="utf-8"))
    assert len(summary["history"]["validation"]) == 3  # two epochs from before, one more now
    assert (finetuned_root / LEVEL / "merged" / "school" / "model.safetensors").is_file()
