"""Level 4 with several processes: DDP's step equals one process's step on both batches, and torchrun runs train.py.

Everything talks over 127.0.0.1 only, with gloo on the CPU.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.multiprocessing as multiprocessing

from buildai.data import Corpus, load_corpus
from buildai.errors import UserError
from buildai.safe_io import load_torch_state
from level_4_mini_gpt import distributed, run_control, train
from level_4_mini_gpt.model import GPTConfig
from level_4_mini_gpt.presets import TrainingSettings
from tests.conftest import assert_ok
from tests.level_4.conftest import LEVEL_FOLDER, run_level4_script
from tests.conftest import LOCAL_ONLY

pytestmark = LOCAL_ONLY  # the processes meet on 127.0.0.1

WINDOWS_PER_RANK = 4  # B0 and B1 are the same size, so the mean of the two halves' losses is the whole batch's
SEED = 7


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tiny_trainer(batch_size: int, team: distributed.Team | None = None) -> train.Trainer:
    """A small seeded model (dropout 0) on a slice of the stories; the same starting weights every time."""
    corpus = Corpus(load_corpus().text[:20_000], Path("slice.txt"), is_course_stories=False)
    config = GPTConfig(vocab_size=corpus.tokenizer.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=16,
                       dropout=0.0)
    # AdamW's first step hardly depends on the gradients' size (it divides by their running size), so the test
    # compares the gradients too; and clipping would hide their size, so it is set too high to act.
    training = TrainingSettings(batch_size=batch_size, max_steps=10, learning_rate=1e-3, warmup_steps=0,
                                grad_clip=1e6)
    torch.manual_seed(SEED)
    return train.Trainer(config, training, corpus, torch.device("cpu"), {"seed": SEED}, team=team)


def one_step(trainer: train.Trainer) -> dict[str, Any]:
    """One optimizer step of train.py's own train_step: the windows read, the gradients used, the weights after."""
    seen: dict[str, Any] = {}
    model, optimizer = trainer.model, trainer.optimizer
    reading = model.register_forward_pre_hook(lambda module, given: seen.update(windows=given[0], targets=given[1]))
    stepping = optimizer.register_step_pre_hook(lambda *_: seen.update(
        gradients={name: value.grad.clone() for name, value in model.named_parameters()}))
    trainer.train_step(trainer.batch_generator)
    reading.remove()
    stepping.remove()
    return {**seen, "weights": {name: value.detach().clone() for name, value in model.state_dict().items()}}


