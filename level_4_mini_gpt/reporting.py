"""What the learner sees and keeps from a run: the model's description, the scores, the plot, the report card.

Everything here takes plain values (numbers, dicts, dataclasses), never the trainer itself, so train.py
can stay about learning, and generate.py and chat.py can describe a loaded model the same way.

>>> round(bits_per_char(1.1), 3)   # a loss of 1.1 nats is 1.587 bits per character
1.587
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from buildai import ui
from buildai.paths import show_path
from buildai.plotting import new_figure, save_figure
from buildai.safe_io import write_json
from level_4_mini_gpt.model import GPTConfig
from level_4_mini_gpt.presets import TrainingSettings

GENERATE_COMMAND = 'python generate.py --prompt "Once upon a time"'


def bits_per_char(nats: float) -> float:
    """Cross-entropy in nats (natural log) -> bits (log base 2), the unit of Level 1's n-gram scores.

    (For a character model, nats per character -> bits per character; in general nats -> bits per the same thing.)
    """
    return nats / math.log(2)


@dataclass(frozen=True)
class Score:
    """What scoring a text gives (scoring.score_text): the total loss over its predictions, and the size of the
    text those predictions were about -- so it can be shared out per id, per character or per byte.

    >>> score = Score(nats=6 * math.log(2), predictions=3, characters=3, bytes=9)   # 3 Hindi letters, 2 bits each
    >>> round(score.bits_per_char, 3), round(score.bits_per_byte, 3)
    (2.0, 0.667)
    """

    nats: float  # the sum of -ln p(true next id) over every prediction scored
    predictions: int  # how many ids were predicted (every id but the first, or a sample of windows)
    characters: int  # ... and the characters and UTF-8 bytes of text those ids stand for
    bytes: int

    @property
    def loss(self) -> float:
        """Nats per prediction: per character for a character model, per token for BPE (what training lowers)."""
        return self.nats / self.predictions

    @property
    def bits_per_char(self) -> float:
        # loss / ln 2 first: for a character model predictions == characters and this is exactly loss / ln 2
        return bits_per_char(self.loss) * (self.predictions / self.characters)

    @property
    def bits_per_byte(self) -> float:
        """The fair score across tokenizers: bits for the text, shared out over its bytes."""
        return bits_per_char(self.loss) * (self.predictions / self.bytes)


# ------------------------------------------------------------------------------ while training


def describe_model(config: GPTConfig, parameter_count: int, parts: list[tuple[str, int]], train_characters: int,
                   val_characters: int, tokens_per_step: int, unit: str = "characters") -> None:
    """The panel and the table 'Where the numbers are' that open a training run (`unit`: characters or tokens)."""
    ui.explain(
        f"A GPT with {config.n_layer} blocks of {config.n_head} attention heads, {config.n_embd} numbers per "
        f"position, looking back {config.block_size} {unit}. It learns {parameter_count:,} numbers from "
        f"{train_characters:,} {unit} of text and is scored on the {val_characters:,} {unit} held out at "
        f"the end. Each step shows it {tokens_per_step:,} {unit}. Its first guesses are random, so its loss "
        f"starts near ln({config.vocab_size}) = {math.log(config.vocab_size):.2f} nats.",
        title="The model",
    )
    ui.table("Where the numbers are", ["part", "numbers"], parts, justify=["left", "right"])


def explain_training(steps: int) -> None:
    ui.explain(
        f"{steps} steps. Watch the loss fall: each step nudges every number a little so the real next characters "
        "become more likely. Every so often we measure the loss on the held-out text (the honest score) and save "
        "the model if it is the best so far. Press Ctrl-C to stop early: the best model is kept and you can "
        "continue with --resume.",
        title="Training",
    )


def show_evaluation(metrics: dict[str, float], improved: bool, kind: str = "char") -> None:
    """One evaluation line. A BPE model's loss is per token, so its line adds bits per character and per byte:
    the numbers that can be compared with a character model's."""
    if kind == "char":
        score = f"{metrics['val_loss']:.3f} nats = {metrics['val_bits_per_char']:.3f} bits/char"
    else:
        score = (f"{metrics['val_loss']:.3f} nats/token = {metrics['val_bits_per_char']:.3f} bits/char = "
                 f"{metrics['val_bits_per_byte']:.3f} bits/byte")
    ui.say(f"step {metrics['step']:5d}  held-out loss {score}  (train {metrics['train_loss']:.3f})"
           + ("  [good]best so far, saved[/good]" if improved else ""))


