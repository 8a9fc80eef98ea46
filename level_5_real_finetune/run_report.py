"""What finetune.py shows and saves about a run: the progress bar, the loss curves, the summary file.

Kept apart from finetune.py so that the step itself shows only the fine-tuning idea. Everything here
takes plain data (numbers, lists, paths), not the Trainer.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

from buildai import plotting, ui
from buildai.safe_io import read_json, write_json

SUMMARY_FILE = "training_summary.json"
CURVE_FILE = "loss_curve.png"


def peak_memory_mb() -> float | None:
    """The most memory this process has used so far (its peak resident size), in MB; None where unknown."""
    try:
        import resource
    except ImportError:  # Windows has no `resource` module
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # macOS counts bytes, Linux KB


def make_progress_callback(total_steps: int) -> Any:
    """A transformers TrainerCallback that drives our progress bar and prints each epoch's validation loss."""
    from transformers import TrainerCallback

    class ProgressCallback(TrainerCallback):
        def __init__(self) -> None:
            self.stack = contextlib.ExitStack()
            self.tracker: ui.ProgressTracker | None = None
            self.loss: float | None = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.tracker = self.stack.enter_context(ui.progress(total_steps, "Fine-tuning"))
            if state.global_step:
                self.tracker.advance(state.global_step)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
            if logs and "loss" in logs:
                self.loss = logs["loss"]

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if self.tracker is not None:
                self.tracker.advance(**({"loss": round(self.loss, 3)} if self.loss is not None else {}))

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any) -> None:
            if metrics and "eval_loss" in metrics:
                ui.say(f"epoch {state.epoch:.0f}: validation loss {metrics['eval_loss']:.3f} "
                       f"(training loss {self.loss if self.loss is not None else float('nan'):.3f})")

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.stack.close()

    return ProgressCallback()


def loss_history(log_history: list[dict[str, Any]]) -> dict[str, list[list[float]]]:
    """Trainer's log -> {"train": [[epoch, loss], ...], "validation": [[epoch, loss], ...]}.

    >>> loss_history([{"loss": 2.0, "epoch": 0.5}, {"eval_loss": 1.5, "epoch": 1.0}, {"train_runtime": 3.0}])
    {'train': [[0.5, 2.0]], 'validation': [[1.0, 1.5]]}
    """
    train = [[entry["epoch"], entry["loss"]] for entry in log_history if "loss" in entry]
    validation = [[entry["epoch"], entry["eval_loss"]] for entry in log_history if "eval_loss" in entry]
    return {"train": train, "validation": validation}


def save_curve(history: dict[str, list[list[float]]], path: Path) -> Path:
    figure, axes = plotting.new_figure()
    for name, points in history.items():
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], "o-" if name == "validation" else "-",
                      label=f"{name} loss (answer tokens)")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (nats per token)")
    axes.set_title("Fine-tuning: training and validation loss")
    axes.legend()
    return plotting.save_figure(figure, path)


def show_curve(history: dict[str, list[list[float]]]) -> None:
    """The validation losses in the terminal, so the picture's story is there without opening it."""
    points = history["validation"]
    if not points:
        return
    rows = [(f"{epoch:.0f}", f"{loss:.3f}", ui.bar(loss, max(p[1] for p in points), 30)) for epoch, loss in points]
    ui.table("Validation loss after each epoch", ["epoch", "loss", ""], rows, justify=["right", "right", "left"])


def write_summary(folder: Path, summary: dict[str, Any]) -> Path:
    return write_json(folder / SUMMARY_FILE, {**summary, "finished_at": time.time()})


def read_summary(folder: Path) -> dict[str, Any]:
    return read_json(folder / SUMMARY_FILE, "training summary", "Fine-tune first: python finetune.py")
