"""
Step 6: Django's ``migrate`` (each migration atomic where the database can roll DDL back), then
the post-migrate commands (``createcachetable`` when a database cache is configured, or
``DEPLOYTOOLS["POST_MIGRATE_COMMANDS"]``).
"""

from __future__ import annotations

import contextlib
import io
import shlex
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from deploytools.conf import conf
from deploytools.release_phase.announce import Announcer, one_line, seconds
from deploytools.release_phase.sigterm import ReleaseInterrupted
from deploytools.release_phase.steps import MigrateOutcome, PostOutcome

if TYPE_CHECKING:
    from django.core.management.base import BaseCommand


def migrate(
    connection: BaseDatabaseWrapper,
    alias: str,
    log: Announcer,
    hidden: set[str],
    running: Callable[[Any], None],
) -> MigrateOutcome:
    """
    Apply the plan with Django's ``migrate``; each applied migration is logged as it lands.
    ``running(raw_connection)`` is told the connection whose statement SIGTERM may cancel
    (None once done). A failure is a result, never an exception (SIGTERM aside).
    """
    from django.core.management import call_command

    applied: list[str] = []
    current: dict[str, Any] = {}
    # Operations whose database_forwards is wrapped, to unwrap them afterwards.
    tracked: list[Any] = []
    started = time.perf_counter()
    connection.ensure_connection()
    _stop_when_client_dies(connection)
    running(connection.connection)
    output = io.StringIO()
    try:
        call_command(
            _tracking_command(connection, log, output, applied, current, tracked),
            database=alias,
            interactive=False,
            verbosity=0,
            skip_checks=True,
        )
    except ReleaseInterrupted:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a migration is E605
        error = one_line(exc, hidden)
        failed = str(current.get("label", ""))
        log("migrate", migration=failed or "-", status="failed", error=error)
        return _failed_outcome(applied, current, error, time.perf_counter() - started)
    finally:
        running(None)
        for operation in tracked:
            # Back to the class's method: the operation objects are shared by every load.
            operation.__dict__.pop("database_forwards", None)
    return MigrateOutcome(applied=applied, elapsed=time.perf_counter() - started)


def _tracking_command(
    connection: BaseDatabaseWrapper,
    log: Announcer,
    output: io.StringIO,
    applied: list[str],
    current: dict[str, Any],
    tracked: list[Any],
) -> BaseCommand:
    """
    Django's ``migrate`` command, writing to ``output``, that logs each migration as it lands
    (into ``applied``) and keeps what the running one is in ``current``: its label, start,
    operations (counted as they complete, see :func:`_track_operations`) and atomicity.
    """
    from django.core.management.commands import migrate as django_migrate

    class TrackingMigrate(django_migrate.Command):
        def migration_progress_callback(
            self, action: str, migration: Any = None, fake: bool = False
        ) -> None:
            if action == "apply_start":
                current["label"] = f"{migration.app_label}.{migration.name}"
                current["started"] = time.perf_counter()
                current["operations"] = _track_operations(migration, current, tracked)
                # Django wraps a migration in a transaction only when the backend can roll
                # DDL back and the migration does not opt out (atomic = False).
                current["atomic"] = bool(
                    getattr(migration, "atomic", True) and connection.features.can_rollback_ddl
                )
            elif action == "apply_success":
                done = current.pop("label")
                applied.append(done)
                log(
                    "migrate",
                    migration=done,
                    elapsed=seconds(time.perf_counter() - current["started"]),
                )
            super().migration_progress_callback(action, migration, fake)

    return TrackingMigrate(stdout=output, stderr=output)


def _failed_outcome(
    applied: list[str], current: dict[str, Any], error: str, elapsed: float
) -> MigrateOutcome:
    """
    The outcome of a migrate that failed: the migrations applied before, the one that failed
    ("" when migrate failed before any) and, of its operations, those that completed and the
    one that failed (what a non-atomic migration leaves behind).
    """
    failed = str(current.get("label", ""))
    operations: list[str] = current.get("operations", []) if failed else []
    done = int(current.get("done", 0))
    return MigrateOutcome(
        applied=applied,
        elapsed=elapsed,
        failed=failed,
        atomic=bool(current.get("atomic", True)),
        error=error,
        operations_done=operations[:done],
        failed_operation=(
            f"{done + 1} of {len(operations)}: {operations[done]}" if done < len(operations) else ""
        ),
    )


def _track_operations(migration: Any, current: dict[str, Any], tracked: list[Any]) -> list[str]:
    """
    Count the operations of ``migration`` as they complete (``current["done"]``), so that a
    failure can name what a non-atomic migration left behind; returns their descriptions.
    Django has no per-operation callback, so each operation's database_forwards is wrapped.
    """
    current["done"] = 0
    described = []
    for index, operation in enumerate(migration.operations):
        described.append(_describe(operation))
        forwards = operation.database_forwards

        def counted(*args: Any, _index: int = index, _forwards: Any = forwards, **kw: Any) -> Any:
            result = _forwards(*args, **kw)
            current["done"] = _index + 1
            return result

        operation.database_forwards = counted
        tracked.append(operation)
    return described


def _describe(operation: Any) -> str:
    try:
        return str(operation.describe())
    except Exception:  # noqa: BLE001 - a description is a nicety
        return type(operation).__name__


def _stop_when_client_dies(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql" and connection.pg_version >= 140000:  # type: ignore[attr-defined]
        # A backend whose client was killed (SIGKILL) stops within a second instead of
        # finishing the migration's statement, so its locks are free for the next release.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SET client_connection_check_interval = 1000")


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


def run_post_steps(log: Announcer, hidden: set[str]) -> PostOutcome:
    """Run each post-migrate command in turn; the first failure stops them."""
    from django.core.management import call_command

    commands = post_migrate_commands()
    for command in commands:
        started = time.perf_counter()
        output = io.StringIO()
        try:
            call_command(*shlex.split(command), stdout=output, stderr=output)
        except ReleaseInterrupted:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - report, never a traceback
            error = one_line(exc, hidden)
            log("post", command=command, status="failed", error=error)
            return PostOutcome(commands=commands, failed=command, error=error)
        log("post", command=command, elapsed=seconds(time.perf_counter() - started))
    return PostOutcome(commands=commands)
