"""
Settings as Heroku will see them: run the settings checks in a child process that looks like a dyno.

A developer's checkout has development settings; checking those says nothing about production.
:func:`start_in_dyno` starts ``python -m deploytools.facts.dyno_child`` with an environment built by
:func:`dyno_environment` — a minimal base (what this interpreter needs to run), ``DYNO``,
``PORT``, the config vars, and a ``DATABASE_URL`` that can never reach the real database — and
collects its JSON report as a :class:`~deploytools.checks.run.RunResult`.

The child imports the settings (an exception there is ``deploytools.E100``), then runs Django's
own checks at deploy level plus the deploytools checks tagged "settings". Nothing the child
returns holds a config var value: the child scrubs its report, and the parent scrubs it again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from django.utils import translation
from django.utils.translation import gettext as _

from deploytools.facts.project import Project

if TYPE_CHECKING:
    from deploytools.checks.run import RunResult
    from deploytools.facts.production_settings import ProductionSettings

# The placeholder database: PostgreSQL on a loopback port that nothing serves (9 is "discard").
# Nothing in a simulation may ever connect to the app's real database.
PLACEHOLDER_HOST = "127.0.0.1:9"
PLACEHOLDER_AUTH = "placeholder_user:placeholder_password"
PLACEHOLDER_DATABASE_URL = f"postgres://{PLACEHOLDER_AUTH}@{PLACEHOLDER_HOST}/placeholder_db"
PORT = "5000"
TIMEOUT_SECONDS = 120.0

# A value that starts like a URL (scheme://): whatever it points at is a service to keep away from.
_URL_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Names that hold a service's address or credentials even when the value does not look like a URL.
SERVICE_NAME_SUFFIXES = ("_URL", "_URI", "_DSN")
# Pages Heroku's router fetches, not the app: passed through unless they carry credentials.
ROUTER_PAGE_VARS = frozenset({"ERROR_PAGE_URL", "MAINTENANCE_PAGE_URL"})

# What this interpreter needs to run, taken from the developer's environment; nothing else is.
BASE_VARIABLES = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "VIRTUAL_ENV",
    "SYSTEMROOT",
    "PYTHONDONTWRITEBYTECODE",
    # Under a coverage run (the test suite's), the child is measured too; no dyno has these.
    "COVERAGE_PROCESS_START",
    "COVERAGE_PROCESS_CONFIG",
)


def placeholder_service_url(value: str) -> str:
    """``value`` with its user, password, host and port replaced; scheme, path, query kept."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return PLACEHOLDER_DATABASE_URL
    if not parts.netloc:
        # A bare "host:port" or similar under a service name: never pass it through.
        return PLACEHOLDER_HOST if value.strip() and "://" not in value else value
    return urlunsplit(
        (parts.scheme, f"{PLACEHOLDER_AUTH}@{PLACEHOLDER_HOST}", parts.path, parts.query, "")
    )


def is_service_url(name: str, value: str | None) -> bool:
    """
    True for a config var that points at a service: any value with a scheme (postgres://,
    https://user:pw@host, cloudinary://...), or a name ending in _URL, _URI or _DSN — except
    the router's page URLs (ROUTER_PAGE_VARS) without credentials.

    The one rule for every child that runs project code with the app's config vars (the
    simulated dyno here, the memory measurement in :mod:`deploytools.facts.sizing`).
    """
    if name in ROUTER_PAGE_VARS and value is not None and "@" not in value:
        return False
    if value is not None and _URL_VALUE.match(value.strip()):
        return True
    return name.endswith(SERVICE_NAME_SUFFIXES)


def database_url_problem(config_vars: Mapping[str, str]) -> str | None:
    """
    Why dj-database-url cannot parse the config's DATABASE_URL, without quoting any part of it.

    The simulated dyno only ever sees a placeholder URL, so a malformed real one would pass
    there while a real dyno fails to boot. It is parsed here, in the parent, never connected to.
    """
    value = config_vars.get("DATABASE_URL", "").strip()
    if not value:
        return None
    import dj_database_url

    try:
        dj_database_url.parse(value)
    except Exception as exc:  # noqa: BLE001 - any parse failure means the app cannot boot
        return _url_problem_reason(value, exc)
    return None


