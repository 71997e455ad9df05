"""
Step 5: what this release would apply, read from the database before anything changes.

The plan names the migrations ``migrate`` will apply, the ones the database has that this code
does not know (a rollback: nothing is unapplied), the migration each app goes back to so that
the release can be undone, and the one judgement of unsafe migrations
(:func:`deploytools.facts.migration_batch.judge_batch`, which preflight's W303 uses too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deploytools.facts.migration_batch import judge_batch
from deploytools.release_phase.history import undo_targets
from deploytools.release_phase.steps import Plan

if TYPE_CHECKING:
    from django.db.migrations import Migration
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.state import ProjectState


def label(key: tuple[str, str]) -> str:
    return f"{key[0]}.{key[1]}"


def pending(executor: MigrationExecutor) -> list[tuple[Migration, bool]]:
    """``migrate``'s plan to the leaves of the graph: (migration, backwards) pairs."""
    plan: list[tuple[Migration, bool]] = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return plan


class _StateBefore:
    """The project state right before each migration of a forward plan, built as it goes."""

    def __init__(self, executor: MigrationExecutor) -> None:
        # The state of what the database has applied (private API, as Django's migrate uses).
        self.state: ProjectState = executor._create_project_state(  # type: ignore[attr-defined]
            with_applied_migrations=True
        )
        self.previous: Migration | None = None

    def __call__(self, migration: Migration) -> ProjectState:
        if self.previous is not None:
            self.state = self.previous.mutate_state(self.state, preserve=False)
        self.previous = migration
        return self.state


def make_plan(executor: MigrationExecutor, policy: str) -> Plan:
    """The plan of this release against the database ``executor`` is connected to."""
    steps = pending(executor)
    loader = executor.loader
    forward = [((m.app_label, m.name), m) for m, backwards in steps if not backwards]
    plan = Plan(
        forward=forward,
        labels=[label((m.app_label, m.name)) for m, _backwards in steps],
        undo=undo_targets(loader.graph, [key for key, _m in forward]),
        policy=policy,
    )
    # Apps no longer installed are not a rollback; Django ignores their rows too.
    unknown = sorted(
        key
        for key in loader.applied_migrations
        if key not in loader.disk_migrations and key[0] in loader.migrated_apps
    )
    plan.unknown = [label(key) for key in unknown]
    if unknown:
        # Where this code's history of that app ends: what the newer code migrates back to.
        app = unknown[0][0]
        leaves = sorted(name for app_label, name in loader.graph.leaf_nodes() if app_label == app)
        plan.unknown_app_leaf = (app, leaves[-1] if leaves else "zero")
    plan.judgement = judge_batch(
        [migration for _key, migration in forward],
        vendor=executor.connection.vendor,
        state_before=_StateBefore(executor) if forward else _no_state,
    )
    return plan


def _no_state(migration: Any) -> None:
    return None
