"""Benchmark: Level 5's default offline fine-tune on 2 CPU cores -- time, peak memory, speed, and what it bought.

In a fresh temporary output folder: Level 4's tiny preset is trained (the local base, as `buildai tour` makes
it), then `finetune.py --base-model local` runs with its defaults, as a learner would run it. Reported:
the fine-tune's wall time and training time, the peak memory of the fine-tuning process, training tokens per
second, and the held-out answer perplexity of the base and the fine-tuned model (evaluate.py's measure,
without generating answers). Prints ONE JSON object; `ratio` is fine-tuned over base perplexity.
Targets: the fine-tune under 10 minutes; perplexity cut by at least 30 % (ratio <= 0.7).

    python benchmarks/level5_finetune.py
    python benchmarks/level5_finetune.py --threads 2 --epochs 2
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 600
TARGET_RATIO = 0.7


def peak_child_kb() -> int:
    """The peak memory of the largest finished child process, in KB (Linux; 0 where unknown, e.g. Windows)."""
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def run(root: Path, level: str, *args: str) -> float:
    """Run a level's script in its folder, outputs under `root`; return its wall time in seconds."""
    env = {**os.environ, "BUILDAI_OUTPUT_DIR": str(root), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, *args, "--quiet"], cwd=REPO / level, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="PyTorch threads for the fine-tune")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: finetune.py's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="buildai_bench_l5_") as folder:
        root = Path(folder)
        pretrain_seconds = run(root, "level_4_mini_gpt", "train.py", "--preset", "tiny")
        flags = ["finetune.py", "--base-model", "local"]
        flags += ["--threads", str(args.threads)] if args.threads else []
        flags += ["--epochs", str(args.epochs)] if args.epochs else []
        finetune_seconds = run(root, "level_5_real_finetune", *flags)
        peak_kb = peak_child_kb()  # the largest child so far: the fine-tune, unless pre-training was bigger
        summary = json.loads((root / "level_5_real_finetune" / "adapters" / "school" / "training_summary.json").read_text())
        os.environ["HF_HUB_OFFLINE"] = "1"
        from buildai import ui
        from level_5_real_finetune.evaluate import held_out_before_and_after

        ui.console.quiet = True  # only the JSON goes to stdout
        with contextlib.redirect_stdout(io.StringIO()):
            base, tuned, count = held_out_before_and_after("school", root / "level_5_real_finetune")
    print(json.dumps({
        "benchmark": "level5_finetune", "base_model": "local (Level 4 tiny preset)", "cpu_count": os.cpu_count(),
        "threads": summary["threads"], "python": platform.python_version(),
        "pretrain_seconds": round(pretrain_seconds, 1), "finetune_wall_seconds": round(finetune_seconds, 1),
        "finetune_train_seconds": round(summary["seconds"]["training"], 1),
        "peak_memory_mb": summary["peak_memory_mb"] and round(summary["peak_memory_mb"], 1),  # finetune.py's own peak RSS
        "largest_child_peak_memory_mb": round(peak_kb / 1024, 1) if peak_kb else None, "tokens_per_second": round(summary["tokens_per_second"]),
        "epochs": summary["training"]["epochs"], "train_examples": summary["examples"]["train"],
        "held_out_pairs": count, "base_answer_perplexity": round(base, 3), "finetuned_answer_perplexity": round(tuned, 3),
        "ratio": round(tuned / base, 3), "perplexity_cut": round(1 - tuned / base, 3),
        "meets_time_target": finetune_seconds < TARGET_SECONDS, "meets_quality_target": tuned / base <= TARGET_RATIO,
    }))


if __name__ == "__main__":
    main()
