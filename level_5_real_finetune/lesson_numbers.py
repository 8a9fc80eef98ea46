"""The measured numbers Level 5's lesson.md, solutions.md and data/DATA_CARD.md quote, and how each is measured.

Fast numbers (the data's counts, parameter counts, what the local model can read) are measured every time.
Fine-tuning runs take minutes, so each is recorded once in `measured/<run>.json` with its settings and the
fingerprints of the data it used; a changed setting or data file makes the record stale.

    python lesson_numbers.py                          # check every quoted number
    python lesson_numbers.py --update                 # rewrite the quoted values
    python lesson_numbers.py --update --run main      # fine-tune and evaluate again, and record it (~5 minutes)

Every run starts from the same local base: Level 4's tiny preset, trained with seed 42.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buildai.data import load_corpus, read_jsonl
from buildai.lesson_numbers import Block, LessonNumbers, Quote, Recorded, Values, run_script
from buildai.paths import level_dir
from level_4_mini_gpt.presets import PRESETS
from level_5_real_finetune.qa_data import EVALUATION_FILE, SECOND_ADAPTER_FILE, TRAINING_FILE

HERE = Path(__file__).resolve().parent
SEED = 42
TOLERANCE = 0.011  # seeded CPU runs may differ in the last digit between computers
ASK = "Why do we see lightning before we hear thunder?"  # a training question: the tour asks it too
TEMPERATURE_QUESTION = "What is the function of the heart?"
TEMPERATURES = [0.1, 0.4, 0.7, 1.0, 1.5]
KITCHEN_QUESTION = "How do I make lemon rice?"
RANKS = [4, 16]  # rank 8 is the main run
MODULES = ["attention", "mlp"]  # "all" is the main run
TEMPLATES = ["teacher", "bare"]  # "plain" is the main run
OVERFIT_EPOCHS = 10
MEMORISE_FLAGS = ["--limit", "40", "--rank", "32", "--alpha", "64", "--learning-rate", "0.01", "--epochs", "10"]
# Exercise 6: ten regional questions, each with the word that finds training pairs on the same topic.
AUDIT = [
    ("Who were the Ahoms?", "ahom"), ("Who was Lachit Borphukan?", "lachit"), ("Who was U Tirot Sing?", "tirot"),
    ("Why is Rani Gaidinliu remembered?", "gaidinliu"), ("What was the Kol uprising?", "kol "),
    ("Who was Birsa Munda?", "birsa"), ("What was the Santhal rebellion?", "santhal"),
    ("Who built the Brihadeeswarar temple?", "brihadeeswar"), ("What was Hampi?", "hampi"),
    ("Who was Rani Abbakka?", "abbakka"),
]
REGIONAL = re.compile(r"north-east|northeast|assam|manipur|meghalaya|nagaland|mizoram|arunachal|tripura|sikkim|ahom|"
                      r"naga|khasi|mizo|kohima|itanagar", re.IGNORECASE)
TRIBAL = re.compile(r"tribal|adivasi|santhal|munda|bhil|gond|kol |kol,|birsa", re.IGNORECASE)
SOUTH = re.compile(r"chola|pandya|chera|pallava|vijayanagara|hoysala|kerala|tamil|karnataka|andhra|telangana|"
                   r"travancore|mysore|madurai|thanjavur|kakatiya|chalukya", re.IGNORECASE)


# ------------------------------------------------------------------------------ fast measurements


def rows(path: Path) -> list[dict[str, Any]]:
    return [record for _, record in read_jsonl(path).records]


def lora_numbers(n_layer: int, n_embd: int, vocab: int, block: int, rank: int) -> tuple[int, int]:
    """(trainable, total) numbers of a GPT-2 of these sizes with LoRA rank `rank` on every projection."""
    from peft import get_peft_model
    from transformers import GPT2Config, GPT2LMHeadModel

    from level_5_real_finetune.base_models import quiet_libraries
    from level_5_real_finetune.finetune import lora_config

    quiet_libraries()
    model = GPT2LMHeadModel(GPT2Config(vocab_size=vocab, n_positions=block, n_embd=n_embd, n_layer=n_layer,
                                       n_head=max(1, n_embd // 64) if n_embd % 64 == 0 else 3,
                                       bos_token_id=None, eos_token_id=None))
    return get_peft_model(model, lora_config(rank, 2 * rank, 0.0, "all")).get_nb_trainable_parameters()


def measure() -> dict[str, Any]:
    """The data's counts and the parameter counts (a few seconds)."""
    from level_4_mini_gpt.export_hf import to_hugging_face_tokenizer
    from level_5_real_finetune.prepare_data import readable
    from level_5_real_finetune.template import format_answer, format_prompt

    train, held_out, kitchen = rows(TRAINING_FILE), rows(EVALUATION_FILE), rows(SECOND_ADAPTER_FILE)
    values: dict[str, Any] = {"train_pairs": len(train), "eval_pairs": len(held_out), "kitchen_pairs": len(kitchen)}
    for name, data in (("train", train), ("eval", held_out)):
        languages = Counter(row["lang"] for row in data)
        values[f"{name}_hindi"], values[f"{name}_english"] = languages["hi"], languages["en"]
        for subject, count in Counter(row["subject"] for row in data).items():
            values[f"{name}_{subject}"] = count
        for grade, count in Counter(row["grade"] for row in data).items():
            values[f"{name}_grade_{grade}"] = count
    text = [row["instruction"] + " " + row["response"] for row in train]
    values["train_regional"] = sum(bool(REGIONAL.search(t)) for t in text)
    values["train_tribal"] = sum(bool(TRIBAL.search(t)) for t in text)
    values["train_south"] = sum(bool(SOUTH.search(t)) for t in text)
    history = [t for t, row in zip(text, train) if row["subject"] == "history"]
    values["train_history_regional"] = sum(bool(REGIONAL.search(t)) for t in history)
    lowered = [t.lower() for t in text]
    for index, (_, key) in enumerate(AUDIT):
        values[f"audit_{index}_pairs"] = sum(key in t for t in lowered)
    stories = load_corpus()
    tokenizer = to_hugging_face_tokenizer(stories.tokenizer)
    readable_rows = [row for row in train
                     if readable(tokenizer, format_prompt(row["instruction"]) + format_answer(row["response"]))]
    values["local_readable"] = len(readable_rows)
    values["local_unreadable"] = len(train) - len(readable_rows)
    values["local_unreadable_english"] = sum(row["lang"] == "en" for row in train) - len(readable_rows)
    values["local_readable_eval"] = sum(
        readable(tokenizer, format_prompt(row["instruction"]) + format_answer(row["response"])) for row in held_out)
    values["local_vocabulary"] = stories.tokenizer.vocab_size
    tiny = PRESETS["tiny"]
    values["tiny_block_size"] = tiny["block_size"]
    values["local_trainable"], values["local_total"] = lora_numbers(tiny["n_layer"], tiny["n_embd"], stories.tokenizer.vocab_size,
                                                                    tiny["block_size"], 8)
    values["local_share"] = values["local_trainable"] / values["local_total"]
    values["distil_trainable"], values["distil_total"] = lora_numbers(6, 768, 50257, 1024, 8)
    values["distil_share"] = values["distil_trainable"] / values["distil_total"]
    values["distil_millions"] = (values["distil_total"] - values["distil_trainable"]) / 1e6  # the model without notes
    values["local_base_total"] = values["local_total"] - values["local_trainable"]
    values["local_adapter_kb"] = values["local_trainable"] * 4 / 1000  # 32-bit numbers, 4 bytes each
    values["distil_adapter_mb"] = values["distil_trainable"] * 4 / 1e6
    values["size_ratio"] = round((values["distil_total"] - values["distil_trainable"]) / values["local_base_total"], -2)
    return values


