"""
Snapshot fetch (the API phase of production_check) against the fake Heroku API, side by side:
no latency vs 150 ms added to every response, concurrent vs the same requests one after another.

Run: .venv/bin/python bench/production_check_latency.py
Target: with 150 ms latency the concurrent fetch takes at most 3 x 150 ms more than without.
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

from deploytools.facts import heroku_client, platform_api  # noqa: E402
from tests.fakeheroku import TOKEN, FakeHeroku  # noqa: E402

LATENCY = 0.150
ROUNDS = 5


def concurrent(fake: FakeHeroku, app: str) -> float:
    with heroku_client.HerokuClient(TOKEN, fake.url, timeout=10, retries=0) as client:
        started = time.perf_counter()
        platform_api.fetch_snapshot(app, client)
        return time.perf_counter() - started


def sequential(fake: FakeHeroku, app: str) -> float:
    """The same requests, one after another."""
    with heroku_client.HerokuClient(TOKEN, fake.url, timeout=10, retries=0) as client:
        started = time.perf_counter()
        client.get(f"/apps/{app}")
        client.get(f"/apps/{app}/config-vars")
        releases = client.get_list(
            f"/apps/{app}/releases", range_header="version ..; order=desc, max=10"
        )
        for path in platform_api._endpoints(app).values():
            client.get_list(path)
        client.get(f"/apps/{app}/slugs/{releases[0]['slug']['id']}")
        return time.perf_counter() - started


def main() -> int:
    fake = FakeHeroku().start()
    app = fake.add_state("production_ready")
    try:
        runs = {
            "concurrent": lambda: concurrent(fake, app),
            "sequential": lambda: sequential(fake, app),
        }
        results = latency_medians(fake, runs, LATENCY, ROUNDS)
    finally:
        fake.stop()
    requests = len(fake.requests) // (2 * 2 * (ROUNDS + 1))
    print(f"requests per snapshot: {requests}")
    return latency_verdict(results, LATENCY, ROUNDS)


if __name__ == "__main__":
    raise SystemExit(main())
