"""
What each step of the release phase found: one typed result per step.

The steps fill a :class:`ReleaseSteps` as they run; the 6xx checks
(:mod:`deploytools.checks.release_phase`) read it through the run's
:class:`~deploytools.context.ReleaseContext` and build the report's lines. A step left at None
was not reached; ``skipped`` says why a reached step did nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.migrations import Migration

    from deploytools.checks.run import RunResult
    from deploytools.facts.migration_batch import BatchJudgement

MigrationKey = tuple[str, str]


@dataclass(frozen=True)
class DatabaseWait:
    """Step 3: connecting to the database within the wait budget."""

    address: str  # host:port (the file for SQLite), never a password
    attempts: int
    elapsed: float
    budget: float
    error: str = ""  # one line, secrets scrubbed; "" once connected
    # What retrying cannot fix: "credentials", "database", "pg_hba", "ssl"; "" otherwise.
    permanent: str = ""

    @property
    def reachable(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class DatabaseServer:
    """Step 3b: the PostgreSQL server's version against what the running Django supports."""

    version_num: int = 0  # the server's server_version_num (150018 for 15.18); 0: not read
    django: str = ""  # the running Django's version
    minimum: int | None = None  # the oldest major version it supports (platform data)
    skipped: str = ""  # why the version was not judged (not PostgreSQL, Django unknown)
    error: str = ""  # reading the version failed (one line, secrets scrubbed)

    @property
    def major(self) -> int:
        # server_version_num is MMmmpp (90624: 9.6.24) before PostgreSQL 10, MM00pp since
        # (150018: 15.18): either way the first number is what a minimum (15+) compares with.
        return self.version_num // 10000

    @property
    def display(self) -> str:
        """The version as PostgreSQL prints it: 15.18, 9.6.24."""
        number = self.version_num
        if number >= 100000:
            return f"{number // 10000}.{number % 10000}"
        return f"{number // 10000}.{number // 100 % 100}.{number % 100}"

    @property
    def supported(self) -> bool:
        return self.minimum is None or not self.version_num or self.major >= self.minimum


@dataclass(frozen=True)
class LockOutcome:
    """Step 4: the advisory lock that keeps two releases from migrating at once."""

    key: int
    timeout: float
    held: bool = False
    waited: float = 0.0
    skipped: str = ""  # why no lock was taken (nothing to migrate, dry run, SQLite, ...)
    holder: str = ""  # who held it past the timeout, as far as PostgreSQL tells
    error: str = ""  # the lock's connection failed (one line, secrets scrubbed)


@dataclass
class Plan:
    """Step 5: what this release would apply, judged before anything is changed."""

    # The migrations applied forwards, in order.
    forward: list[tuple[MigrationKey, Migration]] = field(default_factory=list)
    # Every migration of the plan as "app.name" (backwards ones included).
    labels: list[str] = field(default_factory=list)
    # Applied in the database but unknown to this code (a rollback), and where this code's
    # history of the first such app ends.
    unknown: list[str] = field(default_factory=list)
    unknown_app_leaf: tuple[str, str] = ("", "")
    # Per app, the migration to go back to so that this release's migrations are undone.
    undo: dict[str, str] = field(default_factory=dict)
    # The unsafe-migration judgement and the policy it is held to ("fail" or "warn").
    judgement: BatchJudgement | None = None
    policy: str = "fail"


@dataclass(frozen=True)
class MigrateOutcome:
    """Step 6: Django's migrate."""

    applied: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    skipped: str = ""  # nothing to migrate, dry run
    failed: str = ""  # the migration that failed ("" when migrate failed before any)
    atomic: bool = True  # whether the failed one was rolled back
    # Of the failed migration: its operations that completed before the failure (what a
    # non-atomic one leaves behind), and the one that failed ("2 of 3: Raw SQL operation").
    operations_done: list[str] = field(default_factory=list)
    failed_operation: str = ""
    # "plan" when the migrations could not even be planned (a broken migration file).
    stage: str = "migrate"
    error: str = ""  # one line, secrets scrubbed


@dataclass(frozen=True)
class PostOutcome:
    """Step 6b: the post-migrate commands (createcachetable, or DEPLOYTOOLS' own)."""

    commands: list[str] = field(default_factory=list)
    skipped: str = ""
    failed: str = ""
    error: str = ""


@dataclass
class ReleaseSteps:
    """Everything the steps found so far, for the 6xx checks."""

    database: DatabaseWait | None = None
    server: DatabaseServer | None = None
    lock: LockOutcome | None = None
    plan: Plan | None = None
    migrate: MigrateOutcome | None = None
    post: PostOutcome | None = None
    # Why the release stopped before a step that had no chance to run ("" while it goes on).
    stopped: str = ""


SUCCEEDED, FAILED, INTERRUPTED = "succeeded", "failed", "interrupted"


@dataclass
class ReleaseOutcome:
    """What a release phase did: rendered by the command, recorded as a Release row."""

    result: RunResult
    version: str
    commit: str
    dry_run: bool
    steps: ReleaseSteps = field(default_factory=lambda: ReleaseSteps())
    status: str = SUCCEEDED
    error: str = ""  # one line: why it failed
    # The IDs of the messages that refused the release (empty when it failed otherwise).
    refused: list[str] = field(default_factory=list)
    recorded: bool = False
    # Why no Release row was written (empty when one was, or on a dry run).
    not_recorded: str = ""
    exit_code: int = 0

    @property
    def plan(self) -> list[str]:
        return self.steps.plan.labels if self.steps.plan else []

    @property
    def applied(self) -> list[str]:
        return self.steps.migrate.applied if self.steps.migrate else []

    @property
    def unknown(self) -> list[str]:
        return self.steps.plan.unknown if self.steps.plan else []

    def fail(self, error: str) -> None:
        self.status = FAILED
        self.error = self.error or error

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "commit": self.commit,
            "status": self.status,
            "dry_run": self.dry_run,
            "plan": self.plan,
            "applied": self.applied,
            "unknown": self.unknown,
            "error": self.error,
            "recorded": self.recorded,
            "not_recorded": self.not_recorded,
        }
