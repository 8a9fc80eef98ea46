"""Step 4.1 - Train your own GPT on our stories.

The model (model.py) starts knowing nothing: its first guesses are as good as picking a character at
random. Training shows it a few thousand windows of the stories and, after each batch, nudges every one of
its numbers a little in the direction that would have made the real next characters more likely.

What this script does, in order:

  1. Reads the text and splits it: the first 90% to learn from, the last 10% held out (never trained on),
     so the score tells us how well the model predicts text it has not seen.
  2. Works out the score to beat: the best Level 1 n-gram (counting letter groups) on the same split.
  3. Trains: random windows of text -> loss -> gradients -> AdamW update, with a learning rate that warms
     up and then slowly cools down (a cosine curve). Every few steps it measures the held-out loss and
     writes a sample, so you can watch the gibberish turn into words.
  4. Saves the best model (lowest held-out loss) to outputs/checkpoint/, a history of the scores, a plot,
     and prints a report card.

    python train.py --preset tiny                 # under a minute, a first taste
    python train.py                               # the default preset, a few minutes
    python train.py --time-budget 120             # fit the training into two minutes on your laptop
    python train.py --data my_poems.txt           # learn from your own text (any language)
    python train.py --n-layer 6 --n-embd 192      # change any setting; see --help
    python train.py --resume                      # continue a run you stopped with Ctrl-C

Ctrl-C stops training cleanly after the current step: the best model is kept and --resume continues
exactly where you stopped (the same numbers as a run that never stopped).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import math
import os
import signal
import time
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterator

import torch
from torch.nn import functional as F

from buildai import script, ui
from buildai.data import load_corpus, train_val_split
from buildai.errors import UserError
from buildai.paths import output_dir, show_path
from buildai.plotting import new_figure, save_figure
from buildai.safe_io import load_torch_state, save_torch_state, write_json
from buildai.tokenizer import CharTokenizer
from level_1_prediction.step3_ngram import best_ngram_baseline
from level_3_transformer.step4_put_it_together import count_parameters_by_part, get_batch
from level_4_mini_gpt.checkpoint import default_checkpoint_dir, save_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings, stream_text

STATE_FILE = "training_state.pt"  # everything --resume needs, next to the best model
STATE_VERSION = 1
GENERATE_COMMAND = 'python generate.py --prompt "Once upon a time"'


@dataclass
class TrainingSettings:
    batch_size: int = 32  # windows of text per micro-batch
    max_steps: int = 1000  # optimizer updates in the whole run
    learning_rate: float = 1e-3  # the peak step size, reached after the warm-up
    final_learning_rate_share: float = 0.1  # the cosine ends at this share of the peak
    warmup_steps: int = 50  # steps to grow the learning rate from 0 to its peak
    weight_decay: float = 0.1  # AdamW's gentle pull of the weights towards 0 (fights memorising)
    grad_clip: float = 1.0  # largest allowed gradient size (norm); bigger ones are scaled down
    grad_accum: int = 1  # micro-batches added up before each update: a bigger batch in the same memory
    eval_interval: int = 100  # measure the held-out loss (and keep the best model) every N steps
    sample_interval: int = 500  # print a short sample every N steps
    sample_length: int = 200  # characters per sample


# Presets. Sizes were chosen by measuring held-out loss against time on a 2-core laptop CPU
# (see the notes next to each one); every value can still be changed with its own flag.
PRESETS: dict[str, dict[str, Any]] = {
    # Under a minute with evaluation, used by `buildai tour` and the tests; beats the n-gram already.
    "tiny": dict(
        n_layer=2, n_head=3, n_embd=96, block_size=64, dropout=0.0,
        batch_size=16, max_steps=1200, learning_rate=8e-3, warmup_steps=50, weight_decay=0.1,
        eval_interval=300, sample_interval=600, sample_length=120,
    ),
    # Under five minutes on 2 CPU cores: the best held-out loss we found that fits that time. Measured with
    # one thread (time.process_time, on a shared machine) for about 240 s of training each:
    #   2 blocks x  96, context  64, batch 16, 6500 steps: 1.80 nats at the end (best 1.70 halfway: it overfits)
    #   2 blocks x 128, context 128, batch 16, 1900 steps: 1.651 nats
    #   3 blocks x 128, context 128, batch 16, 1300 steps: 1.658 nats (with dropout 0.1: 1.697; lr 6e-3: 1.666)
    #   3 blocks x 128, context 128, batch  8, 2400 steps: 1.651 nats
    #   4 blocks x 128, context 128, batch 16, 1050 steps: 1.701 nats
    # In five minutes the model is still learning, not yet memorising, so dropout only slows it down.
    "default": dict(
        n_layer=3, n_head=4, n_embd=128, block_size=128, dropout=0.0,
        batch_size=16, max_steps=1150, learning_rate=4e-3, warmup_steps=50, weight_decay=0.1,
        eval_interval=250, sample_interval=575, sample_length=200,
    ),
    # For a learner with an NVIDIA GPU (or Apple MPS): a bigger model; dropout matters more, because
    # a model this size can memorise our small corpus.
    "gpu": dict(
        n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2,
        batch_size=64, max_steps=3000, learning_rate=1e-3, warmup_steps=100, weight_decay=0.1,
        eval_interval=250, sample_interval=1000, sample_length=300,
    ),
}

SETTING_HELP = {
    "block_size": "context length in characters",
    "n_layer": "number of transformer blocks",
    "n_head": "attention heads per block (must divide n-embd)",
    "n_embd": "numbers per position (embedding size)",
    "dropout": "share of numbers zeroed at random while training, e.g. 0.1",
    "bias": "biases in the Linear layers and LayerNorms",
    "batch_size": "windows of text per micro-batch",
    "max_steps": "optimizer updates in the whole run",
    "learning_rate": "peak learning rate, e.g. 1e-3",
    "final_learning_rate_share": "the cosine ends at this share of the peak learning rate",
    "warmup_steps": "steps to grow the learning rate from 0 to its peak",
    "weight_decay": "AdamW weight decay for the weight matrices",
    "grad_clip": "largest allowed gradient norm",
    "grad_accum": "micro-batches added up before each update",
    "eval_interval": "measure the held-out loss every N steps",
    "sample_interval": "print a sample every N steps",
    "sample_length": "characters per sample",
}


# ----------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Train a GPT-2-style character model on the stories (or your own text).")
    parser.add_argument("--data", dest="text", type=Path, metavar="FILE", help="same as --text: train on your own UTF-8 text")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default",
                        help="a ready-made size: tiny (< 1 min), default (< 5 min on 2 CPU cores), gpu (bigger)")
    parser.add_argument("--time-budget", type=float, metavar="SECONDS",
                        help="time a few steps, then choose the number of steps so the whole run fits in SECONDS")
    parser.add_argument("--resume", action="store_true", help="continue the last run from where it stopped, with its settings")
    parser.add_argument("--stop-after", type=int, metavar="STEPS",
                        help="stop after this many steps as if you pressed Ctrl-C (to try --resume)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto",
                        help="where to train (default: a GPU if there is one)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="CPU threads (default: try 1 and all cores for a few steps, keep the faster)")
    parser.add_argument("--compile", action="store_true", help="compile the model with torch.compile (slow start, faster steps)")
    settings = parser.add_argument_group("model and training settings (override the preset)")
    for owner in (GPTConfig, TrainingSettings):
        for field in fields(owner):
            if field.name == "vocab_size":
                continue  # comes from the text
            flag = "--" + field.name.replace("_", "-")
            if field.type == "bool":
                settings.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                                      help=SETTING_HELP[field.name])
            else:
                kind = int if field.type == "int" else float
                settings.add_argument(flag, type=kind, default=None, metavar=field.type.upper(),
                                      help=SETTING_HELP[field.name])
    return parser


def settings_from_args(args: argparse.Namespace, vocab_size: int) -> tuple[GPTConfig, TrainingSettings]:
    """The preset's values, with every flag the learner gave on top."""
    chosen = dict(PRESETS[args.preset])
    for name in [field.name for field in fields(GPTConfig)] + [field.name for field in fields(TrainingSettings)]:
        value = getattr(args, name, None)
        if value is not None:
            chosen[name] = value
    model_names = {field.name for field in fields(GPTConfig)}
    config = GPTConfig(vocab_size=vocab_size, **{k: v for k, v in chosen.items() if k in model_names})
    training = TrainingSettings(**{k: v for k, v in chosen.items() if k not in model_names})
    check_training_settings(training)
    return config, training


