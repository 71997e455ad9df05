"""
heroku_release as Heroku runs it: real child processes against the real PostgreSQL.

Each test gets a fresh database; the `shop` app's migrations are a scenario of
tests/releaseapps/scenarios (RELEASE_SCENARIO), DEPLOYTOOLS keys come from RELEASE_DEPLOYTOOLS.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests import postgres
from tests.helpers import (
    ROOT,
    CommandResult,
    run_manage,
)

pytestmark = pytest.mark.slow

SECRET_KEY = "release-test-secret-KEY-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1"
PASSWORD = "pw-Zq8-release-Kx41"


class Release:
    """A fresh database and the environment of a release dyno pointed at it."""

    def __init__(self, server: postgres.Server, dbname: str) -> None:
        self.server = server
        self.dbname = dbname
        self.url = server.create_database(dbname)
        self.env: dict[str, str] = {
            "DATABASE_URL": self.url,
            "DATABASE_SSL_REQUIRE": "0",
            "DYNO": "release.1",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_SETTINGS_MODULE": "tests.releaseapps.settings",
            "HEROKU_RELEASE_VERSION": "v42",
            "HEROKU_SLUG_COMMIT": "abc1234def5678abc1234def5678abc1234def56",
            "RELEASE_SCENARIO": "ok",
        }

    def environ(
        self, scenario: str | None, deploytools: dict[str, Any] | None, **extra: str
    ) -> dict[str, str]:
        env = {**self.env, **extra}
        if scenario:
            env["RELEASE_SCENARIO"] = scenario
        if deploytools is not None:
            env["RELEASE_DEPLOYTOOLS"] = json.dumps(deploytools)
        return env

    def run(
        self,
        *args: str,
        scenario: str | None = None,
        deploytools: dict[str, Any] | None = None,
        **extra: str,
    ) -> CommandResult:
        return run_manage("heroku_release", *args, env=self.environ(scenario, deploytools, **extra))

    def start(self, *args: str, scenario: str | None = None, **extra: str) -> subprocess.Popen[str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        base.pop("DATABASE_URL", None)
        return subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "heroku_release", *args],
            env={**base, **self.environ(scenario, None, **extra)},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def sql(self, query: str) -> str:
        return self.server.psql(query, dbname=self.dbname)

    def rows(self, query: str) -> list[list[str]]:
        out = self.sql(query)
        return [line.split("|") for line in out.splitlines()] if out else []

    def applied(self, app: str = "shop") -> list[str]:
        return [
            r[0]
            for r in self.rows(
                f"SELECT name FROM django_migrations WHERE app = '{app}' ORDER BY id"
            )
        ]

    def columns(self, table: str) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT column_name FROM information_schema.columns "
                f"WHERE table_name = '{table}' ORDER BY ordinal_position"
            )
        ]

    def schema(self) -> set[tuple[str, ...]]:
        return {
            tuple(r)
            for r in self.rows(
                "SELECT table_name, column_name, data_type, is_nullable "
                "FROM information_schema.columns WHERE table_schema = 'public'"
            )
        }

    def releases(self) -> list[dict[str, Any]]:
        out = self.sql(
            "SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM deploytools_release r"
        )
        result: list[dict[str, Any]] = json.loads(out)
        return result

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached")
            time.sleep(0.1)

    def sleeping(self) -> bool:
        return (
            self.sql(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%'"
                " AND pid <> pg_backend_pid()"
            )
            != "0"
        )


@pytest.fixture
def release(pg_server: postgres.Server, request: pytest.FixtureRequest) -> Iterator[Release]:
    name = "rel_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    yield Release(pg_server, name)


def ids(result: CommandResult) -> list[str]:
    document = json.loads(result.stdout)
    return sorted({m["id"] for m in document["messages"]})


def test_release_applies_records_and_is_a_noop_the_second_time(release: Release) -> None:
    first = release.run()
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stdout.startswith(
        "at=release step=start version=v42 commit=abc1234 dry_run=false\n"
    )
    assert (
        "at=release step=migrate version=v42 migration=shop.0003_item_stock elapsed="
        in first.stdout
    )
    assert release.applied() == ["0001_initial", "0002_item_price", "0003_item_stock"]
    second = release.run("--format", "json")
    assert second.exit_code == 0, second.stderr
    document = json.loads(second.stdout)
    assert document["release"]["plan"] == []
    assert document["release"]["status"] == "succeeded"
    # JSON mode: the logfmt lines go to stderr, stdout is the document alone.
    assert "at=release step=lock version=v42 skipped=nothing-pending" in second.stderr
    by_name = {c["name"]: c for c in document["checks"]}
    assert by_name["release_database_reachable"]["status"] == "passed"
    assert by_name["release_migration_lock"]["status"] == "skipped"
    assert by_name["release_unknown_migrations"]["status"] == "passed"
    assert by_name["release_migrate"]["detail"] == "nothing to migrate"

    rows = release.releases()
    assert [r["status"] for r in rows] == ["succeeded", "succeeded"]
    assert rows[0]["version"] == "v42"
    assert rows[0]["commit"].startswith("abc1234def")
    assert rows[0]["migrations_applied"][-3:] == [
        "shop.0001_initial",
        "shop.0002_item_price",
        "shop.0003_item_stock",
    ]
    assert rows[1]["migrations_applied"] == []
    assert rows[0]["checks_summary"]["errors"] == 0
    assert rows[0]["checks_summary"]["passed"] > 0
    for row in rows:
        assert row["finished_at"] >= row["started_at"]
        assert row["duration_seconds"] > 0
        assert row["error"] == ""
        # DATABASE_SSL_REQUIRE=0 against the loopback server: a warning, recorded by ID.
        assert row["message_ids"] == ["deploytools.W104"]
        assert row["checks_summary"]["warnings"] == 1
    # The announce lines carry the timings of each step and of the whole release.
    steps = {
        line.split()[1].removeprefix("step="): line
        for line in first.stdout.splitlines()
        if line.startswith("at=release ")
    }
    for step in ("checks", "database", "plan", "migrate"):
        assert " elapsed=" in steps[step], steps[step]
    assert " waited=" in steps["lock"]
    assert steps["finish"].startswith(
        "at=release step=finish version=v42 status=succeeded applied="
    )
    assert " exit=0 duration=" in steps["finish"]

    history = release.run("--history")
    assert history.exit_code == 0
    assert "v42      abc1234  succeeded" in history.stdout
    assert "undo: python manage.py migrate shop zero" in history.stdout
    document = json.loads(release.run("--history", "--format", "json").stdout)
    assert [r["migrations_applied"] for r in document["releases"]][0] == []
    assert "python manage.py migrate shop zero" in document["releases"][1]["undo"]


def test_history_names_the_migration_to_go_back_to(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    assert release.run(scenario="ok").exit_code == 0
    document = json.loads(release.run("--history", "--format", "json").stdout)
    newest = document["releases"][0]
    assert newest["migrations_applied"] == ["shop.0002_item_price", "shop.0003_item_stock"]
    assert newest["undo"] == ["python manage.py migrate shop 0001_initial"]


def test_bad_usage_exits_2(release: Release) -> None:
    result = release.run("--dry-run", "--history")
    assert result.exit_code == 2
    assert "not allowed with argument" in result.stderr


def _polling_the_lock(release: Release) -> int:
    """Sessions of this database whose last statement tried the migration lock."""
    return int(
        release.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query LIKE 'SELECT pg_try_advisory_lock(%' AND pid <> pg_backend_pid()"
        )
    )


def test_four_concurrent_releases_apply_each_migration_once(release: Release) -> None:
    import psycopg2

    from deploytools.release_phase.lock import LOCK_KEY

    # Hold the lock until all four have planned and are waiting for it, so they really
    # contend however slowly a loaded machine starts them.
    holder = psycopg2.connect(release.url)
    holder.autocommit = True
    procs: list[subprocess.Popen[str]] = []
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        procs = [release.start(SHOP_SLEEP="0.5") for _ in range(4)]
        release.wait_for(lambda: _polling_the_lock(release) == 4, timeout=90)
    finally:
        holder.close()
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, out + err
        assert "Traceback" not in err
        assert "at=release step=lock version=v42 key=" in out
    assert release.applied() == ["0001_initial", "0002_item_price", "0003_item_stock"]
    duplicates = release.sql(
        "SELECT count(*) FROM (SELECT app, name FROM django_migrations"
        " GROUP BY app, name HAVING count(*) > 1) d"
    )
    assert duplicates == "0"
    rows = release.releases()
    assert len(rows) == 4
    assert {r["status"] for r in rows} == {"succeeded"}
    applied = [m for r in rows for m in r["migrations_applied"]]
    recorded = release.rows("SELECT app || '.' || name FROM django_migrations")
    # Every migration applied by exactly one of the four releases.
    assert sorted(applied) == sorted(r[0] for r in recorded)
    # The ones that waited took the lock, then found nothing left to do.
    assert sum(1 for r in rows if r["migrations_applied"]) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_database_down_is_e601_within_the_budget(release: Release, fmt: str) -> None:
    port = _free_port()
    started = time.monotonic()
    result = release.run(
        "--format",
        fmt,
        deploytools={"DATABASE_WAIT_SECONDS": 3},
        DATABASE_URL=f"postgres://weareone:{PASSWORD}@127.0.0.1:{port}/db",
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    # The budget plus process start-up (slow on a loaded machine) and one last connection
    # attempt for the record; the wait itself is bounded tightly below, from its own log line.
    assert elapsed < 3 + 20
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    if fmt == "json":
        document = json.loads(result.stdout)
        (e601,) = [m for m in document["messages"] if m["id"] == "deploytools.E601"]
        assert e601["obj"] == f"127.0.0.1:{port}"
        assert document["release"]["status"] == "failed"
        log = result.stderr
    else:
        assert (
            f"127.0.0.1:{port}: (deploytools.E601) The database at 127.0.0.1:{port}"
            in result.stdout
        )
        log = result.stdout
    line = next(x for x in log.splitlines() if "step=database" in x)
    attempts = int(line.split("attempts=")[1].split()[0])
    assert attempts > 1  # retried with backoff, not given up at once
    waited = float(line.split("elapsed=")[1].split()[0].rstrip("s"))
    assert 3 <= waited < 3 + 2
    assert "Traceback" not in result.stdout


def test_failing_migration_is_e605_and_rolled_back(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    before = release.schema()
    result = release.run("--format", "json", scenario="fails")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    (e605,) = [m for m in document["messages"] if m["id"] == "deploytools.E605"]
    assert e605["obj"] == "shop.0003_half_way"
    assert "shop.0003_half_way" in e605["msg"]
    assert "division by zero" in e605["msg"]
    assert e605["hint"].endswith("heroku run python manage.py migrate shop")
    # 0002 of the same release is kept; 0003 left no trace (its column, its table, its record).
    assert release.applied() == ["0001_initial", "0002_item_price"]
    after = release.schema()
    assert after - before == {("shop_item", "price", "integer", "YES")}
    assert before - after == set()
    assert release.sql("SELECT to_regclass('shop_half_way') IS NULL") == "t"
    last = release.releases()[-1]
    assert last["status"] == "failed"
    assert last["migrations_applied"] == ["shop.0002_item_price"]
    assert "shop.0003_half_way" in last["error"]
    assert "deploytools.E605" in last["message_ids"]


def test_kill_9_during_a_migration_leaves_a_consistent_database(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    proc = release.start(scenario="slow", SHOP_SLEEP="60")
    try:
        release.wait_for(release.sleeping)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.communicate()
    # The orphaned backend notices its client is gone and rolls back.
    release.wait_for(lambda: not release.sleeping(), timeout=15)
    assert release.applied() == ["0001_initial"]
    assert "price" not in release.columns("shop_item")
    result = release.run(scenario="slow", SHOP_SLEEP="0")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert release.applied() == ["0001_initial", "0002_slow"]
    assert "price" in release.columns("shop_item")
    assert [r["status"] for r in release.releases()] == ["succeeded", "succeeded"]


def test_sigterm_during_a_migration_records_an_interrupted_release(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    proc = release.start(scenario="slow", SHOP_SLEEP="60")
    try:
        release.wait_for(release.sleeping)
        proc.send_signal(signal.SIGTERM)
        # Heroku sends SIGKILL 30 s later; the statement is cancelled well before.
        code = proc.wait(timeout=25)
        out, err = proc.communicate()
    finally:
        proc.kill()
    assert code == 1
    assert "Traceback" not in err
    assert "at=release step=interrupted version=v42 signal=SIGTERM" in out
    last = release.releases()[-1]
    assert last["status"] == "interrupted"
    assert last["migrations_applied"] == []
    assert release.applied() == ["0001_initial"]
    assert "price" not in release.columns("shop_item")
    assert not release.sleeping()


def test_rollback_is_w604_and_unapplies_nothing(release: Release) -> None:
    assert release.run(scenario="ok").exit_code == 0
    result = release.run("--format", "json", scenario="base")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    (w604,) = [m for m in document["messages"] if m["id"] == "deploytools.W604"]
    assert "shop.0002_item_price, shop.0003_item_stock" in w604["msg"]
    assert w604["hint"].endswith("heroku run python manage.py migrate shop 0001_initial")
    assert document["release"]["unknown"] == ["shop.0002_item_price", "shop.0003_item_stock"]
    assert release.applied() == ["0001_initial", "0002_item_price", "0003_item_stock"]
    assert release.releases()[-1]["status"] == "succeeded"
    # At --fail-level WARNING the rollback is refused instead.
    refused = release.run("--fail-level", "WARNING", scenario="base")
    assert refused.exit_code == 1


UNSAFE = ["deploytools.E603", "deploytools.W606"]


@pytest.mark.parametrize(
    ("scenario", "deploytools", "code", "found", "dropped"),
    [
        ("unsafe", {}, 1, ["deploytools.E603"], False),
        ("unsafe", {"UNSAFE_MIGRATIONS": "warn"}, 0, ["deploytools.W606"], True),
        ("unsafe", {"ALLOW_UNSAFE_MIGRATIONS": ["shop.0002_remove_name"]}, 0, [], True),
        (
            "unsafe",
            {"ALLOW_UNSAFE_MIGRATIONS": ["shop.0003_other"]},
            1,
            ["deploytools.E603"],
            False,
        ),
        ("unsafe_marked", {}, 0, [], True),
    ],
    ids=["fail", "warn", "opt-in-setting", "opt-in-other", "opt-in-attribute"],
)
def test_unsafe_migration_policy(
    release: Release,
    scenario: str,
    deploytools: dict[str, Any],
    code: int,
    found: list[str],
    dropped: bool,
) -> None:
    assert release.run(scenario="base").exit_code == 0
    result = release.run("--format", "json", scenario=scenario, deploytools=deploytools)
    assert result.exit_code == code, result.stdout
    assert [i for i in ids(result) if i in UNSAFE] == found
    document = json.loads(result.stdout)
    for message in document["messages"]:
        if message["id"] in UNSAFE:
            assert message["obj"] == "shop.0002_remove_name"
            # One sentence: which migration, which operation, why (W303's words exactly).
            assert message["msg"] == (
                "Migration shop.0002_remove_name: RemoveField shop.Item.name is unsafe while the "
                "previous release serves traffic: the previous release still selects and "
                "inserts this column."
            )
            assert "DEPLOYTOOLS['ALLOW_UNSAFE_MIGRATIONS']" in message["hint"]
    assert ("name" not in release.columns("shop_item")) is dropped
    assert release.applied() == (
        ["0001_initial", "0002_remove_name"] if dropped else ["0001_initial"]
    )
    assert release.releases()[-1]["status"] == ("succeeded" if code == 0 else "failed")
    if deploytools.get("ALLOW_UNSAFE_MIGRATIONS") == ["shop.0002_remove_name"]:
        by_name = {c["name"]: c for c in document["checks"]}
        assert by_name["release_unsafe_migrations"]["detail"] == (
            'allowed: shop.0002_remove_name (DEPLOYTOOLS["ALLOW_UNSAFE_MIGRATIONS"])'
        )


def test_dry_run_shows_the_plan_and_changes_nothing(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    result = release.run("--dry-run", "--format", "json", scenario="unsafe")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["release"]["plan"] == ["shop.0002_remove_name"]
    assert document["release"]["dry_run"] is True
    assert "deploytools.E603" in ids(result)
    # A dry run fails no release: it says what a real run would do, naming the same IDs.
    text = release.run("--dry-run", scenario="unsafe")
    assert text.exit_code == 1
    assert "\nDry run: this release would be refused: deploytools.E603\n" in text.stdout
    assert "Release failed" not in text.stdout and "messages at" not in text.stdout
    real = release.run(scenario="unsafe")
    assert real.exit_code == 1
    assert "\nRelease failed: refused: deploytools.E603\n" in real.stdout
    ok = release.run("--dry-run", scenario="ok")
    assert ok.exit_code == 0
    assert "Plan: shop.0002_item_price, shop.0003_item_stock" in ok.stdout
    # Pending migrations, yet no lock taken (an exited process would have freed it anyway).
    assert "at=release step=lock version=v42 skipped=dry-run" in ok.stdout
    assert "step=migrate" not in ok.stdout and "step=record" not in ok.stdout
    assert release.applied() == ["0001_initial"]
    # The base release and the refused real run; the dry runs recorded nothing.
    assert [r["status"] for r in release.releases()] == ["succeeded", "failed"]
    assert release.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == "0"


def test_lock_held_by_another_session_is_e602(release: Release) -> None:
    import psycopg2

    from deploytools.release_phase.lock import LOCK_KEY

    assert release.run(scenario="base").exit_code == 0
    holder = psycopg2.connect(release.url)
    try:
        holder.autocommit = True
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        result = release.run(
            "--format", "json", scenario="ok", deploytools={"MIGRATION_LOCK_TIMEOUT_SECONDS": 1}
        )
    finally:
        holder.close()
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (e602,) = [m for m in document["messages"] if m["id"] == "deploytools.E602"]
    assert f"PID {pid}" in e602["msg"]
    assert release.applied() == ["0001_initial"]
    assert release.releases()[-1]["status"] == "failed"
    # With the lock free again, the release goes through; the lock is released afterwards.
    again = release.run(scenario="ok")
    assert again.exit_code == 0
    assert "step=lock version=v42 key=" in again.stdout
    assert release.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == "0"


def test_lock_can_be_turned_off_for_transaction_poolers(release: Release) -> None:
    result = release.run(deploytools={"MIGRATION_LOCK": False})
    assert result.exit_code == 0
    assert "at=release step=lock version=v42 skipped=disabled" in result.stdout
    assert release.applied() == ["0001_initial", "0002_item_price", "0003_item_stock"]


def test_post_migrate_createcachetable_by_default_and_e607(release: Release) -> None:
    result = release.run(scenario="base", RELEASE_DB_CACHE="1")
    assert result.exit_code == 0, result.stdout
    assert "step=post version=v42 command=createcachetable" in result.stdout
    assert release.sql("SELECT to_regclass('shop_cache') IS NOT NULL") == "t"
    failed = release.run(
        "--format",
        "json",
        scenario="ok",
        deploytools={"POST_MIGRATE_COMMANDS": ["no_such_command --flag"]},
    )
    assert failed.exit_code == 1
    document = json.loads(failed.stdout)
    (e607,) = [m for m in document["messages"] if m["id"] == "deploytools.E607"]
    assert e607["obj"] == "no_such_command --flag"
    # The migrations themselves were applied and are recorded with the failed release.
    assert release.releases()[-1]["migrations_applied"] == [
        "shop.0002_item_price",
        "shop.0003_item_stock",
    ]


def test_no_secret_in_any_output(release: Release, tmp_path: Path) -> None:
    role = "release_user"
    release.server.psql(
        f"DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{PASSWORD}'",
        dbname="postgres",
    )
    url = (
        f"postgres://{role}:{PASSWORD}@{release.server.host}:{release.server.port}/{release.dbname}"
    )
    outputs: list[str] = []
    for args, scenario, extra in [
        ((), "base", {}),
        (("--format", "json"), "fails", {}),
        (("--dry-run",), "ok", {}),
        (("--history",), "base", {}),
        (("--history", "--format", "json"), "base", {}),
        (("--format", "json"), "unsafe", {}),
        (
            ("--format", "json"),
            "base",
            {"DATABASE_URL": url.replace(str(release.server.port), str(_free_port()))},
        ),
        ((), "base", {"DATABASE_URL": url.replace(str(release.server.port), str(_free_port()))}),
    ]:
        env = {"DATABASE_URL": url, **extra}
        result = release.run(
            *args, scenario=scenario, deploytools={"DATABASE_WAIT_SECONDS": 1}, **env
        )
        outputs.append(result.stdout + result.stderr)
        assert "Traceback" not in result.stderr
    text = "\n".join(outputs)
    assert "deploytools.E605" in text and "deploytools.E601" in text
    assert PASSWORD not in text
    assert SECRET_KEY not in text
    rows = json.dumps(release.releases())
    assert PASSWORD not in rows and SECRET_KEY not in rows


def test_a_broken_migration_graph_never_ends_in_a_traceback(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    # The release checks see it first (E302) and refuse the release, recorded as failed.
    refused = release.run("--format", "json", scenario="broken")
    assert refused.exit_code == 1
    assert "deploytools.E302" in ids(refused)
    assert release.releases()[-1]["status"] == "failed"
    assert "deploytools.E302" in release.releases()[-1]["message_ids"]
    # Past the checks, the planning step reports it as E605, still without a traceback...
    result = release.run("--format", "json", "--fail-level", "CRITICAL", scenario="broken")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    (e605,) = [m for m in document["messages"] if m["id"] == "deploytools.E605"]
    assert "NodeNotFoundError" in e605["msg"] and "0009_nowhere" in e605["msg"]
    assert release.releases()[-1]["status"] == "failed"
    # ... unless asked for one.
    shown = release.run("--fail-level", "CRITICAL", "--dry-run", "--traceback", scenario="broken")
    assert shown.exit_code == 1
    assert "Traceback" in shown.stderr and "NodeNotFoundError" in shown.stderr


def test_a_release_mid_migration_holds_the_lock_against_another(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    first = release.start(scenario="slow", SHOP_SLEEP="60")
    try:
        release.wait_for(release.sleeping, timeout=60)
        second = release.run(
            "--format",
            "json",
            scenario="slow",
            deploytools={"MIGRATION_LOCK_TIMEOUT_SECONDS": 1},
            SHOP_SLEEP="0",
        )
        assert release.sleeping()  # the first one is still migrating, undisturbed
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 1
    finally:
        first.kill()
        first.communicate()
    assert second.exit_code == 1, second.stdout + second.stderr
    document = json.loads(second.stdout)
    (e602,) = [m for m in document["messages"] if m["id"] == "deploytools.E602"]
    assert "The migration lock was held by PID " in e602["msg"]
    assert e602["hint"].endswith('DEPLOYTOOLS["MIGRATION_LOCK_TIMEOUT_SECONDS"]')
    assert document["release"]["applied"] == []
    assert release.applied() == ["0001_initial"]
    assert [r["status"] for r in release.releases()][-2:] == ["failed", "interrupted"]


def test_a_non_atomic_migration_failure_says_it_was_not_rolled_back(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    result = release.run("--format", "json", scenario="nonatomic")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (e605,) = [m for m in document["messages"] if m["id"] == "deploytools.E605"]
    assert e605["obj"] == "shop.0002_not_atomic"
    assert "NOT rolled back" in e605["msg"] and "division by zero" in e605["msg"]
    # What the message says: the column added before the failure is still there.
    assert "price" in release.columns("shop_item")
    assert release.applied() == ["0001_initial"]


def test_history_without_a_database_exits_2_in_one_line(release: Release) -> None:
    port = _free_port()
    result = release.run(
        "--history", DATABASE_URL=f"postgres://weareone:{PASSWORD}@127.0.0.1:{port}/db"
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "cannot read the release history: OperationalError: " in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_history_before_the_first_release_says_how_the_table_is_made(release: Release) -> None:
    result = release.run("--history")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("CommandError: cannot read the release history: ProgrammingError: ")
    assert line.endswith(
        ". The table is created by the first heroku_release "
        "(or: python manage.py migrate deploytools)"
    )
    # A database that does not answer is another problem: no such hint.
    port = _free_port()
    down = release.run(
        "--history", DATABASE_URL=f"postgres://weareone:{PASSWORD}@127.0.0.1:{port}/db"
    )
    assert down.exit_code == 2
    assert "first heroku_release" not in down.stderr


@pytest.mark.parametrize(
    ("user", "database", "problem"),
    [
        ("nosuchrole", None, '"nosuchrole"'),
        (None, "nosuchdb", 'database "nosuchdb" does not exist'),
    ],
    ids=["unknown-role", "unknown-database"],
)
def test_database_refusing_the_credentials_is_e601_at_once(
    release: Release, user: str | None, database: str | None, problem: str
) -> None:
    server = release.server
    if user:
        url = f"postgres://{user}:{PASSWORD}@{server.host}:{server.port}/{release.dbname}"
    else:
        url = server.url(database)
    result = release.run(
        "--format", "json", deploytools={"DATABASE_WAIT_SECONDS": 60}, DATABASE_URL=url
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    (e601,) = [m for m in document["messages"] if m["id"] == "deploytools.E601"]
    assert e601["obj"] == f"{server.host}:{server.port}"
    assert "retrying cannot fix" in e601["msg"] and problem in e601["msg"]
    assert e601["hint"].endswith("heroku pg:credentials:url")
    assert ("user or password" in e601["hint"]) is (user is not None)
    assert ("database name" in e601["hint"]) is (database is not None)
    # Given up at the first attempt, not after the 60 s budget.
    line = next(x for x in result.stderr.splitlines() if "step=database" in x)
    assert " status=refused " in line and " attempts=1 " in line
    assert PASSWORD not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def _check(result: CommandResult, name: str) -> dict[str, Any]:
    document = json.loads(result.stdout)
    found: dict[str, Any] = next(c for c in document["checks"] if c["name"] == name)
    return found


def test_the_plan_reports_irreversible_migrations_as_w304(release: Release) -> None:
    first = release.run("--format", "json", scenario="base")
    assert first.exit_code == 0, first.stdout + first.stderr
    # Django's and deploytools' own migrations of a first release all have a reverse.
    assert _check(first, "irreversible_migrations")["status"] == "passed"
    assert "planned against the database" in _check(first, "irreversible_migrations")["detail"]
    # Git plays no part in the release phase: W303 says what judges it instead.
    w303 = _check(first, "unsafe_migrations")
    assert w303["status"] == "skipped"
    assert w303["detail"] == "judged by the release plan against the database: E603/W606"

    result = release.run("--format", "json", scenario="irreversible")
    assert result.exit_code == 0, result.stdout + result.stderr
    (w304,) = [m for m in json.loads(result.stdout)["messages"] if m["id"] == "deploytools.W304"]
    assert (w304["id"], w304["obj"]) == ("deploytools.W304", "shop.0002_name_upper")
    assert "RunPython" in w304["msg"]
    assert _check(result, "irreversible_migrations")["status"] == "failed"
    assert release.applied() == ["0001_initial", "0002_name_upper"]
    assert "deploytools.W304" in release.releases()[-1]["message_ids"]


def test_history_after_a_rollback_prints_the_recorded_undo_commands(release: Release) -> None:
    assert release.run(scenario="base").exit_code == 0
    assert release.run(scenario="ok").exit_code == 0
    assert release.releases()[-1]["undo_targets"] == {"shop": "0001_initial"}
    assert release.releases()[0]["undo_targets"]["shop"] == "zero"
    # `heroku rollback`: the running code (base) no longer has 0002 and 0003.
    rolled_back = release.run("--format", "json", scenario="base")
    assert rolled_back.exit_code == 0
    assert "deploytools.W604" in ids(rolled_back)
    document = json.loads(release.run("--history", "--format", "json", scenario="base").stdout)
    undone = next(
        r for r in document["releases"] if r["migrations_applied"][:1] == ["shop.0002_item_price"]
    )
    assert undone["undo"] == ["python manage.py migrate shop 0001_initial"]
    text = release.run("--history", scenario="base").stdout
    assert "undo: python manage.py migrate shop 0001_initial" in text
    assert "<before" not in text


def test_sqlite_takes_no_lock_and_is_refused_by_e102_by_default(
    release: Release, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    refused = release.run("--format", "json", scenario="base", DATABASE_URL=url)
    assert refused.exit_code == 1
    assert "deploytools.E102" in ids(refused)
    assert not (tmp_path / "db.sqlite3").exists() or "step=migrate" not in refused.stderr

    result = release.run("--fail-level", "CRITICAL", scenario="base", DATABASE_URL=url)
    assert result.exit_code == 0, result.stdout + result.stderr
    lock = [line for line in result.stdout.splitlines() if "step=lock" in line]
    assert len(lock) == 1
    assert lock[0].endswith("skipped=no-lock-on-sqlite")
    assert "migration=shop.0001_initial" in result.stdout
    assert "no migration lock on sqlite" in result.stdout


def test_a_server_that_never_answers_is_e601_within_the_budget(release: Release) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])  # and never a byte back

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    budget = 3
    try:
        started = time.monotonic()
        result = release.run(
            deploytools={"DATABASE_WAIT_SECONDS": budget},
            DATABASE_URL=f"postgres://weareone:{PASSWORD}@127.0.0.1:{port}/db",
        )
        elapsed = time.monotonic() - started
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    assert result.exit_code == 1
    assert accepted  # it did connect, and waited for an answer that never came
    assert f"(deploytools.E601) The database at 127.0.0.1:{port} did not answer" in result.stdout
    assert "The release could not be recorded (no Release row): the database is unreachable." in (
        result.stdout
    )
    log = result.stdout.splitlines()
    (record,) = [line for line in log if "step=record" in line]
    assert record.endswith("status=skipped reason=database-unreachable")
    finish = next(line for line in log if "step=finish" in line)
    duration = float(finish.split("duration=")[1].split()[0].rstrip("s"))
    # The bound: the budget plus a few seconds (and process start-up, on the wall).
    assert duration < budget + 3
    assert elapsed < budget + 15
    assert PASSWORD not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_release_in_the_ci_formats_keeps_stdout_one_document(release: Release) -> None:
    # Only the text report shares stdout with the logfmt lines: any document stands alone.
    junit = release.run("--format", "junit")
    assert junit.exit_code == 0, junit.stderr
    assert "at=release step=start version=v42" in junit.stderr
    suite = ElementTree.fromstring(junit.stdout.encode()).find("testsuite")
    assert suite is not None and suite.get("name") == "heroku_release"
    assert suite.get("failures") == "1"  # W104: DATABASE_SSL_REQUIRE=0 on the loopback server
    page = release.run("--format", "html", "--dry-run")
    assert page.exit_code == 0, page.stderr
    assert page.stdout.startswith("<!DOCTYPE html>") and page.stdout.endswith("</html>\n")
    assert "<h1>Release v42</h1>" in page.stdout and "at=release" not in page.stdout
    assert "<h2>Release phase</h2>" in page.stdout


def test_a_postgresql_older_than_this_django_supports_is_refused_first(release: Release) -> None:
    # The real server's server_version_num is read; the data's minimum for the running Django
    # (6.1: 15, the release notes) is raised past it, as a server too old would be.
    number = int(release.sql("SHOW server_version_num"))
    shown = f"{number // 10000}.{number % 10000}"
    passed = release.run("--format", "json")
    assert passed.exit_code == 0, passed.stderr
    line = _check(passed, "release_database_version")
    assert line["status"] == "passed" and line["detail"].startswith(f"PostgreSQL {shown}; Django ")
    minimum = str(number // 10000 + 1)
    release.sql("DELETE FROM django_migrations WHERE app = 'shop'")
    release.sql("DROP TABLE IF EXISTS shop_item")
    refused = release.run(RELEASE_POSTGRES_MINIMUM=minimum)
    assert refused.exit_code == 1
    found = [line for line in refused.stdout.splitlines() if "deploytools.E608" in line]
    assert len(found) == 1
    assert f"runs {shown}, older than Django " in found[0]
    assert f"supports ({minimum} or later)" in found[0]
    assert f"Release failed: PostgreSQL {shown} is older than Django " in refused.stdout
    assert f"heroku pg:upgrade:run DATABASE_URL --version {minimum}" in refused.stdout
    assert f"step=database_version version=v42 server={shown} required={minimum}" in (
        refused.stdout
    )
    # Refused before any lock or migration: nothing of the shop app was applied again.
    assert "step=migrate" not in refused.stdout and "step=lock" not in refused.stdout
    assert release.applied() == []


def test_a_database_django_refuses_is_not_retried() -> None:
    from django.db import NotSupportedError

    from deploytools.release_phase.database import permanent_database_error

    # Django's own check_database_version_supported() raises this at connection setup:
    # retrying for the whole wait budget cannot fix it.
    assert permanent_database_error(NotSupportedError("PostgreSQL 15 or later is required")) == (
        "version"
    )


def test_old_platform_data_is_one_info_line_of_the_release(release: Release) -> None:
    fresh = release.run("--format", "json")
    assert fresh.exit_code == 0, fresh.stderr
    assert _check(fresh, "platform_data_age")["status"] == "passed"
    old = release.run(RELEASE_DATA_READ="2026-01-01")
    assert old.exit_code == 0, old.stdout + old.stderr
    lines = [line for line in old.stdout.splitlines() if "deploytools.I004" in line]
    assert len(lines) == 1
    assert (
        "deploytools' platform data (Django, Python, Heroku stacks, plans and dyno sizes) "
        in (lines[0])
    )
    assert "was read on 2026-01-01" in lines[0]
    assert "pip install -U deploytools" in old.stdout