def step_on_each_rank(rank: int, port: int, folder: str) -> None:
    """One of two processes (as torchrun would start them): one DDP step, and the helpers' answers."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE="2")
    torch.set_num_threads(1)
    team = distributed.start(torch.device("cpu"))
    try:
        stepped = one_step(tiny_trainer(WINDOWS_PER_RANK, team))
        helpers = {"from_main": distributed.from_main([rank + 10], team),
                   "anyone": distributed.anyone(rank == 1, team),
                   "average": distributed.average(torch.tensor(float(rank)), team)}
        torch.save({**stepped, "helpers": helpers}, Path(folder) / f"rank{rank}.pt")
        distributed.wait_for_all(team)  # as train.py does: leave the process group together
    finally:
        distributed.finish(team)


def run_two_processes(folder: Path, timeout: float = 120) -> list[dict]:
    context = multiprocessing.start_processes(step_on_each_rank, args=(free_port(), str(folder)), nprocs=2,
                                              join=False, start_method="spawn")
    deadline = time.monotonic() + timeout
    while not context.join(timeout=1):  # raises if a process failed
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail("the two processes did not finish in time")
    return [torch.load(folder / f"rank{rank}.pt", weights_only=True) for rank in (0, 1)]


def largest_difference(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> float:
    assert first.keys() == second.keys()
    return max(float((first[name] - second[name]).abs().max()) for name in first)


def test_a_ddp_step_equals_one_process_stepping_on_both_batches(tmp_path, monkeypatch):
    ranks = run_two_processes(tmp_path)
    b0, b1 = ranks[0]["windows"], ranks[1]["windows"]
    assert b0.shape == b1.shape == (WINDOWS_PER_RANK, 16) and not torch.equal(b0, b1)  # each its own windows
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start = tiny_trainer(2 * WINDOWS_PER_RANK).model.state_dict()
        together = one_step(tiny_trainer(2 * WINDOWS_PER_RANK))  # one process, one batch of 8 windows
        monkeypatch.setattr(train, "get_batch", lambda *_: (b0, ranks[0]["targets"]))
        alone = one_step(tiny_trainer(WINDOWS_PER_RANK))  # what rank 0 would do without DDP's averaging
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(together["windows"], torch.cat([b0, b1]))  # the single process read [B0; B1]
    assert largest_difference(ranks[0]["weights"], ranks[1]["weights"]) == 0  # the copies stay identical
    for what in ("gradients", "weights"):
        error = largest_difference(ranks[0][what], together[what])
        assert error < 1e-6, (what, error)
        assert largest_difference(alone[what], together[what]) > 1e-5  # a step on B0 alone is told apart
    assert largest_difference(start, together["weights"]) > 1e-4  # the step did move the weights
    for rank in ranks:
        assert rank["helpers"] == {"from_main": [10], "anyone": True, "average": 0.5}


def test_alone_nothing_is_shared(monkeypatch):
    for name in ("RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    team = distributed.start(torch.device("cpu"))
    assert (team.rank, team.world_size, team.is_main, team.launched) == (0, 1, True, False)
    model = torch.nn.Linear(2, 2)
    assert distributed.wrap_model(model, team, seed=0) is model
    batch = torch.arange(6)
    assert distributed.my_share(batch, team) is batch
    assert distributed.gather_randomness(team) == {}
    with pytest.raises(UserError, match="torchrun"):
        distributed.start(torch.device("cpu"), backend="gloo")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message for a computer without NVIDIA GPUs")
def test_nccl_without_a_gpu_is_a_clear_message(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(UserError, match="nccl needs NVIDIA GPUs"):
        distributed.start(torch.device("cpu"), backend="nccl")


# ------------------------------------------------------------------------------ torchrun train.py


SMALL = ["--preset", "tiny", "--max-steps", "10", "--n-layer", "1", "--n-head", "2", "--n-embd", "32",
         "--block-size", "32", "--batch-size", "8", "--eval-interval", "5", "--dropout", "0.1", "--threads", "1"]


def torchrun(*args: str, root: Path) -> subprocess.CompletedProcess[str]:
    """`torchrun --nproc_per_node 2 train.py ARGS`, in level_4_mini_gpt/, as a learner would (on 127.0.0.1)."""
    env = {**os.environ, "NO_COLOR": "1", "BUILDAI_OUTPUT_DIR": str(root), "PYTHONIOENCODING": "utf-8",
           "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1",
               "--master-port", str(free_port()), "train.py", *args]
    return subprocess.run(command, cwd=LEVEL_FOLDER, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=180)


def test_torchrun_trains_saves_once_and_resumes_exactly(tmp_path):
    stopped, whole = tmp_path / "stopped", tmp_path / "whole"
    first = torchrun(*SMALL, "--stop-after", "5", root=stopped)
    assert_ok(first)
    for line in ("Score to beat", "Training:  50% (5/10", "step     5  held-out loss", "Report card",
                 "Continue with: torchrun --nproc_per_node 2 train.py --resume"):
        assert first.stdout.count(line) == 1, (line, first.stdout)  # rank 0 alone speaks
    level = stopped / "level_4_mini_gpt"
    assert sorted(path.relative_to(level).as_posix() for path in level.rglob("*") if path.is_file()) == [
        "checkpoint/model.json", "checkpoint/model.safetensors", "checkpoint/training_state.pt", "history.json",
        "training_loss.png"]  # one checkpoint, written by rank 0
    state = load_torch_state(level / "checkpoint" / run_control.STATE_FILE)
    assert state["step"] == 5 and state["world_size"] == 2 and len(state["rank_rng"]) == 2

    alone = run_level4_script("train.py", "--resume", output_root=stopped)
    assert alone.returncode == 2 and "trained with 2 processes" in alone.stderr

    resumed = torchrun("--resume", "--threads", "1", root=stopped)
    assert_ok(resumed)
    assert resumed.stdout.count("Continuing from step 5 of 10.") == 1
    assert resumed.stdout.count("Training: 100% (5/5") == 1
    history = json.loads((level / "history.json").read_text(encoding="utf-8"))
    assert history["finished"] and [entry["step"] for entry in history["evaluations"]] == [0, 5, 10]

    assert_ok(torchrun(*SMALL, root=whole))  # the same run without stopping: the very same weights
    ended = load_torch_state(level / "checkpoint" / run_control.STATE_FILE)
    straight = load_torch_state(whole / "level_4_mini_gpt" / "checkpoint" / run_control.STATE_FILE)
    assert ended["step"] == straight["step"] == 10
    assert all(torch.equal(ended["model"][name], straight["model"][name]) for name in straight["model"])
