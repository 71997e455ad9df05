"""
The recorded releases, read back for ``heroku_release --history``: what each applied, and the
``migrate`` commands that undo it (their targets recorded at release time, so they stay exact
even when the running code no longer knows those migrations).

The commands must run before ``heroku rollback``, while the release's code is deployed: Django
reverses a migration from its file, and migrating back to a target whose later migrations the
code does not know plans nothing (MigrationExecutor walks the graph's children of the target).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections


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


def rollback_commands(
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
                "undo": rollback_commands(applied, loader, dict(release.undo_targets or {})),
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


def status_label(status: str) -> str:
    """A release's status as a person reads it (the JSON keeps the stored value)."""
    from deploytools.models import Release

    return str(dict(Release.Status.choices).get(status, status))
