"""
E115–E116: what the dyno's processes run (tags preflight, release, settings): DEBUG off, one
settings module for web and release.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, DynoContext, Skipped
from deploytools.facts.settings_module import SETTINGS_VARIABLE, process_defaults

TAGS = ["preflight", "release", "settings"]


@check(
    name="debug_off",
    title=gettext_lazy("DEBUG is off on a dyno"),
    ids={"E115": gettext_lazy("DEBUG is True on a dyno")},
    tags=TAGS,
)
def check_debug_off(context: Context) -> Messages:
    """E115: DEBUG shows settings and code to anyone who triggers an error."""
    import os

    if not os.environ.get("DYNO"):
        raise Skipped(_("not on a dyno: DEBUG is judged as a dyno has it"))
    if getattr(settings, "DEBUG", False) is not True:
        context.evidence("DEBUG = False")
        return []
    return [
        checks.Error(
            _(
                "DEBUG is True on a dyno: every error page shows the settings, the code and the "
                "request to whoever caused it."
            ),
            hint=_(
                "Make production's DEBUG False whatever the config says, e.g. DEBUG = "
                "os.environ.get('DJANGO_DEBUG') == '1' and 'DYNO' not in os.environ"
            ),
            obj="settings.DEBUG",
            id="deploytools.E115",
        )
    ]


@check(
    name="one_settings_module",
    title=gettext_lazy("Web and release processes load the same settings"),
    ids={
        "E116": gettext_lazy(
            "the web and release processes load different settings modules (no "
            "DJANGO_SETTINGS_MODULE config var)"
        )
    },
    tags=TAGS,
)
def check_one_settings_module(context: Context) -> Messages:
    """E116: without the config var, wsgi.py's default and manage.py's must agree."""
    if SETTINGS_VARIABLE in context.environ and not isinstance(context, DynoContext):
        raise Skipped(_("this process's environment sets DJANGO_SETTINGS_MODULE"))
    if context.config_vars is not None and context.config_vars.get(SETTINGS_VARIABLE):
        context.evidence(_("DJANGO_SETTINGS_MODULE in the config"))
        return []
    defaults = process_defaults(context.project, getattr(settings, "WSGI_APPLICATION", None))
    web, release = defaults.web, defaults.release
    if web is None or release is None:
        raise Skipped(_("the web or release process sets no default settings module"))
    if web.module == release.module:
        context.evidence(web.module)
        return []
    return [
        checks.Error(
            _(
                "The web process loads %(web)s (%(web_where)s) but the release phase and "
                "heroku run load %(release)s (%(release_where)s): migrations and the site run "
                "different settings."
            )
            % {
                "web": web.module,
                "web_where": web.where,
                "release": release.module,
                "release_where": release.where,
            },
            hint=_(
                "Name one for every process: heroku config:set DJANGO_SETTINGS_MODULE=%(module)s"
            )
            % {"module": web.module},
            obj=release.where,
            id="deploytools.E116",
        )
    ]
