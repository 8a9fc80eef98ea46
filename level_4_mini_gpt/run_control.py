"""The machinery around a training run: where it computes, how long it runs, and how it stops and resumes.

None of this is about *learning*; train.py keeps that. Here are the parts every real training script
needs anyway, each taking plain values (a device, a model, a dict of saved state):

- `StopRequest`: Ctrl-C finishes the current step instead of killing it half-way;
- `choose_device`, `autocast_for`, `compile_model`: a GPU when there is one, bfloat16 on NVIDIA GPUs,
  and torch.compile with a clear message when it cannot work;
- `seconds_per_step`, `steps_for_budget`: fitting a run into --time-budget seconds;
- `save_training_state`, `load_training_state`, `restore_training_state`: everything --resume needs to
  carry on exactly where a run stopped, as if it had never stopped.
"""

from __future__ import annotations

import copy
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import torch

from buildai import script, ui
from buildai.errors import UserError
from buildai.paths import show_path
from buildai.safe_io import load_torch_state, save_torch_state

STATE_FILE = "training_state.pt"  # everything --resume needs, next to the best model
STATE_VERSION = 2  # 2: the text is recorded as corpus_path and corpus_sha256
STATE_KEYS = {"version", "step", "model", "optimizer", "torch_rng", "cuda_rng", "batch_rng", "config", "training",
              "history", "train_seconds", "ngram", "preset", "seed", "corpus_path", "corpus_sha256"}
NEW_RUN = "Start a new run with: python train.py --preset tiny"


class StopRequest:
    """Ctrl-C while training: finish the current step, save everything, and stop cleanly.

    Stopping in the middle of a step could leave the weights half-updated, so the first Ctrl-C only
    raises a flag that the loop checks after each step. A second Ctrl-C stops at once.
    """

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signal_number: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    @contextmanager
    def listening(self) -> Iterator["StopRequest"]:
        try:
            previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: plain Ctrl-C behaviour
            yield self
            return
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)


# ------------------------------------------------------------------------------ where to compute


def choose_device(wanted: str) -> torch.device:
    """A GPU if there is one (NVIDIA CUDA, then Apple MPS), else the CPU.

    >>> choose_device("cpu")
    device(type='cpu')
    """
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise UserError("--device cuda was asked for, but PyTorch sees no NVIDIA GPU. Leave out --device to use the CPU.")
        torch.backends.cuda.matmul.allow_tf32 = True  # TensorFloat-32: much faster float32 matrix maths on GPUs
        return torch.device("cuda")
    mps_ready = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if wanted == "mps" or (wanted == "auto" and mps_ready):
        if not mps_ready:
            raise UserError("--device mps was asked for, but this computer has no Apple GPU. Leave out --device to use the CPU.")
        return torch.device("mps")
    return torch.device("cpu")


def autocast_for(device: torch.device) -> Any:
    """bfloat16 on an NVIDIA GPU: half the memory traffic, same range as float32; float32 elsewhere."""
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return nullcontext()


def synchronise(device: torch.device) -> None:
    """Wait for the GPU to finish its queued work, so a stopwatch measures the work and not the queueing."""
    if device.type == "cuda":
        torch.cuda.synchronize()


def compile_model(model: torch.nn.Module, batch_size: int, block_size: int, device: torch.device) -> torch.nn.Module:
    """torch.compile turns the model into fused machine code on its first call. Make that first call
    now, on one batch of zeros, so a computer without a C++ compiler gets a clear message at once."""
    compiled = torch.compile(model)
    zeros = torch.zeros(batch_size, block_size, dtype=torch.long, device=device)
    try:
        with torch.random.fork_rng(devices=[]), autocast_for(device):
            compiled(zeros, zeros)[1].backward()
    except Exception as problem:  # torch raises many kinds of errors when compiling fails
        raise UserError(f"--compile did not work on this computer ({type(problem).__name__}). "
                        f"It needs a C++ compiler; run again without --compile.") from None
    model.zero_grad(set_to_none=True)
    return compiled


# ------------------------------------------------------------------------------ the time budget


def seconds_per_step(one_step: Callable[[torch.Generator], Any], model: torch.nn.Module,
                     optimizer: torch.optim.Optimizer, device: torch.device, probe_steps: int = 3) -> float:
    """Time a few calls of `one_step`, then put the weights, the optimizer and the random numbers back.

    `one_step(generator)` is one training step drawing its windows from `generator`: a throw-away one
    here, so the real run's windows stay unseen and its random numbers untouched.
    """
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    cuda_devices = [torch.cuda.current_device()] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices):
        generator = torch.Generator().manual_seed(0)
        one_step(generator)  # pays one-off start-up costs
        synchronise(device)
        started = time.perf_counter()
        for _ in range(probe_steps):
            one_step(generator)
        synchronise(device)
        seconds = (time.perf_counter() - started) / probe_steps
    model.load_state_dict(saved_model)
    optimizer.load_state_dict(saved_optimizer)
    return seconds


