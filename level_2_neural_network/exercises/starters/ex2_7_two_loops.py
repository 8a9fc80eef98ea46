"""Exercise 2.7 — The two loops (Level 2, lesson.md, exercise 7).

Run both loops for one epoch, and then the benchmark, from the course's main folder:

    buildai run 2.3 --loop per-sample --epochs 1
    buildai run 2.3 --epochs 1
    python benchmarks/level2_training.py

(a) How many times does each loop change the weights in one epoch? Step 3's table "What we train
on" says how many training examples there are, and the vectorised loop takes them in mini-batches
of 64. (b) How many times faster was the vectorised loop in the benchmark on your computer? It is
the "ratio" in the line the benchmark prints; speeds differ between computers, so any honest
reading counts. Why it is faster has no automatic check: compare with `buildai check 2.7 --reveal`.

    buildai check 2.7
"""

ANSWERS = {
    # (a) Whole numbers: weight updates in one epoch.
    "updates_per_epoch_per_sample": None,
    "updates_per_epoch_vectorised": None,
    # (b) The benchmark's "ratio": vectorised speed ÷ per-sample speed, e.g. 7.5.
    "benchmark_ratio": None,
}