def check_training_settings(training: TrainingSettings) -> None:
    for name in ("batch_size", "max_steps", "grad_accum", "eval_interval", "sample_interval"):
        if getattr(training, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} must be at least 1 (you gave {getattr(training, name)}).")
    if training.learning_rate <= 0:
        raise UserError(f"--learning-rate must be above 0 (you gave {training.learning_rate}). Try 1e-3.")


# ------------------------------------------------------------------------------ the pieces


def choose_device(wanted: str) -> torch.device:
    """A GPU if there is one (NVIDIA CUDA, then Apple MPS), else the CPU."""
    if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise UserError("--device cuda was asked for, but PyTorch sees no NVIDIA GPU. Leave out --device to use the CPU.")
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


def learning_rate_at(step: int, training: TrainingSettings) -> float:
    """Linear warm-up to the peak, then a cosine curve down to final_learning_rate_share of it.

    Why warm up: at the start the gradients are large and point in random-ish directions; small steps
    first keep AdamW's running averages from being thrown off. Why cool down: near the end, small steps
    let the model settle into a good spot instead of bouncing around it.

    >>> settings = TrainingSettings(max_steps=100, learning_rate=1.0, warmup_steps=10)
    >>> [round(learning_rate_at(step, settings), 3) for step in (0, 9, 10, 55, 100)]
    [0.1, 1.0, 1.0, 0.55, 0.1]
    """
    peak = training.learning_rate
    lowest = peak * training.final_learning_rate_share
    if step < training.warmup_steps:
        return peak * (step + 1) / training.warmup_steps
    decay_steps = max(1, training.max_steps - training.warmup_steps)
    progress = min(1.0, (step - training.warmup_steps) / decay_steps)
    return lowest + 0.5 * (1.0 + math.cos(math.pi * progress)) * (peak - lowest)


