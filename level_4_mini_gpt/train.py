"""Step 4.1 - Train your own GPT on our stories.

The model (model.py) starts knowing nothing: its first guesses are as good as picking a character at
random. Training shows it a few thousand windows of the stories and, after each batch, nudges every one of
its numbers a little in the direction that would have made the real next characters more likely.

  1. The text is split once (buildai.data): the first 90% to learn from, the last 10% held out. Then each part
     becomes ids: one a character (the default), or BPE tokens learned from the training part only.
  2. The score to beat: the best Level 1 n-gram on the same split.
  3. Training: random windows -> loss -> gradients -> AdamW update, with a learning rate that warms up and
     then cools down (a cosine curve). Every few steps: the held-out loss, and a sample of writing.
  4. The best model (lowest held-out loss) is saved to outputs/checkpoint/, with a history, a plot and a
     report card.

    python train.py --preset tiny                 # under a minute, a first taste
    python train.py                               # the default preset, a few minutes
    python train.py --time-budget 120             # fit the training into two minutes on your laptop
    python train.py --text my_poems.txt           # learn from your own text (any language)
    python train.py --data my_books/              # more data: every .txt file in a folder, or one huge file
    python train.py --n-layer 6 --n-embd 192      # change any setting; see --help
    python train.py --position rope --norm rms --mlp swiglu --n-kv-head 2   # a LLaMA-style design (modern.py)
    python train.py --tokenizer bpe --vocab-size 512   # read pieces of words instead of characters (bpe.py)
    python train.py --resume                      # continue a run you stopped with Ctrl-C
    torchrun --nproc_per_node 2 train.py          # two processes learning together (distributed.py)

More data beats a bigger model: a small model that reads ten times more text usually writes better than a
big one that reads the same little text again and again. A folder, or a file of 16 MB or more, is turned into
ids once and kept on the disk (buildai/token_file.py); each batch reads only its own windows from there, so
the text can be much bigger than the computer's memory.

Every evaluation also gives the held-out score in bits per byte: the bits the model needs for the whole
held-out text, shared out over its bytes. It does not depend on how the text was cut into tokens, so it is
the number to compare between a character model and a BPE model.

Ctrl-C stops cleanly after the current step; --resume continues exactly where you stopped. The learning is
all in this file. Beside it: presets.py (sizes and settings), run_start.py (the text and settings, from the
flags or the saved run), tokenizers_choice.py (characters or BPE), scoring.py (the held-out score),
run_control.py (devices, Ctrl-C, the time budget, resuming), reporting.py (the history, the plot and the
report card) and distributed.py (training with several processes, DDP).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from buildai import script, token_file, ui
from buildai.paths import show_path
from level_1_prediction.step3_ngram import best_ngram_baseline
from level_3_transformer.batches import get_batch
from level_3_transformer.parameter_count import count_parameters_by_part
from level_4_mini_gpt import distributed, reporting, run_control, tokenizers_choice
from level_4_mini_gpt.checkpoint import default_checkpoint_dir, save_checkpoint
from level_4_mini_gpt.model import GPTConfig, MiniGPT, SamplingSettings
from level_4_mini_gpt.presets import PRESETS, TrainingSettings, add_setting_flags
from level_4_mini_gpt.run_control import StopRequest, autocast_for
from level_4_mini_gpt.run_start import start_or_resume
from level_4_mini_gpt.scoring import score_text
from level_4_mini_gpt.text import stream_text
from level_4_mini_gpt.tokenizers_choice import TokenSizes


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
    progress = min(1.0, (step - training.warmup_steps) / max(1, training.max_steps - training.warmup_steps))
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
    groups = [{"params": decayed, "weight_decay": training.weight_decay}, {"params": not_decayed, "weight_decay": 0.0}]
    # fused=True does the whole update in one pass over memory instead of several (CPU and CUDA).
    return torch.optim.AdamW(groups, lr=training.learning_rate, betas=(0.9, 0.99), fused=device.type in ("cpu", "cuda"))


def draw_windows(data: torch.Tensor | token_file.TokenIds, block_size: int, batch_size: int,
                 generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random training windows: cut from the ids in memory (Step 3.4's get_batch), or read from the token file
    on disk. Both draw the start points the same way, so the same seed picks the same windows."""
    if isinstance(data, torch.Tensor):
        return get_batch(data, block_size, batch_size, generator)
    return token_file.get_batch(data, block_size, batch_size, generator)


