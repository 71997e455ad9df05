"""
The release phase: what ``manage.py heroku_release`` does, step by step.

Heroku runs the Procfile's ``release:`` command after every build, config-var change and
promotion, before the new dynos start; a non-zero exit stops the release and the old one keeps
serving. :class:`ReleasePhase` runs, in order:

1. announce the release (``HEROKU_RELEASE_VERSION``, ``HEROKU_SLUG_COMMIT``) in logfmt lines;
2. the release-tagged checks (and Django's own), at ``--fail-level`` (ERROR by default);
3. wait for the database: bounded retry with exponential backoff and jitter for
   ``DEPLOYTOOLS["DATABASE_WAIT_SECONDS"]``, then E601 naming host:port;
4. if migrations are pending, a PostgreSQL session-level advisory lock on a dedicated
   connection (``pg_try_advisory_lock`` polled for ``MIGRATION_LOCK_TIMEOUT_SECONDS``, then
   E602), after which the migration state is read again. deploytools' ``migrate`` command
   (it overrides Django's) takes the same lock, so a manual ``heroku run python manage.py
   migrate`` never runs beside a release. ``MIGRATION_LOCK = False`` turns the
   lock off: behind a transaction pooler (PgBouncer in transaction mode) a session-level lock
   is not held by the session that migrates. On SQLite (and other databases) there is no lock:
   one process owns the file;
5. the plan: migrations applied in the database that this code does not know (a rollback,
   W604: nothing is unapplied) and unsafe operations (:mod:`deploytools.migration_safety`)
   judged by ``UNSAFE_MIGRATIONS``: "fail" refuses the release (E603), "warn" applies it
   (W606). A migration is allowed explicitly by ``ALLOW_UNSAFE_MIGRATIONS`` (its
   "app_label.migration_name") or by ``deploytools_allow_unsafe = True`` on its class;
6. Django's ``migrate`` (each migration atomic on PostgreSQL, so a failure, E605, leaves the
   schema as before the failed migration and keeps the earlier ones), then
   ``POST_MIGRATE_COMMANDS`` (None: ``createcachetable`` when a database cache is configured;
   a failure is E607);
7. a :class:`~deploytools.models.Release` row, also when the release failed or got SIGTERM
   (Heroku sends SIGTERM, then SIGKILL 30 s later): SIGTERM cancels the running statement,
   rolls the current migration back and records the release as "interrupted".

A release with nothing to migrate takes no lock and does not start ``migrate``: Heroku runs
it on every config-var change. ``dry_run`` stops after the plan: no lock, no change, no row.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import io
import json
import os
import random
import re
import shlex
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from deploytools import redact
from deploytools.checks.registry import CATALOGUE, Context
from deploytools.checks.release import STEP_CHECKS, STEP_MESSAGES
from deploytools.checks.run import LEVELS, RunResult, run_checks, run_one, select
from deploytools.conf import conf

# One key for every deploytools release of every project: advisory locks are per database.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"deploytools.migrate").digest()[:8], "big", signed=True)

SUCCEEDED, FAILED, INTERRUPTED = "succeeded", "failed", "interrupted"


class ReleaseInterrupted(BaseException):
    """SIGTERM arrived: unwind (rolling back the running migration) and record the release."""


class LockTimeout(Exception):
    """Another session held the migration lock past the timeout."""

    def __init__(self, waited: float, holder: str) -> None:
        super().__init__(holder)
        self.waited = waited
        self.holder = holder


@dataclass(frozen=True)
class DynoMetadata:
    """What Heroku's dyno metadata says about this release (empty outside Heroku)."""

    version: str = ""
    commit: str = ""

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> DynoMetadata:
        env = os.environ if environ is None else environ
        return cls(
            version=env.get("HEROKU_RELEASE_VERSION", "").strip()[:64],
            commit=env.get("HEROKU_SLUG_COMMIT", "").strip()[:64],
        )


# Environment variables whose name says their value is a credential.
SECRET_NAME_PARTS = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "API_KEY", "PRIVATE", "DSN", "AUTH")


def secrets() -> set[str]:
    """
    Everything that must never be printed: SECRET_KEY, database passwords, the password of
    any URL in the environment (a release dyno's environment is the app's config vars) and
    the value of every variable named like a credential (``*_TOKEN``, ``*_API_KEY``, ...).
    """
    # Not the database user: it is no secret, and masking "postgres" garbles "postgresql".
    from deploytools.checks.settings import readable_setting

    # An empty SECRET_KEY raises when read; E100 reports that, here it is just no secret.
    found = {str(readable_setting("SECRET_KEY", "") or "")}
    for name, value in os.environ.items():
        if name in ("DATABASE_URL", "DJANGO_SECRET_KEY") or any(
            part in name.upper() for part in SECRET_NAME_PARTS
        ):
            found.add(value)
        if "://" in value:
            with contextlib.suppress(ValueError):
                found.add(urlsplit(value.strip()).password or "")
    for database in getattr(settings, "DATABASES", {}).values():
        found.add(str(database.get("PASSWORD") or ""))
    return {value for value in found if len(value) >= redact.MIN_SECRET_LENGTH}


