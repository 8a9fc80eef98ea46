"""Where fine-tuned adapters live, which one is newest, and loading a base with its adapters.

Each fine-tune saves its LoRA adapter in outputs/adapters/<name>/ (adapter_model.safetensors,
adapter_config.json, the tokenizer and training_summary.json). Many adapters can sit side by side on one
base model; chat.py and evaluate.py use the most recently trained one unless told --adapter NAME.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildai import ui
from buildai.errors import UserError
from buildai.paths import output_dir
from level_5_real_finetune.base_models import BaseModel, load_base
from level_5_real_finetune.run_report import SUMMARY_FILE, read_summary

ADAPTERS = "adapters"
HOW_TO_MAKE = "Fine-tune one first: cd level_5_real_finetune && python finetune.py --base-model local"


def adapters_dir(out_dir: Path | None = None) -> Path:
    return output_dir(5, out_dir) / ADAPTERS


def adapter_dir(name: str, out_dir: Path | None = None) -> Path:
    return adapters_dir(out_dir) / name


def trained_adapters(out_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """name -> training summary, for every finished adapter, newest last."""
    found = {}
    for summary in sorted(adapters_dir(out_dir).glob(f"*/{SUMMARY_FILE}")):
        found[summary.parent.name] = read_summary(summary.parent)
    return dict(sorted(found.items(), key=lambda item: item[1].get("finished_at", 0)))


def choose_adapter(name: str | None, out_dir: Path | None = None) -> tuple[str, dict[str, Any]]:
    """--adapter NAME, or the most recently fine-tuned one; a clear message if there is none."""
    adapters = trained_adapters(out_dir)
    if not adapters:
        raise UserError(f"There is no fine-tuned adapter yet. {HOW_TO_MAKE}")
    if name is None:
        name = list(adapters)[-1]
    elif name not in adapters:
        raise UserError(f"There is no adapter called '{name}'. Trained adapters: {', '.join(adapters)}.")
    return name, adapters[name]


@dataclass
class Finetuned:
    """A base model with one or more adapters loaded on it (PEFT's PeftModel) and its tokenizer."""

    model: Any
    tokenizer: Any
    base: BaseModel
    active: str
    summaries: dict[str, dict[str, Any]]

    def switch(self, name: str) -> float:
        """Make another loaded adapter the active one; return how long that took, in seconds."""
        if name not in self.summaries:
            raise UserError(f"There is no adapter called '{name}' on this base. Loaded: {', '.join(self.summaries)}.")
        started = time.perf_counter()
        self.model.set_adapter(name)  # the base stays as it is; only which small A and B matrices are used changes
        self.active = name
        return time.perf_counter() - started


def load_finetuned(name: str | None, out_dir: Path | None = None) -> Finetuned:
    """The base model once, with the chosen adapter active and every other adapter of the same base loaded too."""
    from peft import PeftModel

    name, summary = choose_adapter(name, out_dir)
    base = BaseModel(**summary["base"])
    model, tokenizer = load_base(base)
    peft_model = PeftModel.from_pretrained(model, str(adapter_dir(name, out_dir)), adapter_name=name)
    summaries = {name: summary}
    for other, other_summary in trained_adapters(out_dir).items():
        if other != name and other_summary["base"] == summary["base"]:
            peft_model.load_adapter(str(adapter_dir(other, out_dir)), adapter_name=other)
            summaries[other] = other_summary
    peft_model.set_adapter(name)
    ui.result("Adapter", f"{name} (fine-tuned on {summary['examples']['train']} examples of "
                         f"{Path(summary['data']).name}), on {base.describe()}")
    return Finetuned(peft_model.eval(), tokenizer, base, name, summaries)
