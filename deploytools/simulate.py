"""
Settings as Heroku will see them: run the settings checks in a child process that looks like a dyno.

A developer's checkout has development settings; checking those says nothing about production.
:func:`start_in_dyno` starts ``python -m deploytools.simulate`` with an environment built by
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
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    # Not at run time: the child imports this module before Django is set up, and the checks
    # package must only be imported after that.
    from django.core.checks import CheckMessage

    from deploytools.checks.run import RunResult

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
)

STATUS_SETTINGS_LOAD = "settings_load"


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
    simulated dyno here, the memory measurement in :mod:`deploytools.capacity`).
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
    from django.utils.translation import gettext as _

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


def child_pythonpath(base_dir: Path) -> str:
    """The project, deploytools (when not installed) and an inherited PYTHONPATH."""
    entries = [str(base_dir)]
    package_parent = str(Path(__file__).resolve().parent.parent)
    installed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    if package_parent not in installed:
        entries.append(package_parent)
    entries.extend(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    return os.pathsep.join(dict.fromkeys(entries))


def dyno_environment(
    config_vars: Mapping[str, str],
    base_dir: Path,
    process_type: str = "web",
    settings_module: str | None = None,
) -> dict[str, str]:
    """
    The environment of a simulated dyno running this project with ``config_vars``.

    Service URLs (see :func:`is_service_url`) keep their scheme, path and query but point at an
    unreachable loopback placeholder with placeholder credentials.
    Without a DATABASE_URL, a placeholder one stands for an attached Heroku Postgres.
    """
    environment = {name: os.environ[name] for name in BASE_VARIABLES if name in os.environ}
    environment.setdefault("LANG", "C.UTF-8")
    environment.update(
        {
            "HOME": str(base_dir),  # /app on a dyno: the project directory
            "PYTHONPATH": child_pythonpath(base_dir),
            "PYTHONUNBUFFERED": "1",
            "DYNO": f"{process_type}.1",
            "PORT": PORT,
            "DATABASE_URL": PLACEHOLDER_DATABASE_URL,
        }
    )
    settings_module = settings_module or _settings_module()
    if settings_module:
        environment["DJANGO_SETTINGS_MODULE"] = settings_module
    for name, value in config_vars.items():
        environment[name] = placeholder_service_url(value) if is_service_url(name, value) else value
    return environment


def _settings_module() -> str | None:
    from django.conf import settings

    from deploytools.checks.settings import settings_module_name

    module = settings_module_name() if settings.configured else None
    return module or os.environ.get("DJANGO_SETTINGS_MODULE")


class DynoRun:
    """A running simulation; :meth:`result` waits for it and returns its report."""

    def __init__(
        self,
        process: subprocess.Popen[bytes] | None,
        stdout: IO[bytes] | None,
        stderr: IO[bytes] | None,
        secrets: set[str],
        timeout: float,
        error: str = "",
    ) -> None:
        self._process = process
        self._stdout = stdout
        self._stderr = stderr
        self._secrets = secrets
        self._timeout = timeout
        self._error = error
        self.database_url_problem: str | None = None
        self._started = time.perf_counter()
        self._result: RunResult | None = None

    def result(self) -> RunResult:
        """Block until the child is done; a crash or timeout becomes an E100 line."""
        if self._result is None:
            self._result = self._collect()
        return self._result

    def _collect(self) -> RunResult:
        from deploytools import redact

        result = self._read()
        if self.database_url_problem:
            add_settings_load_error(result, database_url_error(self.database_url_problem))
        redact.redact_result(result, self._secrets)
        result.seconds = time.perf_counter() - self._started
        return result

    def _read(self) -> RunResult:
        from deploytools import report

        if self._process is None or self._stdout is None or self._stderr is None:
            return settings_load_failed(self._error)
        try:
            code = self._process.wait(timeout=self._timeout)
            self._stdout.seek(0)
            self._stderr.seek(0)
            out = self._stdout.read().decode("utf-8", "replace")
            err = self._stderr.read().decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            return settings_load_failed(
                f"the settings simulation did not finish within {self._timeout:.0f} seconds"
            )
        finally:
            self._stdout.close()
            self._stderr.close()
        try:
            document = json.loads(out)
            if not isinstance(document, dict):
                raise ValueError("not an object")
        except ValueError:
            last = next((line for line in reversed(err.splitlines()) if line.strip()), "")
            return settings_load_failed(
                f"the settings simulation exited with code {code}: "
                + (last.strip()[:300] or "no output")
            )
        return report.from_json(document)


def start_in_dyno(
    config_vars: Mapping[str, str],
    base_dir: Path,
    process_type: str = "web",
    *,
    settings_module: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> DynoRun:
    """
    Start the settings checks in a simulated dyno and return at once.

    Call :meth:`DynoRun.result` to collect the report (Django's deploy checks plus the
    deploytools checks tagged "settings"), with every config var value scrubbed out.
    """
    from deploytools import redact

    environment = dyno_environment(config_vars, base_dir, process_type, settings_module)
    secrets = redact.secret_values(config_vars)
    # Files, not pipes: the child never blocks on a full pipe while the parent works. They
    # outlive this function (DynoRun.result reads and closes them), hence no `with`.
    stdout = tempfile.TemporaryFile()  # noqa: SIM115
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    argv = [sys.executable, "-m", "deploytools.simulate", "--config-names", ",".join(config_vars)]
    try:
        process = subprocess.Popen(
            argv,
            env=environment,
            cwd=base_dir,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    except OSError as exc:
        stdout.close()
        stderr.close()
        run = DynoRun(None, None, None, secrets, timeout, error=f"cannot start {argv[0]}: {exc}")
        run.database_url_problem = database_url_problem(config_vars)
        return run
    run = DynoRun(process, stdout, stderr, secrets, timeout)
    run.database_url_problem = database_url_problem(config_vars)
    return run


def settings_load_failed(reason: str) -> RunResult:
    """A report with one failed check: the settings cannot be loaded (E100)."""
    from django.core import checks
    from django.utils.translation import gettext as _

    from deploytools.checks.run import CheckResult, RunResult
    from deploytools.checks.settings import SETTINGS_LOAD_TITLE

    message = checks.Error(
        _("The settings cannot be loaded with the production config: %(reason)s.")
        % {"reason": reason.rstrip(".")},
        hint=_(
            "Run the settings with the production config vars to see why, e.g. "
            "heroku run python manage.py check --deploy"
        ),
        obj=os.environ.get("DJANGO_SETTINGS_MODULE") or None,
        id="deploytools.E100",
    )
    result = RunResult("preflight")
    result.checks.append(
        CheckResult(
            STATUS_SETTINGS_LOAD,
            str(SETTINGS_LOAD_TITLE),
            ("deploytools", "preflight", "release", "settings"),
            "failed",
            ids=["deploytools.E100"],
            messages=[message],
        )
    )
    return result


def database_url_error(problem: str) -> CheckMessage:
    """E100 for a DATABASE_URL config var that dj-database-url cannot parse."""
    from django.core import checks
    from django.utils.translation import gettext as _

    return checks.Error(
        _("The config var DATABASE_URL cannot be parsed: %(problem)s. A dyno would not boot.")
        % {"problem": problem},
        hint=_(
            "Heroku Postgres sets it as postgres://USER:PASSWORD@HOST:PORT/NAME; fix or "
            "remove it: heroku config:unset DATABASE_URL, then heroku addons:attach"
        ),
        obj="DATABASE_URL",
        id="deploytools.E100",
    )


def add_settings_load_error(result: RunResult, message: CheckMessage) -> None:
    """Fail the settings_load line (E100) of ``result`` with ``message``, adding it if absent."""
    from deploytools.checks.run import CheckResult
    from deploytools.checks.settings import SETTINGS_LOAD_TITLE

    line = next((check for check in result.checks if check.name == STATUS_SETTINGS_LOAD), None)
    if line is None:
        line = CheckResult(
            STATUS_SETTINGS_LOAD,
            str(SETTINGS_LOAD_TITLE),
            ("deploytools", "preflight", "release", "settings"),
            "failed",
        )
        result.checks.insert(0, line)
    line.status = "failed"
    line.detail = ""
    line.messages.append(message)
    if "deploytools.E100" not in line.ids:
        line.ids.append("deploytools.E100")


# -- the child --------------------------------------------------------------------------------


class RecordingEnviron(MutableMapping[str, str]):
    """
    ``os.environ`` stand-in that records each name looked up (``os.getenv`` goes through it).

    Writes go to the wrapped mapping: the real environment while the settings first load in
    the child, a copy of it when :mod:`deploytools.checks.settings` evaluates them again.
    """

    def __init__(self, environ: MutableMapping[str, str], *, callers: bool = False) -> None:
        self._environ = environ
        self.read: dict[str, None] = {}
        # With callers=True: for each name, the files of the code that read it.
        self.callers: dict[str, set[str]] | None = {} if callers else None

    def _record(self, key: str) -> None:
        self.read.setdefault(key)
        if self.callers is not None:
            self.callers.setdefault(key, set()).add(_caller_file())

    def __getitem__(self, key: str) -> str:
        self._record(key)
        return self._environ[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._record(key)
        return key in self._environ

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)

    def __setitem__(self, key: str, value: str) -> None:
        self._environ[key] = value

    def __delitem__(self, key: str) -> None:
        del self._environ[key]

    def setdefault(self, key: str, default: str = "") -> str:
        self._record(key)
        return self._environ.setdefault(key, default)

    def copy(self) -> dict[str, str]:
        return dict(self._environ)


def _caller_file() -> str:
    # The first frame outside os, collections.abc and this module: the code that read.
    skip = {__file__, os.__file__, getattr(sys.modules.get("_collections_abc"), "__file__", "")}
    frame = sys._getframe(1)
    while frame.f_back is not None and (
        frame.f_code.co_filename in skip or frame.f_code.co_filename.startswith("<frozen ")
    ):
        frame = frame.f_back
    return frame.f_code.co_filename


def _project_file(filename: str, base_dir: Path) -> bool:
    """True for a file of the project: under ``base_dir``, not in a virtualenv or deploytools."""
    if not os.path.isabs(filename):
        return False  # <frozen os>, <string>: not a file of the project
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    if not path.is_relative_to(base_dir.resolve()) or "site-packages" in path.parts:
        return False
    if path.is_relative_to(Path(__file__).resolve().parent):
        return False
    installed = {Path(p).resolve() for p in sysconfig.get_paths().values()}
    return not any(path.is_relative_to(prefix) for prefix in installed)


def project_modules(names: set[str], base_dir: Path) -> list[str]:
    """The modules among ``names`` loaded from files of the project at ``base_dir``."""
    local = []
    for name in sorted(names):
        filename = getattr(sys.modules.get(name), "__file__", None)
        if filename and _project_file(filename, base_dir):
            local.append(name)
    return local


def _load_settings_recorded(base_dir: Path) -> dict[str, Any]:
    """
    Import the settings for the first time with ``os.environ`` recorded.

    Returns the options :func:`deploytools.checks.settings.reevaluate_settings` needs: the
    environment as it was before the import (settings may write to it, e.g. with
    ``os.environ.setdefault``), the names read, and the project modules the import pulled in
    (``from base import *`` and the like), which a second evaluation must run again.
    """
    from django.conf import settings

    environ_before = dict(os.environ)
    modules_before = set(sys.modules)
    real_environ = os.environ
    recording = RecordingEnviron(real_environ, callers=True)
    os.environ = recording  # type: ignore[assignment]  # noqa: B003 - restored below
    try:
        # The first attribute read imports the settings module.
        settings.INSTALLED_APPS  # noqa: B018
    finally:
        os.environ = real_environ  # noqa: B003 - the original object, restored
    # Only the project's own reads: the libraries it imports (zoneinfo, sysconfig) read
    # variables of their own that no config needs.
    callers = recording.callers or {}
    reads = [
        name
        for name in recording.read
        if any(_project_file(filename, base_dir) for filename in callers.get(name, ()))
    ]
    return {
        "settings_environ": environ_before,
        "settings_reads": reads,
        "settings_modules": project_modules(set(sys.modules) - modules_before, base_dir),
    }


def _child(config_names: list[str]) -> int:
    """Load the settings, run the checks, print the JSON report on the real stdout."""
    real_stdout = sys.stdout
    # Settings or checks that print must not corrupt the one JSON document on stdout.
    sys.stdout = sys.stderr
    secrets = {os.environ[name] for name in config_names if name in os.environ}
    try:
        document = _child_document(config_names, secrets)
    finally:
        sys.stdout = real_stdout
    from deploytools import redact

    document = redact.redact_document(document, redact.secret_values(None, *secrets))
    real_stdout.write(json.dumps(document, ensure_ascii=False))
    real_stdout.flush()
    return 0


def _child_document(config_names: list[str], secrets: set[str]) -> dict[str, Any]:
    import django

    try:
        recorded = _load_settings_recorded(Path.cwd())
        django.setup()
    except Exception as exc:  # noqa: BLE001 - any failure to load settings is the finding
        from django.conf import settings

        # Translation needs settings and a ready app registry; without them report untranslated.
        with contextlib.suppress(Exception):
            if settings.configured:
                settings.USE_I18N = False
            else:
                settings.configure(USE_I18N=False)
        from deploytools import redact, report

        text = redact.redact(str(exc), redact.secret_values(None, *secrets)).splitlines()
        reason = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
        return report.to_json(settings_load_failed(reason), 1)

    from django.conf import settings

    from deploytools import report
    from deploytools.checks.registry import Context
    from deploytools.checks.run import run_checks, select

    with contextlib.suppress(Exception):
        # A literal SECRET_KEY in the settings is as secret as a config var.
        secrets.add(str(settings.SECRET_KEY))
    secrets.discard("")
    names = [*config_names, "DATABASE_URL"]
    context = Context(
        command="preflight",
        base_dir=Path.cwd(),
        config_vars={name: os.environ[name] for name in names if name in os.environ},
        options={"simulated_dyno": True, **recorded},
    )
    result = run_checks(context, select(["settings"]), include_django=True)
    return report.to_json(result, result.exit_code("ERROR"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    names: list[str] = []
    if len(args) == 2 and args[0] == "--config-names":
        names = [name for name in args[1].split(",") if name]
    return _child(names)


if __name__ == "__main__":
    raise SystemExit(main())
