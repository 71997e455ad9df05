"""E001: deploytools itself, its DEPLOYTOOLS setting (E002, a crashed check, is the runner's)."""

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
