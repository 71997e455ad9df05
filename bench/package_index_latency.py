"""
The package-index wave (deploytools.facts.package_index) against the fake PyPI, side by side:
20 pinned packages, no latency vs 150 ms added to every response, the concurrent wave vs the same
requests one after another. No cache: every run asks the index.

Run: .venv/bin/python bench/package_index_latency.py
Target: with 150 ms latency the wave takes at most 3 x 150 ms more than without.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weareone.settings")

import django  # noqa: E402

django.setup()

from deploytools.facts import package_index  # noqa: E402
from tests.fakepypi import FakePyPI, Release, vulnerability  # noqa: E402

LATENCY = 0.150
ROUNDS = 5
PACKAGES = 20
PYTHON = "3.13"


def pins(fake: FakePyPI) -> list[package_index.Pin]:
    chosen = []
    for index in range(PACKAGES):
        name = f"package-{index:02d}"
        fake.add(
            name,
            {
                "1.4.0": Release(vulnerabilities=[vulnerability(f"PYSEC-2026-{index}", ["1.4.2"])]),
                "1.4.1": None,
                "1.4.2": None,
                "2.0.0": Release(requires_python=">=3.12"),
            },
        )
        chosen.append(package_index.Pin(name, "1.4.0"))
    return chosen


def concurrent(fake: FakePyPI, chosen: list[package_index.Pin]) -> float:
    started = time.perf_counter()
    report = package_index.check_packages(chosen, PYTHON, index_url=fake.url, use_cache=False)
    elapsed = time.perf_counter() - started
    assert len(report.reports) == PACKAGES, report.unavailable[:1]
    return elapsed


def sequential(fake: FakePyPI, chosen: list[package_index.Pin]) -> float:
    """The same requests, one after another (what a plain loop over the pins would do)."""
    started = time.perf_counter()
    for pin in chosen:
        package_index.get_json(package_index.project_url(fake.url, pin), 10)
        package_index.get_json(package_index.release_url(fake.url, pin), 10)
    return time.perf_counter() - started


def main() -> int:
    fake = FakePyPI().start()
    chosen = pins(fake)
    try:
        results: dict[tuple[float, str], float] = {}
        for latency in (0.0, LATENCY):
            fake.latency = latency
            for name, fn in (("concurrent", concurrent), ("sequential", sequential)):
                fn(fake, chosen)  # warm up
                results[(latency, name)] = statistics.median(
                    fn(fake, chosen) for _ in range(ROUNDS)
                )
    finally:
        fake.stop()
    base, slow = results[(0.0, "concurrent")], results[(LATENCY, "concurrent")]
    seq = results[(LATENCY, "sequential")]
    print(f"pinned packages: {PACKAGES}, requests per wave: {2 * PACKAGES}")
    for (latency, name), seconds in results.items():
        print(
            f"{name:>10} latency {latency * 1000:4.0f} ms: "
            f"{seconds * 1000:7.1f} ms (median of {ROUNDS})"
        )
    extra = slow - base
    met = extra <= 3 * LATENCY
    print(
        f"added by 150 ms latency (concurrent): {extra * 1000:.1f} ms "
        f"= {extra / LATENCY:.2f} x 150 ms (target <= 3.00) -> "
        f"{'OK' if met else 'FAIL'}"
    )
    print(f"sequential / concurrent at 150 ms: {seq / slow:.1f}x")
    # A missed target must fail the run (CI, make bench), not only print FAIL.
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
