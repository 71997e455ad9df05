"""
Step 4: the migration lock — a PostgreSQL session-level advisory lock that keeps two releases
(or a release and a manual ``manage.py migrate``) from migrating at once.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

# One key for every deploytools release of every project: advisory locks are per database.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"deploytools.migrate").digest()[:8], "big", signed=True)


class LockTimeout(Exception):
    """Another session held the migration lock past the timeout."""

    def __init__(self, waited: float, holder: str) -> None:
        super().__init__(holder)
        self.waited = waited
        self.holder = holder


def _lock_holder(cursor: Any) -> str:
    """
    Who holds the lock, as far as PostgreSQL tells this session: "PID 4242 (role
    other_app, application psql, connected 2025-01-01 12:00:00 UTC)", or "" if unknown.

    Best effort, and never an exception: pg_stat_activity shows another role's sessions with
    most columns NULL (client, start time, state) unless this role may read all statistics,
    and the holder may be gone by the time it is asked; whatever is known is named.
    """
    unsigned = LOCK_KEY & 0xFFFFFFFFFFFFFFFF
    try:
        cursor.execute(
            "SELECT l.pid, a.usename, a.application_name, a.backend_start"
            " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s"
            " AND l.objsubid = 1",
            [unsigned >> 32, unsigned & 0xFFFFFFFF],
        )
        row = cursor.fetchone()
    except DatabaseError:
        return ""
    if row is None:
        return ""
    try:
        return describe_holder(*row)
    except Exception:  # noqa: BLE001 - naming the holder must never fail the release
        return f"PID {row[0]}" if isinstance(row[0], int) else ""


def _printable(value: object, limit: int = 64) -> str:
    text = "".join(c for c in str(value) if c.isprintable())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_holder(
    pid: object, role: object = None, application: object = None, connected: object = None
) -> str:
    """The holder's description from its pg_locks/pg_stat_activity row; NULLs are left out."""
    from datetime import datetime

    details = []
    if role:
        details.append(_("role %(role)s") % {"role": _printable(role)})
    if application:
        details.append(_("application %(name)s") % {"name": _printable(application)})
    if isinstance(connected, datetime):
        details.append(_("connected %(when)s") % {"when": f"{connected:%Y-%m-%d %H:%M:%S %Z}"})
    text = f"PID {pid}" if pid is not None else _("another session")
    return f"{text} ({', '.join(details)})" if details else text


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
