"""
Which settings module each Heroku process loads.

Django reads DJANGO_SETTINGS_MODULE; when the config does not set it, each process falls back
on the default its entry point sets with ``os.environ.setdefault``: the WSGI (or ASGI) module
the Procfile's web command serves, and ``manage.py`` for the release phase and one-off
commands. Both are read from the source with ``ast``, never imported.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploytools.facts import safe_read
from deploytools.facts.project import Project

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
# "proj.wsgi", "proj.wsgi:application", "proj.asgi:app": the module a web server serves.
_APP_ARGUMENT = re.compile(r"^(?P<module>[A-Za-z_][\w.]*)(:[\w.]+(\(.*\))?)?$")
_CHDIR_OPTIONS = ("--chdir", "--app-dir")
# Options of the web servers that take no value: the word after them is not theirs.
_FLAGS = frozenset(
    {
        "--reload",
        "--preload",
        "--daemon",
        "-D",
        "-R",
        "--check-config",
        "--print-config",
        "--spew",
        "--capture-output",
        "--enable-stdio-inheritance",
        "--no-sendfile",
        "--reuse-port",
        "--proxy-headers",
        "--no-proxy-headers",
        "--no-access-log",
        "--no-server-header",
        "--no-date-header",
        "--factory",
        "--use-colors",
        "--no-use-colors",
    }
)


@dataclass(frozen=True)
class Default:
    """A settings module an entry point defaults to, and where it says so ("proj/wsgi.py:11")."""

    module: str
    where: str


def default_in(path: Path, shown: str) -> Default | None:
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
            if isinstance(value, str):
                return Default(value, f"{shown}:{node.lineno}")
    return None


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _working_dir(tokens: list[str]) -> tuple[str, list[str]]:
    """A leading ``cd DIR &&`` of a Procfile command: (DIR, the rest of the words)."""
    if len(tokens) >= 3 and tokens[0] == "cd" and tokens[2] in ("&&", ";"):
        return tokens[1], tokens[3:]
    return "", tokens


def web_module(project: Project, command: str) -> tuple[Path, str] | None:
    """The file of the module the web command serves, and how to show it ("src/proj/wsgi.py")."""
    folder, tokens = _working_dir(_split(command))
    for index, token in enumerate(tokens):
        for option in _CHDIR_OPTIONS:
            if token == option and index + 1 < len(tokens):
                folder = str(Path(folder) / tokens[index + 1])
            elif token.startswith(option + "="):
                folder = str(Path(folder) / token.split("=", 1)[1])
    for index, token in enumerate(tokens[1:], start=1):
        previous = tokens[index - 1]
        takes_value = previous.startswith("-") and "=" not in previous and previous not in _FLAGS
        if token.startswith("-") or takes_value:
            continue
        match = _APP_ARGUMENT.match(token)
        if match and "." in match["module"]:
            relative = Path(folder, *match["module"].split(".")).with_suffix(".py")
            return project.tree / relative, relative.as_posix()
    return None


def release_manage_py(project: Project, command: str | None) -> tuple[Path, str]:
    """The manage.py the release command starts (``cd src && python manage.py ...``)."""
    folder, tokens = _working_dir(_split(command or ""))
    script = next((t for t in tokens if t.endswith("manage.py")), None)
    relative = Path(folder) / script if script is not None else Path(project.app_path) / "manage.py"
    return project.tree / relative, Path(relative).as_posix().removeprefix("./")


@dataclass(frozen=True)
class ProcessDefaults:
    """The settings module each process type falls back on without the config var."""

    web: Default | None
    release: Default | None


def process_defaults(project: Project, wsgi_application: str | None = None) -> ProcessDefaults:
    """Where the web and release processes of the pushed tree default their settings to."""
    from deploytools.facts.build_files import parse_procfile

    processes = parse_procfile(project.tree / "Procfile").processes
    web = None
    found = web_module(project, processes["web"]) if "web" in processes else None
    if found is None and wsgi_application and "." in wsgi_application:
        # No Procfile to read: the module WSGI_APPLICATION names, beside manage.py.
        module = wsgi_application.rpartition(".")[0]
        relative = Path(project.app_path, *module.split(".")).with_suffix(".py")
        found = (project.tree / relative, relative.as_posix().removeprefix("./"))
    if found is not None:
        web = default_in(*found)
    release = default_in(*release_manage_py(project, processes.get("release")))
    return ProcessDefaults(web, release)


def dyno_settings_module(
    config_vars: Mapping[str, str | None], project: Project, wsgi_application: str | None = None
) -> str | None:
    """
    The settings module a web dyno loads: the config var, else the web module's default, else
    manage.py's. ``wsgi_application`` defaults to this process's settings.WSGI_APPLICATION
    (used only when there is no Procfile to read).
    """
    configured = config_vars.get(SETTINGS_VARIABLE)
    if configured:
        return configured
    if wsgi_application is None:
        from django.conf import settings

        configured_wsgi = (
            getattr(settings, "WSGI_APPLICATION", None) if settings.configured else None
        )
        wsgi_application = configured_wsgi
    defaults = process_defaults(project, wsgi_application)
    chosen = defaults.web or defaults.release
    return chosen.module if chosen else None