# A text on disk can be huge: score a sample of this many windows, spread evenly over it, not all of them.
TOKEN_FILE_EVAL_WINDOWS = 512


class Trainer:
    """One training run: the model, its optimizer and data, the loop, and what --resume needs to carry on."""

    def __init__(self, config: GPTConfig, training: TrainingSettings, corpus: tokenizers_choice.Text,
                 device: torch.device,
                 about: dict[str, Any], compile: bool = False, team: distributed.Team | None = None):
        self.config, self.training, self.device = config, training, device
        self.team = team or distributed.Team(device=device)  # alone, or one of torchrun's processes
        self.about = about  # preset, seed, corpus_path, corpus_sha256: saved with the model and the state
        self.tokenizer = corpus.tokenizer
        self.sizes = TokenSizes.of(corpus.tokenizer).to(device)  # characters and bytes of each id: bits per byte
        if isinstance(corpus, token_file.TokenFile):  # the ids stay on disk; batches copy out their windows
            self.train_data, self.val_data = corpus.train_ids, corpus.val_ids
            self.eval_windows: int | None = TOKEN_FILE_EVAL_WINDOWS
        else:  # the ids in memory, as two tensors
            self.train_data = torch.tensor(corpus.train_ids, dtype=torch.long)
            self.val_data = torch.tensor(corpus.val_ids, dtype=torch.long)
            self.eval_windows = None  # every window of the held-out text
        self.model = MiniGPT(config).to(device)
        self.optimizer = make_optimizer(self.model, training, device)
        # Training windows come from their own generator, whose state is saved with each checkpoint:
        # a resumed run then sees exactly the windows an uninterrupted run would have seen.
        self.batch_generator = torch.Generator().manual_seed(about["seed"])
        # With torchrun: DDP, which averages the gradients of all processes. Alone: the model itself.
        self.step_model = distributed.wrap_model(self.model, self.team, about["seed"])
        if compile:
            self.step_model = run_control.compile_model(self.step_model, training.batch_size, config.block_size, device)
        self.tokens_per_step = training.batch_size * training.grad_accum * config.block_size * self.team.world_size
        self.step, self.history, self.train_seconds, self.ngram = 0, [], 0.0, {}

    def train_step(self, generator: torch.Generator) -> torch.Tensor:
        """One update: grad_accum micro-batches of random windows, then clip and step. Returns the loss."""
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate_at(self.step, self.training)
        total = torch.zeros((), device=self.device)
        for _ in range(self.training.grad_accum):
            # Every process draws the windows of all of them and keeps its own share (alone: all of them).
            inputs, targets = draw_windows(self.train_data, self.config.block_size,
                                         self.training.batch_size * self.team.world_size, generator)
            inputs, targets = distributed.my_share(inputs, self.team), distributed.my_share(targets, self.team)
            with autocast_for(self.device):
                _, loss = self.step_model(inputs.to(self.device), targets.to(self.device))
            # Dividing makes the added-up gradients an average over all micro-batches, as if one big batch.
            (loss / self.training.grad_accum).backward()
            total += loss.detach()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.training.grad_clip)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return total / self.training.grad_accum

    def evaluate(self) -> dict[str, float]:
        """Held-out loss on the whole validation text (a token file: on a sample of it), and the same on as much
        training text, for comparison. Losses are per id; bits per character and per byte are per text."""
        val_windows = max(1, 2 * len(self.val_data) // self.config.block_size)
        if self.eval_windows is not None:
            val_windows = min(val_windows, self.eval_windows)
        val = score_text(self.model, self.val_data, self.config.block_size, self.device,
                         max_windows=self.eval_windows, sizes=self.sizes)
        train = score_text(self.model, self.train_data, self.config.block_size, self.device, max_windows=val_windows,
                           sizes=self.sizes)
        return {"step": self.step, "train_loss": train.loss, "val_loss": val.loss,
                "val_bits_per_char": val.bits_per_char, "val_bits_per_byte": val.bits_per_byte,
                "train_bits_per_char": train.bits_per_char, "val_perplexity": math.exp(val.loss),
                "learning_rate": learning_rate_at(max(0, self.step - 1), self.training)}

    def sample(self, seed: int) -> str:
        """A short piece of text from the model as it is now, starting a new paragraph."""
        self.model.eval()
        text = "".join(stream_text(self.model, self.tokenizer, "\n", self.training.sample_length,
                                   SamplingSettings(temperature=0.8), seed=seed))
        self.model.train()
        return text

    def save_state(self, folder: Path, team_record: dict[str, Any] | None = None) -> None:
        """Everything needed to continue: weights, optimizer moments, random generators, history."""
        run_control.save_training_state(
            folder, self.model, self.optimizer, self.batch_generator, self.device, step=self.step,
            config=asdict(self.config), training=asdict(self.training), **self.about, history=self.history,
            train_seconds=self.train_seconds, ngram=self.ngram, **(team_record or {}))

    def restore(self, state: dict[str, Any]) -> None:
        run_control.restore_training_state(state, self.model, self.optimizer, self.batch_generator, self.device)
        distributed.restore_randomness(state, self.team)  # with torchrun: this process's own dropout numbers
        self.step, self.history = int(state["step"]), list(state["history"])
        self.train_seconds, self.ngram = float(state["train_seconds"]), dict(state["ngram"])

    def record(self, folder: Path) -> None:
        """Measure the held-out loss; save the model if it is the best so far, and the state to resume from.

        With torchrun every process holds the same weights, so rank 0 alone evaluates and saves for all.
        """
        team_record = distributed.gather_randomness(self.team)  # every process takes part; {} when alone
        if not self.team.is_main:
            return
        metrics = self.evaluate()
        improved = not self.history or metrics["val_loss"] < min(entry["val_loss"] for entry in self.history)
        self.history.append(metrics)
        if improved:
            save_checkpoint(folder, self.model, self.tokenizer, {
                "step": self.step, "metrics": metrics, **self.about, "training": asdict(self.training),
                "ngram_baseline": self.ngram})
        self.save_state(folder, team_record)
        reporting.show_evaluation(metrics, improved, tokenizers_choice.kind_of(self.tokenizer))

    def train(self, folder: Path, stop_after: int | None) -> bool:
        """Run until max_steps (True) or until stopped early by Ctrl-C / --stop-after (False)."""
        training, stop = self.training, StopRequest()
        log_every = max(1, min(25, training.eval_interval))
        running, steps_since_log = torch.zeros((), device=self.device), 0
        with stop.listening(), ui.progress(total=training.max_steps - self.step, description="Training") as tracker:
            self.model.train()
            while self.step < training.max_steps:
                started = time.perf_counter()
                running += self.train_step(self.batch_generator)
                self.step += 1
                steps_since_log += 1
                if steps_since_log == log_every or self.step == training.max_steps:
                    # Reading it waits for a GPU: only every few steps. With torchrun: the mean of all processes.
                    loss = distributed.average(running, self.team) / steps_since_log
                    self.train_seconds += time.perf_counter() - started
                    tracker.advance(steps_since_log, loss=loss, **{"tokens/s": self.tokens_per_second()})
                    running.zero_()
                    steps_since_log = 0
                else:
                    self.train_seconds += time.perf_counter() - started
                if self.step % training.eval_interval == 0 or self.step == training.max_steps:
                    self.record(folder)
                if self.team.is_main and self.step % training.sample_interval == 0 and self.step < training.max_steps:
                    reporting.show_sample(f"Sample after {self.step} steps", self.sample(self.about["seed"] + self.step))
                # With torchrun, every process must stop after the same step, or the others wait for ever.
                stopping = distributed.anyone(stop.requested, self.team)
                if stopping or (stop_after is not None and self.step >= stop_after):
                    if steps_since_log:
                        tracker.advance(steps_since_log)
                    break
        if self.step < training.max_steps and self.step % training.eval_interval != 0:  # not measured at this step yet
            self.record(folder)
        return self.step >= training.max_steps

    def tokens_per_second(self) -> int:
        """Training speed over the whole run, not counting evaluations and samples."""
        return int(self.step * self.tokens_per_step / max(self.train_seconds, 1e-9))


def build_parser() -> argparse.ArgumentParser:
    parser = script.step_parser("Train a GPT-2-style model on the stories (or your own text), reading characters "
                                "or BPE tokens.", threads_flag=True, text_folders=True)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default",
                        help="a ready-made size: tiny (< 1 min), default (< 5 min on 2 CPU cores), gpu (bigger)")
    run_control.add_run_flags(parser)  # --time-budget, --resume, --stop-after, --device, --compile
    distributed.add_flags(parser)  # --backend, for torchrun
    tokenizers_choice.add_flags(parser)  # --tokenizer char|bpe, --vocab-size
    add_setting_flags(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = script.start_step(build_parser(), argv)
    team = distributed.start(run_control.choose_device(args.device), args.backend)  # alone, or one of torchrun's
    try:
        return train_and_report(args, team, started)
    finally:
        distributed.finish(team)


def train_and_report(args: argparse.Namespace, team: distributed.Team, started: float) -> int:
    device = team.device
    folder = default_checkpoint_dir(args.out_dir)
    start = start_or_resume(args, team, folder)  # from the flags, or the saved run with --resume (run_start.py)
    corpus, config, training, state = start.corpus, start.config, start.training, start.state
    unit = tokenizers_choice.unit_of(corpus.tokenizer)

    ui.heading("Step 4.1 - Train your own GPT", f"preset '{args.preset}' on {device}")
    if isinstance(corpus, token_file.TokenFile) and team.is_main:
        how = "tokenized now into" if corpus.built else "already tokenized, reusing"
        ui.result(f"Text: {len(corpus.files)} file(s), {len(corpus.ids):,} characters",
                  f"{how} {show_path(corpus.bin_path)}")
    if team.is_main:
        tokenizers_choice.describe_choice(corpus)
    trainer = Trainer(config, training, corpus, device, {"preset": args.preset, "seed": args.seed, **corpus.metadata(),
                                                         "tokenizer_choice": start.tokenizer_choice},
                      compile=args.compile, team=team)
    reporting.describe_model(config, trainer.model.parameter_count(), count_parameters_by_part(trainer.model),
                             len(corpus.train_ids), len(corpus.val_ids), trainer.tokens_per_step, unit)
    if state is not None:
        trainer.restore(state)
        ui.success(f"Continuing from step {trainer.step} of {training.max_steps}.")
    else:
        order, ngram_bits = best_ngram_baseline(corpus.train_text, corpus.val_text)
        trainer.ngram = {"order": order, "val_bits_per_char": ngram_bits}
        sampled = " on a sample" if isinstance(corpus, token_file.TokenFile) else ""  # a huge text: part of it
        ui.result(f"Score to beat (best Level 1 n-gram, held-out{sampled})",
                  f"{ngram_bits:.4f} bits per character (order {order})")
        evaluation_started = time.perf_counter()
        trainer.record(folder)
        sample_started = time.perf_counter()
        if team.is_main:
            reporting.show_sample("Before training (random guesses)", trainer.sample(args.seed))
        eval_seconds, sample_seconds = sample_started - evaluation_started, time.perf_counter() - sample_started
        if args.time_budget is not None:
            run_control.fit_to_budget(training, args.time_budget, time.perf_counter() - started, eval_seconds,
                                      sample_seconds, run_control.seconds_per_step(
                                          trainer.train_step, trainer.model, trainer.optimizer, device))
            # With torchrun: rank 0's choice for all, so every process stops after the same step.
            training.max_steps, training.warmup_steps = distributed.from_main(
                [training.max_steps, training.warmup_steps], team)

    reporting.explain_training(training.max_steps)
    finished = trainer.train(folder, args.stop_after)

    if team.is_main:
        reporting.report(reporting.RunSummary(
            preset=args.preset, config=config, training=training, corpus=corpus.metadata(), device=device.type,
            threads=torch.get_num_threads(), steps=trainer.step, finished=finished,
            seconds=time.perf_counter() - started, train_seconds=trainer.train_seconds,
            tokens_per_second=trainer.tokens_per_second(), ngram=trainer.ngram, evaluations=trainer.history,
            checkpoint=folder, launcher=distributed.launcher(team), text=tokenizers_choice.text_summary(corpus)),
            folder.parent, args.out_dir)
    distributed.wait_for_all(team)  # with torchrun: leave together, after rank 0 has reported
    if finished or (args.stop_after is not None and trainer.step >= args.stop_after):
        return 0
    return 130  # stopped by Ctrl-C: the usual exit code for it


if __name__ == "__main__":
    script.run_step(main)
