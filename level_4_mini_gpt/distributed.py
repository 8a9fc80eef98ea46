"""Training with several processes at once: PyTorch's DistributedDataParallel (DDP), started by torchrun.

    torchrun --nproc_per_node 2 train.py --preset tiny      # two processes on this computer

What DDP does, in plain words. Every process holds a full copy of the model and of the optimizer. At each
step each process reads its OWN windows of text, computes the loss and, with backward, its own gradients.
Then DDP averages the gradients across the processes (an "all-reduce": every process sends its gradients
and gets back the average), so every copy holds the same gradients and takes the same AdamW step: the copies
never drift apart. Two processes with 16 windows each learn exactly what one process would from the 32
windows together (up to rounding), in about the time of 16 -- when each process has its own GPU (or its
own CPU cores).

When a learner would use it: on a lab's machine with several GPUs, or a cloud box rented for an afternoon
(`torchrun --nproc_per_node 8` on 8 GPUs). On a 2-core laptop it only shows the idea: the two processes
share the same two cores, so it is not faster. Bigger models go further along the same road: FSDP (in
PyTorch) and DeepSpeed's ZeRO also split the weights, the gradients and the optimizer's running averages
into shards, one per process, so a model too big for one GPU's memory can still be trained.

How train.py uses it:

- `start` reads what torchrun puts in the environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, ...) and
  joins the processes into one group: gloo on the CPU, NCCL on NVIDIA GPUs. Without torchrun there are no
  such variables, and `start` returns a team of one: everything runs exactly as before, nothing is wrapped.
- Only rank 0 (the first process) prints, evaluates, samples and saves; the others keep quiet. Every copy
  holds the same weights, so rank 0's held-out loss is everyone's (evaluation is not split up or averaged).
  The training loss shown is the average over the processes.
- The windows: every process draws the SAME random start points from the same seeded generator, for
  batch_size x processes windows, and keeps only its own slice (`my_share`). So the processes read
  different windows, a resumed run needs just one generator state, and a step of 2 processes equals a
  step of one process on both slices together (tests/level_4/test_distributed.py checks it). Windows are
  drawn at random anyway, so no DistributedSampler is needed to share out the text.
- --batch-size is per process: the step count and the learning-rate curve stay the same, and each step
  learns from batch_size x processes windows.
- Decisions must be the same everywhere, or one process waits for ever for the others: the number of
  steps fitted to --time-budget is rank 0's (`from_main`), and a Ctrl-C on any process stops all of them
  after the same step (`anyone`). torchrun passes a Ctrl-C on to every process.
- --resume loads the saved state on every process; the state also keeps each process's own random
  generators (dropout), so a resumed run ends with the very same weights as one never stopped.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from buildai import ui
from buildai.errors import UserError

BACKENDS = ("auto", "gloo", "nccl")
TORCHRUN = "torchrun --nproc_per_node 2 train.py"


@dataclass(frozen=True)
class Team:
    """The processes training together, seen from one of them. Alone (no torchrun): rank 0 of 1."""

    rank: int = 0  # this process's number, 0 ... world_size - 1
    world_size: int = 1  # how many processes train together
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    launched: bool = False  # started by torchrun, in a process group

    @property
    def is_main(self) -> bool:
        """Rank 0 speaks for the team: it prints, evaluates and saves."""
        return self.rank == 0


def launched_by_torchrun() -> bool:
    """torchrun (python -m torch.distributed.run) tells each process its place in these variables."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=BACKENDS, default="auto",
                        help="with torchrun: how the processes talk (default: nccl on NVIDIA GPUs, gloo on the CPU)")


def start(device: torch.device, backend: str = "auto") -> Team:
    """Join torchrun's process group, or return a team of one when started without torchrun.

    >>> start(torch.device("cpu"))   # python train.py: no torchrun, so nothing changes
    Team(rank=0, world_size=1, device=device(type='cpu'), launched=False)
    """
    if not launched_by_torchrun():
        if backend != "auto":
            raise UserError(f"--backend {backend} is for training with several processes. Start them with "
                            f"torchrun, e.g.: {TORCHRUN} --backend {backend}")
        return Team(device=device)
    try:
        rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
    except ValueError:
        raise UserError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers; let torchrun set them.") from None
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl" and not torch.cuda.is_available():
        raise UserError("--backend nccl needs NVIDIA GPUs, and PyTorch sees none here. "
                        "Leave out --backend to train on the CPU with gloo.")
    if backend == "nccl" and device.type != "cuda":
        raise UserError(f"--backend nccl works only with the GPU, not with --device {device.type}. "
                        f"Leave out --device, or use --backend gloo.")
    if device.type == "mps":
        raise UserError("Training with several processes does not work on an Apple GPU. Add --device cpu.")
    if device.type == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise UserError(f"torchrun started more processes on this computer than it has GPUs "
                            f"({torch.cuda.device_count()}). Use --nproc_per_node {torch.cuda.device_count()}.")
        torch.cuda.set_device(local_rank)  # one GPU per process
        device = torch.device("cuda", local_rank)
    if not dist.is_available() or (backend == "nccl" and not dist.is_nccl_available()):
        raise UserError(f"This PyTorch was built without {backend}, so it cannot train with several processes.")
    dist.init_process_group(backend, rank=rank, world_size=world_size)  # MASTER_ADDR/MASTER_PORT: from torchrun
    if rank != 0:  # one voice for the team: the others print nothing (problems still go to stderr)
        ui.configure(quiet=True)
        ui.console.quiet = True
    return Team(rank=rank, world_size=world_size, device=device, launched=True)