def _logfmt_value(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\\') or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    return text


def seconds(value: float) -> str:
    return f"{value:.3f}s"


class Announcer:
    """Writes Heroku-style logfmt lines (``at=release step=… version=v42 …``), secrets scrubbed."""

    def __init__(self, stream: IO[str], version: str, hidden: set[str]) -> None:
        self.stream = stream
        self.version = version
        self.hidden = hidden

    def __call__(self, step: str, **fields: object) -> None:
        parts = {"at": "release", "step": step, "version": self.version or "-", **fields}
        line = " ".join(f"{key}={_logfmt_value(value)}" for key, value in parts.items())
        self.stream.write(redact.redact(line, self.hidden) + "\n")
        self.stream.flush()


@dataclass
class Outcome:
    """What a release phase did; rendered by the command, recorded as a Release row."""

    result: RunResult
    metadata: DynoMetadata
    dry_run: bool
    status: str = SUCCEEDED
    error: str = ""
    plan: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    recorded: bool = False
    exit_code: int = 0
    # The IDs of the messages that refused the release (empty when it failed otherwise).
    refused: list[str] = field(default_factory=list)
    # Per app of the plan, the migration it goes back to ("zero" for none): recorded so that
    # --history can print real undo commands after a rollback to code without those files.
    undo: dict[str, str] = field(default_factory=dict)
    # Why no Release row was written (empty when one was, or on a dry run).
    not_recorded: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.metadata.version,
            "commit": self.metadata.commit,
            "status": self.status,
            "dry_run": self.dry_run,
            "plan": self.plan,
            "applied": self.applied,
            "unknown": self.unknown,
            "error": self.error,
            "recorded": self.recorded,
            "not_recorded": self.not_recorded,
        }


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]}.{key[1]}"


def one_line(exc: BaseException, hidden: set[str]) -> str:
    """``Type: first line of the message``, secrets masked: how errors are reported."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return redact.redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__, hidden)


def database_address(connection: BaseDatabaseWrapper) -> str:
    """host:port of a connection (its file name for SQLite): what E601 names, never the password."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params.get("NAME") or "")
    host = params.get("HOST") or "localhost"
    port = params.get("PORT") or {"postgresql": "5432", "mysql": "3306"}.get(connection.vendor, "")
    return f"{host}:{port}" if port else str(host)


# Connection errors that retrying cannot fix, by SQLSTATE (28000 covers an unknown role and a
# missing pg_hba.conf entry; 28P01 a wrong password; 3D000 an unknown database) and, as psycopg2
# carries no SQLSTATE for a failed connection, by the server's message.
_PERMANENT_SQLSTATES = {"28000": "credentials", "28P01": "credentials", "3D000": "database"}
_PERMANENT_MESSAGES = (
    (re.compile(r"no pg_hba\.conf entry", re.I), "pg_hba"),
    (re.compile(r"authentication failed|no password supplied", re.I), "credentials"),
    (re.compile(r'role ".*" does not exist', re.I), "credentials"),
    (re.compile(r'database ".*" does not exist', re.I), "database"),
)


def permanent_database_error(exc: BaseException) -> str:
    """
    What is wrong when connecting failed for a reason retrying cannot fix: "credentials",
    "database" (its name) or "pg_hba"; "" for errors worth retrying (connection refused, a
    timeout, the server starting up, too many connections).
    """
    text = str(exc)
    for pattern, kind in _PERMANENT_MESSAGES:
        if pattern.search(text):
            return kind
    for error in (exc, exc.__cause__):
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and code in _PERMANENT_SQLSTATES:
            return _PERMANENT_SQLSTATES[code]
    return ""


