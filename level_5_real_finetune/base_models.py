"""Which pre-trained model to fine-tune, and how to load it: with the internet or without.

    --base-model distilgpt2   DistilGPT-2 from the Hugging Face Hub (82 million numbers, reads any text)
    --base-model local        your own Level 4 Mini-GPT, exported as a Hugging Face GPT-2 (works offline)
    --base-model PATH         a Hugging Face model folder, or a Level 4 checkpoint folder

With no --base-model, DistilGPT-2 is used when the Hub can be reached (checked in under 5 seconds) and the
local model otherwise. The local base is the model Level 4's train.py saved; if there is none yet, the
tiny preset is trained first (about half a minute), exactly as `python train.py --preset tiny` would.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from buildai import ui
from buildai.errors import UserError
from buildai.paths import output_dir, show_path
from buildai.safe_io import read_json, write_json

HUB_MODEL = "distilbert/distilgpt2"  # the Hub's name for DistilGPT-2 ("distilgpt2" is an older alias)
HUB_CHOICES = {"distilgpt2", HUB_MODEL}
HUB_TIMEOUT = 4.0  # seconds to wait for the Hub before deciding it cannot be reached
LOCAL_TRAINING = ["--preset", "tiny"]
EXPORT_RECORD = "exported_from.json"  # which Level 4 weights an export was made from


@dataclass(frozen=True)
class BaseModel:
    """A model to fine-tune: what the learner asked for, and where its files are (a folder or a Hub name)."""

    name: str  # "local", "distilgpt2" or a path, as given
    source: str  # a folder, or a Hub model name
    char_level: bool  # one token per character (Mini-GPT) rather than BPE pieces (GPT-2)

    def describe(self) -> str:
        if self.name == "local":
            return f"your Level 4 Mini-GPT ({show_path(Path(self.source))})"
        return self.source if self.source == HUB_MODEL else show_path(Path(self.source))


def quiet_libraries() -> None:
    """transformers, datasets and PEFT print progress bars and advice meant for developers; we show our own."""
    import warnings

    from datasets.utils.logging import disable_progress_bar, set_verbosity_error

    from level_4_mini_gpt.export_hf import quiet_hugging_face

    quiet_hugging_face()
    disable_progress_bar()
    set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft)\.")


def hub_offline_requested() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def hub_reachable(timeout: float = HUB_TIMEOUT) -> bool:
    """Can we open a connection to the Hugging Face Hub? Answers within `timeout` seconds.

    (Asking transformers to download with no network would retry for about 45 seconds first.)
    """
    if hub_offline_requested():
        return False
    address = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((address.hostname or "huggingface.co", address.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


NO_HUB = ("The Hugging Face Hub cannot be reached from this computer (no internet, a school firewall, or "
          "HF_HUB_OFFLINE=1), and DistilGPT-2 has not been downloaded here before.")


def resolve_base(choice: str | None, level4_out_dir: Path | None = None) -> BaseModel:
    """--base-model -> the model to use, explaining the choice when none was given."""
    if choice is None:
        if hub_reachable():
            return BaseModel("distilgpt2", HUB_MODEL, char_level=False)
        ui.explain("The Hugging Face Hub cannot be reached, so we fine-tune the model you built yourself in "
                   "Level 4 instead of DistilGPT-2: every step works the same way, only the model is smaller "
                   "and knows characters instead of word pieces. With internet, add --base-model distilgpt2.",
                   title="Working offline")
        choice = "local"
    if choice in HUB_CHOICES:
        return BaseModel("distilgpt2", HUB_MODEL, char_level=False)
    if choice == "local":
        return BaseModel("local", str(local_base(level4_out_dir)), char_level=True)
    folder = Path(choice)
    if (folder / "model.json").exists():  # a Level 4 checkpoint folder
        return BaseModel(choice, str(export_level4(folder, folder.parent / "hugging_face")), char_level=True)
    if (folder / "config.json").exists():
        return BaseModel(choice, str(folder), char_level=_is_char_level(folder))
    raise UserError(f"--base-model {choice}: that is not 'local', 'distilgpt2', a Hugging Face model folder "
                    f"(with config.json) or a Level 4 checkpoint folder (with model.json).")


def _is_char_level(folder: Path) -> bool:
    record = folder / EXPORT_RECORD
    return record.exists()


def local_base(level4_out_dir: Path | None = None) -> Path:
    """The Hugging Face folder of the local base: Level 4's saved model, trained first if there is none."""
    from level_4_mini_gpt.checkpoint import default_checkpoint_dir

    checkpoint = default_checkpoint_dir(level4_out_dir)
    if not (checkpoint / "model.json").exists():
        ui.explain(f"There is no Level 4 model yet, so we train one now with the tiny preset (python train.py "
                   f"{' '.join(LOCAL_TRAINING)} in level_4_mini_gpt, about half a minute). It is saved where "
                   f"Level 4 keeps it, {show_path(checkpoint)}, and used from then on.", title="Pre-training the local base")
        train_local(level4_out_dir)
    return export_level4(checkpoint, output_dir(5) / "local_base")


def train_local(level4_out_dir: Path | None) -> None:
    """Level 4's train.py with the tiny preset, writing where Level 4 keeps its model."""
    from level_4_mini_gpt import train

    started = time.perf_counter()
    flags = [*LOCAL_TRAINING, *(["--out-dir", str(level4_out_dir)] if level4_out_dir else []), *(["--quiet"] if ui.is_quiet() else [])]
    if train.main(flags) != 0:
        raise UserError("Pre-training the local base stopped before the end, so there is no base model yet. "
                        "Run the same command again to continue.")
    ui.say(f"Pre-trained the local base in {time.perf_counter() - started:.0f} s.")


def export_level4(checkpoint: Path, out: Path) -> Path:
    """A Level 4 checkpoint as a Hugging Face folder, exported again only when the weights changed."""
    from level_4_mini_gpt.export_hf import export_checkpoint

    fingerprint = read_json(checkpoint / "model.json", "checkpoint description").get("weights_sha256")
    record = out / EXPORT_RECORD
    if record.exists() and read_json(record).get("weights_sha256") == fingerprint and (out / "config.json").exists():
        return out
    export_checkpoint(checkpoint, out)
    write_json(record, {"checkpoint": str(checkpoint.resolve()), "weights_sha256": fingerprint})
    return out


def load_base(base: BaseModel) -> tuple[Any, Any]:
    """(model in eval mode, tokenizer) for a BaseModel; a clear message when the Hub is needed but missing."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet_libraries()
    offline = base.source == HUB_MODEL and not hub_reachable()
    try:
        tokenizer = AutoTokenizer.from_pretrained(base.source, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(base.source, local_files_only=offline)
    except OSError as problem:
        if base.source == HUB_MODEL:
            raise UserError(f"{NO_HUB} Connect to the internet once and run again (it is saved for later), or "
                            f"use --base-model local to fine-tune your own Level 4 model offline.") from None
        raise UserError(f"Could not load the model in {base.describe()}: {problem}") from None
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token  # GPT-2 has no padding token; padding is masked out anyway
    return model.eval(), tokenizer


def pad_id(tokenizer: Any) -> int:
    """The id used for padding. Padded positions are masked, so any valid id would do."""
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