# ------------------------------------------------------------------------------ recorded runs


def _run(root: Path, script: str, *args: str, level: int = 5) -> str:
    return run_script(level_dir(level), script, "--seed", str(SEED), *args, output_root=root)


def _pretrain(root: Path) -> None:
    """The local base every run starts from: Level 4's tiny preset, as `buildai tour` trains it."""
    _run(root, "train.py", "--preset", "tiny", "--quiet", level=4)


def _summary(root: Path, adapter: str) -> dict[str, Any]:
    path = root / "level_5_real_finetune" / "adapters" / adapter / "training_summary.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _held_out(root: Path, adapter: str) -> tuple[float, float]:
    """(base, fine-tuned) answer perplexity on the held-out pairs, in this process."""
    from level_5_real_finetune.evaluate import held_out_before_and_after

    base, tuned, _ = held_out_before_and_after(adapter, root / "level_5_real_finetune")
    return base, tuned


def _curve(prefix: str, summary: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {f"{prefix}_best_epoch": summary["best"]["epoch"],
                              f"{prefix}_best_validation": summary["best"]["validation_loss"]}
    for epoch, loss in summary["history"]["validation"]:
        values[f"{prefix}_validation_{epoch:.0f}"] = loss
    return values


def _in_temporary_root(work: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="buildai_l5_") as folder:
        root = Path(folder)
        _pretrain(root)
        return work(root)


def measure_main() -> dict[str, Any]:
    """The default fine-tune of the local base, evaluate.py on the whole held-out file, chat.py --ask."""
    def work(root: Path) -> dict[str, Any]:
        _run(root, "finetune.py", "--base-model", "local", "--quiet")
        summary = _summary(root, "school")
        values = _curve("main", summary)
        values.update({
            "main_seconds": summary["seconds"]["training"], "main_total_seconds": summary["seconds"]["total"],
            "main_tokens_per_second": summary["tokens_per_second"], "main_peak_mb": summary["peak_memory_mb"],
            "main_examples": summary["examples"]["train"], "main_validation_examples": summary["examples"]["validation"],
            "main_windows": summary["windows"]["train"], "main_epochs": summary["training"]["epochs"],
            "main_threads": summary["threads"],
        })
        _run(root, "evaluate.py", "--quiet")
        report = json.loads((root / "level_5_real_finetune" / "eval_report.json").read_text(encoding="utf-8"))
        for side in ("base", "finetuned"):
            for name, value in report[side].items():
                values[f"eval_{side}_{name}"] = value
        values["eval_n"] = report["n"]
        values["eval_cut"] = 1 - report["finetuned"]["answer_perplexity"] / report["base"]["answer_perplexity"]
        answers = [json.loads(line) for line in
                   (root / "level_5_real_finetune" / "eval_answers.jsonl").read_text(encoding="utf-8").splitlines()]
        values["eval_example_question"] = answers[0]["question"]
        values["eval_example_reference"] = answers[0]["reference"]
        values["eval_example_base"] = answers[0]["base"]
        values["eval_example_finetuned"] = answers[0]["finetuned"]
        output = _run(root, "chat.py", "--ask", ASK, "--quiet")
        values["ask_answer"] = output.split("Answer:", 1)[1].strip() if "Answer:" in output else ""
        return values
    return _in_temporary_root(work)


def measure_experiments() -> dict[str, Any]:
    """Exercises 1, 2, 4 and 5: one setting changed per fine-tune, each scored on the held-out answers."""
    def work(root: Path) -> dict[str, Any]:
        values: dict[str, Any] = {}
        runs = [(f"rank{rank}", ["--rank", str(rank), "--alpha", str(2 * rank)]) for rank in RANKS]
        runs += [(f"targets_{name}", ["--targets", name]) for name in MODULES]
        runs += [(f"template_{name}", ["--template", name]) for name in TEMPLATES]
        runs += [("overfit", ["--epochs", str(OVERFIT_EPOCHS)])]
        for name, flags in runs:
            _run(root, "finetune.py", "--base-model", "local", "--adapter-name", name, *flags, "--quiet")
            summary = _summary(root, name)
            values.update(_curve(name, summary))
            values[f"{name}_trainable"] = summary["parameters"]["trainable"]
            values[f"{name}_seconds"] = summary["seconds"]["training"]
            values[f"{name}_base_perplexity"], values[f"{name}_perplexity"] = _held_out(root, name)
        return values
    return _in_temporary_root(work)


def measure_memorising() -> dict[str, Any]:
    """Exercise 4, second part: few examples and many trainable numbers, so memorising is easy."""
    def work(root: Path) -> dict[str, Any]:
        _run(root, "finetune.py", "--base-model", "local", "--adapter-name", "memorise", *MEMORISE_FLAGS, "--quiet")
        summary = _summary(root, "memorise")
        values = _curve("memorise", summary)
        for epoch, loss in summary["history"]["train"]:
            values[f"memorise_train_{epoch:.2f}"] = loss
        values["memorise_examples"] = summary["examples"]["train"]
        values["memorise_first_train"] = summary["history"]["train"][0][1]
        values["memorise_last_train"] = summary["history"]["train"][-1][1]
        values["memorise_trainable"] = summary["parameters"]["trainable"]
        return values
    return _in_temporary_root(work)


def _answers(output: str) -> list[str]:
    """The answers chat.py printed, in order (each after "Answer:", to the end of its line)."""
    return [part.split("\n", 1)[0].strip() for part in output.split("Answer:")[1:]]


def measure_adapters() -> dict[str, Any]:
    """Exercises 3, 6 and 7: temperatures and the regional audit in one chat, then a second adapter."""
    def work(root: Path) -> dict[str, Any]:
        _run(root, "finetune.py", "--base-model", "local", "--quiet")
        lines = [line for temperature in TEMPERATURES for line in (f"temp {temperature}", TEMPERATURE_QUESTION)]
        lines += ["temp 0.5", *[question for question, _ in AUDIT], "quit"]
        answers = _answers(run_script(level_dir(5), "chat.py", "--seed", str(SEED), "--quiet", output_root=root,
                                      input_text="\n".join(lines) + "\n"))
        values: dict[str, Any] = {}
        for index, temperature in enumerate(TEMPERATURES):
            values[f"temperature_{index}"] = answers[index]
        for index, _ in enumerate(AUDIT):
            values[f"audit_{index}"] = answers[len(TEMPERATURES) + index]
            values[f"audit_{index}_start"] = textwrap.shorten(answers[len(TEMPERATURES) + index], width=60, placeholder=" …")
        _run(root, "finetune.py", "--base-model", "local", "--data", str(SECOND_ADAPTER_FILE), "--adapter-name",
             "kitchen", "--quiet")
        kitchen = _summary(root, "kitchen")
        values["kitchen_examples"] = kitchen["examples"]["train"]
        values["kitchen_seconds"] = kitchen["seconds"]["training"]
        output = run_script(level_dir(5), "chat.py", "--seed", str(SEED), output_root=root,  # not --quiet: it hides the switch time
                            input_text=f"{KITCHEN_QUESTION}\nadapter school\n{KITCHEN_QUESTION}\nquit\n")
        values["kitchen_answer_kitchen"], values["kitchen_answer_school"] = _answers(output)[:2]
        switched = re.search(r"switched in ([\d.]+) ms", output)
        values["switch_ms"] = float(switched.group(1)) if switched else -1.0
        return values
    return _in_temporary_root(work)


def _settings(flags: list[str]) -> Callable[[], dict[str, Any]]:
    def settings() -> dict[str, Any]:
        data = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for path in (TRAINING_FILE, EVALUATION_FILE, SECOND_ADAPTER_FILE)}
        return {"preset": PRESETS["tiny"], "seed": SEED, "flags": flags, "data": data,
                "stories_sha256": load_corpus().sha256}
    return settings


