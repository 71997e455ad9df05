"""
The release phase's orchestrator: the steps of :mod:`deploytools.release_phase`, in order.

Each step fills its part of :class:`~.steps.ReleaseSteps`; the 6xx check that judges it runs
right after (:meth:`ReleasePhase.judge`), and the release goes on only while nothing reaches
``--fail-level``. A release with nothing to migrate takes no lock and does not start
``migrate``: Heroku runs the phase on every config-var change too. A dry run stops after the
plan: no lock, no change, no row.
"""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Iterable
from typing import IO, Any

from django.core.checks import CheckMessage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from deploytools import redact
from deploytools.checks.registry import CATALOGUE
from deploytools.checks.release_phase import STEP_CHECKS
from deploytools.checks.run import LEVELS, CheckResult, RunResult, run_checks, run_one, select
from deploytools.conf import conf
from deploytools.context import ReleaseContext
from deploytools.release_phase import database
from deploytools.release_phase.announce import Announcer, DynoMetadata, one_line, seconds
from deploytools.release_phase.lock import LOCK_KEY, LockTimeout, migration_lock
from deploytools.release_phase.migrate import migrate, run_post_steps
from deploytools.release_phase.plan import make_plan, pending
from deploytools.release_phase.record import record
from deploytools.release_phase.sigterm import ReleaseInterrupted, sigterm_interrupts
from deploytools.release_phase.steps import (
    INTERRUPTED,
    SUCCEEDED,
    LockOutcome,
    MigrateOutcome,
    PostOutcome,
    ReleaseOutcome,
    ReleaseSteps,
)

# The check that W304 (irreversible migrations) is judged by again, on the plan.
IRREVERSIBLE = "irreversible_migrations"