def _url_problem_reason(value: str, exc: Exception) -> str:
    # Our own words: dj-database-url's and urllib's messages may quote parts of the URL.
    if type(exc).__name__ == "UnknownSchemeError":
        return _("its scheme is not one dj-database-url knows (e.g. postgres://)")
    try:
        parts = urlsplit(value)
    except ValueError:
        return _("it is not a valid URL (the host part is malformed)")
    try:
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        return _("its port is not a number from 0 to 65535")
    return _(
        "it is not a valid URL (%(error)s); a password with special characters must be "
        "percent-encoded"
    ) % {"error": type(exc).__name__}


# ``python -m`` would put the working directory first on sys.path: an exported tree that ships
# its own copy of deploytools would then run instead of this one. So the child drops it and
# imports through PYTHONPATH (this deploytools first, then the project).
CHILD_MAIN = (
    "import runpy, sys; sys.path.pop(0); "
    "runpy.run_module('deploytools.facts.dyno_child', run_name='__main__')"
)


def child_pythonpath(app_dir: Path | None) -> str:
    """deploytools (when not installed), the project (when known), an inherited PYTHONPATH."""
    entries = []
    # The running deploytools judges the project, even when the project ships a copy of it.
    package_parent = str(Path(__file__).resolve().parents[2])
    installed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    if package_parent not in installed:
        entries.append(package_parent)
    if app_dir is not None:
        entries.append(str(app_dir))
    entries.extend(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    return os.pathsep.join(dict.fromkeys(entries))


def dyno_environment(
    config_vars: Mapping[str, str],
    project: Project | None,
    process_type: str = "web",
    settings_module: str | None = None,
) -> dict[str, str]:
    """
    The environment of a simulated dyno running ``project`` with ``config_vars`` (without a
    project yet: the child learns it from :meth:`DynoRun.begin`).

    Service URLs (see :func:`is_service_url`) keep their scheme, path and query but point at an
    unreachable loopback placeholder with placeholder credentials.
    Without a DATABASE_URL, a placeholder one stands for an attached Heroku Postgres.
    """
    environment = {name: os.environ[name] for name in BASE_VARIABLES if name in os.environ}
    environment.setdefault("LANG", "C.UTF-8")
    if project is not None:
        environment["HOME"] = str(project.tree)  # /app on a dyno: the root of what was pushed
        environment.update(export_isolation(project))
    environment.update(
        {
            "PYTHONPATH": child_pythonpath(project.app_dir if project else None),
            "PYTHONUNBUFFERED": "1",
            "DYNO": f"{process_type}.1",
            "PORT": PORT,
            "DATABASE_URL": PLACEHOLDER_DATABASE_URL,
        }
    )
    # Without a project yet, the settings module comes with it (DynoRun.begin).
    settings_module = settings_module or (_settings_module() if project is not None else None)
    if settings_module:
        environment["DJANGO_SETTINGS_MODULE"] = settings_module
    for name, value in config_vars.items():
        environment[name] = placeholder_service_url(value) if is_service_url(name, value) else value
    return environment


def export_isolation(project: Project) -> dict[str, str]:
    """
    What keeps a process running an exported commit's code from seeing more than a slug has:
    git finds no repository above the export (a slug has no .git; settings that ask git for
    the commit must fail here as they would there), and bytecode is written beside the tree.
    Nothing for the working tree itself (a checkout without commits).
    """
    from deploytools.facts.project import bytecode_folder

    if project.tree == project.root:
        return {}
    return {
        "GIT_CEILING_DIRECTORIES": str(project.tree.parent),
        "PYTHONPYCACHEPREFIX": str(bytecode_folder(project.tree)),
    }


def startup_variables(config_vars: Mapping[str, str]) -> dict[str, str]:
    """The config vars Python reads when it starts (PYTHONHASHSEED, PYTHONWARNINGS, LANG, ...)."""
    return {
        name: value
        for name, value in config_vars.items()
        if name.startswith(("PYTHON", "LC_")) or name == "LANG"
    }


def _settings_module() -> str | None:
    from django.conf import settings

    from deploytools.facts.settings_values import settings_module_name

    module = settings_module_name() if settings.configured else None
    return module or os.environ.get("DJANGO_SETTINGS_MODULE")


class DynoRun:
    """A running simulation; :meth:`result` waits for it and returns its report."""

    def __init__(
        self,
        command: str,
        project: Project | None,
        process: subprocess.Popen[bytes] | None,
        output: tuple[IO[bytes], IO[bytes]] | None,
        secrets: set[str],
        timeout: float,
        error: str = "",
    ) -> None:
        self._command = command
        self.project = project
        self._process = process
        self._output = output
        self._secrets = secrets
        self._timeout = timeout
        self._error = error
        self._process_type = "web"
        self.database_url_problem: str | None = None
        self._started = time.perf_counter()
        self._result: RunResult | None = None
        self._document: dict[str, Any] = {}

    def begin(
        self,
        project: Project,
        config_vars: Mapping[str, str],
        settings_module: str | None,
        build_packages: Iterable[str],
    ) -> None:
        """
        Tell a child started by :func:`spawn_dyno` what to load: it has imported Django
        meanwhile, and now takes the app's config vars as its environment and loads the
        settings of ``project.tree``. The config travels on the child's stdin, never in its
        argv (which any user of the machine can read).
        """
        from deploytools import redact

        self.project = project
        self._started = time.perf_counter()
        self._secrets = redact.secret_values(config_vars)
        self.database_url_problem = database_url_problem(config_vars)
        startup = startup_variables(config_vars)
        if startup and self._process is not None:
            # The waiting process started without them, and Python reads them only when it
            # starts: a new one takes its place.
            self.abandon()
            fresh = _spawn(self._command, self._process_type, self._timeout, startup)
            self._process, self._output, self._error = fresh._process, fresh._output, fresh._error
        if self._process is None or self._process.stdin is None:
            return
        message = {
            "config": {
                name: placeholder_service_url(value) if is_service_url(name, value) else value
                for name, value in config_vars.items()
            },
            "language": translation.get_language() or "",
            "root": str(project.root),
            "tree": str(project.tree),
            "app_dir": str(project.app_dir),
            "home": str(project.tree),
            "isolation": export_isolation(project),
            "pythonpath": child_pythonpath(project.app_dir),
            "settings_module": settings_module or _settings_module() or "",
            "build_packages": sorted(build_packages),
        }
        with contextlib.suppress(OSError):  # a child that died is reported by result()
            self._process.stdin.write(json.dumps(message).encode() + b"\n")
            self._process.stdin.close()

    def abandon(self) -> None:
        """Stop a child that will get no project (the export failed, the command ended)."""
        process, output, self._process, self._output = self._process, self._output, None, None
        if process is not None:
            with contextlib.suppress(OSError):
                if process.stdin is not None:
                    process.stdin.close()
                process.kill()
                process.wait()
        if output is not None:
            for stream in output:
                stream.close()

    def result(self) -> RunResult:
        """Block until the child is done; a crash or timeout becomes an E100 line."""
        if self._result is None:
            self._result = self._collect()
        return self._result

    def production_settings(self) -> ProductionSettings | None:
        """The production settings' facts the child sent (None: they did not load)."""
        from deploytools.facts.production_settings import ProductionSettings

        self.result()
        found = self._document.get("production_settings")
        return ProductionSettings.from_json(found) if isinstance(found, dict) else None

    def stand_ins(self) -> list[str]:
        """The modules that stood in for packages the build installs but this machine lacks."""
        self.result()
        found = self._document.get("stand_ins")
        return [str(name) for name in found] if isinstance(found, list) else []

    def missing_module(self) -> str | None:
        """The module whose import stopped the settings from loading, if one did."""
        self.result()
        found = self._document.get("import_error")
        module = found.get("module") if isinstance(found, dict) else None
        return str(module) if module else None

    def _collect(self) -> RunResult:
        from deploytools import redact
        from deploytools.checks.settings_database import add_settings_load_error

        result = self._read()
        if self.database_url_problem:
            add_settings_load_error(result, self.database_url_problem)
        redact.redact_result(result, self._secrets)
        result.seconds = time.perf_counter() - self._started
        return result

    def _failed(self, reason: str) -> RunResult:
        from deploytools.checks.settings_database import settings_load_failed

        return settings_load_failed(reason, self._command)

    def _read(self) -> RunResult:
        from deploytools.report.document import from_json

        if self._process is None or self._output is None:
            return self._failed(self._error)
        stdout, stderr = self._output
        try:
            code = self._process.wait(timeout=self._timeout)
            stdout.seek(0)
            stderr.seek(0)
            out = stdout.read().decode("utf-8", "replace")
            err = stderr.read().decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            return self._failed(
                _("the settings simulation did not finish within %(seconds).0f seconds")
                % {"seconds": self._timeout}
            )
        finally:
            stdout.close()
            stderr.close()
        try:
            document = json.loads(out)
            if not isinstance(document, dict):
                raise ValueError("not an object")
        except ValueError:
            last = next((line for line in reversed(err.splitlines()) if line.strip()), "")
            return self._failed(
                _("the settings simulation exited with code %(code)s: %(last)s")
                % {"code": code, "last": last.strip()[:300] or _("no output")}
            )
        self._document = document
        # Its lines are read against the declarations of the checks the child ran (their
        # tags, their ID order): a command that runs none of them itself imports them now.
        from deploytools.checks.registry import load_catalogue

        load_catalogue(["settings"])
        return from_json(document)


def spawn_dyno(
    *, command: str = "preflight", process_type: str = "web", timeout: float = TIMEOUT_SECONDS
) -> DynoRun:
    """
    Start a simulated dyno's process now, before the project and its config are known: it
    imports Django while the caller reads the config and exports the commit, then waits for
    :meth:`DynoRun.begin`. The one :func:`spawn_early` started, if any, is taken first.
    """
    global _early
    early, _early = _early, None
    if early is not None and (early._command, early._process_type) == (command, process_type):
        early._timeout = timeout
        return early
    if early is not None:
        early.abandon()
    return _spawn(command, process_type, timeout, {})


def _spawn(command: str, process_type: str, timeout: float, startup: Mapping[str, str]) -> DynoRun:
    """A child that imports Django, then waits for its project on stdin."""
    environment = {**dyno_environment({}, None, process_type), **startup}
    # Files, not pipes: the child never blocks on a full pipe while the parent works. They
    # outlive this function (DynoRun.result reads and closes them), hence no `with`.
    stdout = tempfile.TemporaryFile()  # noqa: SIM115
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    argv = [sys.executable, "-c", CHILD_MAIN, f"--command={command}", "--wait"]
    try:
        process = subprocess.Popen(
            argv, env=environment, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr
        )
    except OSError as exc:
        stdout.close()
        stderr.close()
        error = _("cannot start %(program)s: %(why)s") % {
            "program": argv[0],
            "why": exc.strerror or type(exc).__name__,
        }
        run = DynoRun(command, None, None, None, set(), timeout, error=error)
    else:
        run = DynoRun(command, None, process, (stdout, stderr), set(), timeout)
    run._process_type = process_type
    return run


_early: DynoRun | None = None


def spawn_early(command: str) -> None:
    """
    Start ``command``'s simulated dyno before Django is even set up (from manage.py's entry
    point), so its start overlaps the parent's; a process nobody takes is stopped at exit.
    """
    import atexit

    global _early
    if _early is None:
        _early = spawn_dyno(command=command)
        atexit.register(_stop_early)


def _stop_early() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        early.abandon()


def start_in_dyno(
    config_vars: Mapping[str, str],
    project: Project,
    *,
    command: str = "preflight",
    process_type: str = "web",
    settings_module: str | None = None,
    build_packages: Iterable[str] = (),
    timeout: float = TIMEOUT_SECONDS,
) -> DynoRun:
    """
    Start the settings checks of ``project`` in a simulated dyno and return at once.

    Call :meth:`DynoRun.result` to collect the report (Django's deploy checks plus the
    deploytools checks tagged "settings"), with every secret scrubbed out.
    """
    run = spawn_dyno(command=command, process_type=process_type, timeout=timeout)
    run.begin(project, config_vars, settings_module, build_packages)
    return run
