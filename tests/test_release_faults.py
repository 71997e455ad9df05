"""
heroku_release and migrate under faults (issue 8, classes 1, 3, 4 and 10): project code that
prints, settings that cannot be imported, the lock held by another database role, a server
without SSL, a non-atomic migration failing halfway. Real child processes, the real
PostgreSQL; stdout holds exactly the report, no secret reaches any output or Release row, and
nothing ends in a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import run_one
from deploytools.context import ReleaseContext
from deploytools.release_phase.lock import LOCK_KEY, describe_holder
from deploytools.release_phase.steps import MigrateOutcome, ReleaseSteps
from tests import postgres
from tests.helpers import RELEASE_SECRET_KEY, CommandResult, release_env, run_manage

pytestmark = pytest.mark.slow

PASSWORD = "pw-Fq3#kz-faults-Lw82"  # '#' unescaped on purpose where a test says so
SAFE_PASSWORD = "pw-Fq3-faults-Lw82x"


@dataclass
class Database:
    server: postgres.Server
    name: str
    role: str
    password: str

    @property
    def url(self) -> str:
        server = self.server
        return f"postgres://{self.role}:{self.password}@{server.host}:{server.port}/{self.name}"

    def run(self, *args: str, scenario: str = "ok", **extra: Any) -> CommandResult:
        deploytools = extra.pop("deploytools", None)
        env = release_env(self.url, scenario, deploytools, **extra)
        return run_manage("heroku_release", *args, env=env)

    def releases(self) -> list[dict[str, Any]]:
        out = self.server.psql(
            "SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM deploytools_release r",
            dbname=self.name,
        )
        rows: list[dict[str, Any]] = json.loads(out)
        return rows


# Role names without digits: the secret policy masks generated-looking user names
# (Heroku's), which would hide them in the very messages these tests read.
OWNER, OTHER = "faults_owner", "faults_other"


def _role(server: postgres.Server, name: str, password: str) -> None:
    """An ordinary login role (created once per server: the test databases depend on it)."""
    server.psql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} LOGIN NOSUPERUSER; END IF; END $$; "
        f"ALTER ROLE {name} PASSWORD '{password}'",
        dbname="postgres",
    )


@pytest.fixture
def database(pg_server: postgres.Server, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A fresh database owned by an ordinary role (not a superuser), as on Heroku Postgres."""
    suffix = request.node.name.lower().replace("[", "_").replace("]", "").replace("-", "_")[:40]
    name = f"faults_{suffix}"
    pg_server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dbname="postgres")
    _role(pg_server, OWNER, SAFE_PASSWORD)
    pg_server.psql(f'CREATE DATABASE "{name}" OWNER {OWNER}', dbname="postgres")
    yield Database(pg_server, name, OWNER, SAFE_PASSWORD)


SECRETS = (RELEASE_SECRET_KEY, SAFE_PASSWORD)


def assert_no_secret(*texts: str) -> None:
    joined = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in joined


def one_document(stdout: str) -> dict[str, Any]:
    """stdout is exactly one JSON document: nothing before it, nothing after it."""
    assert stdout.startswith("{"), stdout[:200]
    document: dict[str, Any] = json.loads(stdout)
    return document


# -- 1. stdout belongs to the report ---------------------------------------------------------

PRINTED = [
    "python print: key=***",
    "fd 1 write: key=***",
    "child process: key=***",
    "stderr print: key=***",
    "post-migrate print: key=***",
    "post-migrate fd 1: key=***",
    "post-migrate stderr: key=***",
]


def test_printing_migrations_and_commands_go_to_stderr_masked_in_json_mode(
    database: Database,
) -> None:
    result = database.run(
        "--format",
        "json",
        scenario="prints",
        deploytools={"POST_MIGRATE_COMMANDS": ["shop_shout"]},
    )
    assert result.exit_code == 0, result.stderr
    document = one_document(result.stdout)
    assert document["release"]["applied"][-1] == "shop.0002_prints"
    for line in PRINTED:
        assert line in result.stderr, line
    assert "no newline at the end: key=***" in result.stderr
    assert_no_secret(result.stdout, result.stderr, json.dumps(database.releases()))
    assert "Traceback" not in result.stderr


