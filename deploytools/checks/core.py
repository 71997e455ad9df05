"""
E001–I004: deploytools itself: its DEPLOYTOOLS setting (E002, a crashed check, is the
runner's), whether the release phase's waits fit Heroku's limit for it, and how old its
platform data is.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import conf as conf_module
from deploytools.checks.registry import Messages, check
from deploytools.context import Context


@check(
    name="deploytools_setting",
    title=gettext_lazy("DEPLOYTOOLS setting is valid"),
    ids={"E001": gettext_lazy("`DEPLOYTOOLS` setting invalid (unknown key, wrong type)")},
    tags=["preflight", "release", "heroku"],
    # Cheap and about our own configuration: runs in a plain `manage.py check` too.
    deploy=False,
)
def check_deploytools_setting(context: Context) -> Messages:
    """E001: DEPLOYTOOLS is a dict of known keys with values of the right type."""
    raw = getattr(settings, "DEPLOYTOOLS", {})
    known = ", ".join(sorted(conf_module.OPTIONS))
    return [
        checks.Error(
            _("DEPLOYTOOLS %(where)s: %(problem)s.")
            % {"where": "" if key is None else f"[{key!r}]", "problem": problem},
            hint=_("Fix or remove it in settings.DEPLOYTOOLS; valid keys: %(keys)s.")
            % {"keys": known},
            obj="settings.DEPLOYTOOLS" if key is None else f"settings.DEPLOYTOOLS[{key!r}]",
            id="deploytools.E001",
        )
        for key, problem in conf_module.problems(raw)
    ]


@check(
    name="release_time_budget",
    title=gettext_lazy("The release phase's waits fit Heroku's release-phase limit"),
    ids={
        "W003": gettext_lazy(
            "DATABASE_WAIT_SECONDS + MIGRATION_LOCK_TIMEOUT_SECONDS reach Heroku's 1-hour "
            "release-phase limit"
        )
    },
    tags=["preflight", "release", "heroku"],
)
def check_release_time_budget(context: Context) -> Messages:
    """
    W003: Heroku stops a release phase after its timeout (platform data: one hour, not
    extendable); waits configured past it end in Heroku's kill instead of E601/E602's report.
    """
    from deploytools import platform_data
    from deploytools.conf import conf

    limit = platform_data.release_phase().timeout_seconds
    waits = conf.database_wait_seconds + conf.migration_lock_timeout_seconds
    values = {
        "db": conf.database_wait_seconds,
        "lock": conf.migration_lock_timeout_seconds,
        "waits": waits,
        "limit": limit,
    }
    context.evidence(_("%(waits).0fs of waits, Heroku's limit %(limit)ds") % values)
    if waits < limit:
        return []
    return [
        checks.Warning(
            _(
                "The release phase may wait %(db).0fs for the database and %(lock).0fs for the "
                "migration lock: Heroku stops a release phase after %(limit)ds, before these "
                "waits can end in a report."
            )
            % values,
            hint=_(
                'Lower DEPLOYTOOLS["DATABASE_WAIT_SECONDS"] and '
                'DEPLOYTOOLS["MIGRATION_LOCK_TIMEOUT_SECONDS"] well under %(limit)d together.'
            )
            % values,
            obj="settings.DEPLOYTOOLS",
            id="deploytools.W003",
        )
    ]


# Heroku, Django and Python change within months: older data gives stale advice confidently.
DATA_AGE_DAYS = 180


@check(
    name="platform_data_age",
    title=gettext_lazy("deploytools' platform data is recent"),
    ids={"I004": gettext_lazy("the platform data is older than 180 days: upgrade deploytools")},
    tags=["preflight", "release", "heroku"],
)
def check_platform_data_age(context: Context) -> Messages:
    """I004: the support dates, stacks, plans and sizes were read less than 180 days ago."""
    from deploytools import platform_data

    read = platform_data.as_of()
    age = (context.today - read).days
    values = {"read": read.isoformat(), "days": age}
    context.evidence(_("read %(read)s (%(days)d days ago)") % values)
    if age <= DATA_AGE_DAYS:
        return []
    return [
        checks.Info(
            _(
                "deploytools' platform data (Django, Python, Heroku stacks, plans and dyno "
                "sizes) was read on %(read)s, %(days)d days ago: newer releases and Heroku "
                "changes are unknown to it."
            )
            % values,
            hint=_(
                "Upgrade deploytools: pip install -U deploytools (a maintainer refreshes the "
                "data with: python scripts/refresh_platform_data.py --write)"
            ),
            obj="deploytools",
            id="deploytools.I004",
        )
    ]
