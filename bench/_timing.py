"""Shared helpers of the benchmarks: run commands interleaved, report medians side by side."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def latency_medians(
    fake: Any, runs: dict[str, Callable[[], float]], latency: float, rounds: int
) -> dict[tuple[float, str], float]:
    """
    Each of ``runs`` (named "concurrent", "sequential"), timed against ``fake`` without and
    with ``latency`` added to every answer: the median of ``rounds`` runs after a warm-up.
    """
    results: dict[tuple[float, str], float] = {}
    for added in (0.0, latency):
        fake.latency = added
        for name, run in runs.items():
            run()  # warm up
            results[(added, name)] = statistics.median(run() for _ in range(rounds))
    return results


def latency_verdict(results: dict[tuple[float, str], float], latency: float, rounds: int) -> int:
    """Print the medians and what the latency added to the concurrent run; 1 past 3 x it."""
    base, slow = results[(0.0, "concurrent")], results[(latency, "concurrent")]
    seq = results[(latency, "sequential")]
    for (added, name), seconds in results.items():
        shown = f"{seconds * 1000:7.1f} ms (median of {rounds})"
        print(f"{name:>10} latency {added * 1000:4.0f} ms: {shown}")
    extra = slow - base
    met = extra <= 3 * latency
    print(
        f"added by {latency * 1000:.0f} ms latency (concurrent): {extra * 1000:.1f} ms "
        f"= {extra / latency:.2f} x {latency * 1000:.0f} ms (target <= 3.00) -> "
        f"{'OK' if met else 'FAIL'}"
    )
    print(f"sequential / concurrent at {latency * 1000:.0f} ms: {seq / slow:.1f}x")
    # A missed target must fail the run (CI, make bench), not only print FAIL.
    return 0 if met else 1
