"""
Step 7: record the release as a :class:`~deploytools.models.Release` row — also when it
failed or was interrupted, so ``--history`` can pair a ``heroku rollback`` with the
``migrate`` that undoes its migrations.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

from django.core import checks
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from deploytools import redact
from deploytools.release_phase.announce import Announcer, one_line
from deploytools.release_phase.steps import SUCCEEDED, ReleaseOutcome


def fresh_connection(alias: str) -> BaseDatabaseWrapper:
    """Drop a connection whose state is unknown (after a failure) and open a new one."""
    old = connections[alias]
    raw = old.connection
    if raw is not None:
        # It is being thrown away, whatever state it is in.
        with contextlib.suppress(Exception):
            raw.close()
    del connections[alias]
    return connections[alias]


def record(
    outcome: ReleaseOutcome,
    *,
    alias: str,
    started_at: datetime,
    clock: float,
    log: Announcer,
    hidden: set[str],
) -> None:
    """Write the Release row; a database that cannot take it is said, never raised."""
    from deploytools.models import Release

    database = outcome.steps.database
    if database is not None and not database.reachable:
        # Another attempt would only spend more time past the budget E601 already used.
        outcome.not_recorded = _("the database is unreachable")
        log("record", status="skipped", reason="database-unreachable")
        return
    connection = connections[alias] if outcome.status == SUCCEEDED else fresh_connection(alias)
    result = outcome.result
    undo = outcome.steps.plan.undo if outcome.steps.plan else {}
    try:
        connection.ensure_connection()
        release = Release.objects.using(alias).create(
            version=outcome.version,
            commit=outcome.commit,
            status=outcome.status,
            started_at=started_at,
            finished_at=timezone.now(),
            duration_seconds=round(time.perf_counter() - clock, 3),
            migrations_applied=outcome.applied,
            undo_targets={
                app: target
                for app, target in undo.items()
                if any(label.partition(".")[0] == app for label in outcome.applied)
            },
            checks_summary=result.counts(),
            message_ids=sorted({str(m.id) for m in result.messages if m.level >= checks.WARNING}),
            error=redact.redact(outcome.error, hidden)[:2000],
        )
    except DatabaseError as exc:
        # Before deploytools' own migration ran, or with the database gone.
        outcome.not_recorded = one_line(exc, hidden)
        log("record", status="skipped", error=outcome.not_recorded)
        return
    outcome.recorded = True
    log("record", release_id=release.pk)