def test_printing_migrations_stay_in_the_log_masked_in_text_mode(database: Database) -> None:
    result = database.run(scenario="prints", deploytools={"POST_MIGRATE_COMMANDS": ["shop_shout"]})
    assert result.exit_code == 0, result.stderr
    log, _sep, report = result.stdout.partition("Release v7\n")
    for line in ("python print", "fd 1 write", "child process", "post-migrate fd 1"):
        assert f"{line}: key=***" in log, line
    assert "stderr print: key=***" in result.stderr
    assert "passed   Post-migrate commands ran — shop_shout" in report
    assert_no_secret(result.stdout, result.stderr)


def test_a_process_left_holding_stdout_does_not_hold_the_release(
    database: Database, tmp_path: Path
) -> None:
    pid_file = tmp_path / "daemon.pid"
    started = time.monotonic()
    try:
        result = database.run("--format", "json", scenario="lingers", SHOP_PID_FILE=str(pid_file))
        elapsed = time.monotonic() - started
    finally:
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert result.exit_code == 0, result.stderr
    assert one_document(result.stdout)["release"]["applied"][-1] == "shop.0002_lingers"
    # The daemon sleeps 60 s with the captured pipe open: the capture stops listening to it
    # (at most DRAIN_SECONDS later) instead of waiting for the pipe to close.
    assert elapsed < 30


def test_settings_that_print_when_imported_do_not_touch_the_document(database: Database) -> None:
    result = database.run("--format", "json", "--dry-run", RELEASE_SETTINGS_PRINT="1")
    assert result.exit_code == 0, result.stderr
    assert one_document(result.stdout)["release"]["dry_run"] is True
    assert "settings import print: key=***" in result.stderr
    assert "settings import fd 1: key=***" in result.stderr
    assert_no_secret(result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--limit", "abc"), "argument --limit: invalid int value: 'abc'"),
        (("--limit", "0", "--history"), "--limit must be 1 or more, not 0."),
        (("--limit", "3"), "--limit applies to --history only."),
        (("--dry-run", "--history"), "not allowed with argument"),
    ],
    ids=["not-a-number", "zero", "without-history", "exclusive"],
)
def test_usage_errors_in_json_mode_are_one_document(args: tuple[str, ...], error: str) -> None:
    env = release_env("postgres://u@127.0.0.1:9/none", RELEASE_SETTINGS_PRINT="1")
    result = run_manage("heroku_release", "--format", "json", *args, env=env)
    assert result.exit_code == 2
    document = one_document(result.stdout)
    assert document["exit_code"] == 2 and error in document["error"]
    assert "Traceback" not in result.stderr
    assert RELEASE_SECRET_KEY not in result.stdout + result.stderr


# -- 3. settings that cannot be imported ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(
    ("extra", "reason", "hidden"),
    [
        (
            {"RELEASE_SETTINGS_FAIL": "port", "REDIS_URL": f"redis://u:{PASSWORD}@h:6379/0"},
            "ValueError at tests/releaseapps/settings.py:",
            # What urlsplit quotes: the part of the password before the "#".
            PASSWORD.split("#")[0],
        ),
        (
            {"RELEASE_SETTINGS_FAIL": "improperly"},
            "ImproperlyConfigured: the key *** is revoked (tests/releaseapps/settings.py:",
            RELEASE_SECRET_KEY,
        ),
    ],
    ids=["valueerror-quoting-a-password", "improperly-configured"],
)
def test_settings_that_fail_to_import_are_e100_exit_2(
    fmt: str, extra: dict[str, str], reason: str, hidden: str
) -> None:
    env = release_env("postgres://u@127.0.0.1:9/none", **extra)
    for command in ("heroku_release", "migrate"):
        args = ("--format", fmt) if command == "heroku_release" else ()
        result = run_manage(command, *args, env=env)
        assert result.exit_code == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert hidden not in result.stdout + result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(
            "deploytools.E100: The settings cannot be loaded with the production config: " + reason
        )
        if command == "heroku_release" and fmt == "json":
            document = one_document(result.stdout)
            assert document["exit_code"] == 2
            (message,) = document["messages"]
            assert message["id"] == "deploytools.E100"
            assert message["obj"] == "tests.releaseapps.settings"
            assert reason in message["msg"]
            assert [c["status"] for c in document["checks"]] == ["failed"]
        else:
            assert result.stdout == ""


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"DATABASE_URL": f"postgres://weareone:{PASSWORD}@db.example:5432/d"},
            "ParseError at weareone/settings.py:",
        ),
        ({"DJANGO_SECRET_KEY": None}, "ImproperlyConfigured: DJANGO_SECRET_KEY is not set."),
    ],
    ids=["hash-in-database-url", "no-secret-key"],
)
def test_weareone_settings_failing_on_a_release_dyno_are_e100(
    env: dict[str, str | None], reason: str
) -> None:
    base = {"DYNO": "release.1", "DJANGO_SECRET_KEY": RELEASE_SECRET_KEY}
    base["DATABASE_URL"] = f"postgres://weareone:{SAFE_PASSWORD}@db.example:5432/d"
    full = {k: v for k, v in {**base, **env}.items() if v is not None}
    result = run_manage("heroku_release", "--format", "json", env=full)
    assert result.exit_code == 2
    assert reason in one_document(result.stdout)["messages"][0]["msg"]
    for secret in (RELEASE_SECRET_KEY, SAFE_PASSWORD, *PASSWORD.split("#")):
        assert secret not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_other_commands_keep_djangos_behaviour() -> None:
    env = release_env("postgres://u@127.0.0.1:9/none", RELEASE_SETTINGS_FAIL="improperly")
    result = run_manage("check", env=env)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr  # Django's own, untouched: only ours are guarded


