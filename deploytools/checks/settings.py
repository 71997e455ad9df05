"""
1xx: production settings (tags preflight, release, settings).

Each check reads ``django.conf.settings`` in this process. ``preflight`` runs them in a child
process that simulates a dyno (:mod:`deploytools.simulate`); ``heroku_release`` and
``manage.py check --deploy`` on a dyno run them directly, where this process's environment is
the production one. No check prints a setting's value that could be secret.
"""

from __future__ import annotations

import ast
import os
import shlex
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from deploytools.checks.registry import Context, Messages, Skipped, context_of, deploytools_check
from deploytools.conf import conf

TAGS = ["preflight", "release", "settings"]
SETTINGS_LOAD_TITLE = gettext_lazy("Settings load with the production config")

# Set by Heroku (the platform or the Python buildpack) on every dyno; reading them is never a gap
# in the config. DATABASE_URL is not here: it exists only when Postgres is attached.
HEROKU_DYNO_VARIABLES = frozenset(
    {
        "DYNO",
        "PORT",
        "HOME",
        "PATH",
        "PWD",
        "LANG",
        "SHELL",
        "TERM",
        "PYTHONHOME",
        "PYTHONPATH",
        "PYTHONUNBUFFERED",
        "LD_LIBRARY_PATH",
        "LIBRARY_PATH",
        "WEB_CONCURRENCY",
        "DYNO_RAM",
        "FORWARDED_ALLOW_IPS",
        "GUNICORN_CMD_ARGS",
        "DJANGO_SETTINGS_MODULE",
    }
)
POSTGRES_MARKERS = ("postgres", "postgis", "psycopg")
SSL_REQUIRED_MODES = frozenset({"require", "verify-ca", "verify-full"})
FILE_HANDLERS = frozenset(
    {
        "logging.FileHandler",
        "logging.handlers.RotatingFileHandler",
        "logging.handlers.TimedRotatingFileHandler",
        "logging.handlers.WatchedFileHandler",
    }
)
UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "console",
    "django.core.mail.backends.locmem.EmailBackend": "locmem",
    "django.core.mail.backends.dummy.EmailBackend": "dummy",
    "django.core.mail.backends.filebased.EmailBackend": "filebased",
}
# Settings django.conf.LazySettings validates when read (an empty SECRET_KEY raises).
VALIDATED_ON_READ = ("SECRET_KEY",)
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
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
ROUTER_PROTO_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Servers that honour --forwarded-allow-ips / FORWARDED_ALLOW_IPS for X-Forwarded-Proto.
PROXY_AWARE_SERVERS = ("gunicorn", "uvicorn")


def settings_module_name() -> str | None:
    """settings.SETTINGS_MODULE, also under override_settings (which hides it)."""
    from django.conf import UserSettingsHolder

    wrapped: Any = getattr(settings, "_wrapped", None)
    while isinstance(wrapped, UserSettingsHolder) and "SETTINGS_MODULE" not in vars(wrapped):
        wrapped = wrapped.default_settings
    module = getattr(wrapped, "SETTINGS_MODULE", None)
    return str(module) if module else None


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


def unreadable_settings() -> dict[str, str]:
    """
    Settings that load but raise when read, with why (the exception's type and Django's text).

    Django validates some settings only when they are read (an empty SECRET_KEY raises
    ImproperlyConfigured): the module imports, yet the app fails at its first request or
    command. Only ImproperlyConfigured's text is kept: Django words it without the value.
    """
    from django.core.exceptions import ImproperlyConfigured

    found: dict[str, str] = {}
    for name in VALIDATED_ON_READ:
        try:
            getattr(settings, name, None)
        except ImproperlyConfigured as exc:
            found[name] = f"ImproperlyConfigured: {exc}".rstrip(": ")
        except Exception as exc:  # noqa: BLE001 - any failure to read it is the finding
            found[name] = type(exc).__name__
    return found


def readable_setting(name: str, default: Any = None) -> Any:
    """settings.NAME, or ``default`` when reading it raises (E100 reports that)."""
    try:
        return getattr(settings, name, default)
    except Exception:  # noqa: BLE001 - see unreadable_settings
        return default


