"""Step 5.4 - Did fine-tuning help? The base model against the fine-tuned one, on questions neither saw.

Every held-out pair is put to both models -- the same weights, with the adapter switched off and on --
and scored three ways (metrics.py): answer perplexity (how surprised the model is by the reference
answer: lower is better), token F1 and ROUGE-L (how many of the reference's words its own answer uses:
higher is better). Both models answer with chat.py's settings and the same seed for every question, so
the scores are the same on every run and the comparison is fair. (Not greedily, at temperature 0: a
small character model then repeats one phrase for ever, as Level 4's temperature exercise showed.)

    python evaluate.py                               # our held-out file, the newest adapter
    python evaluate.py --adapter kitchen --eval-file my_questions.jsonl
    python evaluate.py --limit 10                    # a quick look

It saves eval_report.json, eval_answers.jsonl (every answer) and eval_chart.png in outputs/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from buildai import plotting, script, ui
from buildai.errors import UserError
from buildai.paths import output_dir
from buildai.safe_io import atomic_write_text, write_json
from level_5_real_finetune.adapters import load_finetuned
from level_5_real_finetune.answering import AnswerSettings, answer
from level_5_real_finetune.base_models import pad_id
from level_5_real_finetune.metrics import answer_perplexity, rouge_l, token_f1
from level_5_real_finetune.prepare_data import make_example, model_window, readable, windows
from level_5_real_finetune.qa_data import EVALUATION_FILE, Pair, read_pairs
from level_5_real_finetune.template import format_answer, format_prompt

METRICS = ("answer_perplexity", "token_f1", "rouge_l")
SHOWN = 5  # answers shown side by side


def held_out_perplexity(model: Any, tokenizer: Any, pairs: list[Pair], template: str) -> float:
    """Answer perplexity over `pairs`, read in the model's windows exactly as in training."""
    window = model_window(model)
    pieces = [piece for pair in pairs for piece in windows(make_example(tokenizer, pair, template), window)]
    return answer_perplexity(model, pieces, pad_id(tokenizer))


def held_out_before_and_after(adapter: str | None, out_dir: Path | None = None,
                              eval_file: Path = EVALUATION_FILE) -> tuple[float, float, int]:
    """(base, fine-tuned) answer perplexity on the held-out pairs and how many there were: no generation, seconds."""
    tuned = load_finetuned(adapter, out_dir)
    template = tuned.summaries[tuned.active]["template"]
    pairs, _ = readable_pairs(tuned.tokenizer, eval_file, template)
    with tuned.model.disable_adapter():
        base = held_out_perplexity(tuned.model, tuned.tokenizer, pairs, template)
    return base, held_out_perplexity(tuned.model, tuned.tokenizer, pairs, template), len(pairs)


def readable_pairs(tokenizer: Any, path: Path, template: str) -> tuple[list[Pair], int]:
    """The pairs of `path` this model can read, and how many it cannot (reported by the caller)."""
    pair_file = read_pairs(path)
    for number, what in pair_file.problems[:10]:
        ui.warn(f"line {number}: {what} - skipped")
    pairs = [p for p in pair_file.pairs if readable(tokenizer, format_prompt(p.question, template) + format_answer(p.answer))]
    return pairs, len(pair_file.pairs) - len(pairs)


def score(model: Any, tokenizer: Any, pairs: list[Pair], template: str, settings: AnswerSettings,
          seed: int) -> tuple[dict[str, float], list[str]]:
    """The three measures for one model over every pair, and its answers."""
    answers = []
    with ui.progress(len(pairs), "Answering") as tracker:
        for pair in pairs:
            answers.append(answer(model, tokenizer, pair.question, settings, template, seed))
            tracker.advance()
    return {
        "answer_perplexity": held_out_perplexity(model, tokenizer, pairs, template),
        "token_f1": sum(token_f1(a, p.answer) for a, p in zip(answers, pairs)) / len(pairs),
        "rouge_l": sum(rouge_l(a, p.answer) for a, p in zip(answers, pairs)) / len(pairs),
    }, answers


