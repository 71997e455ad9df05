"""
Bench: a release with nothing to migrate vs `manage.py migrate --noinput`, same database.

Heroku runs the release phase on every config-var change, so the no-op must stay cheap.
Starts its own PostgreSQL (tests/postgres.py), migrates once, then times both commands as
child processes, interleaved, and prints the medians and the median of the paired ratios
(target <= 1.25). deploytools overrides `migrate` to take the advisory lock; the baseline is
Django's own semantics, so it runs with DEPLOYTOOLS["MIGRATION_LOCK"] = False (through the
RELEASE_DEPLOYTOOLS hook of tests/releaseapps/settings.py), for the baseline only.

    .venv/bin/python bench/release_noop.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
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
        "DJANGO_SETTINGS_MODULE": "tests.releaseapps.settings",
        "RELEASE_SCENARIO": "base",
    }


def baseline(env: dict[str, str]) -> dict[str, str]:
    """``env`` for the `migrate --noinput` baseline: Django's migrate, without the lock."""
    return {**env, "RELEASE_DEPLOYTOOLS": json.dumps({"MIGRATION_LOCK": False})}


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
        timed(["migrate", "--noinput"], baseline(env))  # and write both commands' bytecode
        release, migrate = [], []
        for n in range(options.repeats):
            # Alternate which goes first so neither always runs on a warmer cache.
            if n % 2:
                migrate.append(timed(["migrate", "--noinput"], baseline(env)))
                release.append(timed(["heroku_release"], env))
            else:
                release.append(timed(["heroku_release"], env))
                migrate.append(timed(["migrate", "--noinput"], baseline(env)))
        report("no-op", release, migrate, TARGET)
    finally:
        postgres.stop(server)


def report(what: str, release: list[float], migrate: list[float], target: float) -> None:
    """
    Print both medians and the median of the paired ratios (as bench/_timing.compare does:
    each pair ran back to back, so load drifting on a shared machine cancels) against ``target``.
    """
    r, m = statistics.median(release), statistics.median(migrate)
    ratio = statistics.median(a / b for a, b in zip(release, migrate, strict=True))
    print(f"heroku_release, {what}: median {r * 1000:.0f} ms over {len(release)} runs")
    print(
        f"migrate --noinput (lock off), {what}: median {m * 1000:.0f} ms over {len(migrate)} runs"
    )
    print(f"ratio of medians: {r / m:.2f}")
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(
        f"ratio heroku_release / migrate (median of paired ratios) = {ratio:.2f} "
        f"(target <= {target}) {verdict}"
    )


if __name__ == "__main__":
    main()