def wait_for_database(
    connection: BaseDatabaseWrapper,
    budget: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[int, Exception | None]:
    """
    Connect, retrying with exponential backoff and jitter for up to ``budget`` seconds.

    Returns (attempts, None) once connected, or (attempts, the last error) when the budget is
    spent, or at once on an error retrying cannot fix (:func:`permanent_database_error`).
    Jitter spreads the retries of dynos that started together. On PostgreSQL each attempt's
    ``connect_timeout`` is min(10 s, the configured one, what is left of the budget), at least
    1 s, so a server that accepts but never answers cannot hold an attempt past the budget.
    """
    options: dict[str, Any] | None = None
    configured: Any = None
    if connection.vendor == "postgresql":
        options = connection.settings_dict.setdefault("OPTIONS", {})
        configured = options.get("connect_timeout")
    cap = 10
    with contextlib.suppress(TypeError, ValueError):
        cap = max(1, min(cap, int(configured))) if configured is not None else cap
    deadline = clock() + budget
    delay = 0.2
    attempts = 0
    try:
        while True:
            attempts += 1
            if options is not None:
                # Rounded down: an attempt ends by the deadline (or 1 s after, at most).
                remaining = int(deadline - clock())
                options["connect_timeout"] = max(1, min(cap, remaining))
            outcome = _attempt(connection)
            if outcome is None:
                return attempts, None
            error, final = outcome
            remaining_s = deadline - clock()
            if final or remaining_s <= 0:
                return attempts, error
            sleep(min(remaining_s, delay / 2 + random.uniform(0, delay / 2)))
            delay = min(delay * 2, 5.0)
    finally:
        if options is not None:
            # Later connections (the lock's, the record's) keep a bound, not the last sliver.
            options["connect_timeout"] = configured if configured is not None else cap


def _attempt(connection: BaseDatabaseWrapper) -> tuple[Exception, bool] | None:
    """One connection attempt: None once connected, else (the error, whether it is final)."""
    try:
        connection.ensure_connection()
        return None
    except DatabaseError as exc:
        return exc, bool(permanent_database_error(exc))
    except Exception as exc:  # noqa: BLE001 - e.g. a missing driver: retrying cannot help
        return exc, True


def _lock_holder(cursor: Any) -> str:
    """Who holds the lock: a PID and since when, from pg_locks (best effort)."""
    unsigned = LOCK_KEY & 0xFFFFFFFFFFFFFFFF
    try:
        cursor.execute(
            "SELECT a.pid, a.backend_start FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
            [unsigned >> 32, unsigned & 0xFFFFFFFF],
        )
        row = cursor.fetchone()
    except DatabaseError:
        return ""
    return "" if row is None else f"PID {row[0]} (connected {row[1]:%Y-%m-%d %H:%M:%S %Z})"


@contextmanager
def migration_lock(
    alias: str,
    timeout: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[float]:
    """
    Hold PostgreSQL's session-level advisory lock :data:`LOCK_KEY`; yields the seconds waited.

    The lock lives on a dedicated connection in autocommit mode, so the migrations' own
    transactions cannot end it, and a killed process loses it with its connection. It is polled
    with ``pg_try_advisory_lock`` rather than waited on, to bound the wait and stay interruptible.
    ``on_wait(holder)`` is called once when the lock is busy, before waiting for it (``holder``
    as in :class:`LockTimeout`, "" when unknown).
    """
    lock_connection = connections.create_connection(alias)
    held = False
    started = time.monotonic()
    try:
        lock_connection.ensure_connection()
        delay = 0.05
        with lock_connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                row = cursor.fetchone()
                held = bool(row and row[0])
                if held:
                    break
                waited = time.monotonic() - started
                if waited >= timeout:
                    raise LockTimeout(waited, _lock_holder(cursor))
                if on_wait is not None:
                    on_wait(_lock_holder(cursor))
                    on_wait = None
                sleep(min(timeout - waited, delay + random.uniform(0, delay)))
                delay = min(delay * 2, 1.0)
        yield time.monotonic() - started
    finally:
        try:
            if held:
                with lock_connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        except DatabaseError:
            pass  # closing the connection below ends the session, and the lock with it
        finally:
            lock_connection.close()


@contextmanager
def sigterm_interrupts(
    cancel: Callable[[], None], interruptible: Callable[[], bool] = lambda: True
) -> Iterator[None]:
    """
    Turn SIGTERM into :class:`ReleaseInterrupted` in the main thread while ``interruptible()``,
    and cancel the statement that is running. A blocking database call only lets Python's
    handler run once it returns, so a watcher thread woken by the signal's wakeup fd cancels
    it first. Once not interruptible (recording the release), SIGTERM is ignored: Heroku's
    SIGKILL 30 s later still ends the process.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)

    def handler(signum: int, frame: object) -> None:
        # One interruption only: recording the release must not be interrupted in turn.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if interruptible():
            raise ReleaseInterrupted()

    def watch() -> None:
        while data := os.read(read_end, 64):
            if signal.SIGTERM in data and interruptible():
                cancel()

    previous_handler = signal.signal(signal.SIGTERM, handler)
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="deploytools-sigterm", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGTERM, previous_handler)
        os.close(write_end)
        watcher.join(timeout=1)
        os.close(read_end)


def _fresh_connection(alias: str) -> BaseDatabaseWrapper:
    """Drop a connection whose state is unknown (after a failure) and open a new one."""
    old = connections[alias]
    raw = old.connection
    if raw is not None:
        # It is being thrown away, whatever state it is in.
        with contextlib.suppress(Exception):
            raw.close()
    del connections[alias]
    return connections[alias]


def post_migrate_commands() -> list[str]:
    """DEPLOYTOOLS["POST_MIGRATE_COMMANDS"], or createcachetable if a DatabaseCache is set."""
    configured = conf.post_migrate_commands
    if configured is not None:
        return configured
    caches = getattr(settings, "CACHES", {}) or {}
    uses_db_cache = any(
        str(cache.get("BACKEND", "")).endswith("db.DatabaseCache") for cache in caches.values()
    )
    return ["createcachetable"] if uses_db_cache else []


def _model_of(operation: Any) -> str:
    """The lowercased model an operation changes ("" for RunSQL, RunPython, ...)."""
    from django.db.migrations.operations.models import ModelOperation

    for attribute in ("model_name_lower", "old_name_lower"):
        value = getattr(operation, attribute, None)
        if isinstance(value, str):
            return value
    return str(operation.name_lower) if isinstance(operation, ModelOperation) else ""


def _created_models(migration: Any) -> set[tuple[str, str]]:
    from django.db.migrations import operations

    created: set[tuple[str, str]] = set()
    for op in migration.operations:
        if isinstance(op, operations.CreateModel):
            created.add((migration.app_label, op.name_lower))
        elif isinstance(op, operations.RenameModel):
            created.add((migration.app_label, op.new_name_lower))
    return created


def _is_allowed(migration: Any) -> bool:
    label = f"{migration.app_label}.{migration.name}"
    return label in conf.allow_unsafe_migrations or bool(
        getattr(migration, "deploytools_allow_unsafe", False)
    )


class ReleasePhase:
    """One run of the release phase; :meth:`run` returns its :class:`Outcome`."""

    def __init__(
        self,
        *,
        fail_level: str = "ERROR",
        dry_run: bool = False,
        log_stream: IO[str],
        alias: str = DEFAULT_DB_ALIAS,
        metadata: DynoMetadata | None = None,
        show_traceback: bool = False,
    ) -> None:
        self.fail_level = fail_level
        self.threshold = LEVELS[fail_level]
        self.dry_run = dry_run
        self.show_traceback = show_traceback
        self.alias = alias
        self.metadata = metadata or DynoMetadata.from_environ()
        self.hidden = secrets()
        self.log = Announcer(log_stream, self.metadata.version, self.hidden)
        self.context = Context(command="heroku_release", options={STEP_MESSAGES: {}})
        self.outcome = Outcome(RunResult("heroku_release"), self.metadata, dry_run)
        self.started_at = timezone.now()
        self.clock = time.perf_counter()
        # The raw connection whose statement SIGTERM cancels (set while migrating).
        self._running: Any = None
        self._interruptible = True
        # Set by E601: recording the release then makes no further connection attempt.
        self._unreachable = False
        # W304 judged on the plan, replacing the pre-database (skipped) line in the report.
        self._irreversible: Any = None

    # -- the steps' report lines ------------------------------------------------------------

    @property
    def steps(self) -> dict[str, Any]:
        steps: dict[str, Any] = self.context.options[STEP_MESSAGES]
        return steps

    def step(self, name: str, messages: list[CheckMessage], evidence: str = "") -> bool:
        """Record a step's messages; True if none of them reaches --fail-level."""
        self.steps[name] = messages
        if evidence:
            self.context.evidence_by_check.setdefault(name, []).append(evidence)
        return not any(m.level >= self.threshold for m in messages)

    def _fail(self, error: str) -> None:
        self.outcome.status = FAILED
        self.outcome.error = self.outcome.error or error

    def _refuse(self, messages: Iterable[CheckMessage]) -> None:
        """Fail the release for its messages at --fail-level, naming their IDs."""
        ids = sorted({str(m.id) for m in messages if m.level >= self.threshold})
        self.outcome.refused = self.outcome.refused or ids
        self._fail(_("refused: %s") % ", ".join(ids))

    # -- the pipeline -----------------------------------------------------------------------

    def run(self) -> Outcome:
        self.log(
            "start",
            commit=self.metadata.commit[:7] or "-",
            dry_run=str(self.dry_run).lower(),
        )
        connection = connections[self.alias]
        with sigterm_interrupts(self._cancel_running, lambda: self._interruptible):
            try:
                try:
                    if self._run_checks():
                        self._release(connection)
                except Exception as exc:  # noqa: BLE001 - a release ends in a report, never a traceback
                    self._unexpected(exc)
                finally:
                    # From here on SIGTERM is ignored: what happened must be recorded.
                    self._interruptible = False
            except ReleaseInterrupted:
                self.outcome.status = INTERRUPTED
                self.outcome.error = _("interrupted by SIGTERM")
                self.log("interrupted", signal="SIGTERM")
            self._finish()
        return self.outcome

    def _unexpected(self, exc: Exception) -> None:
        """A failure outside the steps' own handling (a broken migration file, a bad setting)."""
        error = one_line(exc, self.hidden)
        self.log("error", error=error)
        if self.show_traceback:
            sys.stderr.write(redact.redact(traceback.format_exc(), self.hidden))
        self._fail(error)
        if not isinstance(self.steps.get("release_migrate"), list):
            self.step(
                "release_migrate",
                [
                    checks.Error(
                        _("The migrations could not be planned or applied: %(error)s.")
                        % {"error": error},
                        hint=_(
                            "Fix it and release again; to see where it fails: "
                            "heroku run python manage.py heroku_release --dry-run --traceback"
                        ),
                        obj="migrate",
                        id="deploytools.E605",
                    )
                ],
            )

    def _cancel_running(self) -> None:
        raw = self._running
        if raw is not None:
            # Best effort: the handler unwinds the release anyway.
            with contextlib.suppress(Exception):
                raw.cancel()

    def _run_checks(self) -> bool:
        started = time.perf_counter()
        specs = [s for s in select(["release"]) if s.name not in STEP_CHECKS]
        checked = run_checks(self.context, specs, include_django=True)
        self.outcome.result.extend(checked)
        counts = checked.counts()
        self.log(
            "checks",
            passed=counts["passed"],
            failed=counts["failed"],
            skipped=counts["skipped"],
            errors=counts["errors"],
            warnings=counts["warnings"],
            elapsed=seconds(time.perf_counter() - started),
        )
        if checked.exit_code(self.fail_level):
            ids = sorted({str(m.id) for m in checked.messages if m.level >= self.threshold})
            self._fail(_("checks failed: %s") % ", ".join(ids))
            return False
        return True

    def _release(self, connection: BaseDatabaseWrapper) -> None:
        if not self._wait(connection):
            return
        from django.db.migrations.executor import MigrationExecutor

        started = time.perf_counter()
        executor = MigrationExecutor(connection)
        plan = self._pending(executor)
        locking = (
            bool(plan)
            and not self.dry_run
            and conf.migration_lock
            and connection.vendor == "postgresql"
        )
        if not locking:
            reason = (
                "nothing-pending"
                if not plan
                else "dry-run"
                if self.dry_run
                else "disabled"
                if not conf.migration_lock
                else f"no-lock-on-{connection.vendor}"
            )
            self.log("lock", skipped=reason)
            self.steps["release_migration_lock"] = {
                "nothing-pending": _("nothing to migrate"),
                "dry-run": _("dry run"),
                "disabled": _('DEPLOYTOOLS["MIGRATION_LOCK"] is off'),
            }.get(reason, _("no migration lock on %(vendor)s") % {"vendor": connection.vendor})
            self._plan_and_migrate(connection, executor, started)
            return
        try:
            with migration_lock(self.alias, conf.migration_lock_timeout_seconds) as waited:
                self.log("lock", key=LOCK_KEY, waited=seconds(waited))
                self.step(
                    "release_migration_lock",
                    [],
                    _("held after %(waited).1fs") % {"waited": waited},
                )
                # Another release may have migrated while we waited: read the state again.
                executor = MigrationExecutor(connection)
                self._plan_and_migrate(connection, executor, started)
        except LockTimeout as timeout:
            self.log("lock", status="timeout", waited=seconds(timeout.waited))
            holder = timeout.holder or _("another session")
            self.step(
                "release_migration_lock",
                [
                    checks.Error(
                        _(
                            "The migration lock was held by %(holder)s for more than "
                            "%(timeout).0fs: another release is still migrating."
                        )
                        % {"holder": holder, "timeout": conf.migration_lock_timeout_seconds},
                        hint=_(
                            "Wait for the other release to finish (heroku releases), then "
                            "retry it, or raise "
                            'DEPLOYTOOLS["MIGRATION_LOCK_TIMEOUT_SECONDS"]'
                        ),
                        obj=f"pg_advisory_lock({LOCK_KEY})",
                        id="deploytools.E602",
                    )
                ],
            )
            self._fail(_("migration lock timeout"))
        except DatabaseError as exc:
            # The lock's own connection failed: the database went away after the wait.
            self._fail(one_line(exc, self.hidden))
            self.step(
                "release_migration_lock",
                [
                    checks.Error(
                        _("The migration lock could not be taken: %(error)s.")
                        % {"error": one_line(exc, self.hidden)},
                        hint=_("Check the database, then retry: heroku pg:info"),
                        obj=database_address(connection),
                        id="deploytools.E602",
                    )
                ],
            )

    def _wait(self, connection: BaseDatabaseWrapper) -> bool:
        started = time.perf_counter()
        budget = conf.database_wait_seconds
        address = database_address(connection)
        attempts, error = wait_for_database(connection, budget)
        elapsed = time.perf_counter() - started
        if error is None:
            self.log("database", address=address, attempts=attempts, elapsed=seconds(elapsed))
            self.step(
                "release_database_reachable",
                [],
                _("%(address)s, %(attempts)d attempt(s)")
                % {"address": address, "attempts": attempts},
            )
            return True
        reason = one_line(error, self.hidden)
        problem = permanent_database_error(error)
        self.log(
            "database",
            status="refused" if problem else "unreachable",
            address=address,
            attempts=attempts,
            elapsed=seconds(elapsed),
        )
        if problem:
            text = _(
                "The database at %(address)s refused the connection, which retrying cannot "
                "fix: %(reason)s"
            ) % {"address": address, "reason": reason}
            hint = {
                "credentials": _(
                    "The user or password in DATABASE_URL is wrong (stale credentials?): "
                    "compare it with heroku pg:credentials:url"
                ),
                "database": _(
                    "The database name in DATABASE_URL does not exist on that server: "
                    "compare it with heroku pg:credentials:url"
                ),
                "pg_hba": _(
                    "The server accepts no connection from this host and user (pg_hba.conf), "
                    "or requires SSL: check DATABASE_URL and its sslmode against "
                    "heroku pg:credentials:url"
                ),
            }[problem]
        else:
            text = _(
                "The database at %(address)s did not answer within %(budget).0fs "
                "(%(attempts)d attempts): %(reason)s"
            ) % {"address": address, "budget": budget, "attempts": attempts, "reason": reason}
            hint = _(
                "Check that the database is up and that DATABASE_URL points at it "
                '(or raise DEPLOYTOOLS["DATABASE_WAIT_SECONDS"]): heroku pg:info'
            )
        self.step(
            "release_database_reachable",
            [checks.Error(text, hint=hint, obj=address, id="deploytools.E601")],
        )
        self._fail(_("database unreachable: %s") % address)
        self._unreachable = True
        return False

    def _pending(self, executor: Any) -> list[tuple[Any, bool]]:
        plan: list[tuple[Any, bool]] = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return plan

    def _plan_and_migrate(
        self, connection: BaseDatabaseWrapper, executor: Any, started: float
    ) -> None:
        plan = self._pending(executor)
        self.outcome.plan = [_label((m.app_label, m.name)) for m, _backwards in plan]
        forward = [(m.app_label, m.name) for m, backwards in plan if not backwards]
        self.outcome.undo = undo_targets(executor.loader.graph, forward)
        ok = self._judge_unknown(executor)
        ok = self._judge_unsafe(executor, plan) and ok
        ok = self._judge_irreversible(plan) and ok
        self.log(
            "plan",
            pending=len(plan),
            unknown=len(self.outcome.unknown),
            elapsed=seconds(time.perf_counter() - started),
        )
        if not ok:
            self._refuse(
                [
                    *(
                        m
                        for name in ("release_unknown_migrations", "release_unsafe_migrations")
                        for m in self.steps.get(name, [])
                    ),
                    *self._irreversible.messages,
                ]
            )
        if self.dry_run:
            for name in ("release_migrate", "release_post_migrate"):
                self.steps[name] = _("dry run")
            return
        if not ok:
            return
        if plan and not self._migrate(connection):
            return
        if not plan:
            self.step("release_migrate", [], _("nothing to migrate"))
        self._post_migrate()

    def _judge_unknown(self, executor: Any) -> bool:
        loader = executor.loader
        # Apps no longer installed are not a rollback; Django ignores their rows too.
        unknown = sorted(
            key
            for key in loader.applied_migrations
            if key not in loader.disk_migrations and key[0] in loader.migrated_apps
        )
        self.outcome.unknown = [_label(key) for key in unknown]
        messages: list[CheckMessage] = []
        if unknown:
            labels = ", ".join(self.outcome.unknown)
            # Where this code's history of that app ends: what the newer code migrates back to.
            app = unknown[0][0]
            leaves = sorted(name for label, name in loader.graph.leaf_nodes() if label == app)
            target = leaves[-1] if leaves else "zero"
            messages.append(
                checks.Warning(
                    _(
                        "The database has %(count)d migration(s) this code does not know "
                        "(%(labels)s): the code was rolled back; nothing is unapplied."
                    )
                    % {"count": len(unknown), "labels": labels},
                    hint=_(
                        "If the schema must follow the code, unapply them with the newer "
                        "release's code, which has their files (this code cannot: Django "
                        "only unapplies migrations it has), before rolling back to this one: "
                        "heroku run python manage.py migrate %(app)s %(target)s"
                    )
                    % {"app": app, "target": target},
                    obj=self.outcome.unknown[0],
                    id="deploytools.W604",
                )
            )
        return self.step(
            "release_unknown_migrations",
            messages,
            "" if unknown else _("none"),
        )

    def _judge_irreversible(self, plan: list[tuple[Any, bool]]) -> bool:
        """
        W304 for the migrations this release applies, as read from the database (git plays no
        part on a dyno): the check of deploytools.checks.migrations, run on the plan.
        """
        self.context.cache["migrations.pending"] = [
            ((m.app_label, m.name), m) for m, backwards in plan if not backwards
        ]
        self.context.cache["migrations.pending_scope"] = _("planned against the database")
        spec = CATALOGUE["irreversible_migrations"]
        self._irreversible = run_one(
            spec.name,
            str(spec.title),
            spec.tags,
            functools.partial(spec.func, context=self.context),
            self.context,
        )
        return not any(m.level >= self.threshold for m in self._irreversible.messages)

    def _judge_unsafe(self, executor: Any, plan: list[tuple[Any, bool]]) -> bool:
        from deploytools.migration_safety import unsafe_operations

        messages: list[CheckMessage] = []
        allowed: list[str] = []
        if plan:
            policy = conf.unsafe_migrations
            # The state before each migration lets AlterField be compared with the old field.
            state = executor._create_project_state(with_applied_migrations=True)
            created: set[tuple[str, str]] = set()
            for migration, backwards in plan:
                if backwards:
                    continue
                # Tables created earlier in this release are new to the old code too: changing
                # them cannot break it (a first release creates and alters Django's own).
                judged = copy.copy(migration)
                judged.operations = [
                    op
                    for op in migration.operations
                    if (migration.app_label, _model_of(op)) not in created
                ]
                found = unsafe_operations(judged, vendor=executor.connection.vendor, state=state)
                created.update(_created_models(migration))
                state = migration.mutate_state(state, preserve=False)
                if not found:
                    continue
                label = _label((migration.app_label, migration.name))
                if _is_allowed(migration):
                    allowed.append(label)
                    continue
                for unsafe in found:
                    text = _(
                        "%(migration)s: %(operation)s is unsafe while the previous release "
                        "serves traffic: %(reason)s."
                    ) % {
                        "migration": unsafe.migration,
                        "operation": unsafe.operation,
                        "reason": unsafe.reason,
                    }
                    hint = _(
                        "Split it over two releases (first stop using what it changes), or "
                        'allow it: DEPLOYTOOLS["ALLOW_UNSAFE_MIGRATIONS"] = ["%(label)s"]'
                    ) % {"label": label}
                    if policy == "fail":
                        messages.append(
                            checks.Error(text, hint=hint, obj=label, id="deploytools.E603")
                        )
                    else:
                        messages.append(
                            checks.Warning(text, hint=hint, obj=label, id="deploytools.W606")
                        )
        evidence = _("allowed: %s") % ", ".join(allowed) if allowed else ""
        if not plan:
            evidence = _("nothing pending")
        return self.step("release_unsafe_migrations", messages, evidence)

    def _migrate(self, connection: BaseDatabaseWrapper) -> bool:
        from django.core.management import call_command
        from django.core.management.commands import migrate

        phase = self
        current: dict[str, Any] = {}

        class TrackingMigrate(migrate.Command):
            def migration_progress_callback(
                self, action: str, migration: Any = None, fake: bool = False
            ) -> None:
                if action == "apply_start":
                    current["label"] = _label((migration.app_label, migration.name))
                    current["started"] = time.perf_counter()
                    # Django wraps a migration in a transaction only when the backend can roll
                    # DDL back and the migration does not opt out (atomic = False).
                    current["atomic"] = bool(
                        getattr(migration, "atomic", True) and connection.features.can_rollback_ddl
                    )
                elif action == "apply_success":
                    label = current.pop("label")
                    phase.outcome.applied.append(label)
                    phase.log(
                        "migrate",
                        migration=label,
                        elapsed=seconds(time.perf_counter() - current["started"]),
                    )
                super().migration_progress_callback(action, migration, fake)

        started = time.perf_counter()
        connection.ensure_connection()
        if connection.vendor == "postgresql" and connection.pg_version >= 140000:  # type: ignore[attr-defined]
            # A backend whose client was killed (SIGKILL) stops within a second instead of
            # finishing the migration's statement, so its locks are free for the next release.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SET client_connection_check_interval = 1000")
        self._running = connection.connection
        output = io.StringIO()
        try:
            call_command(
                TrackingMigrate(stdout=output, stderr=output),
                database=self.alias,
                interactive=False,
                verbosity=0,
                skip_checks=True,
            )
        except ReleaseInterrupted:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a migration is E605
            self._running = None
            failed = current.get("label")
            error = one_line(exc, self.hidden)
            self.log("migrate", migration=failed or "-", status="failed", error=error)
            if failed and current.get("atomic", True):
                text = _(
                    "Migration %(migration)s failed and was rolled back: %(error)s. "
                    "%(count)d earlier migration(s) of this release were kept."
                ) % {"migration": failed, "error": error, "count": len(self.outcome.applied)}
            elif failed:
                text = _(
                    "Migration %(migration)s failed: %(error)s. It is not atomic, so what it "
                    "did before the failure was NOT rolled back. %(count)d earlier "
                    "migration(s) of this release were kept."
                ) % {"migration": failed, "error": error, "count": len(self.outcome.applied)}
            else:
                text = _("migrate failed before applying a migration: %(error)s.") % {
                    "error": error
                }
            self.step(
                "release_migrate",
                [
                    checks.Error(
                        text,
                        hint=_(
                            "Fix the migration and release again; to try it by hand: "
                            "heroku run python manage.py %(command)s"
                        )
                        % {
                            "command": " ".join(
                                ["migrate", *([failed.split(".")[0]] if failed else [])]
                            )
                        },
                        obj=failed or "migrate",
                        id="deploytools.E605",
                    )
                ],
            )
            self._fail(
                _("migration %(migration)s failed: %(error)s")
                % {
                    "migration": failed or "-",
                    "error": error,
                }
            )
            return False
        finally:
            self._running = None
        self.step(
            "release_migrate",
            [],
            _("%(count)d applied in %(elapsed).2fs")
            % {"count": len(self.outcome.applied), "elapsed": time.perf_counter() - started},
        )
        return True

    def _post_migrate(self) -> None:
        from django.core.management import call_command

        commands = post_migrate_commands()
        messages: list[CheckMessage] = []
        for command in commands:
            started = time.perf_counter()
            output = io.StringIO()
            try:
                call_command(*shlex.split(command), stdout=output, stderr=output)
            except ReleaseInterrupted:
                raise
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - report, never a traceback
                error = one_line(exc, self.hidden)
                self.log("post", command=command, status="failed", error=error)
                messages.append(
                    checks.Error(
                        _("The post-migrate command %(command)r failed: %(error)s.")
                        % {"command": command, "error": error},
                        hint=_(
                            'Fix it or remove it from DEPLOYTOOLS["POST_MIGRATE_COMMANDS"]; '
                            "to try it: heroku run python manage.py %(command)s"
                        )
                        % {"command": command},
                        obj=command,
                        id="deploytools.E607",
                    )
                )
                self._fail(_("post-migrate command failed: %s") % command)
                break
            self.log("post", command=command, elapsed=seconds(time.perf_counter() - started))
        evidence = ", ".join(commands) if commands and not messages else ""
        self.step("release_post_migrate", messages, evidence or ("" if commands else _("none")))

    # -- the end ----------------------------------------------------------------------------

    def _finish(self) -> None:
        # Step lines in pipeline order, then the exit code from every message and the status.
        if self._irreversible is not None:
            self.outcome.result.checks = [
                self._irreversible if c.name == self._irreversible.name else c
                for c in self.outcome.result.checks
            ]
        for name in STEP_CHECKS:
            spec = CATALOGUE[name]
            self.outcome.result.checks.append(
                run_one(
                    name,
                    str(spec.title),
                    spec.tags,
                    functools.partial(spec.func, context=self.context),
                    self.context,
                )
            )
        self.outcome.result.seconds = time.perf_counter() - self.clock
        redact.redact_result(self.outcome.result, self.hidden)
        if self.outcome.result.exit_code(self.fail_level) and self.outcome.status == SUCCEEDED:
            self._refuse(self.outcome.result.messages)
        self.outcome.exit_code = 0 if self.outcome.status == SUCCEEDED else 1
        if not self.dry_run:
            self._record()
        self.log(
            "finish",
            status=self.outcome.status,
            applied=len(self.outcome.applied),
            exit=self.outcome.exit_code,
            duration=seconds(self.outcome.result.seconds),
        )

    def _record(self) -> None:
        from deploytools.models import Release

        if self._unreachable:
            # Another attempt would only spend more time past the budget E601 already used.
            self.outcome.not_recorded = _("the database is unreachable")
            self.log("record", status="skipped", reason="database-unreachable")
            return
        if self.outcome.status == SUCCEEDED:
            connection = connections[self.alias]
        else:
            connection = _fresh_connection(self.alias)
        finished_at = timezone.now()
        result = self.outcome.result
        try:
            connection.ensure_connection()
            release = Release.objects.using(self.alias).create(
                version=self.metadata.version,
                commit=self.metadata.commit,
                status=self.outcome.status,
                started_at=self.started_at,
                finished_at=finished_at,
                duration_seconds=round(time.perf_counter() - self.clock, 3),
                migrations_applied=self.outcome.applied,
                undo_targets={
                    app: target
                    for app, target in self.outcome.undo.items()
                    if any(label.partition(".")[0] == app for label in self.outcome.applied)
                },
                checks_summary=result.counts(),
                message_ids=sorted(
                    {str(m.id) for m in result.messages if m.level >= checks.WARNING}
                ),
                error=redact.redact(self.outcome.error, self.hidden)[:2000],
            )
        except DatabaseError as exc:
            # Before deploytools' own migration ran, or with the database gone.
            self.outcome.not_recorded = one_line(exc, self.hidden)
            self.log("record", status="skipped", error=self.outcome.not_recorded)
            return
        self.outcome.recorded = True
        self.log("record", release_id=release.pk)


# -- history --------------------------------------------------------------------------------


def _before(graph: Any, key: tuple[str, str]) -> str | None:
    """The migration of the same app that ``key`` follows ("zero" if none); None if unknown."""
    node = graph.node_map.get(key)
    if node is None:
        return None
    parents = sorted(p.key[1] for p in node.parents if p.key[0] == key[0])
    return parents[-1] if parents else "zero"


def undo_targets(graph: Any, applying: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Per app, the migration to go back to so that ``applying`` (in plan order) is undone."""
    targets: dict[str, str] = {}
    for key in applying:
        if key[0] not in targets:
            target = _before(graph, key)
            if target is not None:
                targets[key[0]] = target
    return targets


def _rollback_targets(
    applied: list[str], loader: Any, recorded: dict[str, str] | None = None
) -> list[str]:
    """
    ``migrate`` commands that undo ``applied``: each app back to before its first one, as
    recorded at release time, else as the running code's graph says (a placeholder when this
    code does not know the migration: rows written before the targets were recorded).
    """
    commands: list[str] = []
    seen: set[str] = set()
    for label in applied:
        app, _sep, name = label.partition(".")
        if app in seen:
            continue
        seen.add(app)
        target = (recorded or {}).get(app) or _before(loader.graph, (app, name))
        if target is None:
            commands.append(f"python manage.py migrate {app} <before {name}>")
            continue
        commands.append(f"python manage.py migrate {app} {target}")
    return commands


def history(alias: str = DEFAULT_DB_ALIAS, limit: int = 20) -> list[dict[str, Any]]:
    """The latest recorded releases, newest first, each with the commands that undo it."""
    from django.db.migrations.loader import MigrationLoader

    from deploytools.models import Release

    loader = MigrationLoader(None, ignore_no_migrations=True)
    rows: list[dict[str, Any]] = []
    for release in Release.objects.using(alias).all()[:limit]:
        applied = list(release.migrations_applied or [])
        rows.append(
            {
                "id": release.pk,
                "version": release.version,
                "commit": release.commit,
                "status": release.status,
                "started_at": _iso(release.started_at),
                "finished_at": _iso(release.finished_at),
                "duration_seconds": release.duration_seconds,
                "migrations_applied": applied,
                "undo": _rollback_targets(applied, loader, dict(release.undo_targets or {})),
                "checks_summary": release.checks_summary,
                "message_ids": release.message_ids,
                "error": release.error,
            }
        )
    return rows


def history_table_missing(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """True if the database answers but has no Release table (no heroku_release ran yet)."""
    from deploytools.models import Release

    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            return Release._meta.db_table not in connection.introspection.table_names(cursor)
    except DatabaseError:
        return False


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def render_history(rows: list[dict[str, Any]]) -> str:
    """The text of ``--history``: a line per release, then what it applied and how to undo it."""
    if not rows:
        return _("No release recorded yet.") + "\n"
    lines = [_("Releases, newest first:")]
    for row in rows:
        lines.append(
            "  {version:<8} {commit:<8} {status:<11} {started} {duration:>8}".format(
                version=row["version"] or "-",
                commit=(row["commit"] or "-")[:7],
                status=row["status"],
                started=row["started_at"],
                duration=f"{row['duration_seconds']:.2f}s",
            )
        )
        if row["migrations_applied"]:
            lines.append("      " + _("applied: %s") % ", ".join(row["migrations_applied"]))
            lines.extend("      " + _("undo: %s") % command for command in row["undo"])
        if row["error"]:
            lines.append("      " + _("error: %s") % row["error"])
    return "\n".join(lines) + "\n"
