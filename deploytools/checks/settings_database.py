"""
E100–W104: the production settings load, and their database (tags preflight, release, settings).

Each settings check reads ``django.conf.settings`` in this process. ``preflight`` runs them in a
child process that simulates a dyno (:mod:`deploytools.facts.dyno`); ``heroku_release`` and
``manage.py check --deploy`` on a dyno run them directly, where this process's environment is
the production one. No check prints a setting's value that could be secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import CATALOGUE, Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts.settings_values import settings_module_name, unreadable_settings

if TYPE_CHECKING:
    from deploytools.checks.run import CheckResult, RunResult
    from deploytools.facts.package_manager import BuildPackages
    from deploytools.facts.project import Project

TAGS = ["preflight", "release", "settings"]
SETTINGS_LOAD_TITLE = gettext_lazy("Settings load with the production config")

POSTGRES_MARKERS = ("postgres", "postgis", "psycopg")
SSL_REQUIRED_MODES = frozenset({"require", "verify-ca", "verify-full"})

UNREADABLE_HINTS = {
    "SECRET_KEY": gettext_lazy(
        "An empty config var counts as set, so the settings' fallback never applies. Give "
        "the config var the settings read SECRET_KEY from a value, e.g. "
        "heroku config:set DJANGO_SECRET_KEY=$(openssl rand -base64 48)"
    ),
}
DEFAULT_UNREADABLE_HINT = gettext_lazy(
    "Fix the config var the setting is read from, then run: heroku run python manage.py check "
    "--deploy"
)


def _databases() -> dict[str, Mapping[str, Any]]:
    databases = getattr(settings, "DATABASES", {}) or {}
    found = {
        alias: config
        for alias, config in databases.items()
        if isinstance(config, Mapping)
        and str(config.get("ENGINE", "")) not in ("", "django.db.backends.dummy")
    }
    if not found:
        raise Skipped(_("no database is configured"))
    return found


def _engine(config: Mapping[str, Any]) -> str:
    return str(config.get("ENGINE", ""))


def _is_postgres(engine: str) -> bool:
    return any(marker in engine.lower() for marker in POSTGRES_MARKERS)


@check(
    name="settings_load",
    title=SETTINGS_LOAD_TITLE,
    ids={"E100": gettext_lazy("the settings cannot be loaded with the production config")},
    tags=TAGS,
)
def check_settings_load(context: Context) -> Messages:
    """
    E100: the settings module imports under the production config (the child reports an
    import failure) and the settings Django validates on read can be read.
    """
    context.evidence(settings_module_name() or _("settings.configure()"))
    return [
        checks.Error(
            _(
                "The settings load, but reading settings.%(name)s raises %(error)s: the app "
                "would not boot with the production config."
            )
            % {"name": name, "error": error},
            hint=str(UNREADABLE_HINTS.get(name, DEFAULT_UNREADABLE_HINT)),
            obj=f"settings.{name}",
            id="deploytools.E100",
        )
        for name, error in unreadable_settings().items()
    ]


@check(
    name="production_database",
    title=gettext_lazy("Production database is PostgreSQL"),
    ids={
        "E102": gettext_lazy(
            "production database is not PostgreSQL (SQLite on Heroku's ephemeral disk loses data)"
        )
    },
    tags=TAGS,
)
def check_production_database(context: Context) -> Messages:
    """E102: every configured database is PostgreSQL (SQLite on a dyno's disk loses data)."""
    errors: Messages = []
    for alias, config in _databases().items():
        engine = _engine(config)
        context.evidence(f"{alias}: {engine.rsplit('.', 1)[-1]}")
        if not _is_postgres(engine):
            errors.append(
                checks.Error(
                    _("The %(alias)s database uses %(engine)s, not PostgreSQL.")
                    % {"alias": alias, "engine": engine},
                    hint=_(
                        "A dyno's disk is wiped at every restart and deploy. Attach Heroku "
                        "Postgres and read it from DATABASE_URL: heroku addons:create "
                        "heroku-postgresql:standard-0, and DATABASES = "
                        "{'default': dj_database_url.config()}"
                    ),
                    obj=f"settings.DATABASES[{alias!r}]['ENGINE']",
                    id="deploytools.E102",
                )
            )
    return errors


@check(
    name="database_connection_reuse",
    title=gettext_lazy("Database connections are persistent and health-checked"),
    ids={"W103": gettext_lazy("`CONN_MAX_AGE` 0, or >0 without `CONN_HEALTH_CHECKS`")},
    tags=TAGS,
)
def check_database_connection_reuse(context: Context) -> Messages:
    """W103: CONN_MAX_AGE > 0 (no connect per request) together with CONN_HEALTH_CHECKS."""
    warnings: Messages = []
    servers = {a: c for a, c in _databases().items() if "sqlite" not in _engine(c)}
    if not servers:
        raise Skipped(_("no database server is configured"))
    for alias, config in servers.items():
        max_age = config.get("CONN_MAX_AGE", 0)
        health = bool(config.get("CONN_HEALTH_CHECKS", False))
        context.evidence(f"{alias}: CONN_MAX_AGE={max_age}, CONN_HEALTH_CHECKS={health}")
        obj = f"settings.DATABASES[{alias!r}]"
        if max_age == 0:
            warnings.append(
                checks.Warning(
                    _("The %(alias)s database opens a new connection for every request.")
                    % {"alias": alias},
                    hint=_(
                        "Each connection to Heroku Postgres costs a TLS handshake. Set "
                        "CONN_MAX_AGE=600 and CONN_HEALTH_CHECKS=True, e.g. "
                        "dj_database_url.config(conn_max_age=600, conn_health_checks=True)"
                    ),
                    obj=obj,
                    id="deploytools.W103",
                )
            )
        elif not health:
            warnings.append(
                checks.Warning(
                    _(
                        "The %(alias)s database keeps connections open without health "
                        "checks: a connection closed by the server fails the next request."
                    )
                    % {"alias": alias},
                    hint=_(
                        "Heroku Postgres maintenance and failovers close connections. Set "
                        "CONN_HEALTH_CHECKS=True, e.g. dj_database_url.config(conn_max_age=600, "
                        "conn_health_checks=True)"
                    ),
                    obj=obj,
                    id="deploytools.W103",
                )
            )
    return warnings


@check(
    name="database_ssl",
    title=gettext_lazy("Database connections require SSL"),
    ids={"W104": gettext_lazy("database SSL not required")},
    tags=TAGS,
)
def check_database_ssl(context: Context) -> Messages:
    """W104: PostgreSQL connections use sslmode require (or verify-ca/verify-full)."""
    warnings: Messages = []
    postgres = {a: c for a, c in _databases().items() if _is_postgres(_engine(c))}
    if not postgres:
        raise Skipped(_("no PostgreSQL database is configured"))
    for alias, config in postgres.items():
        options = config.get("OPTIONS") or {}
        mode = str(options.get("sslmode", "")) if isinstance(options, Mapping) else ""
        context.evidence(f"{alias}: sslmode=" + (mode or _("unset")))
        if mode not in SSL_REQUIRED_MODES:
            warnings.append(
                checks.Warning(
                    _("The %(alias)s database does not require SSL (sslmode is %(mode)s).")
                    % {"alias": alias, "mode": mode or _("unset")},
                    hint=_(
                        "Without it the connection may fall back to plain text. Set "
                        "DATABASES[%(alias)r]['OPTIONS']['sslmode'] = 'require', e.g. "
                        "dj_database_url.config(ssl_require=True)"
                    )
                    % {"alias": alias},
                    obj=f"settings.DATABASES[{alias!r}]['OPTIONS']",
                    id="deploytools.W104",
                )
            )
    return warnings


# -- E100 when the simulated dyno could not report at all -------------------------------------


def _settings_load_line(command: str) -> CheckResult:
    from deploytools.checks.run import FAILED, CheckResult

    spec = CATALOGUE["settings_load"]
    return CheckResult(spec.name, str(spec.title), spec.tags, FAILED, ids=["deploytools.E100"])


def settings_load_failed(reason: str, command: str) -> RunResult:
    """A report with one failed line: the settings cannot be loaded (E100), and why."""
    from deploytools.checks.run import RunResult

    line = _settings_load_line(command)
    line.messages.append(
        checks.Error(
            _("The settings cannot be loaded with the production config: %(reason)s.")
            % {"reason": reason.rstrip(".")},
            hint=_(
                "Run the settings with the production config vars to see why, e.g. "
                "heroku run python manage.py check --deploy"
            ),
            obj=os.environ.get("DJANGO_SETTINGS_MODULE") or None,
            id="deploytools.E100",
        )
    )
    return RunResult(command, [line])


def add_settings_load_error(result: RunResult, problem: str) -> None:
    """
    Fail the settings_load line (E100) of ``result`` for a DATABASE_URL config var that
    dj-database-url cannot parse (``problem``, from :func:`~deploytools.facts.dyno.
    database_url_problem`): the simulated dyno only ever saw a placeholder URL.
    """
    line = next((found for found in result.checks if found.name == "settings_load"), None)
    if line is None:
        line = _settings_load_line(result.command)
        result.checks.insert(0, line)
    line.status = "failed"
    line.detail = ""
    line.messages.append(
        checks.Error(
            _("The config var DATABASE_URL cannot be parsed: %(problem)s. A dyno would not boot.")
            % {"problem": problem},
            hint=_(
                "Heroku Postgres sets it as postgres://USER:PASSWORD@HOST:PORT/NAME; fix or "
                "remove it: heroku config:unset DATABASE_URL, then heroku addons:attach"
            ),
            obj="DATABASE_URL",
            id="deploytools.E100",
        )
    )
    if "deploytools.E100" not in line.ids:
        line.ids.append("deploytools.E100")


def _module_paths(module: str, folder: Path) -> list[Path]:
    relative = Path(*module.split("."))
    return [folder / relative.with_suffix(".py"), folder / relative / "__init__.py"]


def explain_missing_module(
    result: RunResult, module: str, project: Project, packages: BuildPackages
) -> None:
    """
    Say precisely why the settings did not load for a missing module ``module``: a file of the
    checkout that the commit does not hold (Heroku will not have it either: E100), or a package
    the build installs that this environment lacks (not a finding: what was not checked, and
    how to install it here). A module nothing provides stays the E100 it is.
    """
    import importlib.util

    from deploytools.facts.installed import distribution_candidates

    line = next((found for found in result.checks if found.name == "settings_load"), None)
    if line is None:
        return
    for path in _module_paths(module, project.app_dir):
        local = project.in_checkout(path)
        if project.tree != project.root and local.is_file() and not path.exists():
            shown = project.relative(path)
            line.messages = [
                checks.Error(
                    _(
                        "The settings import %(module)s (%(file)s), which is not committed: "
                        "Heroku will not have it, and no dyno would boot."
                    )
                    % {"module": module, "file": shown},
                    hint=_(
                        "Production must not need a local file: make the import optional "
                        "(try: ... except ImportError: pass), or move what production needs "
                        "into a committed module that reads config vars"
                    ),
                    obj=shown,
                    id="deploytools.E100",
                )
            ]
            return
    provided = [name for name in distribution_candidates(module) if name in packages.pins]
    top = module.split(".")[0]
    if provided and importlib.util.find_spec(top) is None:
        pin = packages.pins[provided[0]]
        line.status, line.ids, line.messages = "skipped", [], []
        line.detail = _(
            "not checked here: the settings import %(module)s, which the build installs "
            "(%(package)s, %(source)s) but this environment lacks, so no settings check ran; "
            "install the build's packages here: %(command)s"
        ) % {
            "module": top,
            "package": pin.name,
            "source": pin.source,
            "command": packages.install_command,
        }


def note_stand_ins(result: RunResult, modules: list[str], packages: BuildPackages) -> None:
    """Say on the settings line which modules stood in, so what they compute is known unchecked."""
    if not modules:
        return
    line = next((found for found in result.checks if found.name == "settings_load"), None)
    if line is None:
        return
    note = _(
        "evaluated with stand-ins for %(modules)s (the build installs them, this environment "
        "does not): what the settings compute with them was not checked; install the build's "
        "packages here: %(command)s"
    ) % {"modules": ", ".join(modules), "command": packages.install_command}
    line.detail = "; ".join(filter(None, [line.detail, note]))
