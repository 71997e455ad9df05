"""
E206–W207: the Python version Heroku builds with (tag preflight).

Which Python versions Heroku builds, and until when, is platform data
(:func:`deploytools.platform_data.heroku_builds_python`): the buildpacks keep building a
version for a grace period after its upstream end of life, and a version newer than the data
is unknown to this deploytools, not unsupported.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date

from django.core import checks
from django.core.checks import CheckMessage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts.build_files import PythonVersionFile
from deploytools.facts.package_manager import skip_container_app
from deploytools.facts.python_request import requested_python
from deploytools.location import FileLine

TAGS = ["preflight"]

# ---------------------------------------------------------------------------------------------
# E206, W207: Python version


def runtime_txt_fails_build(context: Context) -> str | None:
    """
    Why runtime.txt fails the build of this app, or None where it is only deprecated: Fir's
    Python CNB refuses it (heroku/buildpacks-python src/python_version.rs), and so does the
    classic buildpack with uv (lib/python_version.sh); platform data, buildpack facts.
    """
    from deploytools.facts.generation import is_fir
    from deploytools.facts.package_manager import build_packages

    if is_fir(context):
        return _("on Fir, where Heroku's Python buildpack no longer reads it")
    try:
        manager = build_packages(context).manager
    except Skipped:
        return None
    if manager == "uv":
        return _("with uv, which Heroku's Python buildpack requires a .python-version for")
    return None


def _builds(series: str, on: date) -> bool:
    window = platform_data.heroku_builds_python(series, on)
    return not isinstance(window, platform_data.Unknown) and window.builds


def _target(on: date) -> str:
    """The Python to declare in a hint: this interpreter's if Heroku builds it, else the newest."""
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    if _builds(local, on):
        return local
    built = [r.series for r in platform_data.python_releases() if r.heroku_window(on).builds]
    return built[-1] if built else platform_data.buildpack().default_series


def _judge_version(
    context: Context, where: str, parsed: PythonVersionFile, on: date
) -> CheckMessage | None:
    """E206 when Heroku does not build the declared version on ``on``; else its evidence."""
    assert parsed.version is not None
    try:
        window: platform_data.HerokuPythonWindow | platform_data.Unknown | None = (
            platform_data.heroku_builds_python(parsed.version, on)
        )
        released = platform_data.python_could_be_released(parsed.version, on)
    except platform_data.InvalidVersion:
        window, released = None, False
    if isinstance(window, platform_data.Unknown) and window.newer and released:
        context.evidence(f"{where}: {parsed.version} ({window.message()})")
        return None
    if isinstance(window, platform_data.HerokuPythonWindow) and window.builds:
        text = f"{where}: {parsed.version}"
        if window.status in ("deprecated", "grace"):
            text += _(" (deprecated on Heroku: built until %(day)s)") % {
                "day": window.last_build_day.isoformat()
            }
        context.evidence(text)
        return None
    if isinstance(window, platform_data.HerokuPythonWindow) and window.status == "removed":
        reason = _("which Heroku's Python buildpack stopped building on %(day)s") % {
            "day": window.removed.isoformat()
        }
    elif isinstance(window, platform_data.Unknown) and window.newer:
        reason = _("which is not released yet (Python ships one feature release a year)")
    else:
        reason = _("which Heroku does not build")
    supported = [r.series for r in platform_data.python_releases() if r.heroku_window(on).builds]
    return checks.Error(
        _("%(file)s declares Python %(version)s, %(reason)s.")
        % {"file": where, "version": parsed.version[:40], "reason": reason},
        hint=_("Use one of %(supported)s: echo %(target)s > .python-version")
        % {"supported": ", ".join(supported), "target": _target(on)},
        obj=FileLine(where, parsed.line),
        id="deploytools.E206",
    )


def _file_problems(where: str, parsed: PythonVersionFile, fix: str) -> Messages:
    messages: Messages = []
    for line, problem in parsed.problems:
        located = FileLine(where, line)
        messages.append(
            checks.Error(
                _("%(where)s %(problem)s.") % {"where": located, "problem": problem},
                hint=fix,
                obj=located,
                id="deploytools.E206",
            )
        )
    return messages


@check(
    name="python_version_file",
    title=gettext_lazy(".python-version declares a Python that Heroku supports"),
    ids={
        "E206": gettext_lazy(
            "Python version file missing/invalid/unsupported on Heroku (runtime.txt on Fir or "
            "with uv), or disagreeing files"
        )
    },
    tags=TAGS,
)
def check_python_version_file(context: Context) -> Messages:
    """E206: .python-version (or runtime.txt) is valid, built by Heroku, and the two agree."""
    skip_container_app(context)
    on = context.today
    request = requested_python(context)
    python_version, runtime = request.python_version_file, request.runtime_txt
    fix = _("Declare it: echo %(version)s > .python-version") % {"version": _target(on)}
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
    messages: Messages = []
    first = "Pipfile.lock" if request.origin == "Pipfile.lock" else ".python-version"
    for where, parsed in ((first, python_version), ("runtime.txt", runtime)):
        if parsed.exists:
            messages += _file_problems(where, parsed, fix)
        if parsed.exists and parsed.version is not None:
            found = _judge_version(context, where, parsed, on)
            messages += [found] if found is not None else []
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
    fails = runtime_txt_fails_build(context) if runtime.exists else None
    if fails:
        declared = runtime.major_minor or python_version.major_minor or _target(on)
        messages.append(
            checks.Error(
                _("runtime.txt fails the build %(why)s.") % {"why": fails},
                hint=_("Switch: git rm runtime.txt && echo %(version)s > .python-version")
                % {"version": declared},
                obj="runtime.txt",
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
    """W207: runtime.txt is deprecated (where it still builds); test with Heroku's Python."""
    skip_container_app(context)
    request = requested_python(context)
    python_version, runtime = request.python_version_file, request.runtime_txt
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    messages: Messages = []
    # Where runtime.txt fails the build, E206 says so: a deprecation warning would understate it.
    if runtime.exists and not runtime_txt_fails_build(context):
        declared = runtime.version or python_version.version or local
        messages.append(
            checks.Warning(
                _("runtime.txt is deprecated by Heroku since %(day)s.")
                % {"day": platform_data.buildpack().runtime_txt_deprecated.isoformat()},
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
