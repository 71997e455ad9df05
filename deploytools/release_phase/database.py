"""
Step 3: wait for the database, with bounded backoff, and tell a transient failure (the server
starting, too many connections) from one retrying cannot fix (credentials, a missing database).
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _

from deploytools.release_phase.steps import DatabaseServer, DatabaseWait


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
    # sslmode=require against a server without SSL: the answer will not change on retrying.
    (re.compile(r"server does not support SSL", re.I), "ssl"),
    (re.compile(r"no pg_hba\.conf entry", re.I), "pg_hba"),
    (re.compile(r"authentication failed|no password supplied", re.I), "credentials"),
    (re.compile(r'role ".*" does not exist', re.I), "credentials"),
    (re.compile(r'database ".*" does not exist', re.I), "database"),
)


def permanent_database_error(exc: BaseException) -> str:
    """
    What is wrong when connecting failed for a reason retrying cannot fix: "credentials",
    "database" (its name), "pg_hba", "ssl" (required, not offered) or "version" (Django refuses
    the server's version); "" for errors worth retrying (connection refused, a timeout, the
    server starting up, too many connections).
    """
    if isinstance(exc, NotSupportedError):
        # Django's check_database_version_supported(), run as each new connection is set up.
        return "version"
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


def wait(connection: BaseDatabaseWrapper, budget: float, hidden: set[str]) -> DatabaseWait:
    """Step 3 as a result: :func:`wait_for_database` with its address, time and error line."""
    from deploytools.release_phase.announce import one_line

    started = time.perf_counter()
    attempts, error = wait_for_database(connection, budget)
    return DatabaseWait(
        address=database_address(connection),
        attempts=attempts,
        elapsed=time.perf_counter() - started,
        budget=budget,
        error="" if error is None else one_line(error, hidden),
        permanent="" if error is None else permanent_database_error(error),
    )


def server_version_num(connection: BaseDatabaseWrapper) -> int:
    """
    The server's ``server_version_num``: from the driver when Django's connection is open (the
    wait connected: psycopg keeps what the server said at startup), else read on a connection
    of its own, since Django's connection setup refuses a server older than it supports before
    any query could ask.
    """
    opened = connection.connection
    if opened is not None:
        # connection.info.server_version in psycopg 3 and psycopg2 >= 2.8 alike; a closed
        # connection raises, and then a connection of its own asks.
        try:
            number = opened.info.server_version
        except Exception:  # noqa: BLE001 - any failure: ask on a new connection
            number = None
        if isinstance(number, int) and number > 0:
            return number
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with contextlib.closing(raw.cursor()) as cursor:
            cursor.execute("SHOW server_version_num")
            row = cursor.fetchone()
    finally:
        raw.close()
    return int(row[0])


def check_server(connection: BaseDatabaseWrapper, hidden: set[str]) -> DatabaseServer:
    """Step 3b: the server's version and the oldest one the running Django supports."""
    import django

    from deploytools import platform_data
    from deploytools.release_phase.announce import one_line

    version = django.get_version()
    if connection.vendor != "postgresql":
        return DatabaseServer(
            django=version,
            skipped=_("not PostgreSQL (%(vendor)s)") % {"vendor": connection.vendor},
        )
    minimum = platform_data.django_postgres_minimum(version)
    try:
        number = server_version_num(connection)
    except Exception as exc:  # noqa: BLE001 - any failure is one line in the report
        return DatabaseServer(django=version, minimum=minimum, error=one_line(exc, hidden))
    if minimum is None:
        return DatabaseServer(
            number,
            version,
            None,
            skipped=_("Django %(version)s: this deploytools' data names no PostgreSQL minimum")
            % {"version": version},
        )
    return DatabaseServer(number, version, minimum)