def launcher(team: Team) -> str:
    """How train.py was started, to say how to start it again.

    >>> launcher(Team()), launcher(Team(world_size=2, launched=True))
    ('python', 'torchrun --nproc_per_node 2')
    """
    return f"torchrun --nproc_per_node {team.world_size}" if team.launched else "python"


def wait_for_all(team: Team) -> None:
    """Every process waits here until all have arrived (rank 0 is last: it saves and reports). Leaving the
    process group while another process is still busy in it can abort that process at exit."""
    if team.launched and dist.is_initialized():
        dist.barrier()


def finish(team: Team) -> None:
    """Leave the process group (every process, at the end of the run)."""
    if team.launched and dist.is_initialized():
        dist.destroy_process_group()


def wrap_model(model: torch.nn.Module, team: Team, seed: int) -> torch.nn.Module:
    """The model the training steps call: DDP around it with torchrun, the model itself when alone.

    DDP copies rank 0's starting weights to every process, then averages the gradients during each
    backward. Afterwards each process seeds its own random numbers (dropout) with seed + rank, so the
    processes do not drop out the same numbers.
    """
    if not team.launched:
        return model
    wrapped = DistributedDataParallel(model, device_ids=[team.device.index] if team.device.type == "cuda" else None)
    torch.manual_seed(seed + team.rank)
    return wrapped


def my_share(batch: torch.Tensor, team: Team) -> torch.Tensor:
    """This process's slice of a batch drawn by all: rank r keeps rows r*n ... r*n + n-1, n = rows / world_size.

    >>> my_share(torch.arange(6), Team(rank=1, world_size=2)).tolist()
    [3, 4, 5]
    """
    rows = len(batch) // team.world_size
    return batch if team.world_size == 1 else batch[team.rank * rows : (team.rank + 1) * rows]


def anyone(flag: bool, team: Team) -> bool:
    """True on every process if it is True on any one of them (e.g. "Ctrl-C was pressed")."""
    if not team.launched:
        return flag
    value = torch.tensor(int(flag), device=team.device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value)


def average(value: torch.Tensor, team: Team) -> float:
    """The mean of a number over all processes (e.g. the training loss each one measured on its own windows)."""
    if not team.launched:
        return float(value)
    total = value.detach().clone().to(team.device, torch.float32)
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return float(total) / team.world_size


def from_main(values: list[int], team: Team) -> list[int]:
    """Rank 0's numbers, on every process (e.g. how many steps fit into --time-budget)."""
    if not team.launched:
        return values
    shared = torch.tensor(values, dtype=torch.long, device=team.device)
    dist.broadcast(shared, src=0)
    return shared.tolist()


def gather_randomness(team: Team) -> dict[str, Any]:
    """What --resume needs beyond rank 0's state: how many processes, and each one's own random generators.

    Every process must call it (they swap their generators' states); {} when alone, so a run without
    torchrun saves exactly what it always did. The windows' generator is the same on every process, so
    rank 0's, saved as always, is enough.
    """
    if not team.launched:
        return {}
    own = {"torch_rng": torch.get_rng_state(),
           "cuda_rng": torch.cuda.get_rng_state(team.device) if team.device.type == "cuda" else None}
    everyone: list[Any] = [None] * team.world_size
    dist.all_gather_object(everyone, own)
    return {"world_size": team.world_size, "rank_rng": everyone}


def check_same_team(state: dict[str, Any], team: Team) -> None:
    """A saved run continues with as many processes as it was trained with (its windows are split that way)."""
    saved = int(state.get("world_size", 1))
    if saved != team.world_size:
        how = launcher(Team(world_size=saved, launched=saved > 1))
        raise UserError(f"This run was trained with {saved} process{'es' if saved > 1 else ''}, and this is "
                        f"{team.world_size}. Continue it the same way: {how} train.py --resume")


def restore_randomness(state: dict[str, Any], team: Team) -> None:
    """Put back this process's own random generators, as `gather_randomness` saved them (if it did)."""
    if not team.launched or "rank_rng" not in state:
        return
    own = state["rank_rng"][team.rank]
    torch.set_rng_state(own["torch_rng"])
    if team.device.type == "cuda" and own["cuda_rng"] is not None:
        torch.cuda.set_rng_state(own["cuda_rng"], team.device)
