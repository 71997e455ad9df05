"""
W107–W114: how production serves static files, uploads, logs, HTTPS, email and hosts
(tags preflight, release, settings).
"""

from __future__ import annotations

import ast
import shlex
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts import safe_read

TAGS = ["preflight", "release", "settings"]

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

SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
ROUTER_PROTO_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Servers that honour --forwarded-allow-ips / FORWARDED_ALLOW_IPS for X-Forwarded-Proto.
PROXY_AWARE_SERVERS = ("gunicorn", "uvicorn")

# -- static files ------------------------------------------------------------------------------


def _uses_staticfiles() -> bool:
    return "django.contrib.staticfiles" in getattr(settings, "INSTALLED_APPS", [])


@check(
    name="whitenoise_middleware",
    title=gettext_lazy("WhiteNoise serves static files, right after SecurityMiddleware"),
    ids={
        "W107": gettext_lazy("WhiteNoise middleware missing or not right after SecurityMiddleware")
    },
    tags=TAGS,
)
def check_whitenoise_middleware(context: Context) -> Messages:
    """W107: WhiteNoiseMiddleware is in MIDDLEWARE, directly after SecurityMiddleware."""
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


@check(
    name="static_root",
    title=gettext_lazy("STATIC_ROOT is set"),
    ids={"E108": gettext_lazy("`STATIC_ROOT` unset")},
    tags=TAGS,
)
def check_static_root(context: Context) -> Messages:
    """E108: STATIC_ROOT is set, or Heroku's build fails at collectstatic."""
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


def _storage_traits(backend: str) -> tuple[bool, bool]:
    """Whether a staticfiles backend gives hashed names (a manifest), and compresses."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin

    cls = _import(backend)
    if cls is None:
        return "Manifest" in backend, "Compress" in backend
    names = " ".join(klass.__name__ for klass in cls.__mro__)
    return issubclass(cls, ManifestFilesMixin), "Compress" in names


@check(
    name="static_storage",
    title=gettext_lazy("Static files are compressed and have hashed names"),
    ids={"W109": gettext_lazy("static storage not compressed + manifest")},
    tags=TAGS,
)
def check_static_storage(context: Context) -> Messages:
    """W109: the staticfiles storage is compressed + manifest (WhiteNoise's)."""
    if not _uses_staticfiles():
        raise Skipped(_("django.contrib.staticfiles is not installed"))
    backend = _storage_backend("staticfiles")
    context.evidence(backend.rsplit(".", 1)[-1])
    hashed, compressed = _storage_traits(backend)
    if hashed and compressed:
        return []
    shown = backend or _("no backend")
    if hashed:
        text = _(
            "Static files are stored by %(backend)s: hashed names, but no compression, so every "
            "CSS and JavaScript file is sent uncompressed."
        )
    elif compressed:
        text = _(
            "Static files are stored by %(backend)s: compressed, but without hashed names, so "
            "browsers cannot cache them for long without serving stale files after a deploy."
        )
    else:
        text = _(
            "Static files are stored by %(backend)s: no hashed names (browsers cannot cache them "
            "for long) and no compression."
        )
    return [
        checks.Warning(
            text % {"backend": shown},
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


# "Files" that are the process's own output: Heroku's log stream collects them.
STANDARD_STREAM_FILES = frozenset(
    {"/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/proc/self/fd/2", "/dev/fd/1", "/dev/fd/2"}
)


def _file_handler(config: Mapping[str, Any]) -> bool:
    import logging

    filename = config.get("filename")
    if isinstance(filename, str) and filename in STANDARD_STREAM_FILES:
        return False
    path = str(config.get("class", ""))
    if path in FILE_HANDLERS or "filename" in config:
        return True
    cls = _import(path) if path else None
    return cls is not None and issubclass(cls, logging.FileHandler)


@check(
    name="logging_to_stdout",
    title=gettext_lazy("Logs go to stdout, not to files"),
    ids={"W110": gettext_lazy("logging writes to files (ephemeral disk) instead of stdout")},
    tags=TAGS,
)
def check_logging_to_stdout(context: Context) -> Messages:
    """W110: no logging handler writes to a file on the dyno's ephemeral disk."""
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


@check(
    name="upload_storage",
    title=gettext_lazy("Uploaded files are kept off the dyno's disk"),
    ids={"W111": gettext_lazy("local file storage for uploads while models have File/ImageFields")},
    tags=TAGS,
)
def check_upload_storage(context: Context) -> Messages:
    """W111: models with File/ImageFields do not store uploads on the local disk."""
    from django.apps import apps
    from django.core.files.storage import FileSystemStorage
    from django.db import models

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
        lines = safe_read.read_text(base_dir / "Procfile").splitlines()
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
        tree = ast.parse(safe_read.read_text(path, safe_read.SOURCE_FILE_BYTES), filename=str(path))
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
    web = _web_command(context.project.tree)
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
        found = _config_forwarded_allow_ips(context.project.tree / config)
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


@check(
    name="ssl_redirect_proxy",
    title=gettext_lazy("HTTPS redirect trusts Heroku's router"),
    ids={
        "W112": gettext_lazy(
            "`SECURE_SSL_REDIRECT` on but nothing trusts the router's X-Forwarded-Proto"
        )
    },
    tags=TAGS,
)
def check_ssl_redirect_proxy(context: Context) -> Messages:
    """W112: with SECURE_SSL_REDIRECT, Django or the server trusts X-Forwarded-Proto."""
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


@check(
    name="email_backend",
    title=gettext_lazy("Email is really sent"),
    ids={"W113": gettext_lazy("console/locmem/dummy/file email backend in production")},
    tags=TAGS,
)
def check_email_backend(context: Context) -> Messages:
    """W113: no email backend is console, locmem, dummy or filebased in production."""
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


@check(
    name="allowed_hosts_wildcard",
    title=gettext_lazy("ALLOWED_HOSTS names the hosts"),
    ids={"W114": gettext_lazy("`ALLOWED_HOSTS` contains `*`")},
    tags=TAGS,
)
def check_allowed_hosts_wildcard(context: Context) -> Messages:
    """W114: ALLOWED_HOSTS does not contain '*'."""
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
