"""
Bench: a release with nothing to migrate vs `manage.py migrate --noinput`, same database.

Heroku runs the release phase on every config-var change, so the no-op must stay cheap.
Starts its own PostgreSQL (tests/postgres.py), migrates once, then times both commands as
child processes, interleaved, and prints the medians and their ratio (target <= 1.25).

    .venv/bin/python bench/release_noop.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import postgres  # noqa: E402

TARGET = 1.25


def environ(url: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HEROKU_"))}
    # Heroku's build compiles the bytecode; without it each run would compile every module.
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    return {
        **base,
        "DATABASE_URL": url,
        "DATABASE_SSL_REQUIRE": "0",
        "DYNO": "release.1",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
        "DJANGO_SETTINGS_MODULE": "weareone.settings",
    }


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    server = postgres.start()
    try:
        env = environ(server.create_database("bench_noop"))
        timed(["heroku_release"], env)  # apply everything once: from now on both are no-ops
        timed(["migrate", "--noinput"], env)  # and write both commands' bytecode
        release, migrate = [], []
        for _ in range(options.repeats):
            release.append(timed(["heroku_release"], env))
            migrate.append(timed(["migrate", "--noinput"], env))
        report("no-op", release, migrate, TARGET)
    finally:
        postgres.stop(server)


def report(what: str, release: list[float], migrate: list[float], target: float) -> None:
    """Print both medians and their ratio against ``target``."""
    r, m = statistics.median(release), statistics.median(migrate)
    ratio = r / m
    print(f"heroku_release, {what}: median {r * 1000:.0f} ms over {len(release)} runs")
    print(f"migrate --noinput, {what}: median {m * 1000:.0f} ms over {len(migrate)} runs")
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(f"ratio heroku_release / migrate = {ratio:.2f} (target <= {target}) {verdict}")


if __name__ == "__main__":
    main()