@deploytools_check(name="settings_load", title=SETTINGS_LOAD_TITLE, ids=["E100"], tags=TAGS)
def check_settings_load(app_configs: Any = None, **kwargs: Any) -> Messages:
    """
    E100: the settings module imports under the production config (the child reports an
    import failure) and the settings Django validates on read can be read.
    """
    context = context_of(kwargs)
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


@deploytools_check(
    name="production_database",
    title=gettext_lazy("Production database is PostgreSQL"),
    ids=["E102"],
    tags=TAGS,
)
def check_production_database(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E102: every configured database is PostgreSQL (SQLite on a dyno's disk loses data)."""
    context = context_of(kwargs)
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


@deploytools_check(
    name="database_connection_reuse",
    title=gettext_lazy("Database connections are persistent and health-checked"),
    ids=["W103"],
    tags=TAGS,
)
def check_database_connection_reuse(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W103: CONN_MAX_AGE > 0 (no connect per request) together with CONN_HEALTH_CHECKS."""
    context = context_of(kwargs)
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


@deploytools_check(
    name="database_ssl",
    title=gettext_lazy("Database connections require SSL"),
    ids=["W104"],
    tags=TAGS,
)
def check_database_ssl(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W104: PostgreSQL connections use sslmode require (or verify-ca/verify-full)."""
    context = context_of(kwargs)
    warnings: Messages = []
    postgres = {a: c for a, c in _databases().items() if _is_postgres(_engine(c))}
    if not postgres:
        raise Skipped(_("no PostgreSQL database is configured"))
    for alias, config in postgres.items():
        options = config.get("OPTIONS") or {}
        mode = str(options.get("sslmode", "")) if isinstance(options, Mapping) else ""
        context.evidence(f"{alias}: sslmode={mode or _('unset')}")
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


# -- E105 / W106: evaluate the settings module again, recording the environment it reads ------


class Reevaluation:
    """The outcome of running the settings module once more: its namespace and the names read."""

    def __init__(self, namespace: dict[str, Any], read: list[str]) -> None:
        self.namespace = namespace
        self.read = read


def _modules_to_reload(module: str, context: Context) -> list[str]:
    local = context.options.get("settings_modules")
    if isinstance(local, list):
        # The simulated dyno noted every project module the first import pulled in
        # (``from base import *`` from anywhere in the project): all of them run again.
        return list(dict.fromkeys([module, *map(str, local)]))
    # In process the settings were imported before deploytools ran: best effort, a settings
    # package (proj/settings/{base,production}.py) whose siblings hold the env reads.
    package = module.rpartition(".")[0]
    reload = [module]
    if package.rpartition(".")[2] in {"settings", "config", "conf"}:
        reload += [name for name in list(sys.modules) if name.startswith(package + ".")]
    return list(dict.fromkeys(reload))


def _environment_before(context: Context) -> dict[str, str]:
    # A copy, never the live os.environ: the first evaluation may have written to it
    # (SECRET_KEY = os.environ.setdefault("K", random)), and a second one must not.
    recorded = context.options.get("settings_environ")
    if isinstance(recorded, Mapping):
        return {str(name): str(value) for name, value in recorded.items()}
    return dict(os.environ)


def reevaluate_settings(context: Context) -> Reevaluation:
    """
    Run settings.SETTINGS_MODULE again, with its project modules, against a recording copy of
    the environment as it was before the settings first loaded (memoised per run).
    """

    def compute() -> Reevaluation | Skipped:
        import runpy

        from deploytools.simulate import RecordingEnviron

        module = settings_module_name()
        if not module:
            return Skipped(_("the settings come from settings.configure(), not a module"))
        saved = {
            name: sys.modules[name]
            for name in _modules_to_reload(module, context)
            if name in sys.modules
        }
        before = set(sys.modules)
        real_environ = os.environ
        recording = RecordingEnviron(_environment_before(context))
        os.environ = recording  # type: ignore[assignment]  # noqa: B003 - restored below
        try:
            for name in saved:
                del sys.modules[name]
            namespace = runpy.run_module(module, run_name=module)
        except Exception as exc:  # noqa: BLE001 - a settings module can raise anything
            return Skipped(
                _("evaluating %(module)s again raised %(error)s")
                % {"module": module, "error": type(exc).__name__}
            )
        finally:
            os.environ = real_environ  # noqa: B003 - the original object, restored
            for name in set(sys.modules) - before:
                del sys.modules[name]
            sys.modules.update(saved)
        first = context.options.get("settings_reads")
        read = [*map(str, first), *recording.read] if isinstance(first, list) else recording.read
        return Reevaluation(namespace, list(dict.fromkeys(read)))

    outcome = context.memo("settings_reevaluation", compute)
    if isinstance(outcome, Skipped):
        raise Skipped(outcome.reason)
    assert isinstance(outcome, Reevaluation)
    return outcome


@deploytools_check(
    name="secret_key_stable",
    title=gettext_lazy("SECRET_KEY is the same at every boot"),
    ids=["E105"],
    tags=TAGS,
)
def check_secret_key_stable(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E105: evaluating the settings again gives the same SECRET_KEY (compared, never shown)."""
    context = context_of(kwargs)
    if "SECRET_KEY" in unreadable_settings():
        raise Skipped(_("settings.SECRET_KEY cannot be read (see E100)"))
    fresh = reevaluate_settings(context).namespace.get("SECRET_KEY")
    if fresh == getattr(settings, "SECRET_KEY", None):
        context.evidence(_("same value on a second evaluation"))
        return []
    return [
        checks.Error(
            _("SECRET_KEY changes each time the settings are evaluated."),
            hint=_(
                "A key generated at boot logs every user out and breaks signed links at each "
                "restart, and differs between dynos. Read it from a config var: "
                "heroku config:set DJANGO_SECRET_KEY=$(openssl rand -base64 48), and "
                "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']"
            ),
            obj="settings.SECRET_KEY",
            id="deploytools.E105",
        )
    ]


@deploytools_check(
    name="environment_complete",
    title=gettext_lazy("Every environment variable the settings read is in the config"),
    ids=["W106"],
    tags=TAGS,
)
def check_environment_complete(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W106: names the settings read that the production config lacks (they use a default)."""
    context = context_of(kwargs)
    read = reevaluate_settings(context).read
    production = context.environ
    ignored = HEROKU_DYNO_VARIABLES | conf.optional_env_vars
    missing = sorted(name for name in read if name not in production and name not in ignored)
    context.evidence(
        _("%(read)d variables read, %(missing)d missing")
        % {"read": len(read), "missing": len(missing)}
    )
    if not missing:
        return []
    first = missing[0]
    return [
        checks.Warning(
            _(
                "The settings read environment variables missing from the production "
                "config: %(names)s."
            )
            % {"names": ", ".join(missing)},
            hint=_(
                "Each silently falls back to its default. Set them (heroku config:set "
                "%(name)s=...) or list the optional ones in "
                "settings.DEPLOYTOOLS['OPTIONAL_ENV_VARS']"
            )
            % {"name": first},
            obj=settings_module_name() or "settings",
            id="deploytools.W106",
        )
    ]


# -- static files ------------------------------------------------------------------------------


def _uses_staticfiles() -> bool:
    return "django.contrib.staticfiles" in getattr(settings, "INSTALLED_APPS", [])


@deploytools_check(
    name="whitenoise_middleware",
    title=gettext_lazy("WhiteNoise serves static files, right after SecurityMiddleware"),
    ids=["W107"],
    tags=TAGS,
)
def check_whitenoise_middleware(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W107: WhiteNoiseMiddleware is in MIDDLEWARE, directly after SecurityMiddleware."""
    context = context_of(kwargs)
    if not _uses_staticfiles():
        raise Skipped(_("django.contrib.staticfiles is not installed"))
    middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    hint = _(
        "Heroku serves no static files itself. Put %(whitenoise)s in settings.MIDDLEWARE "
        "directly after %(security)s (pip install whitenoise)"
    ) % {"whitenoise": WHITENOISE_MIDDLEWARE, "security": SECURITY_MIDDLEWARE}
    if WHITENOISE_MIDDLEWARE not in middleware:
        return [
            checks.Warning(
                _("WhiteNoise middleware is missing: nothing serves static files on Heroku."),
                hint=hint,
                obj="settings.MIDDLEWARE",
                id="deploytools.W107",
            )
        ]
    position = middleware.index(WHITENOISE_MIDDLEWARE)
    expected = middleware.index(SECURITY_MIDDLEWARE) + 1 if SECURITY_MIDDLEWARE in middleware else 0
    context.evidence(_("MIDDLEWARE[%d]") % position)
    if position != expected:
        return [
            checks.Warning(
                _(
                    "WhiteNoise middleware is at position %(position)d of MIDDLEWARE, not right "
                    "after SecurityMiddleware: static requests run the middleware above it."
                )
                % {"position": position},
                hint=hint,
                obj="settings.MIDDLEWARE",
                id="deploytools.W107",
            )
        ]
    return []


@deploytools_check(
    name="static_root",
    title=gettext_lazy("STATIC_ROOT is set"),
    ids=["E108"],
    tags=TAGS,
)
def check_static_root(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E108: STATIC_ROOT is set, or Heroku's build fails at collectstatic."""
    context = context_of(kwargs)
    if not _uses_staticfiles():
        raise Skipped(_("django.contrib.staticfiles is not installed"))
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        context.evidence(str(Path(root).name))
        return []
    return [
        checks.Error(
            _("STATIC_ROOT is not set: Heroku's build runs collectstatic, which needs it."),
            hint=_('Set STATIC_ROOT = BASE_DIR / "staticfiles" in the settings'),
            obj="settings.STATIC_ROOT",
            id="deploytools.E108",
        )
    ]


def _storage_backend(alias: str) -> str:
    storages = getattr(settings, "STORAGES", {}) or {}
    config = storages.get(alias) or {}
    return str(config.get("BACKEND", "")) if isinstance(config, Mapping) else ""


def _import(path: str) -> type | None:
    from django.utils.module_loading import import_string

    try:
        found = import_string(path)
    except Exception:  # noqa: BLE001 - an unimportable backend is judged by its name
        return None
    return found if isinstance(found, type) else None


def _compressed_manifest(backend: str) -> bool:
    from django.contrib.staticfiles.storage import ManifestFilesMixin

    cls = _import(backend)
    if cls is None:
        return "Compressed" in backend and "Manifest" in backend
    names = " ".join(klass.__name__ for klass in cls.__mro__)
    return issubclass(cls, ManifestFilesMixin) and "Compress" in names


@deploytools_check(
    name="static_storage",
    title=gettext_lazy("Static files are compressed and have hashed names"),
    ids=["W109"],
    tags=TAGS,
)
def check_static_storage(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W109: the staticfiles storage is compressed + manifest (WhiteNoise's)."""
    context = context_of(kwargs)
    if not _uses_staticfiles():
        raise Skipped(_("django.contrib.staticfiles is not installed"))
    backend = _storage_backend("staticfiles")
    context.evidence(backend.rsplit(".", 1)[-1])
    if _compressed_manifest(backend):
        return []
    return [
        checks.Warning(
            _("Static files are stored by %(backend)s, without compression and hashed names.")
            % {"backend": backend or _("no backend")},
            hint=_(
                "Hashed names let browsers cache forever; compression saves bandwidth. Set "
                "STORAGES['staticfiles']['BACKEND'] = "
                "'whitenoise.storage.CompressedManifestStaticFilesStorage'"
            ),
            obj="settings.STORAGES['staticfiles']",
            id="deploytools.W109",
        )
    ]


# -- logging, uploads, HTTPS, email, hosts ------------------------------------------------------


def _file_handler(config: Mapping[str, Any]) -> bool:
    import logging

    path = str(config.get("class", ""))
    if path in FILE_HANDLERS or "filename" in config:
        return True
    cls = _import(path) if path else None
    return cls is not None and issubclass(cls, logging.FileHandler)


@deploytools_check(
    name="logging_to_stdout",
    title=gettext_lazy("Logs go to stdout, not to files"),
    ids=["W110"],
    tags=TAGS,
)
def check_logging_to_stdout(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W110: no logging handler writes to a file on the dyno's ephemeral disk."""
    context = context_of(kwargs)
    logging_config = getattr(settings, "LOGGING", {}) or {}
    handlers = logging_config.get("handlers", {}) if isinstance(logging_config, Mapping) else {}
    files = sorted(
        name
        for name, config in (handlers or {}).items()
        if isinstance(config, Mapping) and _file_handler(config)
    )
    count = len(handlers or {})
    context.evidence(ngettext("%d handler", "%d handlers", count) % count)
    return [
        checks.Warning(
            _(
                "The logging handler %(name)s writes to a file, which vanishes when the "
                "dyno restarts."
            )
            % {"name": name},
            hint=_(
                "Heroku collects stdout into its log stream. Use "
                "{'class': 'logging.StreamHandler', 'stream': 'ext://sys.stdout'} in "
                "settings.LOGGING"
            ),
            obj=f"settings.LOGGING['handlers'][{name!r}]",
            id="deploytools.W110",
        )
        for name in files
    ]


@deploytools_check(
    name="upload_storage",
    title=gettext_lazy("Uploaded files are kept off the dyno's disk"),
    ids=["W111"],
    tags=TAGS,
)
def check_upload_storage(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W111: models with File/ImageFields do not store uploads on the local disk."""
    from django.apps import apps
    from django.core.files.storage import FileSystemStorage
    from django.db import models

    context = context_of(kwargs)
    fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    if not fields:
        raise Skipped(_("no model has a FileField or ImageField"))
    backend = _storage_backend("default")
    cls = _import(backend)
    local = (cls is not None and issubclass(cls, FileSystemStorage)) or backend.endswith(
        "FileSystemStorage"
    )
    context.evidence(backend.rsplit(".", 1)[-1])
    if not local:
        return []
    return [
        checks.Warning(
            _(
                "Uploads to %(fields)s are stored on the dyno's disk, which is wiped at every "
                "restart and not shared between dynos."
            )
            % {"fields": ", ".join(fields)},
            hint=_(
                "Store uploads in an object store, e.g. pip install django-storages[s3] and set "
                "STORAGES['default']['BACKEND'] = 'storages.backends.s3.S3Storage'"
            ),
            obj="settings.STORAGES['default']",
            id="deploytools.W111",
        )
    ]


def _web_command(base_dir: Path) -> tuple[list[str], str] | None:
    """The Procfile's web command as argv, with its 'Procfile:N' location."""
    try:
        lines = (base_dir / "Procfile").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        name, _sep, command = line.partition(":")
        if name.strip() == "web" and command.strip():
            try:
                return shlex.split(command), f"Procfile:{number}"
            except ValueError:
                return None
    return None


def _flag(argv: list[str], *names: str) -> str | None:
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                return argv[index + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _config_forwarded_allow_ips(path: Path) -> tuple[str | None, str] | None:
    """forwarded_allow_ips from a gunicorn config file, read with ast (never imported)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    found: tuple[str | None, str] | None = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "forwarded_allow_ips" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None  # an expression: cannot tell what it trusts
            if isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            found = (
                value if isinstance(value, str) else None,
                f"{path.name}:{node.lineno}",
            )
    return found


def router_trust(context: Context) -> tuple[bool, str]:
    """Whether the web server trusts X-Forwarded-Proto from Heroku's router, and why."""
    web = _web_command(context.base_dir)
    if web is None:
        return False, _("no web process in the Procfile")
    argv, where = web
    program = next((Path(arg).name for arg in argv if not ("=" in arg and arg[0] != "-")), "")
    if program in ("python", "python3") and "-m" in argv:
        program = argv[argv.index("-m") + 1] if argv.index("-m") + 1 < len(argv) else program
    if program not in PROXY_AWARE_SERVERS:
        return False, _("%(where)s runs %(program)s") % {"where": where, "program": program}
    value = _flag(argv, "--forwarded-allow-ips")
    source = where
    if value is None and program == "gunicorn":
        config = _flag(argv, "-c", "--config") or "gunicorn.conf.py"
        found = _config_forwarded_allow_ips(context.base_dir / config)
        if found is not None:
            value, source = found
            if value is None:
                return False, _("%(where)s sets forwarded_allow_ips to an expression") % {
                    "where": source
                }
    if value is None:
        # Heroku's Python buildpack exports FORWARDED_ALLOW_IPS='*' unless the config sets it.
        value = context.environ.get("FORWARDED_ALLOW_IPS", "*")
        source = "FORWARDED_ALLOW_IPS"
    trusted = "*" in [part.strip() for part in value.split(",")]
    return trusted, f"{source}: forwarded_allow_ips={value!r}"


@deploytools_check(
    name="ssl_redirect_proxy",
    title=gettext_lazy("HTTPS redirect trusts Heroku's router"),
    ids=["W112"],
    tags=TAGS,
)
def check_ssl_redirect_proxy(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W112: with SECURE_SSL_REDIRECT, Django or the server trusts X-Forwarded-Proto."""
    context = context_of(kwargs)
    if not getattr(settings, "SECURE_SSL_REDIRECT", False):
        raise Skipped(_("SECURE_SSL_REDIRECT is off"))
    header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if header is not None and tuple(header) == ROUTER_PROTO_HEADER:
        context.evidence("SECURE_PROXY_SSL_HEADER")
        return []
    trusted, why = router_trust(context)
    context.evidence(why)
    if trusted:
        return []
    return [
        checks.Warning(
            _(
                "SECURE_SSL_REDIRECT is on but nothing trusts the X-Forwarded-Proto header of "
                "Heroku's router (%(why)s): every request looks like http and redirects forever."
            )
            % {"why": why},
            hint=_(
                "Heroku's router terminates TLS. Set SECURE_PROXY_SSL_HEADER = "
                "('HTTP_X_FORWARDED_PROTO', 'https') in the settings"
            ),
            obj="settings.SECURE_SSL_REDIRECT",
            id="deploytools.W112",
        )
    ]


@deploytools_check(
    name="email_backend",
    title=gettext_lazy("Email is really sent"),
    ids=["W113"],
    tags=TAGS,
)
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W113: no email backend is console, locmem, dummy or filebased in production."""
    context = context_of(kwargs)
    warnings: Messages = []
    for where, backend in _email_backends().items():
        context.evidence(backend.rsplit(".", 2)[-2] if backend.count(".") >= 2 else backend)
        kind = UNSENT_EMAIL_BACKENDS.get(backend)
        if kind is None:
            continue
        warnings.append(
            checks.Warning(
                _("%(where)s is the %(kind)s backend: production email is never delivered.")
                % {"where": where, "kind": kind},
                hint=_(
                    "Use an email add-on and its SMTP or API backend, e.g. "
                    "'django.core.mail.backends.smtp.EmailBackend' in %(where)s, with the host "
                    "and credentials from config vars"
                )
                % {"where": where},
                obj=f"settings.{where}",
                id="deploytools.W113",
            )
        )
    return warnings


def _email_backends() -> dict[str, str]:
    """Each configured email backend: MAILERS (Django 6.1+) when defined, else EMAIL_BACKEND."""
    mailers = getattr(settings, "MAILERS", None)
    if isinstance(mailers, Mapping):
        return {
            f"MAILERS[{alias!r}]['BACKEND']": str(
                config.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
            )
            for alias, config in mailers.items()
            if isinstance(config, Mapping)
        }
    # Django 6.1 deprecates EMAIL_BACKEND (RemovedInDjango2028Warning) when MAILERS is not
    # defined; reading it to judge it is not using it, so the warning must not reach the report.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The EMAIL_BACKEND setting is deprecated")
        backend = getattr(settings, "EMAIL_BACKEND", "")
    return {"EMAIL_BACKEND": str(backend)}


@deploytools_check(
    name="allowed_hosts_wildcard",
    title=gettext_lazy("ALLOWED_HOSTS names the hosts"),
    ids=["W114"],
    tags=TAGS,
)
def check_allowed_hosts_wildcard(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W114: ALLOWED_HOSTS does not contain '*'."""
    context = context_of(kwargs)
    hosts = list(getattr(settings, "ALLOWED_HOSTS", []) or [])
    # Counted, not listed: the hosts may come from a config var.
    context.evidence(ngettext("%d host", "%d hosts", len(hosts)) % len(hosts))
    if "*" not in hosts:
        return []
    return [
        checks.Warning(
            _("ALLOWED_HOSTS contains '*': any Host header is accepted."),
            hint=_(
                "Forged Host headers poison password-reset links and caches. List the app's "
                "domains: ALLOWED_HOSTS = ['.herokuapp.com', 'www.example.com']"
            ),
            obj="settings.ALLOWED_HOSTS",
            id="deploytools.W114",
        )
    ]
