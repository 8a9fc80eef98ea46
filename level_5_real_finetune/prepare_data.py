"""Step 5.1 - Turn question-answer pairs into training examples, and learn only from the answers.

Each pair becomes one text in the prompt template (template.py):

    Question: Why does Kerala get the monsoon first?\\nAnswer: It is the first part of India the ...\\n
    └──────────────── prompt: not learned ─────────────────┘└──────────── answer: learned ───────────┘

The model reads the whole text, but the loss counts only the answer's tokens. Every prompt position gets
the label -100, which PyTorch's cross-entropy skips, so the model is never trained to *write* questions,
only to answer them. Padding (added so a batch's texts have equal length) is masked the same way.

A model has a window: DistilGPT-2 sees 1,024 tokens, your Level 4 model perhaps only 64 characters, less
than one question and its answer. A longer example is read in overlapping windows, half a window apart,
and each token is scored once, in the first window where it has at least half a window of text before it
(or all of it, at the start). Evaluation measures the same way (metrics.py).

    python prepare_data.py                            # our school pairs, for the base finetune.py will use
    python prepare_data.py --data my_pairs.jsonl      # your own file ("question"/"answer" fields work too)
    python prepare_data.py --strict                   # stop at the first bad line instead of skipping it

It writes outputs/prepared/{train,validation}.jsonl, which `datasets.load_dataset("json", ...)` reads.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from buildai import script, ui
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.safe_io import atomic_write_text, read_json, write_json
from level_5_real_finetune.base_models import BaseModel, load_base, resolve_base
from level_5_real_finetune.qa_data import TRAINING_FILE, Pair, PairFile, read_pairs
from level_5_real_finetune.template import DEFAULT_TEMPLATE, TEMPLATES, format_answer, format_prompt

IGNORE = -100  # the label PyTorch's cross-entropy skips: "no loss here"
VALIDATION_SHARE = 0.1
PREPARED = "prepared"


@dataclass
class Example:
    """One tokenized pair: the ids the model reads, and the labels it is scored on."""

    input_ids: list[int]
    labels: list[int]  # IGNORE on prompt positions, the token id on answer positions
    pair: Pair


def make_example(tokenizer: Any, pair: Pair, template: str) -> Example:
    """Tokenize prompt and answer separately (so we know exactly where the answer starts) and mask the prompt."""
    prompt_ids = tokenizer.encode(format_prompt(pair.question, template), add_special_tokens=False)
    answer_ids = tokenizer.encode(format_answer(pair.answer), add_special_tokens=False)
    return Example(prompt_ids + answer_ids, [IGNORE] * len(prompt_ids) + answer_ids, pair)


def windows(example: Example, window: int) -> list[dict[str, list[int]]]:
    """The example as pieces of at most `window` tokens, half a window apart, each token scored once.

    >>> example = Example(list(range(10)), [IGNORE, IGNORE, 2, 3, 4, 5, 6, 7, 8, 9], Pair("q", "a"))
    >>> [piece["labels"] for piece in windows(example, 6)]
    [[-100, -100, 2, 3, 4, 5], [-100, -100, -100, 6, 7, 8], [-100, -100, -100, 9]]
    >>> [piece["input_ids"][0] for piece in windows(example, 6)]  # where each piece starts
    [0, 3, 6]
    """
    ids, labels = example.input_ids, example.labels
    if len(ids) <= window:
        return [{"input_ids": ids, "labels": labels}]
    stride, pieces, scored_until, start = max(1, window // 2), [], 0, 0
    while True:
        end = min(start + window, len(ids))
        kept = [label if position >= scored_until else IGNORE for position, label in zip(range(start, end), labels[start:end])]
        pieces.append({"input_ids": ids[start:end], "labels": kept})
        scored_until = end
        if end == len(ids):
            return pieces
        start += stride


def pad_batch(examples: list[dict[str, list[int]]], pad: int) -> dict[str, torch.Tensor]:
    """Dynamic padding: make a batch's examples as long as its longest one (not as long as the longest of all).

    Padding positions get attention_mask 0 (nothing attends to them) and the label IGNORE (no loss).

    >>> batch = pad_batch([{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}, {"input_ids": [8], "labels": [8]}], pad=0)
    >>> batch["input_ids"].tolist(), batch["labels"].tolist(), batch["attention_mask"].tolist()
    ([[5, 6, 7], [8, 0, 0]], [[-100, 6, 7], [8, -100, -100]], [[1, 1, 1], [1, 0, 0]])
    """
    longest = max(len(example["input_ids"]) for example in examples)
    def padded(values: list[int], filler: int) -> list[int]:
        return values + [filler] * (longest - len(values))
    return {
        "input_ids": torch.tensor([padded(e["input_ids"], pad) for e in examples]),
        "attention_mask": torch.tensor([padded([1] * len(e["input_ids"]), 0) for e in examples]),
        "labels": torch.tensor([padded(e["labels"], IGNORE) for e in examples]),
    }


def readable(tokenizer: Any, text: str) -> bool:
    """Can the model read and write this text? (A character model drops characters it has no token for.)"""
    return tokenizer.decode(tokenizer.encode(text, add_special_tokens=False)) == text


def unknown_characters(tokenizer: Any, text: str) -> set[str]:
    return {character for character in set(text) if not readable(tokenizer, character)}


@dataclass
class Prepared:
    train: list[Example]
    validation: list[Example]
    unreadable: list[Pair]
    missing_characters: set[str]


def prepare(pairs: list[Pair], tokenizer: Any, template: str, seed: int) -> Prepared:
    """Pairs -> examples, split 90/10 with `seed`: the same seed always gives the same split."""
    examples, unreadable, missing = [], [], set()
    for pair in pairs:
        text = format_prompt(pair.question, template) + format_answer(pair.answer)
        if readable(tokenizer, text):
            examples.append(make_example(tokenizer, pair, template))
        else:
            unreadable.append(pair)
            missing |= unknown_characters(tokenizer, text)
    if len(examples) < 2:
        raise UserError(f"Only {len(examples)} of the {len(pairs)} pairs can be used with this model, too few to "
                        f"train and check on. Add more pairs, or see the lines above for why pairs were skipped.")
    random.Random(seed).shuffle(examples)
    held_out = max(1, round(VALIDATION_SHARE * len(examples)))
    return Prepared(examples[held_out:], examples[:held_out], unreadable, missing)


# ------------------------------------------------------------------------------ files


def prepared_dir(out_dir: Path | None = None) -> Path:
    return output_dir(5, out_dir) / PREPARED


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """Changes whenever the tokenizer would give other ids: examples made with another tokenizer are useless."""
    return hashlib.sha256(tokenizer.backend_tokenizer.to_str().encode("utf-8")).hexdigest()


def _jsonl(examples: list[Example], window: int) -> str:
    """One line per window (most examples are one window): what the Trainer reads."""
    import json

    rows = ({**piece, "example": index, "question": e.pair.question, "subject": e.pair.subject, "lang": e.pair.lang}
            for index, e in enumerate(examples) for piece in windows(e, window))
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def save_prepared(folder: Path, prepared: Prepared, about: dict[str, Any]) -> None:
    atomic_write_text(folder / "train.jsonl", _jsonl(prepared.train, about["window"]))
    atomic_write_text(folder / "validation.jsonl", _jsonl(prepared.validation, about["window"]))
    write_json(folder / "summary.json", {**about, "train": len(prepared.train), "validation": len(prepared.validation)})


def load_prepared(folder: Path, about: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    """(the saved windows as a `datasets.DatasetDict`, the summary with the example counts), if they were made
    with these settings; else None."""
    summary = folder / "summary.json"
    if not summary.exists():
        return None
    saved = read_json(summary, "prepared data summary")
    if any(saved.get(key) != value for key, value in about.items()):
        return None
    import json

    from datasets import Dataset, DatasetDict

    # Our own files, read as they were written. (datasets.load_dataset("json", ...) would also work, but
    # with internet it first tells the Hub's servers that a dataset was loaded: nothing here goes out.)
    def rows(name: str) -> list[dict[str, Any]]:
        with (folder / f"{name}.jsonl").open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    return DatasetDict({name: Dataset.from_list(rows(name)) for name in ("train", "validation")}), saved


def settings_record(data: Path, base: BaseModel, tokenizer: Any, template: str, seed: int, limit: int | None,
                    window: int) -> dict[str, Any]:
    """What the prepared files depend on: change any of these and they must be made again."""
    return {"data": str(Path(data).resolve()), "data_sha256": hashlib.sha256(Path(data).read_bytes()).hexdigest(),
            "base_model": base.source, "tokenizer_sha256": tokenizer_fingerprint(tokenizer), "template": template,
            "seed": seed, "limit": limit, "window": window}


# ------------------------------------------------------------------------------ showing it


def percentile(values: list[int], share: float) -> int:
    """The value below which `share` of the values lie (nearest rank).

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)
    9
    """
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def show_summary(pair_file: PairFile, used: int, prepared: Prepared, window: int) -> None:
    problems = pair_file.problems
    for number, what in problems[:10]:
        ui.warn(f"line {number}: {what} - skipped")
    if len(problems) > 10:
        ui.warn(f"... and {len(problems) - 10} more bad lines, skipped")
    examples = prepared.train + prepared.validation
    lengths = [len(example.input_ids) for example in examples]
    answers = [sum(label != IGNORE for label in example.labels) for example in examples]
    rows = [
        ("lines with a question and an answer", len(pair_file.pairs) + pair_file.duplicates),
        ("bad lines (skipped)", len(problems)), ("duplicate questions (dropped)", pair_file.duplicates),
        ("pairs used" + (" (--limit)" if used < len(pair_file.pairs) else ""), used),
        ("pairs this model cannot read (set aside)", len(prepared.unreadable)),
        ("training examples", len(prepared.train)), ("validation examples", len(prepared.validation)),
        ("examples longer than the window, read in overlapping windows", sum(n > window for n in lengths)),
    ]
    ui.table("What became of the pairs", ["", "count"], rows)
    ui.table(f"Lengths in tokens (the model's window: {window})", ["", "median", "90th percentile", "longest"], [
        ("whole example", percentile(lengths, 0.5), percentile(lengths, 0.9), max(lengths)),
        ("answer part (learned)", percentile(answers, 0.5), percentile(answers, 0.9), max(answers)),
    ])
    if prepared.unreadable:
        shown = " ".join(ui.show_char(c) for c in sorted(prepared.missing_characters)[:20])
        languages = sorted({pair.lang for pair in prepared.unreadable})
        ui.say(f"The {len(prepared.unreadable)} pairs set aside use characters this model has no token for: {shown} "
               f"(languages: {', '.join(languages)}). A character model can only read and write the characters it "
               f"was trained on; DistilGPT-2's tokenizer works on bytes, so it can read them all.")


def show_masking(example: Example, tokenizer: Any) -> None:
    """One example, its prompt (masked, -100) and its answer (learned) shown apart."""
    prompt_length = example.labels.count(IGNORE)
    prompt = tokenizer.decode(example.input_ids[:prompt_length])
    answer = tokenizer.decode(example.input_ids[prompt_length:])
    ui.say(f"[dim]{ui.escape(prompt)}[/dim][good]{ui.escape(answer)}[/good]")
    ui.say(f"{prompt_length} prompt tokens get the label {IGNORE} (no loss); the {len(example.input_ids) - prompt_length} "
           f"answer tokens are what the model learns to write.")


def build_parser():
    parser = script.step_parser("Turn question-answer pairs into masked training examples.", text_flag=False)
    parser.add_argument("--data", type=Path, default=TRAINING_FILE, metavar="FILE",
                        help="JSON Lines file of pairs (default: our school questions)")
    add_base_flags(parser)
    parser.add_argument("--strict", action="store_true", help="stop at bad lines instead of skipping them")
    return parser


def add_base_flags(parser) -> None:
    """The flags prepare_data.py and finetune.py share: which model, which data, which template."""
    parser.add_argument("--base-model", default=None, metavar="local|distilgpt2|PATH",
                        help="the model to fine-tune (default: distilgpt2 with internet, else local)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE, choices=sorted(TEMPLATES),
                        help=f"prompt template (default {DEFAULT_TEMPLATE}; see template.py)")
    parser.add_argument("--limit", type=script.positive_int, default=None, metavar="N",
                        help="use only the first N pairs (a quick run)")


def prepare_from_args(args: Any, base: BaseModel, tokenizer: Any, window: int, show: bool = True) -> Prepared:
    """Read --data, prepare it for this tokenizer, save it under outputs/prepared and show what happened."""
    pair_file = read_pairs(args.data, strict=args.strict)
    pairs = pair_file.pairs[: args.limit] if args.limit else pair_file.pairs
    prepared = prepare(pairs, tokenizer, args.template, args.seed)
    about = settings_record(args.data, base, tokenizer, args.template, args.seed, args.limit, window)
    save_prepared(prepared_dir(args.out_dir), prepared, about)
    if show:
        show_summary(pair_file, len(pairs), prepared, window)
    return prepared


def model_window(model: Any) -> int:
    """How many tokens the model can look at: its context (GPT-2: n_positions)."""
    return int(getattr(model.config, "n_positions", None) or model.config.max_position_embeddings)


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 5.1 - Prepare the data", "Pairs become examples; only the answers are learned")
    base = resolve_base(args.base_model)
    model, tokenizer = load_base(base)
    ui.result("Base model", base.describe())
    prepared = prepare_from_args(args, base, tokenizer, model_window(model))
    ui.explain("Here is one training example. The grey prompt is read but never scored (label -100); the "
               "answer is where the loss is counted, so the model learns to answer, not to ask.",
               title="Answer-only loss")
    show_masking(prepared.train[0], tokenizer)
    ui.saved(prepared_dir(args.out_dir), f"{len(prepared.train)} training and {len(prepared.validation)} validation examples")
    ui.say("Next: python finetune.py")


if __name__ == "__main__":
    script.run_step(main)