def show_sample(title: str, text: str) -> None:
    if ui.is_quiet():
        return
    ui.say(f"[heading]{title}:[/heading]")
    ui.say(ui.escape(text.strip("\n")) or "(nothing yet)")


# ------------------------------------------------------------------------------ after training


@dataclass
class RunSummary:
    """The numbers a finished (or stopped) run reports and saves in history.json."""

    preset: str
    config: GPTConfig
    training: TrainingSettings
    corpus: dict[str, Any]  # Corpus.metadata(): corpus_path (None = the course stories) and corpus_sha256
    device: str
    threads: int
    steps: int
    finished: bool
    seconds: float  # wall-clock time of this session, start to end
    train_seconds: float  # time in training steps only, over the whole run
    tokens_per_second: int
    ngram: dict[str, Any]  # the best Level 1 n-gram: its order and held-out bits per character
    evaluations: list[dict[str, float]] = field(default_factory=list)
    checkpoint: Path | None = None
    launcher: str = "python"  # how train.py was started: python, or torchrun with its processes
    text: dict[str, Any] = field(default_factory=dict)  # tokenizers_choice.text_summary: tokenizer, held-out size

    @property
    def best(self) -> dict[str, float]:
        """The evaluation with the lowest held-out loss (the one saved as the checkpoint)."""
        return min(self.evaluations, key=lambda entry: entry["val_loss"])


def save_history(summary: RunSummary, folder: Path) -> Path:
    return write_json(Path(folder) / "history.json", {
        "preset": summary.preset,
        "config": asdict(summary.config),
        "training": asdict(summary.training),
        **summary.corpus,
        "finished": summary.finished,
        "steps": summary.steps,
        "seconds": summary.seconds,
        "train_seconds": summary.train_seconds,
        "tokens_per_second": summary.tokens_per_second,
        "threads": summary.threads,
        "device": summary.device,
        "ngram_baseline": summary.ngram,
        "text": summary.text,
        "best": summary.best,
        "evaluations": summary.evaluations,
        "units": "losses in nats (natural log) per token (a character, for a character model); bits_per_char and "
                 "bits_per_byte: the bits for the whole text scored, over its characters or its UTF-8 bytes",
    })


def plot_losses(evaluations: list[dict[str, float]], ngram: dict[str, Any], path: Path) -> Path:
    """Training and held-out loss in bits per character, with the n-gram's score as a dashed line."""
    steps = [entry["step"] for entry in evaluations]
    figure, axes = new_figure()
    # A run resumed from before bits per character were measured on the training text: its loss is per character.
    train_bits = [entry.get("train_bits_per_char", bits_per_char(entry["train_loss"])) for entry in evaluations]
    axes.plot(steps, train_bits, "o-", label="training text")
    axes.plot(steps, [entry["val_bits_per_char"] for entry in evaluations], "o-", label="held-out text")
    axes.axhline(ngram["val_bits_per_char"], color="grey", linestyle="--",
                 label=f"best n-gram (order {ngram['order']}, Level 1), held-out")
    axes.set_xlabel("training step")
    axes.set_ylabel("bits per character (lower is better)")
    axes.set_title("Mini-GPT: loss while training")
    axes.legend()
    axes.grid(alpha=0.3)
    return save_figure(figure, path)


