"""Level 4 training: the tiny preset beats the n-gram, resuming is exact, and mistakes give clear messages."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from buildai.data import load_corpus
from buildai.paths import HINDI_CORPUS
from buildai.safe_io import load_torch_state, save_torch_state
from level_1_prediction.step3_ngram import best_ngram_baseline
from level_4_mini_gpt import run_control, scoring, train
from level_4_mini_gpt.presets import SETTING_NAMES, config_from_preset
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from tests.conftest import assert_bad_text_rejected, assert_ok, assert_plain
from tests.level_4.conftest import LEVEL_FOLDER, run_level4_script

# A very small model: each run takes a few seconds. One thread, so runs are repeatable to the last bit.
SMALL = ["--preset", "tiny", "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "32",
         "--batch-size", "8", "--eval-interval", "10", "--sample-interval", "1000", "--threads", "1"]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def squashed(output: str) -> str:
    """Output without spaces, line breaks and box borders, so a path wrapped inside a message panel can be found."""
    return "".join(output.split()).replace("│", "")


def level_folder(root: Path) -> Path:
    return root / "level_4_mini_gpt"


# ------------------------------------------------------------------------- the tiny preset


def test_tiny_preset_beats_the_best_ngram(tiny_training_run):
    root, process = tiny_training_run
    history = json.loads((level_folder(root) / "history.json").read_text(encoding="utf-8"))
    # the n-gram line is Level 1's best n-gram on the same 90/10 split
    corpus = load_corpus()
    order, ngram_bits = best_ngram_baseline(corpus.train_text, corpus.val_text)
    assert history["ngram_baseline"] == {"order": order, "val_bits_per_char": pytest.approx(ngram_bits)}
    assert history["finished"] and history["steps"] == train.PRESETS["tiny"]["max_steps"]
    assert history["best"]["val_bits_per_char"] < ngram_bits
    assert history["best"]["val_bits_per_char"] == pytest.approx(history["best"]["val_loss"] / math.log(2))
    # before training the model guesses uniformly: loss ~ ln(vocabulary size)
    vocab_size = load_corpus().tokenizer.vocab_size
    assert history["evaluations"][0]["step"] == 0
    assert abs(history["evaluations"][0]["val_loss"] - math.log(vocab_size)) < 0.1
    assert (level_folder(root) / "training_loss.png").stat().st_size > 10_000
    assert "Report card" in process.stdout
    assert 'Generate text with: python generate.py --prompt "Once upon a time"' in process.stdout
    assert "Your GPT beats the n-gram" in process.stdout


def test_best_checkpoint_holds_the_best_score(tiny_training_run):
    root, _ = tiny_training_run
    history = json.loads((level_folder(root) / "history.json").read_text(encoding="utf-8"))
    info = json.loads((level_folder(root) / "checkpoint" / "model.json").read_text(encoding="utf-8"))
    assert info["metrics"] == history["best"]
    assert info["step"] == history["best"]["step"]


# ---------------------------------------------------------------------------- resuming


def final_weights(root: Path) -> dict[str, torch.Tensor]:
    return load_torch_state(level_folder(root) / "checkpoint" / run_control.STATE_FILE)["model"]


def test_interrupted_and_resumed_run_ends_with_the_same_weights(tmp_path):
    settings = [*SMALL, "--max-steps", "30", "--dropout", "0.1"]  # dropout: its random numbers must resume too
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    assert_ok(run_level4_script("train.py", *settings, output_root=straight, extra_env=ONE_THREAD))
    first_part = run_level4_script("train.py", *settings, "--stop-after", "17", output_root=stopped, extra_env=ONE_THREAD)
    assert_ok(first_part)
    assert "Continue with: python train.py --resume" in first_part.stdout
    halfway = load_torch_state(level_folder(stopped) / "checkpoint" / run_control.STATE_FILE)
    assert halfway["step"] == 17
    resumed = run_level4_script("train.py", "--resume", "--threads", "1", output_root=stopped, extra_env=ONE_THREAD)
    assert_ok(resumed)
    assert "Continuing from step 17" in resumed.stdout

    expected, got = final_weights(straight), final_weights(stopped)
    assert expected.keys() == got.keys()
    for name in expected:
        assert torch.allclose(got[name], expected[name], atol=1e-6, rtol=0), name
    # and the weights really did change after step 17, so the comparison means something
    assert not torch.allclose(halfway["model"]["token_embedding.weight"], got["token_embedding.weight"])
    history = json.loads((level_folder(stopped) / "history.json").read_text(encoding="utf-8"))
    assert history["finished"] and history["steps"] == 30


def test_resume_without_a_saved_run_is_a_clear_error(tmp_path):
    process = run_level4_script("train.py", "--resume", output_root=tmp_path)
    assert process.returncode == 2
    assert "no training run to continue" in process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    assert_plain(process)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong_content"])
def test_resume_from_a_damaged_state_is_a_clear_error(tmp_path, damage):
    path = level_folder(tmp_path) / "checkpoint" / run_control.STATE_FILE
    save_torch_state(path, {"version": run_control.STATE_VERSION, "step": 3, "model": {"w": torch.zeros(1000)}})
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif damage == "garbage":
        path.write_bytes(b"this is not a training state" * 10)
    process = run_level4_script("train.py", "--resume", output_root=tmp_path)
    output = process.stdout + process.stderr
    assert process.returncode == 2, output
    assert "damaged" in output and run_control.STATE_FILE in squashed(output)
    assert "Traceback" not in output and "weights_only" not in output
    assert_plain(process)


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT, as Ctrl-C does on Linux and macOS")
def test_ctrl_c_stops_cleanly_and_keeps_the_best_model(tmp_path):
    env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1",
           "PYTHONIOENCODING": "utf-8", **ONE_THREAD}
    process = subprocess.Popen(
        [sys.executable, "train.py", *SMALL, "--max-steps", "100000"], cwd=LEVEL_FOLDER, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        seen = []
        for line in process.stdout:  # wait until the training loop is about to start
            seen.append(line)
            if "Watch the loss fall" in line:
                break
        time.sleep(1.5)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    output = "".join(seen) + stdout + stderr
    assert process.returncode == 130, output
    assert "Traceback" not in output
    assert "python train.py --resume" in output
    state = load_torch_state(level_folder(tmp_path) / "checkpoint" / run_control.STATE_FILE)
    assert 0 < state["step"] < 100000
    assert (level_folder(tmp_path) / "checkpoint" / "model.safetensors").is_file()


# ----------------------------------------------------------------- flags and other texts


def test_time_budget_sets_the_number_of_steps(tmp_path):
    process = run_level4_script("train.py", *SMALL, "--time-budget", "12", output_root=tmp_path)
    assert_ok(process)
    assert "fits" in process.stdout
    history = json.loads((level_folder(tmp_path) / "history.json").read_text(encoding="utf-8"))
    assert history["training"]["max_steps"] == history["steps"] >= 1
    assert history["training"]["max_steps"] != train.PRESETS["tiny"]["max_steps"]


def test_hindi_text_and_overrides(tmp_path):
    process = run_level4_script(
        "train.py", *SMALL, "--max-steps", "4", "--eval-interval", "2", "--n-embd", "48", "--n-head", "3",
        "--text", str(HINDI_CORPUS), "--learning-rate", "0.002", "--no-bias", output_root=tmp_path,
    )
    assert_ok(process)
    info = json.loads((level_folder(tmp_path) / "checkpoint" / "model.json").read_text(encoding="utf-8"))
    assert info["config"]["n_embd"] == 48 and info["config"]["n_head"] == 3 and info["config"]["bias"] is False
    assert info["training"]["learning_rate"] == 0.002
    assert "क" in info["tokenizer"]["chars"]
    assert info["corpus_path"] == str(HINDI_CORPUS.resolve())


def test_bad_data_file_is_rejected(run_script, bad_text_file):
    process = run_script("level_4_mini_gpt/train.py", "--data", str(bad_text_file), "--preset", "tiny")
    assert_bad_text_rejected(process, bad_text_file)


def test_bad_settings_are_user_errors(tmp_path):
    process = run_level4_script("train.py", *SMALL, "--n-embd", "30", "--n-head", "4", output_root=tmp_path)
    assert process.returncode == 2 and "divide evenly" in process.stderr
    process = run_level4_script("train.py", *SMALL, "--block-size", "100000", "--text", str(HINDI_CORPUS),
                                output_root=tmp_path)
    assert process.returncode == 2 and "too short" in process.stderr
    assert "Traceback" not in process.stderr


# ---------------------------------------------------------------------------- the pieces


def test_learning_rate_warms_up_then_follows_a_cosine():
    settings = train.TrainingSettings(max_steps=200, learning_rate=0.01, warmup_steps=20, final_learning_rate_share=0.1)
    rates = [train.learning_rate_at(step, settings) for step in range(201)]
    assert rates[0] == pytest.approx(0.01 / 20)
    assert rates[19] == pytest.approx(0.01)
    assert all(later > earlier for earlier, later in zip(rates[:20], rates[1:20]))  # warm-up rises
    assert all(later <= earlier for earlier, later in zip(rates[20:], rates[21:]))  # then only falls
    assert rates[110] == pytest.approx(0.001 + 0.5 * 0.009)  # halfway through the cosine: halfway down
    assert rates[200] == pytest.approx(0.001)


def test_weight_decay_only_for_linear_weight_matrices():
    model = MiniGPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16))
    optimizer = train.make_optimizer(model, train.TrainingSettings(weight_decay=0.3), torch.device("cpu"))
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.3 and plain["weight_decay"] == 0.0
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    decayed_names = sorted(names[id(parameter)] for parameter in decayed["params"])
    expected = sorted(name for name, parameter in model.named_parameters()
                      if name.endswith("weight") and parameter.dim() == 2 and "embedding" not in name)
    assert decayed_names == expected and len(expected) == 8  # 4 Linear layers in each of 2 blocks
    # every learned number is in exactly one group (the tied output table too, once)
    everything = [id(parameter) for group in optimizer.param_groups for parameter in group["params"]]
    assert sorted(everything) == sorted(id(parameter) for parameter in model.parameters())


class ConstantGuess(torch.nn.Module):
    """A stand-in model whose guess never depends on the context: the loss of each prediction then
    depends only on its target, so the average tells whether every character was scored exactly once."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.scores = torch.linspace(-2.0, 2.0, vocab_size)

    def forward(self, idx, targets=None):
        return self.scores.expand(*idx.shape, -1), None


