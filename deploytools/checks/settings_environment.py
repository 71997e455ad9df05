"""
E105–W106: the settings' secret key and environment (tags preflight, release, settings).

Both evaluate the settings module a second time (:mod:`deploytools.facts.settings_reevaluation`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.conf import conf
from deploytools.context import Context, Skipped
from deploytools.facts.environment_reads import Read
from deploytools.facts.settings_reevaluation import reevaluate_settings
from deploytools.facts.settings_values import settings_module_name, unreadable_settings

TAGS = ["preflight", "release", "settings"]


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


@check(
    name="secret_key_stable",
    title=gettext_lazy("SECRET_KEY is the same at every boot"),
    ids={"E105": gettext_lazy("`SECRET_KEY` differs between two evaluations (random per boot)")},
    tags=TAGS,
)
def check_secret_key_stable(context: Context) -> Messages:
    """E105: evaluating the settings again gives the same SECRET_KEY (compared, never shown)."""
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


# Defaults that keep production working when a variable is unset: the feature is off.
OFF_VALUES = frozenset({"", "0", "false", "no", "off", "none"})
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1")
DEVELOPMENT_WORDS = frozenset({"dev", "development", "local", "debug", "test", "testing"})
# Names that select a settings flavour (DJANGO_ENV=production).
ENVIRONMENT_SUFFIXES = ("ENV", "ENVIRONMENT", "STAGE", "MODE", "CONFIGURATION")


def fallback_problem(read: Read) -> str | None:
    """
    What breaks in production when ``read``'s variable is unset, or None when nothing does: a
    presence test or a lookup without default is not a fallback, and an "off" default is safe.
    """
    from deploytools import redact

    if read.how == "contains" or not read.has_default or read.default is None:
        return None
    value = read.default
    text = ("true" if value else "false") if isinstance(value, bool) else str(value).strip()
    lowered = text.lower()
    if lowered in OFF_VALUES:
        return None
    if any(host in lowered for host in LOCAL_HOSTS) or lowered.startswith(("sqlite:", "file:")):
        return _("a local service")
    if lowered.startswith("django-insecure-") or redact.looks_like_token(text):
        return _("a key written in the code or generated at each boot")
    name = read.name.upper()
    if "DEBUG" in name and lowered in {"1", "true", "yes", "on"}:
        return _("DEBUG on")
    if name.endswith(ENVIRONMENT_SUFFIXES) and lowered in DEVELOPMENT_WORDS:
        return _("the %(value)s settings") % {"value": text}
    return None


@check(
    name="environment_complete",
    title=gettext_lazy("No variable missing from the config falls back to a development value"),
    ids={
        "W106": gettext_lazy(
            "the settings read a variable the production config lacks, and its fallback (a "
            "local service, a key in the code, DEBUG on, development settings) breaks production"
        )
    },
    tags=TAGS,
)
def check_environment_complete(context: Context) -> Messages:
    """W106: variables the production config lacks whose fallback breaks production."""
    from dataclasses import replace

    from deploytools.facts.settings_source import settings_source

    reads = dict(reevaluate_settings(context).reads)
    # `os.environ.get("NAME") or "development"`: the read shows no default, the source does.
    for name, value in settings_source(context).or_fallbacks.items():
        read = reads.get(name)
        if read is not None and (not read.has_default or read.default in (None, "")):
            reads[name] = replace(read, default=value)
    production = context.environ
    ignored = HEROKU_DYNO_VARIABLES | conf.optional_env_vars
    absent = [
        read for name, read in reads.items() if name not in production and name not in ignored
    ]
    broken = [(read.name, why) for read in absent if (why := fallback_problem(read)) is not None]
    safe = sorted(read.name for read in absent if fallback_problem(read) is None)
    context.evidence(
        _("%(read)d variables read, %(absent)d not in the config")
        % {"read": len(reads), "absent": len(absent)}
    )
    if safe:
        context.evidence(_("unset, falling back safely: %(names)s") % {"names": ", ".join(safe)})
    if not broken:
        return []
    first = broken[0][0]
    return [
        checks.Warning(
            _(
                "The production config lacks variables the settings read, and their fallback "
                "breaks production: %(names)s."
            )
            % {
                "names": ", ".join(
                    _("%(name)s (%(why)s)") % {"name": n, "why": w} for n, w in broken
                )
            },
            hint=_(
                "Set them: heroku config:set %(name)s=..., or, when the fallback is right for "
                "production, list them in settings.DEPLOYTOOLS['OPTIONAL_ENV_VARS']"
            )
            % {"name": first},
            obj=settings_module_name() or "settings",
            id="deploytools.W106",
        )
    ]