# -- 4. the lock held by another database role ---------------------------------------------------


@pytest.fixture
def other_role_holds_the_lock(database: Database) -> Iterator[int]:
    """
    A session of another, ordinary role holding the migration lock, once a first release has
    migrated (and made the Release table); yields its PID.
    """
    assert database.run(scenario="base").exit_code == 0
    _role(database.server, OTHER, "other-pw")
    server = database.server
    holder = psycopg2.connect(
        host=server.host,
        port=server.port,
        user=OTHER,
        password="other-pw",
        dbname=database.name,
        application_name="other-app",
    )
    holder.autocommit = True
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        yield pid
    finally:
        holder.close()


def test_e602_names_a_lock_holder_of_another_role(
    database: Database, other_role_holds_the_lock: int
) -> None:
    pid = other_role_holds_the_lock
    # This role cannot see the holder's connection time: that column is NULL for it.
    visible = database.server.psql(
        f"SET ROLE {database.role}; SELECT backend_start IS NULL FROM pg_stat_activity "
        f"WHERE pid = {pid}",
        dbname=database.name,
    )
    assert visible.splitlines()[-1] == "t"
    result = database.run("--format", "json", deploytools={"MIGRATION_LOCK_TIMEOUT_SECONDS": 1})
    assert result.exit_code == 1, result.stderr
    document = one_document(result.stdout)
    ids = sorted({m["id"] for m in document["messages"]})
    assert "deploytools.E602" in ids and "deploytools.E605" not in ids
    (e602,) = [m for m in document["messages"] if m["id"] == "deploytools.E602"]
    assert e602["msg"].startswith(
        f"The migration lock was held by PID {pid} (role {OTHER}, application other-app) "
        "for more than 1s"
    )
    row = database.releases()[-1]
    assert row["status"] == "failed" and "deploytools.E602" in row["message_ids"]
    assert "Traceback" not in result.stderr


def test_manual_migrate_names_a_lock_holder_of_another_role(
    database: Database, other_role_holds_the_lock: int
) -> None:
    env = release_env(database.url, deploytools={"MIGRATION_LOCK_TIMEOUT_SECONDS": 1})
    env.pop("DYNO")
    result = run_manage("migrate", "--noinput", env=env)
    assert result.exit_code == 1
    waiting, error = result.stderr.splitlines()
    holder = f"PID {other_role_holds_the_lock} (role {OTHER}, application other-app)"
    assert waiting.startswith(f"Waiting for the migration lock held by {holder}")
    assert error.startswith("CommandError: another release or migrate holds") and holder in error
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ((4242, None, None, None), "PID 4242"),
        ((4242, "other", "", None), "PID 4242 (role other)"),
        ((4242, "other", "psql\x1b[31m" + "x" * 100, None), "PID 4242 (role other, application "),
        ((None, None, None, "not a time"), "another session"),
    ],
)
def test_holder_description_names_what_is_known(row: tuple[Any, ...], text: str) -> None:
    described = describe_holder(*row)
    assert described.startswith(text)
    assert "\x1b" not in described and len(described) < 120