@pytest.mark.parametrize("length", [2, 3, 9, 16, 17, 40, 101])
def test_held_out_loss_scores_every_character_once(length):
    data = torch.randint(6, (length,), generator=torch.Generator().manual_seed(length))
    model = ConstantGuess(6)
    expected = float(-torch.log_softmax(model.scores, dim=0)[data[1:]].mean())
    got = scoring.average_loss(model, data, block_size=8, device=torch.device("cpu"), windows_per_batch=3)
    assert got == pytest.approx(expected, abs=1e-6)


def test_held_out_loss_gives_each_prediction_half_a_window_of_context():
    """With a real model: the score equals a brute-force loop over the same windows."""
    torch.manual_seed(0)
    model = MiniGPT(GPTConfig(vocab_size=7, block_size=8, n_layer=1, n_head=1, n_embd=8)).eval()
    data = torch.randint(7, (30,), generator=torch.Generator().manual_seed(1))
    total = 0.0
    torch.set_grad_enabled(False)
    for target in range(1, 30):
        start = 0 if target <= 8 else min(21, 4 * ((target - 8 + 3) // 4))  # stride 4, last window flush with the end
        logits, _ = model(data[start:target][None])
        total -= float(torch.log_softmax(logits[0, -1], dim=0)[data[target]])
    torch.set_grad_enabled(True)
    assert scoring.average_loss(model, data, 8, torch.device("cpu")) == pytest.approx(total / 29, abs=1e-5)


def test_every_setting_has_a_flag():
    parser = train.build_parser()
    args = parser.parse_args(["--preset", "tiny", "--n-layer", "3", "--grad-accum", "2", "--warmup-steps", "7",
                              "--weight-decay", "0", "--dropout", "0.2", "--final-learning-rate-share", "0.05"])
    config, training = config_from_preset(args.preset, 40, {name: getattr(args, name) for name in SETTING_NAMES})
    assert (config.n_layer, config.dropout, config.vocab_size, config.n_embd) == (3, 0.2, 40, train.PRESETS["tiny"]["n_embd"])
    assert (training.grad_accum, training.warmup_steps, training.weight_decay) == (2, 7, 0.0)
    assert training.final_learning_rate_share == 0.05
    flags = {option for action in parser._actions for option in action.option_strings}
    for name in [*GPTConfig.__dataclass_fields__, *train.TrainingSettings.__dataclass_fields__]:
        if name != "vocab_size":
            assert "--" + name.replace("_", "-") in flags
