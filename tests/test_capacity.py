"""8xx: database connections, worker memory (measured for real on weareone), sizing advice."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from deploytools import platform_data
from deploytools.checks.capacity import worker_memory
from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import RunResult, run_checks
from deploytools.checks.run import select as select_checks
from deploytools.context import Context, ProductionContext
from deploytools.facts import sizing
from deploytools.facts.snapshot import Snapshot
from deploytools.facts.worker_memory import MemoryMeasurement
from deploytools.report import Report, render
from tests.helpers import (
    ROOT,
    connected,
    project_at,
)

SECRET_KEY = "capacity-secret-key-value-" + "z" * 30
DB_PASSWORD = "capacity-db-password"
CAPACITY_CHECKS = ("database_connections", "web_memory", "web_sizing")
WEB_COMMAND = "gunicorn --config gunicorn.conf.py weareone.wsgi"


def postgres(plan: str) -> dict[str, Any]:
    return {
        "addon_service": {
            "id": "6c67493d-8fc2-4cd4-9161-4f1ec11cbe69",
            "name": "heroku-postgresql",
        },
        "plan": {"id": "1f5dc8ab-3b4c-4d3b-9d4e-08d1cb5f0d3c", "name": f"heroku-postgresql:{plan}"},
        "config_vars": ["DATABASE_URL"],
        "state": "provisioned",
    }


def snapshot(
    *,
    plan: str = "standard-0",
    web_quantity: int = 2,
    web_size: str = "Standard-2X",
    web_command: str = WEB_COMMAND,
    config_vars: dict[str, str | None] | None = None,
    workers: list[dict[str, Any]] | None = None,
    features: list[dict[str, Any]] | None = None,
    dyno_sizes: list[dict[str, Any]] | None = None,
    addons: list[dict[str, Any]] | None = None,
) -> Snapshot:
    formation = [
        {
            "type": "web",
            "quantity": web_quantity,
            "size": web_size,
            "dyno_size": {"id": "e8b2b4c4-5c55-4a1b-8f3e-2f1a8a6f4c01", "name": web_size},
            "command": web_command,
        },
        {"type": "release", "quantity": 0, "command": "python manage.py heroku_release"},
        *(workers or []),
    ]
    return Snapshot(
        app={"name": "weareone"},
        formation=formation,
        addons=[postgres(plan)] if addons is None else addons,
        config_vars={
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"postgres://u:{DB_PASSWORD}@127.0.0.1:1/db",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_THREADS": "5",
            **(config_vars or {}),
        },
        features=features or [],
        dyno_sizes=dyno_sizes or [],
    )


def context(snap: Snapshot | None, **fields: Any) -> Context:
    if snap is None:
        return Context(project=project_at(ROOT))
    fields.setdefault("project", project_at(ROOT))
    return ProductionContext(snapshot=snap, **fields)


def run(ctx: Context, name: str) -> RunResult:
    return run_checks(ctx, [CATALOGUE[name]])


def only(result: RunResult) -> tuple[str, list[str], str]:
    check = result.checks[0]
    return check.status, [str(m.id) for m in check.messages], check.detail


# --- platform data ----------------------------------------------------------------------------


def test_dyno_memory_prefers_the_api_then_the_platform_data() -> None:
    api = [{"name": "Standard-2X", "memory": 2.0}]
    assert sizing.dyno_memory_mb("standard-2x", api) == 2048
    assert sizing.dyno_memory_mb("Standard-2X") == 1024
    assert sizing.dyno_memory_mb("performance-l") == 14 * 1024
    assert sizing.dyno_memory_mb("shield-l-ram") == 30 * 1024
    assert sizing.dyno_memory_mb("dyno-1c-0.5gb") == 512
    assert sizing.dyno_memory_mb("dyno-2c-4gb") == 4096
    # Not a published Fir size (heroku/cli ps:type): its name is no evidence of its memory.
    assert sizing.dyno_memory_mb("dyno-1c-1gb") is None
    assert sizing.dyno_memory_mb("mystery") is None
    assert sizing.default_web_concurrency("Performance-M") == 5
    assert sizing.default_web_concurrency("dyno-1c-0.5gb") is None


def test_safe_environment_replaces_every_service_url(tmp_path: Path) -> None:
    env = sizing.safe_environment(
        {
            "DATABASE_URL": "postgres://u:p@db.example.com:5432/x",
            "HEROKU_POSTGRESQL_RED_URL": "postgres://u:p@follower.example.com/x",
            "REDIS_URL": "rediss://:p@redis.example.com:6379",
            "SENTRY_DSN": "https://key@o1.ingest.example.com/1",
            "BUCKET_URL": None,
            "DJANGO_SECRET_KEY": None,
            "WEB_CONCURRENCY": "3",
        },
        tmp_path,
    )
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert env["HEROKU_POSTGRESQL_RED_URL"] == env["DATABASE_URL"]
    assert env["REDIS_URL"] == "rediss://127.0.0.1:9/"
    assert env["SENTRY_DSN"] == "https://127.0.0.1:9/"
    assert env["BUCKET_URL"] == "http://127.0.0.1:9/"
    assert env["DJANGO_SECRET_KEY"].startswith("deploytools-placeholder-")
    assert env["WEB_CONCURRENCY"] == "3"
    assert "example.com" not in "".join(env.values())


# --- E801 -----------------------------------------------------------------------------------


def test_e801_passes_within_the_plan_and_shows_the_arithmetic() -> None:
    snap = snapshot(
        workers=[{"type": "worker", "quantity": 1, "command": "celery -A weareone worker -c 4"}]
    )
    status, found, detail = only(run(context(snap), "database_connections"))
    assert (status, found) == ("passed", [])
    assert "web 2 × 3 workers × 5 threads = 30" in detail
    assert "worker 1 × 4 = 4" in detail
    assert "3 release phase and one-off" in detail
    assert "= 37 of 120 (heroku-postgresql:standard-0, Heroku's limits read 2026-12-01)" in detail


def test_e801_fails_over_the_essential_limit() -> None:
    snap = snapshot(plan="essential-0")
    result = run(context(snap), "database_connections")
    status, found, _detail = only(result)
    assert (status, found) == ("failed", ["deploytools.E801"])
    message = result.messages[0]
    assert "need 33 database connections" in message.msg
    assert "allows 20" in message.msg
    # (20 - 3 margin) // (2 dynos × 3 workers) = 2 threads.
    assert message.hint.endswith("heroku config:set GUNICORN_THREADS=2 --app weareone")


def test_e801_counts_preboot_twice() -> None:
    snap = snapshot(
        plan="essential-2", features=[{"name": "preboot", "enabled": True}]
    )  # 30 connections fit 40 without preboot, 63 do not
    result = run(context(snap), "database_connections")
    assert only(result)[1] == ["deploytools.E801"]
    assert "(×2 during preboot)" in result.checks[0].messages[0].hint


def test_e801_uses_herokus_default_concurrency_and_the_gunicorn_config() -> None:
    # No WEB_CONCURRENCY config var: the buildpack sets 4 on Standard-2X, gunicorn.conf.py
    # reads it, and its threads default (5) applies.
    snap = snapshot()
    del snap.config_vars["WEB_CONCURRENCY"]
    del snap.config_vars["GUNICORN_THREADS"]
    detail = only(run(context(snap), "database_connections"))[2]
    assert "web 2 × 4 workers × 5 threads = 40" in detail


def test_e801_command_line_flags_override_the_config() -> None:
    snap = snapshot(
        web_command="gunicorn -c gunicorn.conf.py --workers=1 --threads 2 weareone.wsgi"
    )
    detail = only(run(context(snap), "database_connections"))[2]
    assert "web 2 × 1 workers × 2 threads = 4" in detail


def test_e801_skips_without_postgres_or_with_an_unknown_plan() -> None:
    assert only(run(context(snapshot(addons=[])), "database_connections"))[0] == "skipped"
    status, _found, detail = only(run(context(snapshot(plan="galactic-9")), "database_connections"))
    assert (status, detail) == (
        "skipped",
        "connection limit of heroku-postgresql:galactic-9 unknown",
    )
    assert only(run(context(None), "database_connections"))[0] == "skipped"


@pytest.mark.parametrize(
    ("plan", "limit"),
    [
        ("essential-2", 40),
        ("premium-2", 400),
        ("private-l-9", 500),
        ("hobby-dev", 20),  # legacy plans stay known
        ("mini", 20),
    ],
)
def test_e801_uses_each_plan_s_limit(plan: str, limit: int) -> None:
    detail = only(run(context(snapshot(plan=plan)), "database_connections"))[2]
    assert f"= 33 of {limit} (heroku-postgresql:{plan}," in detail


def advanced(level: str | None, web_quantity: int = 2) -> Snapshot:
    snap = snapshot(plan="advanced", web_quantity=web_quantity)
    snap.addons[0]["id"] = "00000000-0000-0000-0000-0000000000a1"
    snap.addon_configs = {} if level is None else {snap.addons[0]["id"]: {"level": level}}
    return snap


def test_e801_postgres_advanced_uses_its_level_s_limit() -> None:
    # postgres-advanced-connection-limits: 4G-Performance 380 per instance, 8G 800, ...
    # 30 web dynos × 3 workers × 5 threads = 450, + 3 = 453: over 380, within 800.
    result = run(context(advanced("4G-Performance", web_quantity=30)), "database_connections")
    assert only(result)[1] == ["deploytools.E801"]
    assert "allows 380" in result.messages[0].msg
    assert "(heroku-postgresql:advanced at level 4G-Performance, Heroku's limits read" in (
        result.checks[0].detail
    )
    passed = run(context(advanced("8G-Performance", web_quantity=30)), "database_connections")
    assert only(passed)[:2] == ("passed", [])


def test_e801_postgres_advanced_without_a_known_level_is_judged_not_skipped() -> None:
    status, found, detail = only(
        run(context(advanced(None, web_quantity=30)), "database_connections")
    )
    assert (status, found) == ("passed", [])
    assert detail.endswith(
        "; it needs level 8G-Performance (800 connections) or larger: heroku data:pg:info"
    )
    # More than any level allows is certain, level or not.
    result = run(context(advanced(None, web_quantity=400)), "database_connections")
    assert only(result)[1] == ["deploytools.E801"]


def test_broken_gunicorn_config_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf.py").write_text(
        "import os\nraise RuntimeError(os.environ['DJANGO_SECRET_KEY'])\n"
    )
    ctx = context(snapshot(), project=project_at(tmp_path))
    status, _found, detail = only(run(ctx, "database_connections"))
    assert status == "skipped"
    assert detail == "could not evaluate the gunicorn settings (gunicorn config: RuntimeError)"


# --- W802 / I803: memory measured for real on weareone ---------------------------------------

TINY = [{"name": "Tiny-1X", "memory": 0.06}]  # 61 MB: two weareone workers cannot fit


@pytest.fixture(scope="module")
def measured() -> MemoryMeasurement:
    """One real measurement of weareone, shared by the tests that check the arithmetic."""
    ctx = context(snapshot(web_size="Tiny-1X", dyno_sizes=TINY))
    result = run(ctx, "web_memory")
    assert only(result)[1] == ["deploytools.W802"]
    found = ctx.known(worker_memory)
    assert isinstance(found, MemoryMeasurement)
    return found


def test_measurement_is_plausible(measured: MemoryMeasurement) -> None:
    # A booted Django worker is tens of MB; a bare interpreter with gunicorn is less.
    assert 15 < measured.baseline_mb < measured.worker_mb < 400
    assert measured.statuses == {"/": 200, "/health": 200}


def seeded(snap: Snapshot, measurement: MemoryMeasurement) -> Context:
    ctx = context(snap)
    ctx.remember(worker_memory, measurement)
    return ctx


def test_w802_fails_on_a_tiny_dyno(measured: MemoryMeasurement) -> None:
    result = run(seeded(snapshot(web_size="Tiny-1X", dyno_sizes=TINY), measured), "web_memory")
    status, found, detail = only(result)
    assert (status, found) == ("failed", ["deploytools.W802"])
    assert detail.startswith("3 workers × ")
    assert "of Tiny-1X's 61 MB" in detail
    assert result.messages[0].hint.endswith("heroku config:set WEB_CONCURRENCY=1 --app weareone")


def test_w802_passes_on_standard_2x(measured: MemoryMeasurement) -> None:
    status, found, detail = only(run(seeded(snapshot(), measured), "web_memory"))
    assert (status, found) == ("passed", [])
    assert "of Standard-2X's 1 GB" in detail


def test_w802_boundary_is_eighty_percent(measured: MemoryMeasurement) -> None:
    used = measured.baseline_mb + 3 * measured.worker_mb
    at_limit = [{"name": "Edge", "memory": used / 0.8 / 1024 + 0.001}]
    over_limit = [{"name": "Edge", "memory": used / 0.8 / 1024 - 0.001}]
    ok = run(seeded(snapshot(web_size="Edge", dyno_sizes=at_limit), measured), "web_memory")
    bad = run(seeded(snapshot(web_size="Edge", dyno_sizes=over_limit), measured), "web_memory")
    assert only(ok)[1] == []
    assert only(bad)[1] == ["deploytools.W802"]


def test_i803_recommends_a_size_that_fits(measured: MemoryMeasurement) -> None:
    result = run(
        seeded(snapshot(web_size="Tiny-1X", web_quantity=1, dyno_sizes=TINY), measured),
        "web_sizing",
    )
    status, found, detail = only(result)
    assert (status, found) == ("passed", ["deploytools.I803"])
    per_worker = sizing.format_mb(measured.worker_mb)
    assert detail == (
        f"web: 2 × standard-1x, WEB_CONCURRENCY=2 (≈ {per_worker} per worker, 512 MB dyno)"
    )
    assert result.messages[0].hint == (
        "heroku ps:scale web=2:standard-1x --app weareone && "
        "heroku config:set WEB_CONCURRENCY=2 --app weareone"
    )


def test_i803_keeps_a_size_that_fits(measured: MemoryMeasurement) -> None:
    detail = only(run(seeded(snapshot(web_quantity=3), measured), "web_sizing"))[2]
    assert detail.startswith("web: 3 × standard-2x, WEB_CONCURRENCY=4 ")


@pytest.mark.parametrize(
    ("app", "size"),
    [
        ({"name": "weareone"}, "standard-1x"),
        ({"name": "weareone", "space": {"id": "s1", "name": "s", "shield": False}}, "private-s"),
        ({"name": "weareone", "space": {"id": "s1", "name": "s", "shield": True}}, "shield-s"),
        ({"name": "weareone", "space": {"id": "s1"}, "generation": {"name": "fir"}}, "dyno-"),
    ],
)
def test_i803_recommends_only_sizes_the_app_can_use(
    measured: MemoryMeasurement, app: dict[str, Any], size: str
) -> None:
    # From the eco size nothing is kept: the smallest fitting size of the app's own runtime.
    snap = snapshot(web_size="eco")
    snap.app = app
    detail = only(run(seeded(snap, measured), "web_sizing"))[2]
    chosen = detail.split(" × ")[1].split(",")[0]
    assert chosen.startswith(size)
    runtime = {"standard-1x": "common", "private-s": "private-space", "shield-s": "shield-space"}
    assert platform_data.dyno_size(chosen).runtime == runtime.get(size, "fir")  # type: ignore[union-attr]


def test_memory_checks_skip_when_turned_off_or_unknown() -> None:
    off = context(snapshot(), measure_memory=False)
    assert only(run(off, "web_memory")) == ("skipped", [], "memory measurement turned off")
    unknown = context(snapshot(web_size="Mystery-9"))
    assert only(run(unknown, "web_sizing"))[2] == "memory of dyno size Mystery-9 unknown"


def test_settings_that_fail_to_boot_skip_with_one_line() -> None:
    snap = snapshot()
    del snap.config_vars["DJANGO_SECRET_KEY"]  # weareone refuses to boot without it
    status, _found, detail = only(run(context(snap), "web_memory"))
    assert status == "skipped"
    assert detail == "could not measure the app's memory (migrate: ImproperlyConfigured)"


def test_measurement_never_connects_to_the_configured_services(
    listeners: list[socket.socket],
) -> None:
    database, redis, _search = (sock.getsockname()[1] for sock in listeners)
    snap = snapshot(
        config_vars={
            "DATABASE_URL": f"postgres://u:{DB_PASSWORD}@127.0.0.1:{database}/db",
            "REDIS_URL": f"redis://127.0.0.1:{redis}/0",
        }
    )
    ctx = context(snap)
    specs = [s for s in select_checks(["heroku"]) if s.name in CAPACITY_CHECKS[:2]]
    result = run_checks(ctx, specs)
    assert [c.status for c in result.checks] == ["passed", "passed"]
    assert isinstance(ctx.known(worker_memory), MemoryMeasurement)
    assert not any(connected(sock) for sock in listeners)
    # The detector works: a real connection is seen.
    with socket.create_connection(("127.0.0.1", database)):
        assert connected(listeners[0])


def test_no_config_var_value_in_any_output(measured: MemoryMeasurement) -> None:
    ctx = seeded(snapshot(plan="essential-0", web_size="Tiny-1X", dyno_sizes=TINY), measured)
    specs = [s for s in select_checks(["heroku"]) if s.name in CAPACITY_CHECKS]
    result = run_checks(ctx, specs)
    assert sorted(str(m.id) for m in result.messages) == [
        "deploytools.E801",
        "deploytools.I803",
        "deploytools.W802",
    ]
    output = render(Report(result, 1), "text") + render(Report(result, 1), "json")
    assert SECRET_KEY not in output
    assert DB_PASSWORD not in output