RUNS = [
    Recorded("main", "python train.py --preset tiny (Level 4); python finetune.py --base-model local; python evaluate.py; "
                     f"python chat.py --ask '{ASK}'", measure_main, _settings([ASK])),
    Recorded("experiments", f"finetune.py with --rank {RANKS}, --targets {MODULES}, --template {TEMPLATES}, "
                            f"--epochs {OVERFIT_EPOCHS}, each scored on the held-out answers", measure_experiments,
             _settings([str(RANKS), str(MODULES), str(TEMPLATES), str(OVERFIT_EPOCHS)])),
    Recorded("memorising", f"python finetune.py --base-model local {' '.join(MEMORISE_FLAGS)}", measure_memorising,
             _settings(MEMORISE_FLAGS)),
    Recorded("adapters", f"chat.py --ask '{TEMPERATURE_QUESTION}' at temperatures {TEMPERATURES}; the kitchen adapter "
                         f"and switching", measure_adapters,
             _settings([TEMPERATURE_QUESTION, str(TEMPERATURES), KITCHEN_QUESTION, str(AUDIT)])),
]

L, S, D = "lesson.md", "solutions.md", "data/DATA_CARD.md"


def close(file: str, text: str) -> Quote:
    return Quote(file, text, tolerance=TOLERANCE)


