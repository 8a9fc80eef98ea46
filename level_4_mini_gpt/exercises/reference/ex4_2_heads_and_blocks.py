"""Exercise 4.2 — the reference answer: the five report cards of the run the lesson recorded
(measured/budget.json), and the two head models counted."""

import json

from buildai.data import load_corpus
from buildai.paths import REPO_ROOT
from level_4_mini_gpt.model import GPTConfig, MiniGPT
from level_4_mini_gpt.presets import PRESETS

run = json.loads((REPO_ROOT / "level_4_mini_gpt" / "measured" / "budget.json").read_text(encoding="utf-8"))["values"]
names = {"1block": "1 block", "4blocks": "4 blocks", "6blocks": "6 blocks", "1head": "1 head", "8heads": "8 heads"}
bits = {names[key]: run[f"budget_{key}_bits"] for key in names}
blocks = [bits[name] for name in ("1 block", "4 blocks", "6 blocks")]
heads = [bits[name] for name in ("1 head", "8 heads")]


def numbers(n_head: int) -> int:
    sizes = {name: PRESETS["default"][name] for name in ("n_layer", "n_embd", "block_size")}
    return MiniGPT(GPTConfig(vocab_size=load_corpus().tokenizer.vocab_size, n_head=n_head, **sizes)).parameter_count()


ANSWERS = {
    "best_run": min(bits, key=bits.get),
    "matters_most": "blocks" if max(blocks) - min(blocks) > max(heads) - min(heads) else "heads",
    "extra_numbers_with_8_heads": numbers(8) - numbers(1),
}