class ReleasePhase:
    """One run of the release phase; :meth:`run` returns its :class:`~.steps.ReleaseOutcome`."""

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
        metadata = metadata or DynoMetadata.from_environ()
        self.hidden = redact.process_secrets()
        self.log = Announcer(log_stream, metadata.version, self.hidden)
        self.steps = ReleaseSteps()
        self.context = ReleaseContext(steps=self.steps)
        self.outcome = ReleaseOutcome(
            RunResult("heroku_release"), metadata.version, metadata.commit, dry_run, self.steps
        )
        self.started_at = timezone.now()
        self.clock = time.perf_counter()
        # The step lines judged so far, by check name.
        self.lines: dict[str, CheckResult] = {}
        # The raw connection whose statement SIGTERM cancels (set while migrating).
        self._running: Any = None
        self._interruptible = True

    # -- the pipeline -----------------------------------------------------------------------

    def run(self) -> ReleaseOutcome:
        self.log("start", commit=self.outcome.commit[:7] or "-", dry_run=str(self.dry_run).lower())
        with sigterm_interrupts(self._cancel_running, lambda: self._interruptible):
            try:
                try:
                    if self.run_checks():
                        self.release(connections[self.alias])
                except Exception as exc:  # noqa: BLE001 - a release ends in a report, never a traceback
                    self.unexpected(exc)
                finally:
                    # From here on SIGTERM is ignored: what happened must be recorded.
                    self._interruptible = False
            except ReleaseInterrupted:
                self.outcome.status = INTERRUPTED
                self.outcome.error = _("interrupted by SIGTERM")
                self.log("interrupted", signal="SIGTERM")
            self.finish()
        return self.outcome

    def run_checks(self) -> bool:
        """Step 2: the release checks (and Django's own), before the database is touched."""
        started = time.perf_counter()
        specs = [spec for spec in select(["release"]) if spec.name not in STEP_CHECKS]
        checked = run_checks(self.context, specs, include_django=True)
        self.outcome.result.checks.extend(checked.checks)
        counts = checked.counts()
        self.log(
            "checks",
            **{key: counts[key] for key in ("passed", "failed", "skipped", "errors", "warnings")},
            elapsed=seconds(time.perf_counter() - started),
        )
        if not checked.exit_code(self.fail_level):
            return True
        ids = sorted({str(m.id) for m in checked.messages if m.level >= self.threshold})
        self.outcome.fail(_("checks failed: %s") % ", ".join(ids))
        return False

    def release(self, connection: BaseDatabaseWrapper) -> None:
        """Steps 3 to 6: wait for the database, lock when anything is pending, plan, migrate."""
        from django.db.migrations.executor import MigrationExecutor

        wait = database.wait(connection, conf.database_wait_seconds, self.hidden)
        self.steps.database = wait
        self.log(
            "database",
            **(
                {} if wait.reachable else {"status": "refused" if wait.permanent else "unreachable"}
            ),
            address=wait.address,
            attempts=wait.attempts,
            elapsed=seconds(wait.elapsed),
        )
        if wait.reachable or wait.permanent == "version":
            # Before Django's own refusal of an old server halfway through: one clear line.
            server = self.steps.server = database.check_server(connection, self.hidden)
            self.log(
                "database_version",
                **({"server": server.display} if server.version_num else {}),
                required=server.minimum or "-",
            )
            if not self.judge("release_database_version"):
                self.outcome.fail(
                    _(
                        "PostgreSQL %(server)s is older than Django %(django)s supports "
                        "(%(min)d+): upgrade the database first: heroku pg:upgrade:run "
                        "DATABASE_URL --version %(min)d (Standard tier and up: after "
                        "pg:upgrade:prepare; see E608)"
                    )
                    % {"server": server.display, "django": server.django, "min": server.minimum}
                )
                return
        if not self.judge("release_database_reachable"):
            self.outcome.fail(_("database unreachable: %s") % wait.address)
            return
        executor = MigrationExecutor(connection)
        word, reason = self.lock_skipped(bool(pending(executor)), connection)
        if word:
            timeout = conf.migration_lock_timeout_seconds
            self.steps.lock = LockOutcome(LOCK_KEY, timeout, skipped=reason)
            self.log("lock", skipped=word)
            self.plan_and_migrate(connection, executor)
            return
        self.locked(connection, executor)

    def lock_skipped(self, anything: bool, connection: BaseDatabaseWrapper) -> tuple[str, str]:
        """(log word, reason) when no lock is taken, else ("", "")."""
        if not anything:
            return "nothing-pending", _("nothing to migrate")
        if self.dry_run:
            return "dry-run", _("dry run")
        if not conf.migration_lock:
            return "disabled", _('DEPLOYTOOLS["MIGRATION_LOCK"] is off')
        if connection.vendor != "postgresql":
            vendor = connection.vendor
            return f"no-lock-on-{vendor}", _("no migration lock on %(vendor)s") % {"vendor": vendor}
        return "", ""

    def locked(self, connection: BaseDatabaseWrapper, executor: Any) -> None:
        """Step 4, then 5 and 6 under the lock."""
        from django.db.migrations.executor import MigrationExecutor

        timeout = conf.migration_lock_timeout_seconds
        try:
            with migration_lock(self.alias, timeout) as waited:
                self.steps.lock = LockOutcome(LOCK_KEY, timeout, held=True, waited=waited)
                self.log("lock", key=LOCK_KEY, waited=seconds(waited))
                # Another release may have migrated while we waited: then the state is read
                # again (a new executor reloads every migration file, so only then).
                applied = set(executor.recorder.applied_migrations())
                if applied != set(executor.loader.applied_migrations):
                    executor = MigrationExecutor(connection)
                self.plan_and_migrate(connection, executor)
        except LockTimeout as exc:
            self.steps.lock = LockOutcome(LOCK_KEY, timeout, waited=exc.waited, holder=exc.holder)
            self.log("lock", status="timeout", waited=seconds(exc.waited))
            self.judge("release_migration_lock")
            self.outcome.fail(_("migration lock timeout"))
        except DatabaseError as exc:
            # The lock's own connection failed: the database went away after the wait.
            error = one_line(exc, self.hidden)
            self.steps.lock = LockOutcome(LOCK_KEY, timeout, error=error)
            self.judge("release_migration_lock")
            self.outcome.fail(error)

    def plan_and_migrate(self, connection: BaseDatabaseWrapper, executor: Any) -> None:
        """Steps 5 and 6: judge the plan, then (unless refused or a dry run) apply it."""
        started = time.perf_counter()
        plan = self.steps.plan = make_plan(executor, conf.unsafe_migrations)
        judged = [
            self.judge(name)
            for name in ("release_unknown_migrations", "release_unsafe_migrations", IRREVERSIBLE)
        ]
        self.log(
            "plan",
            pending=len(plan.labels),
            unknown=len(plan.unknown),
            elapsed=seconds(time.perf_counter() - started),
        )
        if not all(judged):
            self.refuse(
                m
                for name in (
                    "release_unknown_migrations",
                    "release_unsafe_migrations",
                    IRREVERSIBLE,
                )
                for m in self.lines[name].messages
            )
        if self.dry_run:
            self.steps.migrate = MigrateOutcome(skipped=_("dry run"))
            self.steps.post = PostOutcome(skipped=_("dry run"))
            return
        if not all(judged):
            return
        if plan.labels:
            outcome = migrate(connection, self.alias, self.log, self.hidden, self._set_running)
        else:
            outcome = MigrateOutcome()
        self.steps.migrate = outcome
        if not self.judge("release_migrate"):
            self.outcome.fail(
                _("migration %(migration)s failed: %(error)s")
                % {"migration": outcome.failed or "-", "error": outcome.error}
            )
            return
        self.steps.post = run_post_steps(self.log, self.hidden)
        if not self.judge("release_post_migrate"):
            self.outcome.fail(_("post-migrate command failed: %s") % self.steps.post.failed)

    # -- judging, failing, finishing --------------------------------------------------------

    def judge(self, name: str) -> bool:
        """Run the check that judges a step; True if none of its messages reaches --fail-level."""
        line = run_one(CATALOGUE[name], self.context)
        self.lines[name] = line
        return not any(m.level >= self.threshold for m in line.messages)

    def refuse(self, messages: Iterable[CheckMessage]) -> None:
        """Fail the release for its messages at --fail-level, naming their IDs."""
        ids = sorted({str(m.id) for m in messages if m.level >= self.threshold})
        self.outcome.refused = self.outcome.refused or ids
        self.outcome.fail(_("refused: %s") % ", ".join(ids))

    def unexpected(self, exc: Exception) -> None:
        """A failure outside the steps' own handling (a broken migration file, a bad setting)."""
        error = one_line(exc, self.hidden)
        self.log("error", error=error)
        if self.show_traceback:
            sys.stderr.write(redact.redact(traceback.format_exc(), self.hidden))
        self.outcome.fail(error)
        if self.steps.migrate is None:
            self.steps.migrate = MigrateOutcome(error=error, stage="plan")

    def _set_running(self, raw: Any) -> None:
        self._running = raw

    def _cancel_running(self) -> None:
        raw = self._running
        if raw is not None:
            # Best effort: the handler unwinds the release anyway.
            with contextlib.suppress(Exception):
                raw.cancel()

    def finish(self) -> None:
        """The step lines in pipeline order, the exit code, the Release row, the last log line."""
        result = self.outcome.result
        if IRREVERSIBLE in self.lines:
            # W304 judged on the plan replaces the line of the pre-database checks.
            result.checks = [
                self.lines[IRREVERSIBLE] if c.name == IRREVERSIBLE else c for c in result.checks
            ]
        for name in STEP_CHECKS:
            result.checks.append(self.lines.get(name) or run_one(CATALOGUE[name], self.context))
        result.seconds = time.perf_counter() - self.clock
        redact.redact_result(result, self.hidden)
        if result.exit_code(self.fail_level) and self.outcome.status == SUCCEEDED:
            self.refuse(result.messages)
        self.outcome.exit_code = 0 if self.outcome.status == SUCCEEDED else 1
        if not self.dry_run:
            record(
                self.outcome,
                alias=self.alias,
                started_at=self.started_at,
                clock=self.clock,
                log=self.log,
                hidden=self.hidden,
            )
        self.log(
            "finish",
            status=self.outcome.status,
            applied=len(self.outcome.applied),
            exit=self.outcome.exit_code,
            duration=seconds(result.seconds),
        )