QUOTES: list[Quote | Block] = [
    # data/DATA_CARD.md
    Quote(D, "| `education_qa.jsonl` | {train_pairs} |"), Quote(D, "| `education_qa_eval.jsonl` | {eval_pairs} |"),
    Quote(D, "| `kitchen_qa.jsonl` | {kitchen_pairs} |"),
    *[Quote(D, f"| {label} | {{train_{name}}} | {{eval_{name}}} |") for name, label in [
        ("science", "science"), ("maths", "maths"), ("history", "history"), ("geography", "geography"),
        ("civics", "civics"), ("computers", "computers"), ("general_knowledge", "general knowledge"),
        ("study_skills", "study skills")]],
    Quote(D, "| training file | {train_grade_6} | {train_grade_7} | {train_grade_8} | {train_grade_9} | {train_grade_10} |"),
    Quote(D, "| held-out file | {eval_grade_6} | {eval_grade_7} | {eval_grade_8} | {eval_grade_9} | {eval_grade_10} |"),
    Quote(D, "the training file has {train_english} English and {train_hindi} Hindi pairs; the held-out file {eval_english} "
             "and {eval_hindi}."),
    Quote(D, "{train_regional}\n  training pairs mention the North-East or one of its states and peoples, {train_tribal} mention "
             "tribal\n  communities and their uprisings, and {train_south} mention South Indian kingdoms and states."),
    Quote(D, "- **Hindi.** {train_hindi} pairs"),
    Quote(D, "it sets {local_unreadable_english} English pairs aside."),
    # lesson.md: sizes and data
    Quote(L, "| `--base-model local` | your own Level 4 GPT, converted to a Hugging Face GPT-2 | {local_base_total:,} numbers (tiny preset) |"),
    Quote(L, "| `--base-model distilgpt2` | DistilGPT-2 from the Hugging Face Hub | about {distil_millions:.1f} million numbers |"),
    Quote(L, "Fine-tuning all of DistilGPT-2 would change {distil_millions:.1f} million numbers"),
    Quote(L, "With rank 8\nthat is {local_trainable:,} new numbers beside your local model's {local_base_total:,} "
             "({local_share:.1%} of all\nthe numbers), and {distil_trainable:,} beside DistilGPT-2's {distil_millions:.1f} million "
             "({distil_share:.2%})."),
    Quote(L, "`data/education_qa.jsonl` holds {train_pairs} questions with answers"),
    Quote(L, "general knowledge and study skills; {train_hindi} of them are in Hindi. `data/education_qa_eval.jsonl` holds "
             "{eval_pairs}\nmore"),
    Quote(L, "Your Level 4 model looks back only {tiny_block_size} characters (tiny preset)"),
    Quote(L, "Your model's vocabulary is the {local_vocabulary} characters of the stories."),
    Quote(L, "with the local model, {local_readable} of the {train_pairs} pairs can be\nused."),
    Quote(L, "With the local base, on the {local_readable_eval} held-out pairs it can read:"),
    Quote(L, "(DistilGPT-2 has {size_ratio:.0f} times more numbers"),
    Quote(L, "It is {size_ratio:.0f} times bigger, so every step"),
]