def make_optimizer(model: MiniGPT, training: TrainingSettings, device: torch.device) -> torch.optim.AdamW:
    """AdamW with two groups: weight decay only for the weight matrices of the Linear layers.

    Weight decay pulls weights towards 0 a little at every step, so the model prefers simple solutions.
    It makes sense for the big matrices that mix numbers together. Biases and LayerNorm scales only shift
    and stretch, and the embedding tables are looked up row by row; pulling those towards 0 only hurts
    (this is minGPT's choice; nanoGPT also decays the embeddings).
    """
    decayed, not_decayed = [], []
    for module in model.modules():
        for name, parameter in module.named_parameters(recurse=False):
            is_matrix = isinstance(module, torch.nn.Linear) and name == "weight"
            if is_matrix and parameter is not model.token_embedding.weight:  # the tied output table is an embedding
                decayed.append(parameter)
            elif not any(parameter is seen for seen in not_decayed):
                not_decayed.append(parameter)
    groups = [
        {"params": decayed, "weight_decay": training.weight_decay},
        {"params": not_decayed, "weight_decay": 0.0},
    ]
    # fused=True does the whole update in one pass over memory instead of several (CPU and CUDA).
    fused = device.type in ("cpu", "cuda")
    return torch.optim.AdamW(groups, lr=training.learning_rate, betas=(0.9, 0.99), fused=fused)


