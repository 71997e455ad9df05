"""
Bench: a release applying 20 pending trivial migrations vs `manage.py migrate --noinput`.

Each run gets a fresh database cloned from a template where everything but the 20 migrations
of tests/releaseapps/scenarios/twenty is applied. Both commands run as child processes,
interleaved; prints the medians and the median of the paired ratios (target <= 1.15). The
`migrate` baseline runs with DEPLOYTOOLS["MIGRATION_LOCK"] = False: Django's own semantics.

    .venv/bin/python bench/release_pending.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.release_noop import baseline, environ, report, timed  # noqa: E402
from tests import postgres  # noqa: E402

TARGET = 1.15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    options = parser.parse_args()
    server = postgres.start()
    try:
        template = server.create_database("bench_template")
        env = {**environ(template), "RELEASE_SCENARIO": "twenty"}
        timed(["migrate", "--noinput"], env)
        timed(["migrate", "--noinput", "shop", "zero"], env)
        timed(["heroku_release", "--dry-run"], env)  # writes heroku_release's bytecode too
        pending = server.psql(
            "SELECT count(*) FROM django_migrations WHERE app = 'shop'", "bench_template"
        )
        assert pending == "0", pending

        def fresh(name: str) -> dict[str, str]:
            server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dbname="postgres")
            server.psql(f'CREATE DATABASE "{name}" TEMPLATE bench_template', dbname="postgres")
            return {**env, "DATABASE_URL": server.url(name)}

        release, migrate = [], []
        for n in range(options.repeats):
            release.append(timed(["heroku_release"], fresh(f"bench_r{n}")))
            applied = server.psql(
                "SELECT count(*) FROM django_migrations WHERE app = 'shop'", f"bench_r{n}"
            )
            assert applied == "20", applied
            migrate.append(timed(["migrate", "--noinput"], baseline(fresh(f"bench_m{n}"))))
        report("20 pending", release, migrate, TARGET)
    finally:
        postgres.stop(server)


if __name__ == "__main__":
    main()
