"""
The memory one web worker of the app takes: boot the WSGI app as a web dyno would and measure.

Everything runs in children whose environment is the app's config vars with every service URL
replaced by a local one (:func:`~deploytools.facts.sizing.safe_environment`): nothing here can
reach the app's real database or services.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploytools.facts.project import Project
from deploytools.facts.settings_module import dyno_settings_module
from deploytools.facts.sizing import ChildFailed, run_child, safe_environment, write_result

__all__ = ["ChildFailed", "MemoryMeasurement", "measure_worker_memory"]


@dataclass(frozen=True)
class MemoryMeasurement:
    """Resident memory of one booted worker after serving the probe URLs, in MB."""

    worker_mb: float
    baseline_mb: float  # a bare interpreter with gunicorn imported: the master process
    statuses: dict[str, int] = field(default_factory=dict)


def measure_worker_memory(
    project: Project,
    config_vars: Mapping[str, str | None],
    wsgi_application: str,
    probe_urls: Iterable[str],
    timeout: float = 120,
) -> MemoryMeasurement:
    """
    Boot the WSGI app as a web dyno would, serve ``probe_urls``, and measure its memory.

    Two children run with :func:`safe_environment`: one migrates a fresh SQLite database (so
    pages that query the database answer as in production), one boots the app and serves the
    URLs in-process. Both also force every configured database to that SQLite file, so even
    settings that ignore DATABASE_URL cannot reach a real database.
    """
    with tempfile.TemporaryDirectory(prefix="deploytools-memory-") as tmp:
        workdir = Path(tmp)
        env = safe_environment(config_vars, workdir)
        # Without any default anywhere, the dynos would run what this process runs.
        module = dyno_settings_module(config_vars, project, wsgi_application) or os.environ.get(
            "DJANGO_SETTINGS_MODULE"
        )
        if module:
            env["DJANGO_SETTINGS_MODULE"] = module
        payload = {
            "sqlite_path": str(workdir / "db.sqlite3"),
            "wsgi_application": wsgi_application,
            "urls": list(probe_urls),
        }
        app_dir = project.app_dir
        run_child(f"{__name__}:migrate_local_database", payload, env, app_dir, timeout)
        result = run_child(f"{__name__}:serve_and_measure", payload, env, app_dir, timeout)
    return MemoryMeasurement(
        worker_mb=float(result["worker_mb"]),
        baseline_mb=float(result["baseline_mb"]),
        statuses={str(k): int(v) for k, v in result["statuses"].items()},
    )


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    # ru_maxrss is in KB on Linux, bytes on macOS: the peak, an upper bound of the RSS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _localize_settings(payload: Mapping[str, Any]) -> None:
    """Child side: load the settings, point every database at the SQLite file, fix storage."""
    import importlib

    from django.conf import settings

    production_engines = {db.get("ENGINE", "") for db in settings.DATABASES.values()}
    for alias in list(settings.DATABASES):
        settings.DATABASES[alias] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(payload["sqlite_path"]),
        }
    # The build runs collectstatic; a checkout usually has no manifest, and without one a
    # manifest storage makes every page that links a static file fail.
    storages = getattr(settings, "STORAGES", {})
    static_backend = str(storages.get("staticfiles", {}).get("BACKEND", ""))
    static_root = getattr(settings, "STATIC_ROOT", None)
    manifest = Path(str(static_root)) / "staticfiles.json" if static_root else None
    if "Manifest" in static_backend and (manifest is None or not manifest.is_file()):
        settings.STORAGES = {
            **storages,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    # Load the production driver anyway: its memory is part of a real worker's.
    for engine in production_engines:
        # A missing driver is E203's finding, not ours.
        with contextlib.suppress(Exception):
            importlib.import_module(f"{engine}.base")


def migrate_local_database(payload: Mapping[str, Any]) -> None:
    """Child side: create the schema in the local SQLite database."""
    try:
        _localize_settings(payload)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        write_result(payload, {"migrated": True})
    except BaseException as exc:  # noqa: BLE001
        write_result(payload, {"error": f"migrate: {type(exc).__name__}"})


def serve_and_measure(payload: Mapping[str, Any]) -> None:
    """Child side: boot the WSGI app, serve the URLs over HTTPS as the router does, measure."""
    stage = "boot"
    try:
        with contextlib.suppress(ImportError):
            import gunicorn.app.base  # noqa: F401 - the master's own footprint
        baseline = _rss_mb()
        _localize_settings(payload)
        import importlib

        from django.conf import settings

        module_name, _, attribute = str(payload["wsgi_application"]).rpartition(".")
        application = getattr(importlib.import_module(module_name), attribute)
        host = _allowed_host(list(settings.ALLOWED_HOSTS))
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        stage = "serve"
        statuses = {str(url): _get(application, str(url), host) for url in payload["urls"]}
        write_result(
            payload, {"worker_mb": _rss_mb(), "baseline_mb": baseline, "statuses": statuses}
        )
    except BaseException as exc:  # noqa: BLE001
        write_result(payload, {"error": f"{stage}: {type(exc).__name__}"})


def _get(application: Any, url: str, host: str) -> int:
    """GET ``url`` through the WSGI app as Heroku's router sends it; its status (0: none)."""
    import io
    from wsgiref.util import setup_testing_defaults

    path, _, query = url.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": host,
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        # Heroku's router terminates TLS and says so; without this header an
        # SSL-redirecting app would answer every probe with a cheap redirect.
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    setup_testing_defaults(environ)
    captured: list[int] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        captured.append(int(status.split()[0]))
        return lambda data: None

    body = application(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return captured[0] if captured else 0


def _allowed_host(allowed: list[str]) -> str:
    for entry in allowed:
        if entry == "*":
            return "localhost"
        if entry.startswith("."):
            return "www" + entry
        if entry:
            return entry
    return "localhost"