# -- 10. a server without SSL, a non-atomic migration failing halfway ------------------------------


def test_ssl_required_by_a_server_without_it_is_e601_at_once(database: Database) -> None:
    result = database.run(
        "--format", "json", deploytools={"DATABASE_WAIT_SECONDS": 30}, DATABASE_SSL_REQUIRE="1"
    )
    assert result.exit_code == 1
    document = one_document(result.stdout)
    (e601,) = [m for m in document["messages"] if m["id"] == "deploytools.E601"]
    assert "retrying cannot fix" in e601["msg"] and "server does not support SSL" in e601["msg"]
    assert "the server does not offer it" in e601["hint"]
    line = next(x for x in result.stderr.splitlines() if "step=database" in x)
    assert " status=refused " in line and " attempts=1 " in line


def test_a_non_atomic_migration_failing_halfway_names_what_it_left(database: Database) -> None:
    assert database.run(scenario="base").exit_code == 0
    result = database.run("--format", "json", scenario="nonatomic")
    assert result.exit_code == 1
    (e605,) = [m for m in one_document(result.stdout)["messages"] if m["id"] == "deploytools.E605"]
    assert e605["msg"].startswith(
        "Migration shop.0002_not_atomic failed at operation 2 of 2: Raw SQL operation: "
        "DataError: division by zero"
    )
    assert (
        "these operations ran before the failure and were NOT rolled back: "
        "Add field price to item; the failing one may have partly run"
    ) in e605["msg"]
    assert "the next release runs it again from its first operation" in e605["msg"]
    assert e605["hint"].startswith("Undo or finish by hand what it left behind")
    row = database.releases()[-1]
    assert row["status"] == "failed" and "deploytools.E605" in row["message_ids"]


def test_an_atomic_failure_says_where_and_that_it_was_rolled_back(database: Database) -> None:
    assert database.run(scenario="base").exit_code == 0
    result = database.run("--format", "json", scenario="fails")
    (e605,) = [m for m in one_document(result.stdout)["messages"] if m["id"] == "deploytools.E605"]
    assert e605["msg"].startswith(
        "Migration shop.0003_half_way failed at operation 3 of 3: Raw SQL operation and was "
        "rolled back: DataError: division by zero."
    )


def _e605(outcome: MigrateOutcome) -> str:
    context = ReleaseContext(steps=ReleaseSteps(migrate=outcome))
    line = run_one(CATALOGUE["release_migrate"], context)
    (message,) = line.messages
    return str(message.msg)


def test_a_non_atomic_migration_failing_at_its_first_operation_says_so() -> None:
    text = _e605(
        MigrateOutcome(
            failed="shop.0009_x",
            atomic=False,
            error="DataError: boom",
            failed_operation="1 of 2: Raw Python operation",
        )
    )
    assert "no operation completed before the failure, but the failing one may have partly run" in (
        text
    )


def test_the_capture_writes_the_last_lines_even_when_its_wait_timed_out_just_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # stop() flushes everything, then tells the pump to stop; the pump's last wait may have
    # timed out just before the flush (under load, a thread waits for the GIL), and the
    # lines then in the pipe (a --help text, a report) must still be written.
    import select

    from deploytools import capture

    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    os.write(write_fd, b"the last line\n")
    os.close(write_fd)
    pump = capture._Pump(read_fd, out_write, capture.Capture(document_mode=False))
    pump.stopping.set()
    waits: list[float] = []
    real_select = select.select

    def timed_out_once(r: list[int], w: list[int], x: list[int], timeout: float) -> Any:
        waits.append(timeout)
        return ([], [], []) if len(waits) == 1 else real_select(r, w, x, timeout)

    monkeypatch.setattr(capture.select, "select", timed_out_once)
    pump.run()
    os.close(out_write)
    assert os.read(out_read, 1000) == b"the last line\n"
    os.close(out_read)
    os.close(read_fd)
