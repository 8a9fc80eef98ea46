"""Step 5.2 - Fine-tune a pre-trained model with LoRA, the way professionals do it (transformers + PEFT).

Pre-training was years of school: the base model read a lot of text and learned how language goes.
Fine-tuning is coaching for one exam: a few hundred school questions with good answers. And LoRA is
sticky notes on the textbook: the book (the base model's weights) stays exactly as printed; next to
some pages we stick small notes (two thin matrices A and B per layer) and only the notes are written.

    python finetune.py --base-model local              # your Level 4 model, offline (what the tour uses)
    python finetune.py --base-model distilgpt2         # DistilGPT-2 from the Hugging Face Hub
    python finetune.py --rank 16 --alpha 32            # bigger sticky notes
    python finetune.py --data data/kitchen_qa.jsonl --adapter-name kitchen   # a second adapter, same base
    python finetune.py --resume                        # continue the last run from its last checkpoint
    python finetune.py --merge                         # also write base + adapter merged into one model

Step 5.0 (step0_lora_from_scratch.py) builds LoRA by hand on one layer; here PEFT does the same to
every attention and feed-forward layer of the model, and transformers' Trainer runs the training loop.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from buildai import script, ui
from buildai.paths import output_dir, show_path
from level_5_real_finetune import run_report
from level_5_real_finetune.adapters import adapter_dir
from level_5_real_finetune.base_models import load_base, pad_id, resolve_base
from level_5_real_finetune.prepare_data import (
    add_base_flags, load_prepared, model_window, pad_batch, prepare_from_args, prepared_dir, settings_record,
)
from level_5_real_finetune.qa_data import TRAINING_FILE

# Which layers get sticky notes. GPT-2 names them: attn.c_attn (queries, keys, values), attn.c_proj
# (mixing the heads), mlp.c_fc and mlp.c_proj (the feed-forward network). PEFT matches these patterns.
TARGETS = {
    "attention": r".*\.attn\.(c_attn|c_proj)",
    "mlp": r".*\.mlp\.(c_fc|c_proj)",
    "all": r".*\.(attn\.(c_attn|c_proj)|mlp\.(c_fc|c_proj))",
}
# Good starting points, measured on our data: the small character model wants bigger steps than DistilGPT-2.
DEFAULTS = {
    True: {"learning_rate": 3e-3, "epochs": 4, "batch_size": 8},  # character-level (local)
    False: {"learning_rate": 5e-4, "epochs": 3, "batch_size": 8},  # DistilGPT-2 and other BPE models
}


def lora_config(rank: int, alpha: float, dropout: float, targets: str) -> Any:
    """The sticky notes: rank r (how thin A and B are), alpha (how strongly they count: alpha / r), where."""
    from peft import LoraConfig, TaskType

    return LoraConfig(
        task_type=TaskType.CAUSAL_LM, r=rank, lora_alpha=alpha, lora_dropout=dropout,
        target_modules=TARGETS[targets],
        fan_in_fan_out=True,  # GPT-2's layers are Conv1D: their weight is stored (in, out), transposed
    )


def training_arguments(folder: Path, epochs: int, batch_size: int, learning_rate: float, seed: int,
                       steps_per_epoch: int) -> Any:
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(folder), num_train_epochs=epochs, learning_rate=learning_rate,
        per_device_train_batch_size=batch_size, per_device_eval_batch_size=batch_size,
        warmup_steps=0.1,  # the first 10% of steps: the learning rate rises from 0 (a float here is a share)
        lr_scheduler_type="linear", weight_decay=0.0,
        eval_strategy="epoch", save_strategy="epoch",  # measure on the validation set after every epoch ...
        load_best_model_at_end=True, metric_for_best_model="eval_loss", greater_is_better=False,  # ... keep the best
        save_total_limit=2, logging_steps=max(1, steps_per_epoch // 4), report_to="none", disable_tqdm=True,
        use_cpu=not torch.cuda.is_available(), seed=seed, data_seed=seed, dataloader_num_workers=0,
        remove_unused_columns=False,
    )


def build_parser():
    parser = script.step_parser("Fine-tune a pre-trained model with LoRA on question-answer pairs.",
                                text_flag=False, threads_flag=True)
    parser.add_argument("--data", type=Path, default=TRAINING_FILE, metavar="FILE",
                        help="JSON Lines file of pairs (default: our school questions)")
    add_base_flags(parser)
    parser.add_argument("--strict", action="store_true", help="stop at bad lines in --data instead of skipping them")
    parser.add_argument("--adapter-name", default="school", help="name of the adapter to save (default: school)")
    parser.add_argument("--rank", type=script.positive_int, default=8, help="LoRA rank r (default 8)")
    parser.add_argument("--alpha", type=script.positive_float, default=16.0, help="LoRA alpha (default 16): notes count alpha/r")
    parser.add_argument("--lora-dropout", type=script.fraction, default=0.05, help="dropout on the LoRA input (default 0.05)")
    parser.add_argument("--targets", choices=sorted(TARGETS), default="all",
                        help="which layers to adapt: attention, mlp or all (default)")
    parser.add_argument("--epochs", type=script.positive_int, default=None, help="passes over the data (default 4 local, 3 distilgpt2)")
    parser.add_argument("--learning-rate", type=script.positive_float, default=None, help="peak learning rate")
    parser.add_argument("--batch-size", type=script.positive_int, default=None, help="examples per step (default 8)")
    parser.add_argument("--resume", action="store_true", help="continue this adapter's last run from its last checkpoint")
    parser.add_argument("--merge", action="store_true", help="also save base + adapter merged into one ordinary model")
    return parser


def main(argv: list[str] | None = None) -> int:
    from peft import get_peft_model
    from transformers import PrinterCallback, Trainer

    started = time.perf_counter()
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 5.2 - Fine-tune with LoRA", "Sticky notes on a pre-trained model")
    base = resolve_base(args.base_model)
    model, tokenizer = load_base(base)
    defaults = DEFAULTS[base.char_level]
    epochs, learning_rate = args.epochs or defaults["epochs"], args.learning_rate or defaults["learning_rate"]
    batch_size = args.batch_size or defaults["batch_size"]
    ui.result("Base model", f"{base.describe()}, {model.num_parameters():,} numbers")

    # 1. The data: tokenized, answer-only labels, split 90/10 (step 5.1; made again only if settings changed).
    window = model_window(model)
    about = settings_record(args.data, base, tokenizer, args.template, args.seed, args.limit, window)
    loaded = load_prepared(prepared_dir(args.out_dir), about)
    if loaded is None:
        prepare_from_args(args, base, tokenizer, window, show=not args.quiet)
        loaded = load_prepared(prepared_dir(args.out_dir), about)
    data, counts = loaded
    data = data.select_columns(["input_ids", "labels"])  # one row per window (most examples fit in one)

    # 2. The sticky notes: PEFT wraps every target layer; the base's own weights are frozen.
    model = get_peft_model(model, lora_config(args.rank, args.alpha, args.lora_dropout, args.targets))
    trainable, total = model.get_nb_trainable_parameters()
    ui.result("Numbers trained", f"{trainable:,} of {total:,} ({trainable / total:.2%}): only the LoRA matrices")

    # 3. The training loop: transformers' Trainer (batches, AdamW, warmup, evaluation each epoch, checkpoints).
    steps_per_epoch = -(-len(data["train"]) // batch_size)
    run_folder = output_dir(5, args.out_dir) / "runs" / args.adapter_name
    trainer = Trainer(
        model=model, args=training_arguments(run_folder, epochs, batch_size, learning_rate, args.seed, steps_per_epoch),
        train_dataset=data["train"], eval_dataset=data["validation"],
        data_collator=lambda batch: pad_batch(batch, pad_id(tokenizer)),  # dynamic padding, masked with -100
        processing_class=tokenizer, callbacks=[run_report.make_progress_callback(steps_per_epoch * epochs)],
    )
    trainer.remove_callback(PrinterCallback)  # it prints raw log dictionaries; our callback shows a progress bar
    resume = args.resume and any(run_folder.glob("checkpoint-*"))
    if args.resume and not resume:
        ui.warn(f"There is no checkpoint of '{args.adapter_name}' to continue from in {show_path(run_folder)}: starting afresh.")
    training_started = time.perf_counter()
    trainer.train(resume_from_checkpoint=True if resume else None)
    train_seconds = time.perf_counter() - training_started

    # 4. Save the adapter (a few hundred kB to a few MB), the tokenizer and what happened.
    folder = adapter_dir(args.adapter_name, args.out_dir)
    model.save_pretrained(folder)  # adapter_model.safetensors + adapter_config.json: only the sticky notes
    tokenizer.save_pretrained(folder)
    history = run_report.loss_history(trainer.state.log_history)
    best = min(history["validation"], key=lambda point: point[1]) if history["validation"] else None
    trained_tokens = sum(len(ids) for ids in data["train"]["input_ids"]) * epochs
    run_report.save_curve(history, folder / run_report.CURVE_FILE)
    run_report.write_summary(folder, {
        "adapter": args.adapter_name, "base": {"name": base.name, "source": base.source, "char_level": base.char_level},
        "data": str(Path(args.data).resolve()), "template": args.template, "limit": args.limit, "seed": args.seed,
        "lora": {"rank": args.rank, "alpha": args.alpha, "dropout": args.lora_dropout, "targets": args.targets},
        "training": {"epochs": epochs, "learning_rate": learning_rate, "batch_size": batch_size},
        "examples": {"train": counts["train"], "validation": counts["validation"]},
        "windows": {"train": len(data["train"]), "validation": len(data["validation"]), "size": window},
        "parameters": {"trainable": trainable, "total": total}, "history": history,
        "best": {"epoch": best[0], "validation_loss": best[1]} if best else None,
        "seconds": {"training": train_seconds, "total": time.perf_counter() - started},
        "tokens_per_second": trained_tokens / max(train_seconds, 1e-9), "peak_memory_mb": run_report.peak_memory_mb(),
        "threads": torch.get_num_threads(),
    })
    run_report.show_curve(history)
    ui.saved(folder, f"adapter '{args.adapter_name}' (loss curve: {run_report.CURVE_FILE})")
    if args.merge:
        merged = output_dir(5, args.out_dir) / "merged" / args.adapter_name
        model.merge_and_unload().save_pretrained(merged)  # W + (alpha/r)·B·A written into each layer
        tokenizer.save_pretrained(merged)
        ui.saved(merged, "base and adapter merged into one ordinary model")
    ui.result("Time", f"{train_seconds:.0f} s of training ({trained_tokens / max(train_seconds, 1e-9):,.0f} tokens/s)")
    ui.say("Next: python chat.py, then python evaluate.py to measure whether it helped.")
    return 0


if __name__ == "__main__":
    script.run_step(main)
