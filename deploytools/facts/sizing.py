"""
Capacity: how many database connections and how much memory the app's dynos need, and the
gunicorn concurrency a web dyno runs.

Dyno sizes, their memory and the buildpack's default concurrency are platform data
(:mod:`deploytools.platform_data`, with their sources and the day they were read; the app's
own ``/dyno-sizes`` answer comes first). Everything that runs project code (gunicorn.conf.py,
the WSGI app) runs in a child process whose environment is the app's config vars with every
service URL replaced by a local one, so nothing here can reach the app's real database or
services.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from deploytools import platform_data

# One rule for what counts as a service URL, shared with the simulated dyno (re-exported here).
from deploytools.facts.dyno import child_pythonpath, is_service_url

MB_PER_GB = 1024

# A dyno should stay below this share of its memory: above it, one slow request or a leak
# tips it into swap (R14) and then into R15 kills.
MEMORY_HEADROOM = 0.8

# Connections beyond the dynos: the release phase (one), plus `heroku run` consoles,
# Scheduler jobs and pg:psql sessions an operator opens while the app runs.
RELEASE_AND_ONE_OFF_MARGIN = 3

_DATABASE_SCHEMES = {
    "postgres",
    "postgresql",
    "pgsql",
    "postgis",
    "mysql",
    "mysql2",
    "mysqlgis",
    "mariadb",
    "oracle",
    "sqlite",
    "spatialite",
    "cockroach",
    "timescale",
}


def normalize_size(name: str) -> str:
    """A dyno size as Heroku's CLI spells it in ps:scale ("Standard-2X" -> "standard-2x")."""
    return platform_data.normalize_dyno_size(name)


def dyno_memory_mb(size: str, dyno_sizes: Iterable[Mapping[str, Any]] = ()) -> float | None:
    """Memory of a dyno size in MB: the API's dyno sizes first, then the platform data."""
    wanted = normalize_size(size)
    for entry in dyno_sizes:
        memory = entry.get("memory")
        name = entry.get("name")
        if (
            isinstance(name, str)
            and normalize_size(name) == wanted
            and isinstance(memory, int | float)
            and not isinstance(memory, bool)
            and memory > 0
        ):
            return float(memory) * MB_PER_GB
    found = platform_data.dyno_size(wanted)
    return None if isinstance(found, platform_data.Unknown) else float(found.memory_mb)


def default_web_concurrency(size: str) -> int | None:
    """WEB_CONCURRENCY Heroku's Python buildpack sets for this size when unset (None on Fir)."""
    return platform_data.default_web_concurrency(size)


def format_mb(mb: float) -> str:
    """'512 MB', '1 GB', '2.5 GB' (the units in the active language: 'Mo', 'Go' in French)."""
    if mb >= MB_PER_GB:
        return _("%(n)s GB") % {"n": f"{mb / MB_PER_GB:g}"}
    return _("%(n)s MB") % {"n": f"{mb:.0f}"}


# --- the app's environment, made safe to run project code in -------------------------------


def local_replacement(name: str, value: str | None, sqlite_path: Path) -> str:
    """A local stand-in for a service URL: SQLite for databases, a closed loopback port else."""
    scheme = urlsplit(value.strip()).scheme.lower() if value else ""
    if name == "DATABASE_URL" or scheme in _DATABASE_SCHEMES or scheme.startswith("postgres"):
        return f"sqlite:///{sqlite_path}"
    # Port 9 (discard) on loopback: nothing the app can reach, and never the configured host.
    return f"{scheme or 'http'}://127.0.0.1:9/"


