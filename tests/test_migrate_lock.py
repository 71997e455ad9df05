"""A manual `manage.py migrate` takes the same advisory lock as heroku_release."""

from __future__ import annotations

import json

import psycopg2
import pytest

from deploytools.release_phase.lock import LOCK_KEY
from tests import postgres
from tests.helpers import (
    run_manage,
)

pytestmark = pytest.mark.slow


def _env(url: str, **deploytools: object) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DATABASE_SSL_REQUIRE": "0",
        "DJANGO_SETTINGS_MODULE": "tests.releaseapps.settings",
        "RELEASE_SCENARIO": "ok",
        "RELEASE_DEPLOYTOOLS": json.dumps({"MIGRATION_LOCK_TIMEOUT_SECONDS": 1, **deploytools}),
    }


def _applied(server: postgres.Server, dbname: str) -> str:
    return server.psql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'django_migrations'",
        dbname=dbname,
    )


def test_manual_migrate_waits_for_the_lock_and_gives_up(pg_server: postgres.Server) -> None:
    url = pg_server.create_database("manual_migrate_locked")
    holder = psycopg2.connect(url)
    holder.autocommit = True
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        locked = run_manage("migrate", "--noinput", env=_env(url))
        assert locked.exit_code == 1
        waiting, error = locked.stderr.splitlines()
        # Said at once, not only after the timeout: who holds the lock and how long it waits.
        assert waiting.startswith(
            f"Waiting for the migration lock held by PID {pid} (role {pg_server.user}, connected "
        )
        assert waiting.endswith(") (up to 1 s)…")
        assert error.startswith("CommandError: another release or migrate holds")
        assert f"PID {pid}" in error
        assert "Traceback" not in locked.stderr
        assert _applied(pg_server, "manual_migrate_locked") == "0"  # nothing migrated

        # Behind a transaction pooler the lock is off, and migrate does not wait for it.
        unlocked = run_manage("migrate", "--noinput", env=_env(url, MIGRATION_LOCK=False))
        assert unlocked.exit_code == 0, unlocked.stderr
        assert _applied(pg_server, "manual_migrate_locked") == "1"
    finally:
        holder.close()


def test_manual_migrate_runs_once_the_lock_is_free(pg_server: postgres.Server) -> None:
    url = pg_server.create_database("manual_migrate_free")
    done = run_manage("migrate", "--noinput", env=_env(url))
    assert done.exit_code == 0, done.stderr
    assert done.stderr == ""  # nothing to wait for, nothing said
    assert "Applying shop.0003_item_stock... OK" in done.stdout
    # The lock went with the command: another session takes it at once.
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        assert cursor.fetchone() == (True,)
