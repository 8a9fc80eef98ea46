"""The flags chat.py and serve.py share, and building a Tutor from them: the plumbing beside the steps."""

from __future__ import annotations

import argparse
from pathlib import Path

from buildai import script, ui
from buildai.paths import output_dir, show_path
from level_6_rag_tutor.distress import DistressCheck
from level_6_rag_tutor.knowledge_base import KNOWLEDGE_DIR, load_passages
from level_6_rag_tutor.retrieval import METHODS, Retriever
from level_6_rag_tutor.tutor import CONFIDENCE_THRESHOLD, Tutor, model_writer

MODELS = ("auto", "level5", "none")


def add_tutor_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--retrieval", choices=METHODS, default="bm25",
                        help="how to find notes: bm25 (words, the default), dense (meaning) or hybrid (both)")
    parser.add_argument("--notes", type=Path, default=KNOWLEDGE_DIR, metavar="DIR",
                        help="the folder of Markdown notes (default: the course's knowledge/ folder)")
    parser.add_argument("--model", choices=MODELS, default="auto",
                        help="auto: your newest Level 5 fine-tuned model if there is one, else answer from the "
                             "notes; level5: it must be there; none: always answer from the notes")
    parser.add_argument("--adapter", default=None, metavar="NAME", help="with a Level 5 model: which adapter")
    parser.add_argument("--distress-check", action=argparse.BooleanOptionalAction, default=True,
                        help="also compare each message, by meaning, with labelled messages of distress, and add "
                             "the helpline to answers that resemble them (default: on)")
    parser.add_argument("--threshold", type=script.fraction, default=CONFIDENCE_THRESHOLD,
                        help=f"below this confidence the tutor says it is not sure (default {CONFIDENCE_THRESHOLD})")


def build_tutor(args: argparse.Namespace) -> tuple[Tutor, str]:
    """The tutor the flags ask for, and a few words naming its model (for the screen and /api/health)."""
    passages = load_passages(args.notes)
    notes = sum(passage.kind == "note" for passage in passages)
    retriever = Retriever(passages, args.retrieval, output_dir(6, args.out_dir) / "index")
    ui.result("Knowledge", f"{notes} notes from {show_path(args.notes)} and {len(passages) - notes} Level 5 "
                           f"question-answer pairs, searched with {args.retrieval}")
    writer, model = None, "none (answers come from the notes)"
    if args.model != "none":
        from level_5_real_finetune.adapters import trained_adapters

        if args.model == "level5" or trained_adapters():
            writer = model_writer(args.adapter, args.seed)
            model = "your fine-tuned Level 5 model"
        else:
            ui.say("No fine-tuned Level 5 model yet, so the tutor answers from the notes (run Level 5 to add one).")
    if writer is None:
        import torch

        # Serving, the only model work left is embedding one short question at a time, and that is much
        # faster on one thread than split over two (benchmarks/serve_load.py shows the difference).
        torch.set_num_threads(1)
    distress = DistressCheck(cache_dir=output_dir(6, args.out_dir) / "index") if args.distress_check else None
    return Tutor(retriever, writer, threshold=args.threshold, distress=distress), model
