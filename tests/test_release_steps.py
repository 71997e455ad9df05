"""The release phase's steps one by one, in process: backoff, logfmt, secrets, locks, undo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from deploytools import redact
from deploytools.checks.registry import CATALOGUE, django_check
from deploytools.checks.release_phase import STEP_CHECKS
from deploytools.checks.run import run_one
from deploytools.context import Context, ReleaseContext, Skipped
from deploytools.release_phase import announce, database, history, lock, migrate
from deploytools.release_phase.steps import (
    DatabaseServer,
    DatabaseWait,
    MigrateOutcome,
    ReleaseSteps,
)
from tests.helpers import (
    run_command,
)

RELEASE_IDS = {"E601", "E602", "E603", "W604", "E605", "W606", "E607", "E608"}


class FakeConnection:
    vendor = "postgresql"

    def __init__(self, failures: int, error: str = "connection refused") -> None:
        self.failures = failures
        self.error = error
        self.attempts = 0
        self.settings_dict: dict[str, Any] = {"HOST": "db.internal", "PORT": "5433"}
        self.timeouts: list[int] = []

    def ensure_connection(self) -> None:
        self.attempts += 1
        self.timeouts.append(self.settings_dict["OPTIONS"]["connect_timeout"])
        if self.attempts <= self.failures:
            raise OperationalError(self.error)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_for_database_retries_with_growing_jittered_backoff() -> None:
    connection, clock = FakeConnection(failures=5), FakeClock()
    attempts, error = database.wait_for_database(
        connection,  # type: ignore[arg-type]
        60,
        sleep=clock.sleep,
        clock=clock,
    )
    assert (attempts, error) == (6, None)
    assert len(clock.sleeps) == 5
    # Each wait is between half and all of a doubling delay (0.2 s, 0.4 s, ... capped at 5 s).
    for n, slept in enumerate(clock.sleeps):
        delay = min(0.2 * 2**n, 5.0)
        assert delay / 2 <= slept <= delay
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 10


def test_wait_for_database_gives_up_at_the_budget() -> None:
    connection, clock = FakeConnection(failures=10**6), FakeClock()
    attempts, error = database.wait_for_database(
        connection,  # type: ignore[arg-type]
        30,
        sleep=clock.sleep,
        clock=clock,
    )
    assert isinstance(error, OperationalError)
    assert clock.now == pytest.approx(30)
    assert attempts == connection.attempts > 5
    assert max(clock.sleeps) <= 5.0


def test_each_attempt_times_out_within_what_is_left_of_the_budget() -> None:
    connection, clock = FakeConnection(failures=10**6), FakeClock()
    original = connection.ensure_connection

    def hanging() -> None:
        try:
            original()
        finally:
            clock.now += connection.timeouts[-1]

    connection.ensure_connection = hanging  # type: ignore[method-assign]
    attempts, error = database.wait_for_database(
        connection,  # type: ignore[arg-type]
        25,
        sleep=clock.sleep,
        clock=clock,
    )
    assert isinstance(error, OperationalError)
    assert connection.timeouts[:2] == [10, 10]
    assert all(1 <= t <= 10 for t in connection.timeouts)
    # Never past the budget by more than the 1 s floor of the last attempt.
    assert clock.now <= 25 + 1
    # Later connections keep a full bound, not the last attempt's sliver.
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 10


def test_a_configured_connect_timeout_caps_each_attempt() -> None:
    connection, clock = FakeConnection(failures=2), FakeClock()
    connection.settings_dict["OPTIONS"] = {"connect_timeout": 4}
    assert database.wait_for_database(
        connection,  # type: ignore[arg-type]
        60,
        sleep=clock.sleep,
        clock=clock,
    ) == (3, None)
    assert connection.timeouts == [4, 4, 4]
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 4


PERMANENT = {
    'connection to server at "db.internal" (10.0.0.5), port 5433 failed: FATAL:  password '
    'authentication failed for user "app"': "credentials",
    'connection to server at "db.internal", port 5433 failed: FATAL:  role "app" does not '
    "exist": "credentials",
    'FATAL:  database "weareone" does not exist': "database",
    'FATAL:  no pg_hba.conf entry for host "10.1.2.3", user "app", database "d", no '
    "encryption": "pg_hba",
    "fe_sendauth: no password supplied": "credentials",
}
TRANSIENT = [
    'connection to server at "db.internal", port 5433 failed: Connection refused',
    'connection to server at "db.internal", port 5433 failed: timeout expired',
    "FATAL:  the database system is starting up",
    "FATAL:  sorry, too many clients already",
    "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute",
    'could not translate host name "db.internal" to address: Name or service not known',
    'FATAL:  relation "x" does not exist',
]


@pytest.mark.parametrize(("text", "problem"), PERMANENT.items())
def test_wait_for_database_gives_up_at_once_when_retrying_cannot_help(
    text: str, problem: str
) -> None:
    connection, clock = FakeConnection(failures=10**6, error=text), FakeClock()
    attempts, error = database.wait_for_database(
        connection,  # type: ignore[arg-type]
        60,
        sleep=clock.sleep,
        clock=clock,
    )
    assert (attempts, clock.sleeps) == (1, [])
    assert isinstance(error, OperationalError)
    assert database.permanent_database_error(error) == problem


@pytest.mark.parametrize("text", TRANSIENT)
def test_wait_for_database_retries_errors_that_pass(text: str) -> None:
    connection, clock = FakeConnection(failures=3, error=text), FakeClock()
    attempts, error = database.wait_for_database(
        connection,  # type: ignore[arg-type]
        60,
        sleep=clock.sleep,
        clock=clock,
    )
    assert (attempts, error, len(clock.sleeps)) == (4, None, 3)
    assert database.permanent_database_error(OperationalError(text)) == ""


def test_permanent_database_error_reads_the_sqlstate() -> None:
    class Cause(Exception):
        sqlstate = "28P01"

    error = OperationalError("FATAL: (localized message)")
    error.__cause__ = Cause()
    assert database.permanent_database_error(error) == "credentials"
    error.__cause__.sqlstate = "57P03"  # cannot_connect_now: the server is starting up
    assert database.permanent_database_error(error) == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--history", "--limit", "0"), "--limit must be 1 or more, not 0."),
        (("--history", "--limit", "-1"), "--limit must be 1 or more, not -1."),
        (("--limit", "5"), "--limit applies to --history only."),
        (("--dry-run", "--limit", "5"), "--limit applies to --history only."),
    ],
)
def test_bad_limit_is_a_usage_error(args: tuple[str, ...], message: str) -> None:
    result = run_command("heroku_release", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"CommandError: {message}\n"


def test_database_address_never_has_the_password() -> None:
    connection = FakeConnection(0)
    connection.settings_dict["PASSWORD"] = "hunter22"
    assert database.database_address(connection) == "db.internal:5433"  # type: ignore[arg-type]


def test_logfmt_lines_quote_values_and_hide_secrets() -> None:
    stream = io.StringIO()
    log = announce.Announcer(stream, "v7", {"s3cr3t-value"})
    log("database", address="h:1", error='bad "thing" s3cr3t-value', empty="")
    assert stream.getvalue() == (
        'at=release step=database version=v7 address=h:1 error="bad \\"thing\\" ***" empty=""\n'
    )


def test_secrets_cover_the_password_but_not_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres:pa55-word@h:5432/db")
    found = redact.process_secrets()
    assert "pa55-word" in found
    assert "postgres" not in found
    # The URL keeps what is not secret: which database, as which user.
    assert redact.redact("postgres://postgres:pa55-word@h:5432/db", found) == (
        "postgres://postgres:***@h:5432/db"
    )


def test_secrets_cover_other_credentials_of_the_release_dyno(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "rediss://:redis-pa55@ec2.compute.amazonaws.com:6380")
    monkeypatch.setenv("HEROKU_API_KEY", "hrku-0123456789abcdef")
    monkeypatch.setenv("SENTRY_DSN", "https://abc123def@o1.ingest.sentry.io/42")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("HEROKU_APP_NAME", "weareone-prod")
    found = redact.process_secrets()
    assert {"redis-pa55", "hrku-0123456789abcdef", "https://abc123def@o1.ingest.sentry.io/42"} <= (
        found
    )
    # Plain settings stay readable: masking them would garble every report.
    assert "weareone-prod" not in found
    assert "4" not in found
    stream = io.StringIO()
    announce.Announcer(stream, "v1", found)("error", error="AUTH failed for redis-pa55")
    assert "redis-pa55" not in stream.getvalue()


def test_dyno_metadata() -> None:
    metadata = announce.DynoMetadata.from_environ(
        {"HEROKU_RELEASE_VERSION": "v12", "HEROKU_SLUG_COMMIT": "f" * 40}
    )
    assert (metadata.version, metadata.commit) == ("v12", "f" * 40)
    assert announce.DynoMetadata.from_environ({}) == announce.DynoMetadata("", "")


def test_post_migrate_commands_default_to_createcachetable_with_a_database_cache() -> None:
    assert migrate.post_migrate_commands() == []
    db_cache = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache"}}
    with override_settings(CACHES=db_cache):
        assert migrate.post_migrate_commands() == ["createcachetable"]
    with override_settings(CACHES=db_cache, DEPLOYTOOLS={"POST_MIGRATE_COMMANDS": []}):
        assert migrate.post_migrate_commands() == []
    with override_settings(DEPLOYTOOLS={"POST_MIGRATE_COMMANDS": ["clearsessions"]}):
        assert migrate.post_migrate_commands() == ["clearsessions"]


def test_undo_commands_go_back_to_the_migration_before() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert history.rollback_commands(
        [
            "auth.0011_update_proxy_permissions",
            "auth.0012_alter_user_first_name_max_length",
            "sessions.0001_initial",
            "gone.0009_unknown",
        ],
        loader,
    ) == [
        "python manage.py migrate auth 0010_alter_group_name_max_length",
        "python manage.py migrate sessions zero",
        "python manage.py migrate gone <before 0009_unknown>",
    ]
    # Recorded at release time: a real command even when this code lacks the migration.
    assert history.rollback_commands(["gone.0009_unknown"], loader, {"gone": "0008_x"}) == [
        "python manage.py migrate gone 0008_x"
    ]
    assert history.undo_targets(
        loader.graph,
        [
            ("auth", "0011_update_proxy_permissions"),
            ("auth", "0012_alter_user_first_name_max_length"),
            ("sessions", "0001_initial"),
            ("gone", "0009_unknown"),
        ],
    ) == {"auth": "0010_alter_group_name_max_length", "sessions": "zero"}


def test_release_checks_are_catalogued_and_skipped_outside_heroku_release() -> None:
    for name in STEP_CHECKS:
        spec = CATALOGUE[name]
        assert spec.tags == ("deploytools", "release")
        line = run_one(spec, Context())
        assert (line.status, line.detail) == ("skipped", "runs in manage.py heroku_release only")
    # Registered with Django too: a plain `check --deploy` gets no message from them.
    assert django_check("deploytools.checks.release_phase")() == []
    listed = run_command("preflight", "--list-checks")
    assert listed.exit_code == 0
    for short_id in RELEASE_IDS:
        assert f"deploytools.{short_id}" in listed.stdout


def test_release_checks_report_the_steps_messages() -> None:
    from django.core import checks

    steps = ReleaseSteps(
        database=DatabaseWait("db:5432", 3, 1.5, 60, error="OperationalError: refused"),
        migrate=MigrateOutcome(skipped="dry run"),
    )
    context = ReleaseContext(steps=steps)
    (message,) = CATALOGUE["release_database_reachable"].func(context)
    assert (message.id, message.level) == ("deploytools.E601", checks.ERROR)
    assert "db:5432 did not answer within 60s (3 attempts): OperationalError: refused" in (
        message.msg
    )
    with pytest.raises(Skipped, match="dry run"):
        CATALOGUE["release_migrate"].func(context)
    with pytest.raises(Skipped, match="not reached"):
        CATALOGUE["release_migration_lock"].func(context)


def test_lock_key_is_a_stable_signed_bigint() -> None:
    assert lock.LOCK_KEY == -3294342531357697308
    assert -(2**63) <= lock.LOCK_KEY < 2**63


def _try_lock(other: Any) -> bool:
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock.LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
        if acquired:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock.LOCK_KEY])
    return acquired


@pytest.mark.django_db(transaction=True)
def test_migration_lock_excludes_others_while_held_and_is_released_on_exit() -> None:
    from django.db import connections

    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        other.set_autocommit(True)
        free: list[str] = []
        with lock.migration_lock("default", 5, on_wait=free.append) as waited:
            assert waited < 5
            assert not _try_lock(other)
        assert free == []  # a free lock is taken without a word
        # Released on the way out, while this process and its connections live on.
        assert _try_lock(other)
        with pytest.raises(RuntimeError), lock.migration_lock("default", 5):
            raise RuntimeError("a migration failed")
        assert _try_lock(other)
        # Held by another session: a bounded wait, then LockTimeout naming the holder.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock.LOCK_KEY])
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        waits: list[str] = []
        with (
            pytest.raises(lock.LockTimeout) as timeout,
            lock.migration_lock("default", 0.3, on_wait=waits.append),
        ):
            pytest.fail("the lock was taken while another session held it")
        assert timeout.value.holder.startswith(f"PID {pid} ")
        assert timeout.value.waited >= 0.3
        # Told once that it waits, and for whom.
        assert waits == [timeout.value.holder]
    finally:
        other.close()


def test_w003_waits_past_heroku_s_one_hour_limit() -> None:
    # devcenter release-phase: the phase is stopped after one hour, which cannot be extended.
    line = run_one(CATALOGUE["release_time_budget"], Context())
    assert (line.status, line.detail) == ("passed", "180s of waits, Heroku's limit 3600s")
    with override_settings(
        DEPLOYTOOLS={"DATABASE_WAIT_SECONDS": 600, "MIGRATION_LOCK_TIMEOUT_SECONDS": 3000}
    ):
        line = run_one(CATALOGUE["release_time_budget"], Context())
    assert line.ids == ["deploytools.W003"]
    assert line.messages[0].msg == (
        "The release phase may wait 600s for the database and 3000s for the migration lock: "
        "Heroku stops a release phase after 3600s, before these waits can end in a report."
    )


@pytest.mark.parametrize(
    ("number", "shown", "major"),
    [(150018, "15.18", 15), (170002, "17.2", 17), (90624, "9.6.24", 9)],
)
def test_server_version_num_is_read_as_postgresql_prints_it(
    number: int, shown: str, major: int
) -> None:
    server = DatabaseServer(number, "6.1.3", 15)
    assert (server.display, server.major) == (shown, major)
    assert server.supported is (major >= 15)


def test_e608_names_the_upgrade_path() -> None:
    steps = ReleaseSteps(
        database=DatabaseWait("db:5432", 1, 0.1, 60),
        server=DatabaseServer(140011, "6.1.3", 15),
    )
    (message,) = CATALOGUE["release_database_version"].func(ReleaseContext(steps=steps))
    assert message.id == "deploytools.E608"
    assert message.msg == (
        "The PostgreSQL server at db:5432 runs 14.11, older than Django 6.1.3 supports (15 or "
        "later)."
    )
    assert "heroku pg:upgrade:prepare DATABASE_URL --version 15 -a APP" in message.hint
    assert "heroku pg:upgrade:run DATABASE_URL -a APP" in message.hint
    assert "heroku addons:upgrade DATABASE_URL heroku-postgresql:essential-0" in message.hint
    sqlite = ReleaseSteps(server=DatabaseServer(django="6.1.3", skipped="not PostgreSQL (sqlite)"))
    with pytest.raises(Skipped, match="not PostgreSQL"):
        CATALOGUE["release_database_version"].func(ReleaseContext(steps=sqlite))


@pytest.mark.parametrize(
    ("django_version", "minimum"), [("6.1.3", 15), ("5.2.8", 14), ("4.2.30", 12)]
)
def test_the_postgresql_minimum_follows_the_running_django(
    monkeypatch: pytest.MonkeyPatch, django_version: str, minimum: int
) -> None:
    import django

    monkeypatch.setattr(django, "get_version", lambda: django_version)
    connection = FakeConnection(0)
    connection.vendor = "postgresql"
    monkeypatch.setattr(database, "server_version_num", lambda _connection: 130000)
    server = database.check_server(connection, set())  # type: ignore[arg-type]
    assert (server.minimum, server.display, server.supported) == (minimum, "13.0", minimum <= 13)


def test_help_knows_the_release_phase_s_triggers_and_limit() -> None:
    from deploytools.management.commands.heroku_release import Command

    text = Command().create_parser("manage.py", "heroku_release").format_help()
    flat = " ".join(text.split())
    assert "stops it after 60 minutes (not extendable)" in flat
    for trigger in ("a rollback", "a pipeline promotion", "provisioning a new add-on"):
        assert trigger in flat