def report_card(summary: RunSummary, out_dir: Path | None) -> None:
    best, ngram_bits = summary.best, summary.ngram["val_bits_per_char"]
    model_bits = best["val_bits_per_char"]
    ui.heading("Report card")
    where = summary.device if summary.device != "cpu" else f"{summary.threads} CPU thread{'s' if summary.threads > 1 else ''}"
    ui.result("Training time", f"{summary.seconds:.1f} s ({summary.steps} steps, {where})")
    ui.result("Training speed", f"{summary.tokens_per_second:,} tokens/s")
    per = " per token" if summary.text.get("tokenizer") == "bpe" else ""
    ui.result("Best held-out loss", f"{best['val_loss']:.4f} nats{per} at step {best['step']} "
                                    f"(perplexity {best['val_perplexity']:.2f})")
    ui.result("Best held-out bits per character", f"{model_bits:.4f}")
    if "val_bits_per_byte" in best:  # a run resumed from before it was measured has none
        ui.result("Best held-out bits per byte", f"{best['val_bits_per_byte']:.4f} (the score to compare across "
                                                 f"tokenizers)")
    ui.result("Best n-gram bits per character", f"{ngram_bits:.4f} (order {summary.ngram['order']}, Level 1)")
    if model_bits < ngram_bits:
        ui.success(f"Your GPT beats the n-gram by {ngram_bits - model_bits:.3f} bits per character.")
    else:
        ui.warn("The n-gram is still ahead: train longer (more --max-steps) or use a bigger preset.")
    if summary.checkpoint is not None:
        ui.result("Checkpoint", show_path(summary.checkpoint))
    ui.result("Generate text with", GENERATE_COMMAND + (f" --out-dir {out_dir}" if out_dir is not None else ""))


def report(summary: RunSummary, folder: Path, out_dir: Path | None) -> None:
    """Everything at the end of a run: history.json, the loss plot, a chart in the terminal, the report card."""
    ui.saved(save_history(summary, folder), "scores at every evaluation")
    ui.saved(plot_losses(summary.evaluations, summary.ngram, Path(folder) / "training_loss.png"), "loss curve")
    if not ui.is_quiet() and len(summary.evaluations) > 2:
        ui.line_chart(
            {"held-out bits/char": [entry["val_bits_per_char"] for entry in summary.evaluations],
             "n-gram": [summary.ngram["val_bits_per_char"]] * len(summary.evaluations)},
            title="Held-out bits per character at each evaluation",
        )
    report_card(summary, out_dir)
    if not summary.finished:
        ui.warn(f"Stopped at step {summary.steps} of {summary.training.max_steps}. The best model so far is saved.")
        ui.result("Continue with", f"{summary.launcher} train.py --resume"
                  + (f" --out-dir {out_dir}" if out_dir is not None else ""))


# ------------------------------------------------------------------------------ a loaded model


def show_model_card(config: GPTConfig, parameter_count: int, info: dict[str, Any], folder: Path) -> None:
    """A short table about a loaded checkpoint (generate.py, chat.py), so the learner knows what is talking."""
    metrics = info.get("metrics") if isinstance(info.get("metrics"), dict) else {}
    rows = [
        ("checkpoint", show_path(folder)),
        ("parameters (numbers it learned)", f"{parameter_count:,}"),
        ("blocks x attention heads", f"{config.n_layer} x {config.n_head}"),
        ("numbers per character (embedding size)", str(config.n_embd)),
    ]
    tokenizer = info.get("tokenizer") if isinstance(info.get("tokenizer"), dict) else {}
    if tokenizer.get("type") == "bpe":
        rows += [("context (tokens it can look back at)", str(config.block_size)),
                 ("vocabulary (BPE tokens: 256 bytes, merges, 1 special)", str(config.vocab_size))]
    else:
        rows += [("context (characters it can look back at)", str(config.block_size)),
                 ("vocabulary (characters it knows)", str(config.vocab_size))]
    if isinstance(info.get("step"), int):
        rows.append(("training steps", f"{info['step']:,}"))
    if isinstance(metrics.get("val_bits_per_char"), (int, float)):
        rows.append(("held-out bits per character (lower is better)", f"{metrics['val_bits_per_char']:.3f}"))
    if isinstance(metrics.get("val_bits_per_byte"), (int, float)):
        rows.append(("held-out bits per byte (compares any tokenizers)", f"{metrics['val_bits_per_byte']:.3f}"))
    ngram = info.get("ngram_baseline") if isinstance(info.get("ngram_baseline"), dict) else {}
    if isinstance(ngram.get("val_bits_per_char"), (int, float)):
        rows.append(("the best Level 1 n-gram, for comparison", f"{ngram['val_bits_per_char']:.3f}"))
    ui.table("Your model", ["what", "value"], rows, justify=["left", "right"])