def curve_block(prefix: str) -> Callable[[Values], str]:
    """A run's validation loss after each epoch, as a small bar chart."""
    def render(values: Values) -> str:
        epochs = sorted(int(name.rsplit("_", 1)[1]) for name in values
                        if name.startswith(f"{prefix}_validation_") and name.rsplit("_", 1)[1].isdigit())
        losses = [values[f"{prefix}_validation_{epoch}"] for epoch in epochs]
        low, high = min(losses), max(losses)
        lines = []
        for epoch, loss in zip(epochs, losses):
            bar = "█" * (1 + round(30 * (loss - low) / (high - low))) if high > low else "█"
            mark = "  <- best, kept" if epoch == values[f"{prefix}_best_epoch"] else ""
            lines.append(f"epoch {epoch:2d}  {loss:.3f}  {bar}{mark}")
        return "\n".join(lines)
    return render


def wrapped(name: str) -> Callable[[Values], str]:
    return lambda values: textwrap.fill(values[name], width=100)


QUOTES += [
    # lesson.md: the main run
    Quote(L, "On a 2-core computer (PyTorch used {main_threads} thread), the default local fine-tune — {main_epochs} epochs "
             "over {main_examples}\nexamples, read as {main_windows:,} windows"),
    close(L, "took {main_seconds:.0f} s of training and {main_total_seconds:.0f} s in all, at {main_tokens_per_second:,.0f} "
             "tokens per\nsecond, with a peak memory of {main_peak_mb:,.0f} MB."),
    Block(L, "Its validation loss (nats per answer character) after each epoch:", curve_block("main")),
    Block(L, "model answered (temperature 0.5, seed 42):", wrapped("ask_answer")),
    Quote(L, "| answer perplexity | {eval_base_answer_perplexity:.2f} | {eval_finetuned_answer_perplexity:.2f} | lower |"),
    Quote(L, "| token F1 | {eval_base_token_f1:.3f} | {eval_finetuned_token_f1:.3f} | higher |"),
    Quote(L, "| ROUGE-L | {eval_base_rouge_l:.3f} | {eval_finetuned_rouge_l:.3f} | higher |"),
    Quote(L, "With the local base, on the {eval_n} held-out pairs it can read:"),
    Quote(L, "The answer perplexity fell by {eval_cut:.0%}:"),
    Quote(L, "(token F1 went from {eval_base_token_f1:.3f} to {eval_finetuned_token_f1:.3f}, ROUGE-L from "
             "{eval_base_rouge_l:.3f} to {eval_finetuned_rouge_l:.3f})"),
    Quote(L, "Asked\n\"{eval_example_question:s}\", it wrote:"),
    Block(L, "\", it wrote:", wrapped("eval_example_finetuned")),
    Quote(L, "looks back {tiny_block_size} characters and\nwas coached on {main_examples} answers"),
]

