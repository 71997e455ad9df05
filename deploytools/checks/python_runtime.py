"""
E206–W207: the Python version Heroku builds with (tag preflight).
"""

from __future__ import annotations

import sys
from dataclasses import replace

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts.package_manager import skip_container_app
from deploytools.facts.python_request import requested_python
from deploytools.location import FileLine

TAGS = ["preflight"]

# ---------------------------------------------------------------------------------------------
# E206, W207: Python version


@check(
    name="python_version_file",
    title=gettext_lazy(".python-version declares a Python that Heroku supports"),
    ids={
        "E206": gettext_lazy(
            "Python version file missing/invalid/unsupported on Heroku, or disagreeing files"
        )
    },
    tags=TAGS,
)
def check_python_version_file(context: Context) -> Messages:
    """E206: .python-version (or runtime.txt) is valid, supported, and the two agree."""
    from deploytools.facts.support_data import PYTHON_RELEASES, python_release

    skip_container_app(context)
    on = context.today
    request = requested_python(context)
    python_version, runtime = request.python_version_file, request.runtime_txt
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    fix = _("Declare it: echo %(version)s > .python-version") % {"version": local}
    messages: Messages = []
    if request.origin == "Pipfile.lock":
        # The buildpack takes Pipfile.lock's python_version, without a warning.
        python_version = replace(python_version, exists=True, version=request.version, line=0)
        context.evidence(_("Pipfile.lock: %(version)s") % {"version": request.version})
    elif not python_version.exists and not runtime.exists:
        return [
            checks.Error(
                _(
                    ".python-version is missing: Heroku builds with its default Python, which "
                    "changes without notice."
                ),
                hint=fix,
                obj=FileLine(".python-version"),
                id="deploytools.E206",
            )
        ]
    supported = ", ".join(v for v, r in PYTHON_RELEASES.items() if r.heroku_supported_on(on))
    first = "Pipfile.lock" if request.origin == "Pipfile.lock" else ".python-version"
    for file, parsed in ((first, python_version), ("runtime.txt", runtime)):
        if not parsed.exists:
            continue
        for line, problem in parsed.problems:
            where = FileLine(file, line)
            messages.append(
                checks.Error(
                    _("%(where)s %(problem)s.") % {"where": where, "problem": problem},
                    hint=fix,
                    obj=where,
                    id="deploytools.E206",
                )
            )
        if parsed.version is None:
            continue
        release = python_release(parsed.version)
        if release is None or not release.heroku_supported_on(on):
            messages.append(
                checks.Error(
                    _("%(file)s declares Python %(version)s, which Heroku does not build.")
                    % {"file": file, "version": parsed.version},
                    hint=_("Use one of %(supported)s: echo %(local)s > .python-version")
                    % {"supported": supported, "local": local},
                    obj=FileLine(file, parsed.line),
                    id="deploytools.E206",
                )
            )
        else:
            context.evidence(f"{file}: {parsed.version}")
    if python_version.version and runtime.version and python_version.version != runtime.version:
        messages.append(
            checks.Error(
                _(".python-version (%(a)s) and runtime.txt (%(b)s) disagree.")
                % {"a": python_version.version, "b": runtime.version},
                hint=_("Keep one: git rm runtime.txt (Heroku's current way is .python-version)"),
                obj=FileLine("runtime.txt"),
                id="deploytools.E206",
            )
        )
    return messages


@check(
    name="python_version_current",
    title=gettext_lazy("No deprecated runtime.txt; local Python matches the declared one"),
    ids={
        "W207": gettext_lazy(
            "runtime.txt used (deprecated), or local Python differs from the declared one"
        )
    },
    tags=TAGS,
)
def check_python_version_current(context: Context) -> Messages:
    """W207: runtime.txt is deprecated (2025-02-06); test with the Python Heroku will run."""
    skip_container_app(context)
    request = requested_python(context)
    python_version, runtime = request.python_version_file, request.runtime_txt
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    messages: Messages = []
    if runtime.exists:
        declared = runtime.version or python_version.version or local
        messages.append(
            checks.Warning(
                _("runtime.txt is deprecated by Heroku since 2025-02-06."),
                hint=_("Switch: echo %(version)s > .python-version && git rm runtime.txt")
                % {"version": ".".join(declared.split(".")[:2])},
                obj=FileLine("runtime.txt"),
                id="deploytools.W207",
            )
        )
    # runtime.txt wins over .python-version: the buildpack reads it first.
    declared_mm = request.major_minor if request.origin != "default" else None
    if declared_mm is None:
        if messages:
            return messages
        raise Skipped(_("no valid Python version declared (E206)"))
    if declared_mm != local:
        messages.append(
            checks.Warning(
                _("This checkout runs Python %(local)s but Heroku will run %(declared)s.")
                % {"local": local, "declared": declared_mm},
                hint=_("Test with the Python you ship: python%(declared)s -m venv .venv")
                % {"declared": declared_mm},
                obj=request.origin,
                id="deploytools.W207",
            )
        )
    else:
        context.evidence(_("Python %(version)s here and on Heroku") % {"version": local})
    return messages
