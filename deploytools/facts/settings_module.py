"""
Which settings module a Heroku process loads.

Django reads DJANGO_SETTINGS_MODULE; when the config does not set it, each process falls back
on the default its entry point sets with ``os.environ.setdefault``: the WSGI (or ASGI) module
for the web process, ``manage.py`` for the release phase and one-off commands. Both are read
from the source with ``ast``, never imported.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

from deploytools.facts import safe_read
from deploytools.facts.project import Project

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"


def default_in(path: Path) -> str | None:
    """The settings module ``path`` defaults to (``os.environ.setdefault(...)``), if any."""
    try:
        tree = ast.parse(
            safe_read.read_bytes(path, safe_read.SOURCE_FILE_BYTES), filename=str(path)
        )
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and len(node.args) == 2
            and all(isinstance(arg, ast.Constant) for arg in node.args)
            and node.args[0].value == SETTINGS_VARIABLE  # type: ignore[attr-defined]
        ):
            value = node.args[1].value  # type: ignore[attr-defined]
            return value if isinstance(value, str) else None
    return None


def module_file(project: Project, module: str) -> Path:
    """Where ``module`` (dotted) lives in the project, relative to manage.py's folder."""
    return project.app_dir.joinpath(*module.split(".")).with_suffix(".py")


def web_default(project: Project, wsgi_application: str | None) -> str | None:
    """The default of the WSGI module named by WSGI_APPLICATION ("proj.wsgi.application")."""
    if not wsgi_application or "." not in wsgi_application:
        return None
    return default_in(module_file(project, wsgi_application.rpartition(".")[0]))


def release_default(project: Project) -> str | None:
    """The default of manage.py, which the release phase (and heroku run) start."""
    return default_in(project.app_dir / "manage.py")


def dyno_settings_module(
    config_vars: Mapping[str, str | None], project: Project, wsgi_application: str | None = None
) -> str | None:
    """
    The settings module a web dyno loads: the config var, else the WSGI module's default, else
    manage.py's. ``wsgi_application`` defaults to this process's settings.WSGI_APPLICATION.
    """
    configured = config_vars.get(SETTINGS_VARIABLE)
    if configured:
        return configured
    if wsgi_application is None:
        from django.conf import settings

        wsgi_application = (
            getattr(settings, "WSGI_APPLICATION", None) if settings.configured else None
        )
    return web_default(project, wsgi_application) or release_default(project)