QUOTES += [
    # solutions.md, exercises 1, 2 and 5
    Quote(S, "perplexity\" is the answer perplexity on the {eval_n} held-out pairs the local model can read"),
    Quote(S, "The base model scores {eval_base_answer_perplexity:.2f} on them."),
    Quote(S, "| 4 | {rank4_trainable:,} | {rank4_best_validation:.3f} | {rank4_perplexity:.2f} |"),
    Quote(S, "| 8 | {local_trainable:,} | {main_best_validation:.3f} | {eval_finetuned_answer_perplexity:.2f} |"),
    Quote(S, "| 16 | {rank16_trainable:,} | {rank16_best_validation:.3f} | {rank16_perplexity:.2f} |"),
    Quote(S, "| attention (`attn.c_attn`, `attn.c_proj`) | {targets_attention_trainable:,} | "
             "{targets_attention_best_validation:.3f} | {targets_attention_perplexity:.2f} |"),
    Quote(S, "| mlp (`mlp.c_fc`, `mlp.c_proj`) | {targets_mlp_trainable:,} | {targets_mlp_best_validation:.3f} | "
             "{targets_mlp_perplexity:.2f} |"),
    Quote(S, "| all (the default) | {local_trainable:,} | {main_best_validation:.3f} | {eval_finetuned_answer_perplexity:.2f} |"),
    Quote(S, "| plain | {main_best_validation:.3f} | {eval_finetuned_answer_perplexity:.2f} |"),
    Quote(S, "| teacher | {template_teacher_best_validation:.3f} | {template_teacher_perplexity:.2f} |"),
    Quote(S, "| bare | {template_bare_best_validation:.3f} | {template_bare_perplexity:.2f} |"),
    Quote(S, "{template_teacher_base_perplexity:.2f} with `teacher`,\n{template_bare_base_perplexity:.2f} with `bare`, "
             "against {eval_base_answer_perplexity:.2f} with `plain`."),
]

