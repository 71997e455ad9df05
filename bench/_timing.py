"""Shared helpers of the benchmarks: run commands interleaved, report medians side by side."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def clean_env(**extra: str) -> dict[str, str]:
    """
    This environment without DJANGO_*/DYNO/DATABASE_URL, plus ``extra``.

    PYTHONDONTWRITEBYTECODE goes too: with it, every run recompiles each module edited since
    its last .pyc, and the bench would time the compiler rather than the code (Heroku's build
    compiles everything once).
    """
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"DYNO", "DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}
    }
    return {**base, **extra}


def run_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
    return elapsed


def compare(
    label_a: str,
    argv_a: list[str],
    env_a: dict[str, str],
    label_b: str,
    argv_b: list[str],
    env_b: dict[str, str],
    rounds: int,
) -> float:
    """Run A and B alternately ``rounds`` times (after one warm-up each); print and return A/B."""
    run_once(argv_a, env_a)
    run_once(argv_b, env_b)
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(rounds):
        # Alternate which goes first so neither always runs on a warmer cache.
        pairs = [(argv_a, env_a, times_a), (argv_b, env_b, times_b)]
        for argv, env, times in pairs if index % 2 == 0 else reversed(pairs):
            times.append(run_once(argv, env))
    median_a, median_b = statistics.median(times_a), statistics.median(times_b)
    # Each round runs A and B back to back, so the ratio within a round cancels the load
    # drifting on a shared machine; the median of those ratios is the figure we judge.
    ratio = statistics.median(a / b for a, b in zip(times_a, times_b, strict=True))
    print(f"{label_a}: median {median_a * 1000:.0f} ms over {rounds} runs")
    print(f"{label_b}: median {median_b * 1000:.0f} ms over {rounds} runs")
    print(f"ratio of medians: {median_a / median_b:.3f}")
    print(f"ratio (median of the {rounds} paired ratios): {ratio:.3f}")
    return ratio