def safe_environment(
    config_vars: Mapping[str, str | None], workdir: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """
    The environment for a child that runs project code as a dyno would.

    The app's config vars, with every service URL replaced by a local one (DATABASE_URL by an
    SQLite file in ``workdir``), values dropped from a saved snapshot replaced by placeholders,
    and only PATH/HOME/locale taken from this process: never a URL from the developer's shell.
    """
    sqlite_path = workdir / "db.sqlite3"
    env: dict[str, str] = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
        if key in os.environ
    }
    for name, value in config_vars.items():
        if is_service_url(name, value):
            env[name] = local_replacement(name, value, sqlite_path)
        elif value is None:
            # A secret kept by name only (saved snapshot): a placeholder lets settings boot.
            env[name] = "deploytools-placeholder-" + "x" * 40
        else:
            env[name] = value
    env["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    env.setdefault("DYNO", "web.1")
    env.setdefault("PORT", "5000")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    if extra:
        env.update(extra)
    return env


class ChildFailed(Exception):
    """A child process could not evaluate project code; the message names the stage only."""


def run_child(
    target: str, payload: dict[str, Any], env: dict[str, str], base_dir: Path, timeout: float
) -> dict[str, Any]:
    """Run ``target`` ("module:function") on ``payload`` in a child; return its JSON result."""
    module, _sep, function = target.partition(":")
    with tempfile.TemporaryDirectory(prefix="deploytools-child-") as tmp:
        result_path = Path(tmp) / "result.json"
        payload = {**payload, "result_path": str(result_path)}
        env = {**env, "PYTHONPATH": child_pythonpath(base_dir)}
        # Exits as soon as the result is written: a non-daemon thread the project's code
        # started would otherwise hold the child until the timeout.
        code = (
            # The working directory first on sys.path would let a project's own copy of
            # deploytools shadow this one (see deploytools.facts.dyno.CHILD_MAIN).
            "import json, os, sys\nsys.path.pop(0)\n"
            "try:\n"
            f"    from {module} import {function}\n"
            f"    {function}(json.loads(sys.argv[1]))\n"
            "finally:\n"
            "    os._exit(0)\n"
        )
        try:
            # The child's own output may quote config values: it is discarded, and results
            # come back through a file the child writes.
            subprocess.run(
                [sys.executable, "-c", code, json.dumps(payload)],
                env=env,
                cwd=base_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ChildFailed(_("timed out after %(seconds)g s") % {"seconds": timeout}) from None
        try:
            result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ChildFailed(_("the child process exited without a result")) from None
    if "error" in result:
        raise ChildFailed(str(result["error"]))
    return result


def write_result(payload: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    Path(str(payload["result_path"])).write_text(json.dumps(result), encoding="utf-8")


# --- gunicorn concurrency -------------------------------------------------------------------


@dataclass(frozen=True)
class GunicornSettings:
    """How many worker processes and threads per worker one web dyno runs."""

    workers: int
    threads: int
    source: str  # where the numbers came from, for the evidence line


def gunicorn_config_path(base_dir: Path, web_command: str | None) -> Path | None:
    """The config file gunicorn reads: --config/-c in the web command, else gunicorn.conf.py."""
    if web_command:
        args = _split(web_command)
        for index, arg in enumerate(args):
            if arg in ("-c", "--config") and index + 1 < len(args):
                value = args[index + 1]
                return None if value.startswith("python:") else base_dir / value
            if arg.startswith("--config="):
                return base_dir / arg.split("=", 1)[1]
    default = base_dir / "gunicorn.conf.py"
    return default if default.is_file() else None


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _cli_numbers(args: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    names = {"-w": "workers", "--workers": "workers", "--threads": "threads"}
    for index, arg in enumerate(args):
        key, _, inline = arg.partition("=")
        if key in names:
            value = inline or (args[index + 1] if index + 1 < len(args) else "")
            if value.isdigit():
                found[names[key]] = int(value)
    return found


def gunicorn_settings(
    base_dir: Path, env: dict[str, str], web_command: str | None, timeout: float = 60
) -> GunicornSettings:
    """
    Workers and threads of the web process, as gunicorn would resolve them on the dyno.

    Gunicorn's order: its defaults (workers from WEB_CONCURRENCY, else 1; one thread), the
    config file (evaluated in a child with ``env``: it usually reads os.environ), then
    GUNICORN_CMD_ARGS, then the command line in the Procfile.
    """
    workers = int(env["WEB_CONCURRENCY"]) if env.get("WEB_CONCURRENCY", "").isdigit() else 1
    threads = 1
    sources: list[str] = []
    config = gunicorn_config_path(base_dir, web_command)
    if config is not None and config.is_file():
        values = run_child(
            f"{__name__}:evaluate_gunicorn_config", {"path": str(config)}, env, base_dir, timeout
        )
        workers = int(values.get("workers", workers))
        threads = int(values.get("threads", threads))
        sources.append(config.name)
    for origin, args in (
        ("GUNICORN_CMD_ARGS", _split(env.get("GUNICORN_CMD_ARGS", ""))),
        ("Procfile", _split(web_command or "")),
    ):
        numbers = _cli_numbers(args)
        if numbers:
            workers = numbers.get("workers", workers)
            threads = numbers.get("threads", threads)
            sources.append(origin)
    return GunicornSettings(max(workers, 1), max(threads, 1), " + ".join(sources) or "defaults")


def evaluate_gunicorn_config(payload: Mapping[str, Any]) -> None:
    """Child side: run a gunicorn config file and report its integer workers/threads."""
    import runpy

    try:
        namespace = runpy.run_path(str(payload["path"]))
        found: dict[str, Any] = {}
        for key in ("workers", "threads"):
            value = namespace.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{key} is not an integer")
            found[key] = value
        write_result(payload, found)
    except BaseException as exc:  # noqa: BLE001 - report the kind of failure, nothing else
        write_result(payload, {"error": f"gunicorn config: {type(exc).__name__}"})


# --- arithmetic -----------------------------------------------------------------------------


def worker_concurrency(command: str | None) -> int:
    """Concurrency of a non-web process from its command (celery -c/--concurrency), else 1."""
    numbers = {}
    args = _split(command or "")
    for index, arg in enumerate(args):
        key, _, inline = arg.partition("=")
        if key in ("-c", "--concurrency"):
            value = inline or (args[index + 1] if index + 1 < len(args) else "")
            if value.isdigit():
                numbers["concurrency"] = int(value)
    if "gunicorn" in args[:3]:
        return max(_cli_numbers(args).get("workers", 1), 1) * max(
            _cli_numbers(args).get("threads", 1), 1
        )
    return max(numbers.get("concurrency", 1), 1)


def fitting_workers(memory_mb: float, worker_mb: float, master_mb: float) -> int:
    """How many workers of ``worker_mb`` fit in MEMORY_HEADROOM of a dyno, beside the master."""
    if worker_mb <= 0:
        return 0
    return max(int((memory_mb * MEMORY_HEADROOM - master_mb) // worker_mb), 0)