def memorise_block(values: Values) -> str:
    """Exercise 4: the memorising run, epoch by epoch: the last training loss logged in it, and the validation loss."""
    train = sorted((float(name.rsplit("_", 1)[1]), value) for name, value in values.items() if name.startswith("memorise_train_")
                   and name.rsplit("_", 1)[1].replace(".", "").isdigit())
    lines = ["epoch  training  validation"]
    for epoch in range(1, OVERFIT_EPOCHS + 1):
        logged = [loss for at, loss in train if at <= epoch + 1e-9]
        mark = "  <- lowest validation loss" if epoch == values["memorise_best_epoch"] else ""
        lines.append(f"{epoch:5d}  {logged[-1]:8.3f}  {values[f'memorise_validation_{epoch}']:10.3f}{mark}")
    return "\n".join(lines)


def temperature_block(values: Values) -> str:
    return "\n".join(textwrap.fill(f"T = {t}: {values[f'temperature_{i}']}", width=100, subsequent_indent="         ")
                     for i, t in enumerate(TEMPERATURES))


def kitchen_block(values: Values) -> str:
    def short(text: str) -> str:
        return textwrap.shorten(text, width=90, placeholder=" ...")
    return "\n".join([f"You: {KITCHEN_QUESTION}", f"Answer: {short(values['kitchen_answer_kitchen'])}",
                      "You: adapter school", f"Now using adapter 'school' (switched in {values['switch_ms']:.1f} ms, "
                      "the base stayed loaded).", f"You: {KITCHEN_QUESTION}",
                      f"Answer: {short(values['kitchen_answer_school'])}"])


QUOTES += [
    # solutions.md, exercises 3, 4, 6 and 7
    Block(S, "our fine-tuned local model wrote:", temperature_block),
    Block(S, "training loss beside it):", curve_block("overfit")),
    Quote(S, "With only {local_trainable:,} numbers to\nchange, LoRA on this model cannot learn {main_examples} answers"),
    *[Quote(S, f"| {question} | {{audit_{index}_pairs}} | {{audit_{index}_start:s}} |") for index, (question, _) in enumerate(AUDIT)],
    Quote(S, "Of the {train_pairs} training pairs, {train_regional}\nmention the North-East or one of its states and peoples, "
             "{train_tribal} mention tribal communities or their\nuprisings, and {train_south} mention South Indian kingdoms "
             "and states — against {train_history} history pairs in all."),
    Quote(S, "The kitchen adapter trained on {kitchen_examples} pairs (the rest for validation) in {kitchen_seconds:.0f} s."),
    Block(S, "`chat.py` session (the answers are cut to one line here):", kitchen_block),
    Quote(S, "Switching took {switch_ms:.1f} ms:"),
    Quote(S, "{local_adapter_kb:.0f} kB of numbers for our small model, {distil_adapter_mb:.1f} MB for DistilGPT-2"),
    Block(S, "--epochs 10 --adapter-name memorise\n```", memorise_block),
    Quote(S, "On {memorise_examples} training examples (the first 40 pairs, less those the model cannot read, less the "
             "validation\nshare) with {memorise_trainable:,} numbers to change, the training loss falls from "
             "{memorise_first_train:.2f} to {memorise_last_train:.2f}, while the\nvalidation loss is lowest after epoch "
             "{memorise_best_epoch:.0f} ({memorise_best_validation:.3f}) and then rises, to {memorise_validation_10:.3f} "
             "after epoch 10"),
]

NUMBERS = LessonNumbers(HERE, QUOTES, measure, recorded=RUNS)

if __name__ == "__main__":
    raise SystemExit(NUMBERS.main())
