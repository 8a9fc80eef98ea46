"""Benchmark: Level 2's two training loops, per-sample SGD vs vectorised mini-batches.

Both loops train the same network (step 3's default: context 1, 64 tanh hidden neurons,
the course stories) on the same training examples, starting from the same weights.
Each loop is timed `--repeats` times, taking turns, and its fastest time is kept (the
machine may be busy with other work). Prints ONE JSON object:

    {"per_sample_samples_per_second": ..., "vectorised_samples_per_second": ..., "ratio": ..., ...}

Target: the vectorised loop at least 10x faster than the per-sample loop on 2 CPU cores.

    python benchmarks/level2_training.py
    python benchmarks/level2_training.py --samples 50000 --batch-size 128
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

# Step 3 is imported FIRST, before NumPy: it asks NumPy's matrix library for one thread (small matrices,
# shared machine), which only works before NumPy is loaded. The benchmark measures that same setting.
from level_2_neural_network.step3_train import (  # isort: skip
    REFERENCE_BATCH_SIZE,
    default_learning_rate,
    make_examples,
    train_epoch_per_sample,
    train_epoch_vectorised,
)

import numpy as np  # noqa: E402

from buildai.data import load_corpus  # noqa: E402
from buildai.script import positive_int  # noqa: E402
from level_2_neural_network.step2_network import ACTIVATIONS, init_parameters  # noqa: E402

TARGET_RATIO = 10.0


def seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=positive_int, default=10_000, help="training examples per timed run (default 10000)")
    parser.add_argument("--hidden", type=positive_int, default=64)
    parser.add_argument("--context", type=positive_int, default=1)
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="tanh")
    parser.add_argument("--batch-size", type=positive_int, default=REFERENCE_BATCH_SIZE)
    parser.add_argument("--repeats", type=positive_int, default=5)
    args = parser.parse_args()

    corpus = load_corpus()
    vocab_size = corpus.tokenizer.vocab_size
    contexts, targets = make_examples(np.array(corpus.train_ids), args.context)
    contexts, targets = contexts[: args.samples], targets[: args.samples]
    start = init_parameters(args.context * vocab_size, args.hidden, vocab_size, args.activation, np.random.default_rng(0))

    def per_sample() -> None:
        params = {name: array.copy() for name, array in start.items()}
        train_epoch_per_sample(params, contexts, targets, vocab_size, args.activation,
                               default_learning_rate(1), np.random.default_rng(1))

    def vectorised() -> None:
        params = {name: array.copy() for name, array in start.items()}
        train_epoch_vectorised(params, contexts, targets, vocab_size, args.activation,
                               default_learning_rate(args.batch_size), args.batch_size, np.random.default_rng(1))

    vectorised()  # warm-up: first calls pay for imports and memory set-up
    # Take turns, so a burst of other work on a shared machine hits both loops alike; keep each one's best.
    per_sample_seconds = vectorised_seconds = float("inf")
    for _ in range(args.repeats):
        per_sample_seconds = min(per_sample_seconds, seconds(per_sample))
        vectorised_seconds = min(vectorised_seconds, seconds(vectorised))
    per_sample_speed = len(targets) / per_sample_seconds
    vectorised_speed = len(targets) / vectorised_seconds
    ratio = vectorised_speed / per_sample_speed
    print(json.dumps({
        "benchmark": "level2_training",
        "samples": int(len(targets)),
        "network": {"context": args.context, "vocabulary": vocab_size, "hidden": args.hidden,
                    "activation": args.activation, "parameters": int(sum(a.size for a in start.values()))},
        "batch_size": args.batch_size,
        **corpus.metadata(),
        "repeats": args.repeats,
        "per_sample_samples_per_second": round(per_sample_speed, 1),
        "vectorised_samples_per_second": round(vectorised_speed, 1),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(ratio >= TARGET_RATIO),
        "cpu_count": os.cpu_count(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
