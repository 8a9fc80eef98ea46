"""Benchmark: Level 6 retrieval -- how often BM25, dense and hybrid search find the note that answers, how fast.

The questions are the 64 Level 5 held-out questions (level_5_real_finetune/data/education_qa_eval.jsonl,
never trained on). level_6_rag_tutor/knowledge/labels_A.jsonl and labels_B.jsonl label each of them with
the note that answers it: set A is lines 0-29 (science, maths, computers, study skills), set B lines 30-63
(history, geography, general knowledge, civics). The script checks that every labelled question is a
held-out question, and reports each set and both together.

For each method the full index the tutor searches (the notes and the Level 5 training pairs,
`load_passages()`) is built from nothing in a temporary folder, then loaded again from that folder, and
every question is searched once with no subject filter. A question counts as found at k when the labelled
note is among the first k passages (a Level 5 training pair ranked above it pushes it down);
`recall_at_1` and `recall_at_3` are the share found at 1 and 3, `mrr` the mean of 1 / rank of the note
over the first `--k` (0 when it is not there). `top1_is_qa` is the share of questions whose best passage is
a training pair rather than a note. Each method reports all 64 questions, then `set_A` and `set_B`;
`notes_only` repeats the quality numbers over an index of the notes alone.

Latency is per `search` call after a warm-up, each question searched `--repeats` times, taking turns: median
and 95th percentile in milliseconds. `model_load_seconds` is loading the sentence model (null without dense
or hybrid; it is loaded once per process, before any build, so `build_seconds` excludes it),
`build_seconds` a fresh index build and `cached_load_seconds` reading that index back. On the course's
2-core CPU the times move with whatever else the machine is doing (a busy machine can make the dense build
several times slower): compare runs made one after the other. Prints ONE JSON object.

    python benchmarks/retrieval.py                         # bm25, dense and hybrid (about 1.5 minutes)
    python benchmarks/retrieval.py --methods bm25 --k 10 --repeats 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from buildai.data import read_jsonl
from level_5_real_finetune.qa_data import EVALUATION_FILE, read_pairs
from level_6_rag_tutor.knowledge_base import KNOWLEDGE_DIR, Passage, load_notes, load_passages
from level_6_rag_tutor.retrieval import METHODS, Retriever, sentence_model

LABEL_SETS = {"A": KNOWLEDGE_DIR / "labels_A.jsonl", "B": KNOWLEDGE_DIR / "labels_B.jsonl"}
WARM_UP = 5  # searches before timing: the first calls pay for imports, caches and memory allocation


def labelled_questions() -> dict[str, list[tuple[str, str]]]:
    """Each label set as (question, passage id of its note), after checking it is the Level 5 held-out set."""
    held_out = [pair.question for pair in read_pairs(EVALUATION_FILE).pairs]
    sets: dict[str, list[tuple[str, str]]] = {}
    for name, path in LABEL_SETS.items():
        rows = [record for _, record in read_jsonl(path).records]
        for row in rows:
            # The label's id is the question's 0-based line in the held-out file: both must agree.
            if not (0 <= row["id"] < len(held_out) and held_out[row["id"]] == row["question"]):
                raise SystemExit(f"{path.name}: id {row['id']} is not the held-out question {row['question']!r}")
        sets[name] = [(row["question"], f"note:{row['note']}") for row in rows]
    return sets


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100))


def rank_of(retriever: Retriever, question: str, wanted: str, depth: int) -> int | None:
    """The 1-based rank of the passage `wanted` among the first `depth` hits, or None."""
    for hit in retriever.search(question, depth):
        if hit.passage.id == wanted:
            return hit.rank
    return None


def quality(retriever: Retriever, pairs: list[tuple[str, str]], depth: int) -> dict[str, float | int]:
    ranks = [rank_of(retriever, question, note, depth) for question, note in pairs]
    top_kinds = [hits[0].passage.kind if hits else None for hits in (retriever.search(q, 1) for q, _ in pairs)]
    return {
        "questions": len(pairs),
        "recall_at_1": round(sum(rank == 1 for rank in ranks) / len(pairs), 3),
        "recall_at_3": round(sum(rank is not None and rank <= 3 for rank in ranks) / len(pairs), 3),
        "mrr": round(sum(1 / rank for rank in ranks if rank) / len(pairs), 3),
        "top1_is_qa": round(sum(kind == "qa" for kind in top_kinds) / len(pairs), 3),
    }


def timed_build(passages: list[Passage], method: str, cache_dir: Path) -> tuple[Retriever, float]:
    started = time.perf_counter()
    retriever = Retriever(passages, method, cache_dir)
    return retriever, time.perf_counter() - started


def latency_ms(retriever: Retriever, questions: list[str], depth: int, repeats: int) -> list[float]:
    for question in questions[:WARM_UP]:
        retriever.search(question, depth)
    times = []
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            retriever.search(question, depth)
            times.append((time.perf_counter() - started) * 1000)
    return times


def measure(method: str, passages: list[Passage], notes: list[Passage], sets: dict[str, list[tuple[str, str]]],
            depth: int, repeats: int, folder: Path) -> dict[str, object]:
    result: dict[str, object] = {}
    cache = folder / method  # a folder per method, so hybrid builds its BM25 and dense indexes afresh too
    _, build = timed_build(passages, method, cache)
    retriever, cached = timed_build(passages, method, cache)  # the same passages again: read from the cache
    result["build_seconds"], result["cached_load_seconds"] = round(build, 3), round(cached, 3)
    every = [pair for pairs in sets.values() for pair in pairs]
    result.update(quality(retriever, every, depth))  # both sets together, then each on its own
    result.update({f"set_{name}": quality(retriever, pairs, depth) for name, pairs in sets.items()})
    times = latency_ms(retriever, [question for question, _ in every], depth, repeats)
    result.update(median_ms=round(statistics.median(times), 2), p95_ms=round(percentile(times, 0.95), 2),
                  max_ms=round(max(times), 2), timed_searches=len(times))
    notes_only = Retriever(notes, method, folder / f"{method}-notes")
    result["notes_only"] = {**quality(notes_only, every, depth),
                            **{f"set_{name}": quality(notes_only, pairs, depth) for name, pairs in sets.items()}}
    return result


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="retrieval methods to measure (default: bm25 dense hybrid)")
    parser.add_argument("--k", type=int, default=10, help="search depth for MRR (default 10; at least 3)")
    parser.add_argument("--repeats", type=int, default=3, help="timed searches of each question (default 3)")
    args = parser.parse_args(argv)
    if args.k < 3 or args.repeats < 1:
        parser.error("--k must be at least 3 (recall@3 is reported) and --repeats at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the sentence model ships inside a pip package
    # Libraries may print progress or advice; only the JSON belongs on stdout.
    with contextlib.redirect_stdout(sys.stderr), tempfile.TemporaryDirectory(prefix="buildai_bench_l6_") as folder:
        sets = labelled_questions()
        passages, notes = load_passages(), load_notes()
        model_load = None
        if {"dense", "hybrid"} & set(args.methods):
            started = time.perf_counter()
            sentence_model()  # kept for the whole process, so it is timed once, apart from any build
            model_load = round(time.perf_counter() - started, 2)
        methods = {method: measure(method, passages, notes, sets, args.k, args.repeats, Path(folder))
                   for method in args.methods}
    report = {
        "benchmark": "level6_retrieval", "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "questions": sum(len(pairs) for pairs in sets.values()),
        "label_sets": {name: len(pairs) for name, pairs in sets.items()},
        "labels_are_level5_held_out": True,  # labelled_questions() stops otherwise
        "passages": len(passages), "notes": len(notes), "k": args.k,
        "methods": methods,
        "build_seconds": {method: result["build_seconds"] for method, result in methods.items()},
        "model_load_seconds": model_load,
    }
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