@torch.no_grad()
def average_loss(model: MiniGPT, data: torch.Tensor, block_size: int, device: torch.device,
                 max_windows: int | None = None, windows_per_batch: int = 64) -> float:
    """Mean cross-entropy (in nats) of predicting each character of `data` from the ones before it.

    Windows of block_size characters slide along the text by half a window. The first window scores
    all its predictions; every later one scores only its second half, so each character is predicted
    once, with at least half a window of earlier characters to look at -- a fair comparison with an
    n-gram, which always sees its full (short) context. With `max_windows`, only that many windows,
    spread evenly over the text, are scored (a quick estimate, used for the training text).

    >>> config = GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=8)
    >>> loss = average_loss(MiniGPT(config), torch.tensor([0, 1, 2, 3, 4, 0, 1, 2]), 4, torch.device("cpu"))
    >>> abs(loss - math.log(5)) < 0.1   # an untrained model: about ln(vocabulary size)
    True
    """
    predictions = len(data) - 1  # the first character has nothing before it
    length = min(block_size, predictions)
    stride = max(1, length // 2)
    starts = list(range(0, predictions - length + 1, stride))
    if starts[-1] != predictions - length:
        starts.append(predictions - length)  # one last window, flush with the end of the text
    # Window i predicts characters starts[i] + 1 ... starts[i] + length; score those the window before did not.
    first_scored = [0] + [previous + length - start for previous, start in zip(starts, starts[1:])]
    if max_windows is not None and len(starts) > max_windows:
        chosen = torch.linspace(0, len(starts) - 1, max_windows).long().tolist()
        starts = [starts[index] for index in chosen]
        first_scored = [0 if start == 0 else length - stride for start in starts]
    was_training = model.training
    model.eval()
    total, count = torch.zeros((), device=device), 0
    with autocast_for(device):
        for first in range(0, len(starts), windows_per_batch):
            batch_starts = starts[first : first + windows_per_batch]
            inputs = torch.stack([data[start : start + length] for start in batch_starts]).to(device)
            targets = torch.stack([data[start + 1 : start + length + 1] for start in batch_starts]).to(device)
            logits, _ = model(inputs)
            losses = F.cross_entropy(logits.float().transpose(1, 2), targets, reduction="none")  # (windows, length)
            scored = torch.arange(length, device=device)[None, :] >= torch.tensor(
                first_scored[first : first + windows_per_batch], device=device)[:, None]
            total += losses[scored].sum()
            count += int(scored.sum())
    model.train(was_training)
    return float(total) / count


def bits_per_char(nats: float) -> float:
    """Cross-entropy in nats (natural log) -> bits (log base 2), the unit of Level 1's n-gram scores."""
    return nats / math.log(2)


# ---------------------------------------------------------------------- one training run


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


class Trainer:
    """Everything one run needs, and the loop that trains it."""

    def __init__(self, args: argparse.Namespace, text: str, config: GPTConfig, training: TrainingSettings,
                 device: torch.device):
        self.args = args
        self.text = text
        self.config = config
        self.training = training
        self.device = device
        self.tokenizer = CharTokenizer.from_text(text)
        train_text, val_text = train_val_split(text)
        self.train_data = torch.tensor(self.tokenizer.encode(train_text), dtype=torch.long)
        self.val_data = torch.tensor(self.tokenizer.encode(val_text), dtype=torch.long)
        self.folder = default_checkpoint_dir(args.out_dir)
        self.data_path = str(Path(args.text).resolve()) if args.text else None

        torch.manual_seed(args.seed)
        self.model = MiniGPT(config).to(device)
        self.optimizer = make_optimizer(self.model, training, device)
        # Training windows are drawn with their own generator, whose state is saved with each checkpoint:
        # a resumed run then sees exactly the windows an uninterrupted run would have seen.
        self.batch_generator = torch.Generator().manual_seed(args.seed)
        self.step_model = self.compiled_model() if args.compile else self.model
        self.step = 0
        self.history: list[dict[str, float]] = []
        self.train_seconds = 0.0  # time spent in training steps only (for tokens/s)
        self.seconds_at_start, self.step_at_start = 0.0, 0  # where this session began (after a resume)
        self.ngram: dict[str, Any] = {}

    def compiled_model(self) -> torch.nn.Module:
        """torch.compile turns the model into fused machine code on its first call. Make that first call
        now, on one batch of zeros, so a computer without a C++ compiler gets a clear message at once."""
        compiled = torch.compile(self.model)
        zeros = torch.zeros(self.training.batch_size, self.config.block_size, dtype=torch.long, device=self.device)
        try:
            with torch.random.fork_rng(devices=[]), autocast_for(self.device):
                compiled(zeros, zeros)[1].backward()
        except Exception as problem:  # torch raises many kinds of errors when compiling fails
            raise UserError(f"--compile did not work on this computer ({type(problem).__name__}). "
                            f"It needs a C++ compiler; run again without --compile.") from None
        self.model.zero_grad(set_to_none=True)
        return compiled

    @property
    def tokens_per_step(self) -> int:
        return self.training.batch_size * self.training.grad_accum * self.config.block_size

    # -- one step

    def train_step(self, step: int, generator: torch.Generator) -> torch.Tensor:
        """One update: grad_accum micro-batches of random windows, then clip and step. Returns the loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate_at(step, self.training)
        total = torch.zeros((), device=self.device)
        for _ in range(self.training.grad_accum):
            inputs, targets = get_batch(self.train_data, self.config.block_size, self.training.batch_size, generator)
            inputs, targets = inputs.to(self.device), targets.to(self.device)
            with autocast_for(self.device):
                _, loss = self.step_model(inputs, targets)
            # Dividing makes the added-up gradients an average over all micro-batches, as if one big batch.
            (loss / self.training.grad_accum).backward()
            total += loss.detach()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.training.grad_clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return total / self.training.grad_accum

    def seconds_per_step(self, probe_steps: int = 3) -> float:
        """Time a few steps, then put the weights, the optimizer and the random numbers back as they were."""
        saved_model = copy.deepcopy(self.model.state_dict())
        saved_optimizer = copy.deepcopy(self.optimizer.state_dict())
        cuda_devices = [torch.cuda.current_device()] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda_devices):
            generator = torch.Generator().manual_seed(0)  # not the training generator: its windows stay unseen
            self.train_step(self.step, generator)  # pays one-off start-up costs
            self._synchronise()
            started = time.perf_counter()
            for _ in range(probe_steps):
                self.train_step(self.step, generator)
            self._synchronise()
            seconds = (time.perf_counter() - started) / probe_steps
        self.model.load_state_dict(saved_model)
        self.optimizer.load_state_dict(saved_optimizer)
        return seconds

    def choose_threads(self) -> None:
        """On a CPU, many threads only pay off when the cores are free; on a busy or small machine
        one thread can be several times faster. Try both for a few steps and keep the faster."""
        cores = torch.get_num_threads()
        if self.args.threads is not None:
            torch.set_num_threads(max(1, self.args.threads))
            return
        if self.device.type != "cpu" or cores <= 1:
            return
        with_all = self.seconds_per_step()
        torch.set_num_threads(1)
        with_one = self.seconds_per_step()
        if with_all < with_one:
            torch.set_num_threads(cores)

    def _synchronise(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    # -- measuring

    def evaluate(self) -> dict[str, float]:
        """Held-out loss on the whole validation text, and the same on as much training text, for comparison."""
        val_windows = max(1, 2 * len(self.val_data) // self.config.block_size)
        val_loss = average_loss(self.model, self.val_data, self.config.block_size, self.device)
        train_loss = average_loss(self.model, self.train_data, self.config.block_size, self.device, max_windows=val_windows)
        return {
            "step": self.step,
            "train_loss": train_loss,
            "val_loss": val_loss,
            "val_bits_per_char": bits_per_char(val_loss),
            "val_perplexity": math.exp(val_loss),
            "learning_rate": learning_rate_at(max(0, self.step - 1), self.training),
        }

    def sample(self, seed: int) -> str:
        """A short piece of text from the model as it is now, starting a new paragraph."""
        self.model.eval()
        settings = SamplingSettings(temperature=0.8)
        pieces = stream_text(self.model, self.tokenizer, "\n", self.training.sample_length, settings, seed=seed)
        text = "".join(pieces)
        self.model.train()
        return text

    # -- saving

    def info(self, metrics: dict[str, float]) -> dict[str, Any]:
        """What model.json says about the model, besides its config and vocabulary."""
        return {
            "step": self.step,
            "metrics": metrics,
            "data_path": self.data_path,
            "preset": self.args.preset,
            "seed": self.args.seed,
            "training": asdict(self.training),
            "ngram_baseline": self.ngram,
        }

    def save_state(self) -> None:
        """Everything needed to continue: weights, optimizer moments, random generators, history."""
        state = {
            "version": STATE_VERSION,
            "step": self.step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else [],
            "batch_rng": self.batch_generator.get_state(),
            "config": asdict(self.config),
            "training": asdict(self.training),
            "preset": self.args.preset,
            "seed": self.args.seed,
            "data_path": self.data_path,
            "text_sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            "history": self.history,
            "train_seconds": self.train_seconds,
            "ngram": self.ngram,
        }
        save_torch_state(self.folder / STATE_FILE, state)

    def restore(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        if self.device.type == "cuda" and state["cuda_rng"]:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        self.batch_generator.set_state(state["batch_rng"])
        self.step = int(state["step"])
        self.history = list(state["history"])
        self.train_seconds = float(state["train_seconds"])
        self.ngram = dict(state["ngram"])

    def record(self, metrics: dict[str, float]) -> None:
        """Keep the scores; save the model if it is the best so far, and the state to resume from."""
        improved = not self.history or metrics["val_loss"] < self.best["val_loss"]
        self.history.append(metrics)
        if improved:
            save_checkpoint(self.folder, self.model, self.tokenizer, self.info(metrics))
        self.save_state()
        ui.say(
            f"step {self.step:5d}  held-out loss {metrics['val_loss']:.3f} nats = "
            f"{metrics['val_bits_per_char']:.3f} bits/char  (train {metrics['train_loss']:.3f})"
            + ("  [good]best so far, saved[/good]" if improved else "")
        )

    # -- the loop

    def train(self, stop_after: int | None) -> bool:
        """Run until max_steps (True) or until stopped early by Ctrl-C / --stop-after (False)."""
        training = self.training
        log_every = max(1, min(25, training.eval_interval))
        remaining = training.max_steps - self.step
        running = torch.zeros((), device=self.device)
        steps_since_log = 0
        stop = StopRequest()
        with stop.listening(), ui.progress(total=remaining, description="Training") as tracker:
            self.model.train()
            while self.step < training.max_steps:
                started = time.perf_counter()
                running += self.train_step(self.step, self.batch_generator)
                self.step += 1
                steps_since_log += 1
                if steps_since_log == log_every or self.step == training.max_steps:
                    loss = float(running) / steps_since_log  # .item() only here: no GPU wait every step
                    self._synchronise()
                    self.train_seconds += time.perf_counter() - started
                    tracker.advance(steps_since_log, loss=loss, **{"tokens/s": self.tokens_per_second()})
                    running.zero_()
                    steps_since_log = 0
                else:
                    self.train_seconds += time.perf_counter() - started
                if self.step % training.eval_interval == 0 or self.step == training.max_steps:
                    self.record(self.evaluate())
                if self.step % training.sample_interval == 0 and self.step < training.max_steps:
                    show_sample(f"Sample after {self.step} steps", self.sample(self.args.seed + self.step))
                if stop.requested or (stop_after is not None and self.step >= stop_after):
                    if steps_since_log:
                        tracker.advance(steps_since_log)
                    break
        if self.step < training.max_steps:
            if not self.history or self.history[-1]["step"] != self.step:
                self.record(self.evaluate())
            return False
        return True

    def tokens_per_second(self, whole_run: bool = False) -> int:
        """Training speed in this session, or over the whole run (not counting evaluations and samples)."""
        steps = self.step - (0 if whole_run else self.step_at_start)
        seconds = self.train_seconds - (0.0 if whole_run else self.seconds_at_start)
        return int(steps * self.tokens_per_step / max(seconds, 1e-9))

    @property
    def best(self) -> dict[str, float]:
        """The evaluation with the lowest held-out loss (the one saved as the checkpoint)."""
        return min(self.history, key=lambda entry: entry["val_loss"])


def show_sample(title: str, text: str) -> None:
    if ui.is_quiet():
        return
    ui.say(f"[heading]{title}:[/heading]")
    ui.say(ui.escape(text.strip("\n")) or "(nothing yet)")


def fit_steps_to_budget(trainer: Trainer, budget: float, spent: float, eval_seconds: float, sample_seconds: float) -> int:
    """How many steps fit in what is left of the time budget, counting evaluations and samples too."""
    training = trainer.training
    seconds_per_step = trainer.seconds_per_step()
    cost_per_step = (
        seconds_per_step + eval_seconds / training.eval_interval + sample_seconds / training.sample_interval
    )
    # Keep 10% in hand (timings wobble) and the time of the last evaluation and the report.
    available = 0.9 * (budget - spent) - eval_seconds - 1.0
    steps = max(1, int(available / cost_per_step))
    ui.say(
        f"One step takes {seconds_per_step * 1000:.0f} ms here; with evaluations that fits "
        f"[number]{steps}[/number] steps in the {budget:.0f} s budget."
    )
    return steps


# ------------------------------------------------------------------------------- results


def save_history(trainer: Trainer, folder: Path, finished: bool, wall_seconds: float) -> Path:
    return write_json(folder / "history.json", {
        "preset": trainer.args.preset,
        "config": asdict(trainer.config),
        "training": asdict(trainer.training),
        "finished": finished,
        "steps": trainer.step,
        "seconds": wall_seconds,
        "train_seconds": trainer.train_seconds,
        "tokens_per_second": trainer.tokens_per_second(whole_run=True),
        "threads": torch.get_num_threads(),
        "device": str(trainer.device),
        "ngram_baseline": trainer.ngram,
        "best": trainer.best,
        "evaluations": trainer.history,
        "units": "losses in nats (natural log); bits_per_char = nats / ln 2",
    })


def plot_losses(trainer: Trainer, path: Path) -> Path:
    """Training and held-out loss in bits per character, with the n-gram's score as a dashed line."""
    steps = [entry["step"] for entry in trainer.history]
    figure, axes = new_figure()
    axes.plot(steps, [bits_per_char(entry["train_loss"]) for entry in trainer.history], "o-", label="training text")
    axes.plot(steps, [bits_per_char(entry["val_loss"]) for entry in trainer.history], "o-", label="held-out text")
    axes.axhline(trainer.ngram["val_bits_per_char"], color="grey", linestyle="--",
                 label=f"best n-gram (order {trainer.ngram['order']}, Level 1), held-out")
    axes.set_xlabel("training step")
    axes.set_ylabel("bits per character (lower is better)")
    axes.set_title("Mini-GPT: loss while training")
    axes.legend()
    axes.grid(alpha=0.3)
    return save_figure(figure, path)


def report_card(trainer: Trainer, wall_seconds: float, out_dir: Path | None) -> None:
    best = trainer.best
    ngram_bits = trainer.ngram["val_bits_per_char"]
    model_bits = best["val_bits_per_char"]
    ui.heading("Report card")
    threads = torch.get_num_threads()
    where = f"{threads} CPU thread{'s' if threads > 1 else ''}" if trainer.device.type == "cpu" else str(trainer.device)
    ui.result("Training time", f"{wall_seconds:.1f} s ({trainer.step} steps, {where})")
    ui.result("Training speed", f"{trainer.tokens_per_second(whole_run=True):,} tokens/s")
    ui.result("Best held-out loss", f"{best['val_loss']:.4f} nats at step {best['step']} (perplexity {best['val_perplexity']:.2f})")
    ui.result("Best held-out bits per character", f"{model_bits:.4f}")
    ui.result("Best n-gram bits per character", f"{ngram_bits:.4f} (order {trainer.ngram['order']}, Level 1)")
    if model_bits < ngram_bits:
        ui.success(f"Your GPT beats the n-gram by {ngram_bits - model_bits:.3f} bits per character.")
    else:
        ui.warn("The n-gram is still ahead: train longer (more --max-steps) or use a bigger preset.")
    ui.result("Checkpoint", show_path(trainer.folder))
    command = GENERATE_COMMAND + (f" --out-dir {out_dir}" if out_dir is not None else "")
    ui.result("Generate text with", command)


def describe_model(trainer: Trainer) -> None:
    config = trainer.config
    ui.explain(
        f"A GPT with {config.n_layer} blocks of {config.n_head} attention heads, {config.n_embd} numbers per "
        f"position, looking back {config.block_size} characters. It learns "
        f"{trainer.model.parameter_count():,} numbers from {len(trainer.train_data):,} characters of text and is "
        f"scored on the {len(trainer.val_data):,} characters held out at the end. Each step shows it "
        f"{trainer.tokens_per_step:,} characters. Its first guesses are random, so its loss starts near "
        f"ln({config.vocab_size}) = {math.log(config.vocab_size):.2f} nats.",
        title="The model",
    )
    ui.table("Where the numbers are", ["part", "numbers"], count_parameters_by_part(trainer.model), justify=["left", "right"])


def load_resume_state(folder: Path) -> dict[str, Any]:
    how = "Start a new run with: python train.py --preset tiny"
    path = folder / STATE_FILE
    if not path.is_file():
        raise UserError(f"There is no training run to continue: '{show_path(path)}' was not found. {how}")
    damaged = UserError(
        f"The saved training state '{show_path(path)}' is damaged, incomplete or from another version, so the "
        f"run cannot be continued. Delete it and start again without --resume. {how}"
    )
    try:
        state = load_torch_state(path, what="saved training state", how_to_make=how)
    except Exception:  # a damaged file can make the (safe, weights-only) unpickler fail in many ways
        raise damaged from None
    needed = {"version", "step", "model", "optimizer", "torch_rng", "batch_rng", "config", "training", "history"}
    if not isinstance(state, dict) or not needed <= state.keys() or state["version"] != STATE_VERSION:
        raise damaged
    return state


# ----------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = build_parser()
    args = script.start_step(parser, argv)
    device = choose_device(args.device)
    folder = default_checkpoint_dir(args.out_dir)

    state = None
    if args.resume:
        state = load_resume_state(folder)
        args.text = Path(state["data_path"]) if state["data_path"] else None
        args.preset, args.seed = state["preset"], state["seed"]
    text = script.load_text(args)
    if state is not None:
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != state.get("text_sha256"):
            raise UserError("The training text has changed since this run was saved, so it cannot be continued. "
                            "Start a new run without --resume.")
        try:
            config = GPTConfig(**state["config"])
            training = TrainingSettings(**state["training"])
        except TypeError:
            raise UserError("The saved training state is from another version. Start again without --resume.") from None
    else:
        config, training = settings_from_args(args, CharTokenizer.from_text(text).vocab_size)

    ui.heading("Step 4.1 - Train your own GPT", f"preset '{args.preset}' on {device}")
    trainer = Trainer(args, text, config, training, device)
    if len(trainer.train_data) <= config.block_size or len(trainer.val_data) < 2:
        raise UserError(f"The text is too short for windows of {config.block_size} characters. "
                        f"Use a longer text or a smaller --block-size (e.g. --block-size 32).")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True  # TensorFloat-32: much faster float32 matrix maths on GPUs
    describe_model(trainer)
    trainer.choose_threads()

    if state is not None:
        trainer.restore(state)
        ui.success(f"Continuing from step {trainer.step} of {training.max_steps}.")
    else:
        train_text, val_text = train_val_split(text)
        order, ngram_bits = best_ngram_baseline(train_text, val_text)
        trainer.ngram = {"order": order, "val_bits_per_char": ngram_bits}
        ui.result("Score to beat (best Level 1 n-gram, held-out)", f"{ngram_bits:.4f} bits per character (order {order})")
        evaluation_started = time.perf_counter()
        trainer.record(trainer.evaluate())
        eval_seconds = time.perf_counter() - evaluation_started
        sample_started = time.perf_counter()
        show_sample("Before training (random guesses)", trainer.sample(args.seed))
        sample_seconds = time.perf_counter() - sample_started
        if args.time_budget is not None:
            training.max_steps = fit_steps_to_budget(
                trainer, args.time_budget, time.perf_counter() - started, eval_seconds, sample_seconds
            )
            training.warmup_steps = min(training.warmup_steps, max(1, training.max_steps // 10))

    ui.explain(
        f"{training.max_steps} steps. Watch the loss fall: each step nudges every number a little so the real "
        "next characters become more likely. Every so often we measure the loss on the held-out text (the "
        "honest score) and save the model if it is the best so far. Press Ctrl-C to stop early: the best model "
        "is kept and you can continue with --resume.",
        title="Training",
    )
    trainer.seconds_at_start, trainer.step_at_start = trainer.train_seconds, trainer.step
    finished = trainer.train(args.stop_after)

    out = output_dir(4, args.out_dir)
    wall_seconds = time.perf_counter() - started
    ui.saved(save_history(trainer, out, finished, wall_seconds), "scores at every evaluation")
    ui.saved(plot_losses(trainer, out / "training_loss.png"), "loss curve")
    if not ui.is_quiet() and len(trainer.history) > 2:
        ui.line_chart(
            {"held-out bits/char": [entry["val_bits_per_char"] for entry in trainer.history],
             "n-gram": [trainer.ngram["val_bits_per_char"]] * len(trainer.history)},
            title="Held-out bits per character at each evaluation",
        )
    report_card(trainer, wall_seconds, args.out_dir)
    if not finished:
        resume = "python train.py --resume" + (f" --out-dir {args.out_dir}" if args.out_dir is not None else "")
        ui.warn(f"Stopped at step {trainer.step} of {training.max_steps}. The best model so far is saved.")
        ui.result("Continue with", resume)
        return 0 if args.stop_after is not None and trainer.step >= args.stop_after else 130
    return 0


if __name__ == "__main__":
    script.run_step(main)
