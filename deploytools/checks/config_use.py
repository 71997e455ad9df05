"""
I117: a production config var that nothing reads (tag preflight): a setting renamed in the
code while production still sets the old name, which then silently does nothing.
"""

from __future__ import annotations

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import PreflightContext, Skipped

# More names than this in one line is a config from another app, not leftovers to list.
SHOWN = 8


@check(
    name="config_vars_read",
    title=gettext_lazy("Every production config var is read by something"),
    ids={
        "I117": gettext_lazy(
            "a production config var that no setting, Procfile command, project file or "
            "installed package reads (a renamed setting, a leftover)"
        )
    },
    tags=["preflight"],
    production_settings=True,
)
def check_config_vars_read(context: PreflightContext) -> Messages:
    """I117: config vars the settings, the commit's files and the build's packages never name."""
    from deploytools.facts import config_var_use
    from deploytools.facts.installed import installed_closure
    from deploytools.facts.package_manager import build_packages
    from deploytools.facts.production_settings import production_settings
    from deploytools.facts.project_files import tracked_files

    names = list(context.config_vars or {})
    if not names:
        raise Skipped(_("no production config given (--config-vars FILE or --app NAME)"))
    project = context.project
    files = tracked_files(context)
    if files is None:
        files = config_var_use.walk_files(project.tree)
    leftovers = config_var_use.unread(
        names,
        production_settings(context).environ_reads,
        project.tree,
        files,
        installed_closure(build_packages(context).names),
    )
    context.evidence(
        _("%(read)d of %(count)d config vars read")
        % {"read": len(names) - len(leftovers), "count": len(names)}
    )
    if not leftovers:
        return []
    shown = ", ".join(leftovers[:SHOWN]) + (
        _(" and %(more)d more") % {"more": len(leftovers) - SHOWN} if len(leftovers) > SHOWN else ""
    )
    return [
        checks.Info(
            _(
                "Nothing in this build reads the config vars %(names)s: not the settings, the "
                "Procfile, the project's files nor the installed packages. A renamed setting "
                "whose old name is still set in production does nothing."
            )
            % {"names": shown},
            hint=_(
                "Check where each came from (an add-on sets its own: heroku addons); unset a "
                "leftover: heroku config:unset %(name)s"
            )
            % {"name": leftovers[0]},
            obj="config vars",
            id="deploytools.I117",
        )
    ]