def save_chart(report: dict[str, Any], path: Path) -> Path:
    figure, (left, right) = plotting.plt.subplots(1, 2, figsize=(9, 4))
    names = ["base", "fine-tuned"]
    left.bar(names, [report["base"]["answer_perplexity"], report["finetuned"]["answer_perplexity"]], color=["grey", "green"])
    left.set_title("answer perplexity (lower is better)")
    positions = range(2)
    for offset, (key, colour) in enumerate([("base", "grey"), ("finetuned", "green")]):
        right.bar([p + 0.38 * offset for p in positions], [report[key]["token_f1"], report[key]["rouge_l"]], width=0.38,
                  color=colour, label=names[offset])
    right.set_xticks([p + 0.19 for p in positions], ["token F1", "ROUGE-L"])
    right.set_title("overlap with the reference (higher is better)")
    right.legend()
    return plotting.save_figure(figure, path)


def build_parser():
    parser = script.step_parser("Compare the base and the fine-tuned model on held-out questions.", text_flag=False,
                                threads_flag=True)
    parser.add_argument("--eval-file", type=Path, default=EVALUATION_FILE, metavar="FILE",
                        help="JSON Lines pairs to evaluate on (default: our held-out school questions)")
    parser.add_argument("--adapter", default=None, metavar="NAME", help="which adapter (default: the newest)")
    parser.add_argument("--limit", type=script.positive_int, default=None, metavar="N", help="only the first N pairs")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    ui.heading("Step 5.4 - Evaluate", "The base model against the fine-tuned one, on held-out questions")
    tuned = load_finetuned(args.adapter, args.out_dir)
    template = tuned.summaries[tuned.active]["template"]
    pairs, unreadable = readable_pairs(tuned.tokenizer, args.eval_file, template)
    if unreadable:
        ui.say(f"{unreadable} of {unreadable + len(pairs)} pairs use characters this model has no token for "
               f"(Hindi, or symbols such as = and +), so they are left out.")
    pairs = pairs[: args.limit] if args.limit else pairs
    if not pairs:
        raise UserError("None of the pairs can be evaluated with this model. Check --eval-file.")
    settings = AnswerSettings.for_model(tuned.base.char_level)

    with tuned.model.disable_adapter():  # the very same model without its sticky notes: the base
        base_scores, base_answers = score(tuned.model, tuned.tokenizer, pairs, template, settings, args.seed)
    tuned_scores, tuned_answers = score(tuned.model, tuned.tokenizer, pairs, template, settings, args.seed)
    report = {"base": base_scores, "finetuned": tuned_scores, "n": len(pairs), "base_model": tuned.base.source}

    ui.table(f"On {len(pairs)} held-out questions", ["measure", "base", "fine-tuned", "better is"], [
        ("answer perplexity", f"{base_scores['answer_perplexity']:.2f}", f"{tuned_scores['answer_perplexity']:.2f}", "lower"),
        ("token F1", f"{base_scores['token_f1']:.3f}", f"{tuned_scores['token_f1']:.3f}", "higher"),
        ("ROUGE-L", f"{base_scores['rouge_l']:.3f}", f"{tuned_scores['rouge_l']:.3f}", "higher"),
    ], justify=["left", "right", "right", "left"])
    change = 1 - tuned_scores["answer_perplexity"] / base_scores["answer_perplexity"]
    ui.result("Answer perplexity", f"{'down' if change > 0 else 'up'} {abs(change):.0%} after fine-tuning")
    ui.table("Five answers side by side", ["question", "reference", "base", "fine-tuned"],
             [(p.question, p.answer, b, t) for p, b, t in list(zip(pairs, base_answers, tuned_answers))[:SHOWN]])

    folder = output_dir(5, args.out_dir)
    write_json(folder / "eval_report.json", report)
    rows = [{"question": p.question, "reference": p.answer, "base": b, "finetuned": t}
            for p, b, t in zip(pairs, base_answers, tuned_answers)]
    atomic_write_text(folder / "eval_answers.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    save_chart(report, folder / "eval_chart.png")
    ui.saved(folder / "eval_report.json", "the scores (every answer: eval_answers.jsonl, chart: eval_chart.png)")


if __name__ == "__main__":
    script.run_step(main)
