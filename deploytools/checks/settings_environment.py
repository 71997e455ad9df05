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


@check(
    name="environment_complete",
    title=gettext_lazy("Every environment variable the settings read is in the config"),
    ids={
        "W106": gettext_lazy(
            "the settings read environment variables missing from the production config"
        )
    },
    tags=TAGS,
)
def check_environment_complete(context: Context) -> Messages:
    """W106: names the settings read that the production config lacks (they use a default)."""
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
