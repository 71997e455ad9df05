"""
The package-index wave (deploytools.facts.package_index) against the fake PyPI, side by side:
20 pinned packages, no latency vs 150 ms added to every response, the concurrent wave vs the same
requests one after another. No cache: every run asks the index.

Run: .venv/bin/python bench/package_index_latency.py
Target: with 150 ms latency the wave takes at most 3 x 150 ms more than without.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weareone.settings")

import django  # noqa: E402

django.setup()

from _timing import latency_medians, latency_verdict  # noqa: E402

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
        runs = {
            "concurrent": lambda: concurrent(fake, chosen),
            "sequential": lambda: sequential(fake, chosen),
        }
        results = latency_medians(fake, runs, LATENCY, ROUNDS)
    finally:
        fake.stop()
    print(f"pinned packages: {PACKAGES}, requests per wave: {2 * PACKAGES}")
    return latency_verdict(results, LATENCY, ROUNDS)


if __name__ == "__main__":
    raise SystemExit(main())
