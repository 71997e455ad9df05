"""
E216–E217: what Heroku's Python buildpack refuses to build (tag preflight): several package
manager files, a committed virtualenv.

Source (read 2026-12-01): heroku/heroku-buildpack-python at b4e7e721dc39,
``lib/package_manager.sh`` ("Multiple Python package manager files were found", an error since
v325) and ``lib/checks.sh`` ``checks::existing_venv_dir_present`` (an error since v324).
"""

from __future__ import annotations

import shlex

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, skip_on_a_dyno
from deploytools.facts.package_manager import build_packages, skip_container_app
from deploytools.location import FileLine

TAGS = ["preflight"]
ON_A_DYNO = gettext_lazy("running on a Heroku dyno: the build that would refuse it is over")


@check(
    name="one_package_manager",
    title=gettext_lazy("The build finds exactly one package manager file"),
    ids={"E216": gettext_lazy("several package manager files: Heroku's build fails")},
    tags=TAGS,
)
def check_one_package_manager(context: Context) -> Messages:
    """E216: requirements.txt, Pipfile.lock, poetry.lock and uv.lock: exactly one of them."""
    skip_on_a_dyno(str(ON_A_DYNO))
    skip_container_app(context)
    packages = build_packages(context)
    if packages.problem != "several":
        if packages.files:
            context.evidence(packages.files[0])
        return []
    return [
        checks.Error(
            _(
                "Several package manager files (%(files)s): Heroku's build refuses to guess "
                "which one to install from, and fails."
            )
            % {"files": ", ".join(packages.files)},
            hint=_(
                "Keep the one you use and delete the others, e.g. with Poetry: git rm "
                "requirements.txt (a requirements.txt exported for another tool triggers this "
                "too)"
            ),
            obj=FileLine(packages.files[1]),
            id="deploytools.E216",
        )
    ]


@check(
    name="no_committed_virtualenv",
    title=gettext_lazy("No virtualenv is committed"),
    ids={"E217": gettext_lazy("a committed virtualenv (.venv/ or venv/): Heroku's build fails")},
    tags=TAGS,
)
def check_no_committed_virtualenv(context: Context) -> Messages:
    """E217: a .venv/ or venv/ with pyvenv.cfg in the commit fails the build."""
    skip_on_a_dyno(str(ON_A_DYNO))
    skip_container_app(context)
    return [
        checks.Error(
            _(
                "%(venv)s/ is committed: a virtualenv only works on the machine that made it, "
                "and Heroku's build fails on it."
            )
            % {"venv": venv},
            hint=_(
                "Untrack it and ignore it: git rm -r --cached %(venv)s && echo %(line)s "
                ">> .gitignore"
            )
            % {"venv": shlex.quote(venv), "line": shlex.quote(f"{venv}/")},
            obj=FileLine(f"{venv}/"),
            id="deploytools.E217",
        )
        for venv in build_packages(context).committed_venvs
    ]