def steps_for_budget(budget: float, spent: float, step_seconds: float, eval_seconds: float, sample_seconds: float,
                     eval_interval: int, sample_interval: int) -> int:
    """How many steps fit in what is left of the time budget, counting evaluations and samples too.

    >>> steps_for_budget(100, spent=10, step_seconds=0.1, eval_seconds=1, sample_seconds=0.5,
    ...                  eval_interval=100, sample_interval=500)
    711
    """
    cost_per_step = step_seconds + eval_seconds / eval_interval + sample_seconds / sample_interval
    # Keep 10% in hand (timings wobble) and the time of the last evaluation and the report.
    available = 0.9 * (budget - spent) - eval_seconds - 1.0
    return max(1, int(available / cost_per_step))


# ------------------------------------------------------------------------------ resuming


def fit_to_budget(training: Any, budget: float, spent: float, eval_seconds: float, sample_seconds: float,
                  step_seconds: float) -> None:
    """Set training.max_steps (and a warm-up that fits) so the run ends within `budget` seconds, and say so."""
    training.max_steps = steps_for_budget(budget, spent, step_seconds, eval_seconds, sample_seconds,
                                          training.eval_interval, training.sample_interval)
    training.warmup_steps = min(training.warmup_steps, max(1, training.max_steps // 10))
    ui.say(f"One step takes {step_seconds * 1000:.0f} ms here; with evaluations that fits "
           f"[number]{training.max_steps}[/number] steps in the {budget:.0f} s budget.")


def add_run_flags(parser: Any) -> None:
    """train.py's flags for how a run is run (not what is learned): time budget, resuming, device, compiling."""
    parser.add_argument("--time-budget", type=script.positive_float, metavar="SECONDS",
                        help="time a few steps, then choose the number of steps so the whole run fits in SECONDS")
    parser.add_argument("--resume", action="store_true", help="continue the last run from where it stopped, with its settings")
    parser.add_argument("--stop-after", type=script.positive_int, metavar="STEPS",
                        help="stop after this many steps as if you pressed Ctrl-C (to try --resume)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                        help="where to train (default: a GPU if there is one)")
    parser.add_argument("--compile", action="store_true", help="compile the model with torch.compile (slow start, faster steps)")


def save_training_state(folder: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                        batch_generator: torch.Generator, device: torch.device, **record: Any) -> None:
    """Write folder/training_state.pt: the weights, the optimizer's running averages, every random
    generator (dropout draws from PyTorch's, the windows from `batch_generator`) and `record` (step,
    settings, history ...). Written atomically: Ctrl-C leaves the old file or the new one, never half."""
    save_torch_state(Path(folder) / STATE_FILE, {
        "version": STATE_VERSION, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "torch_rng": torch.get_rng_state(), "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
        "batch_rng": batch_generator.get_state(), **record,
    })


def restore_training_state(state: dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                           batch_generator: torch.Generator, device: torch.device) -> None:
    """Put the weights, the optimizer and every random generator back as `save_training_state` found them."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["torch_rng"])
    if device.type == "cuda" and state["cuda_rng"]:
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    batch_generator.set_state(state["batch_rng"])


def load_training_state(folder: Path) -> dict[str, Any]:
    """The saved state of the last run in `folder`, or a UserError saying why it cannot be continued."""
    path = Path(folder) / STATE_FILE
    if not path.is_file():
        raise UserError(f"There is no training run to continue: '{show_path(path)}' was not found. {NEW_RUN}")
    damaged = UserError(
        f"The saved training state '{show_path(path)}' is damaged, incomplete or from another version, so the "
        f"run cannot be continued. Delete it and start again without --resume. {NEW_RUN}"
    )
    try:
        state = load_torch_state(path, what="saved training state", how_to_make=NEW_RUN)
    except Exception:  # a damaged file can make the (safe, weights-only) unpickler fail in many ways
        raise damaged from None
    if not isinstance(state, dict) or not STATE_KEYS <= state.keys() or state["version"] != STATE_VERSION:
        raise damaged
    return state


def check_same_text(state: dict[str, Any], corpus_sha256: str) -> None:
    """A run can only continue on the very text it started on: the fingerprints must match."""
    if state["corpus_sha256"] != corpus_sha256:
        raise UserError("The training text has changed since this run was saved, so it cannot be continued. "
                        "Start a new run without --resume.")
