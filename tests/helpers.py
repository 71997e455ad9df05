"""
What the test modules share: running commands and checks, small project trees, git.

Every test module imports from here (and from the fake servers beside it), never from another
test module.
"""

from __future__ import annotations

import io
import os
import re
import select
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from django.core.management import CommandError, call_command, load_command_class

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, RunResult, run_checks, run_one
from deploytools.context import Context, PreflightContext
from deploytools.facts.project import Project

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
RELEASE = "local/production"


# -- commands --------------------------------------------------------------------------------


@dataclass
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str


def run_command(*args: str) -> CommandResult:
    """Run a management command in-process; capture its output and exit code."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    except CommandError as exc:
        code = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return CommandResult(code, out.getvalue(), err.getvalue())


def run_manage(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    language: str | None = "en",
) -> CommandResult:
    """
    Run `python manage.py ARGS` in a child process, as a user or Heroku would.

    weareone speaks French by default; the tests assert the English texts, so they ask for
    English as a developer would (DEPLOYTOOLS_LANGUAGE, read by weareone/settings.py).
    ``language=None`` leaves the project's own default.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.pop("DATABASE_URL", None)
    base.pop("DEPLOYTOOLS_LANGUAGE", None)
    if language is not None:
        base["DEPLOYTOOLS_LANGUAGE"] = language
    proc = subprocess.run(
        [sys.executable, str((cwd or ROOT) / "manage.py"), *args],
        env={**base, **(env or {})},
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CommandResult(proc.returncode, proc.stdout, proc.stderr)


RELEASE_SECRET_KEY = "release-faults-secret-KEY-7d1e4c9a2b8f6e3d5c0a9b7f1e2d4c6a8b0f3e5d"


def release_env(
    url: str, scenario: str = "ok", deploytools: dict[str, Any] | None = None, **extra: str
) -> dict[str, str]:
    """
    The environment of a release dyno running tests.releaseapps (whose `shop` migrations are
    ``scenario``, see tests/releaseapps/scenarios) against the database at ``url``.
    """
    import json

    return {
        "DATABASE_URL": url,
        "DATABASE_SSL_REQUIRE": "0",
        "DYNO": "release.1",
        "DJANGO_SECRET_KEY": RELEASE_SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "tests.releaseapps.settings",
        "HEROKU_RELEASE_VERSION": "v7",
        "RELEASE_SCENARIO": scenario,
        "RELEASE_DEPLOYTOOLS": json.dumps(deploytools or {}),
        **extra,
    }


T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> T:
    """
    ``call()``, failing the test instead of hanging the suite if it runs longer than
    ``seconds`` (a read blocked on a FIFO, a request to a server that never stops sending).
    """
    import threading

    import pytest

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s: it is not bounded")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def manage_commands(script: str) -> list[tuple[str, list[str], str | None]]:
    """(command, arguments, file stdout goes to) of each `python manage.py …` in a script."""
    found = []
    for part in re.split(r"&&|\n", script):
        words = shlex.split(part)
        if words[:2] != ["python", "manage.py"]:
            continue
        target = None
        if ">" in words:
            target = words[words.index(">") + 1]
            words = words[: words.index(">")]
        found.append((words[2], words[3:], target))
    return found


def parse_options(command: str, args: list[str]) -> dict[str, Any]:
    """The options ``command``'s own parser makes of ``args`` (a bad option fails the test)."""
    parser = load_command_class("deploytools", command).create_parser("manage.py", command)
    # The workflow's shell variables, as the runner expands them.
    expanded = [arg.replace("$HEROKU_APP", "weareone") for arg in args]
    return vars(parser.parse_args(expanded))


# -- checks ----------------------------------------------------------------------------------


def preflight_context(base: Path, **fields: Any) -> PreflightContext:
    """A preflight run on the project tree ``base`` (not a git checkout unless it is one)."""
    fields.setdefault("config_vars", {"DJANGO_SETTINGS_MODULE": "weareone.settings"})
    return PreflightContext(project=project_at(base), **fields)


def run_check(name: str, context: Context) -> CheckResult:
    """One catalogued check's report line in ``context``."""
    return run_one(CATALOGUE[name], context)


def run(context: Context, *names: str) -> RunResult:
    """Several catalogued checks, in the order given."""
    return run_checks(context, [CATALOGUE[name] for name in names])


def ids(result: RunResult) -> list[str]:
    """The IDs found, sorted; a crash (E002) fails the test outright."""
    assert "deploytools.E002" not in [m.id for m in result.messages], result.messages
    return sorted(str(m.id) for m in result.messages)


def objs(result: RunResult) -> list[str]:
    return sorted(str(m.obj) for m in result.messages)


def on(day: date) -> dict[str, date]:
    """Context fields that judge support windows on ``day``."""
    return {"today": day}


# -- project trees ---------------------------------------------------------------------------


def pin(name: str) -> str:
    return f"{name}=={metadata.version(name)}"


GOOD_REQUIREMENTS = "\n".join(
    [
        "# production",
        pin("Django"),
        pin("dj-database-url"),
        pin("whitenoise"),
        pin("gunicorn"),
        pin("psycopg2-binary"),
        "",
    ]
)
GOOD_SETTINGS = """\
import os

import dj_database_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DATABASES = {"default": dj_database_url.config()}  # DATABASE_URL from Heroku Postgres
"""
GOOD_FILES: dict[str, str | bytes] = {
    "requirements.txt": GOOD_REQUIREMENTS,
    ".python-version": f"# Heroku's Python\n{LOCAL_PYTHON}\n",
    "Procfile": "web: gunicorn --config gunicorn.conf.py weareone.wsgi\n"
    "release: python manage.py heroku_release\n",
    "app.json": '{"name": "x", "env": {"K": {"generator": "secret"}}, "formation": '
    '{"web": {"quantity": 2, "size": "standard-2x"}}, "addons": ["heroku-postgresql"]}\n',
    ".gitignore": ".env\n.env.*\n!*.example\ndb.sqlite3\n/staticfiles/\n.venv/\n",
    # The project's own packages: what settings.INSTALLED_APPS names locally.
    "weareone/__init__.py": "",
    "weareone/settings.py": GOOD_SETTINGS,
    "deploytools/__init__.py": "",
    "tests/__init__.py": "",
}


def make_project(base: Path, **overrides: str | bytes | None) -> Path:
    """A weareone-like project under ``base``; ``overrides`` maps file names to content."""
    files = dict(GOOD_FILES)
    for key, content in overrides.items():
        # requirements__txt -> requirements.txt, weareone__settings__py -> weareone/settings.py
        *parts, last = key.split("__")
        name = "/".join(parts) + "." + last if parts and last in ("txt", "json", "py") else key
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    for name, content in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return base


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` (raising on failure) and return its stdout."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(root: Path, message: str = "commit") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


# -- the Django settings of weareone, and the corners CI runs -------------------------------


def corner_ids() -> set[str]:
    """
    Findings that are right for this interpreter, not faults of weareone: CI also runs the suite
    on Python 3.11 with Django 5.2 (W207: local Python differs from .python-version; W204:
    installed Django differs from its pin).
    """
    found = set()
    declared = (ROOT / ".python-version").read_text().split()[0]
    if ".".join(declared.split(".")[:2]) != LOCAL_PYTHON:
        found.add("deploytools.W207")
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    if metadata.version("Django") != pins.get("Django"):
        found.add("deploytools.W204")
    return found


def connected(sock: socket.socket) -> bool:
    """Whether a connection arrived at a listener of the ``listeners`` fixture."""
    readable, _w, _x = select.select([sock], [], [], 0.2)
    return bool(readable)


def check_tree(base: Path, *names: str, **fields: Any) -> RunResult:
    """Run catalogued checks on the project tree ``base`` as preflight does."""
    return run(preflight_context(base, **fields), *names)


# -- settings modules for the simulated dyno -------------------------------------------------

EXAMPLE_CONFIG = ROOT / "deploy" / "production.env.example"
SETTINGS_CHECKS = {
    "settings_load",
    "production_database",
    "database_connection_reuse",
    "database_ssl",
    "secret_key_stable",
    "environment_complete",
    "whitenoise_middleware",
    "static_root",
    "static_storage",
    "logging_to_stdout",
    "upload_storage",
    "ssl_redirect_proxy",
    "email_backend",
    "allowed_hosts_wildcard",
}
DYNO_BASE_SETTINGS = """\
import os
import dj_database_url

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "deploytools"]
DATABASES = {
    "default": dj_database_url.config(conn_max_age=600, conn_health_checks=True, ssl_require=True)
}
ALLOWED_HOSTS = [".herokuapp.com"]
USE_TZ = True
"""


def settings_module(folder: Path, name: str, body: str) -> str:
    """Write ``name.py`` in ``folder``: production-ready base settings plus ``body``."""
    import textwrap

    (folder / f"{name}.py").write_text(DYNO_BASE_SETTINGS + textwrap.dedent(body))
    return name


def messages_by_id(result: RunResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in result.messages:
        found.setdefault(str(message.id), []).append(str(message.msg))
    return found


# The files of this project that Heroku's slug holds (and a test's copy of weareone needs).
SLUG_PARTS = (
    "manage.py",
    "weareone",
    "deploytools",
    "Procfile",
    "requirements.txt",
    ".python-version",
    "app.json",
    "gunicorn.conf.py",
)


def copy_weareone(target: Path) -> Path:
    """This project's slug files copied to ``target`` (created): no .git, no .gitignore."""
    import shutil

    target.mkdir()
    for part in SLUG_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    return target


def project_at(folder: Path) -> Project:
    """A project whose root, tree and manage.py folder are all ``folder``."""
    return Project(root=folder, tree=folder, app_dir=folder)
