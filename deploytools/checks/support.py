"""
E501–W504: Django and Python still get security fixes (tags preflight, heroku).

The support dates and Heroku's Python build window are platform data
(:mod:`deploytools.platform_data`, each table with its sources and the day it was read). A
release newer than the data is unknown to this deploytools: skipped, saying so, never called
unsupported.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped

TAGS = ["preflight", "heroku"]
DJANGO_WARNING_DAYS = 90
PYTHON_WARNING_DAYS = 180
# Where a developer reads the support policies (the data's own sources are in platform.json).
DJANGO_SOURCE = "https://www.djangoproject.com/download/#supported-versions"
PYTHON_SOURCE = "https://devguide.python.org/versions/"
HEROKU_PYTHON_SOURCE = "https://devcenter.heroku.com/articles/python-support"
UPGRADE_DEPLOYTOOLS = "pip install -U deploytools"


def declared_python(context: Context) -> tuple[str, str]:
    """
    (major.minor, where it comes from): the Python Heroku's build picks — runtime.txt, else
    .python-version, else Pipfile.lock — else this interpreter. Skipped when the file that
    wins holds no version (E206 reports it).
    """
    from deploytools.facts.python_request import requested_python

    request = requested_python(context)
    if request.origin == "default":
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return running, _("the running interpreter")
    if request.major_minor is None:
        raise Skipped(
            _("%(file)s does not hold a Python version (see deploytools.E206)")
            % {"file": request.origin}
        )
    return request.major_minor, request.origin


def django_version(context: Context) -> tuple[str, str]:
    """(version, where): the Django the build installs when it pins one, else the installed."""
    import django

    from deploytools.facts.package_manager import build_packages

    try:
        pin = build_packages(context).pins.get("django")
    except Skipped:
        pin = None
    if pin is not None and pin.version:
        return pin.version, pin.source
    return django.get_version(), _("installed here")


def _series_key(series: str) -> tuple[int, ...]:
    return platform_data.parse_version(series)


def _newest_supported_django(on: date, python: str | None) -> str | None:
    # Only released series: a planned one (6.2 before April 2027) cannot be installed yet.
    candidates = [
        r
        for r in platform_data.django_releases()
        if not r.planned
        and r.released <= on
        and r.end_of_security - on > timedelta(days=DJANGO_WARNING_DAYS)
    ]
    fitting = [r for r in candidates if python is None or r.supports_python(python)] or candidates
    newest = max(fitting, key=lambda r: _series_key(r.series), default=None)
    return newest.series if newest else None


def _newest_supported_python(on: date) -> str | None:
    candidates = [
        r
        for r in platform_data.python_releases()
        if r.buildpack_latest is not None
        and r.heroku_window(on).status == "supported"
        and r.end_of_life - on > timedelta(days=PYTHON_WARNING_DAYS)
    ]
    newest = max(candidates, key=lambda r: _series_key(r.series), default=None)
    return newest.series if newest else None


def _django_upgrade(on: date, context: Context) -> str:
    try:
        python: str | None = declared_python(context)[0]
    except Skipped:
        python = None
    target = _newest_supported_django(on, python)
    if target is None:
        return _("See %(source)s. Upgrade Django, and deploytools for newer data: %(cmd)s") % {
            "source": DJANGO_SOURCE,
            "cmd": UPGRADE_DEPLOYTOOLS,
        }
    return _(
        "See %(source)s. Upgrade: pin Django==%(target)s.* in requirements.txt, then run: "
        "pip install -r requirements.txt"
    ) % {"target": target, "source": DJANGO_SOURCE}


@check(
    name="django_support",
    title=gettext_lazy("Django still gets security fixes"),
    ids={
        "E501": gettext_lazy("Django past end of security support"),
        "W502": gettext_lazy("Django within 90 days of end of security support"),
    },
    tags=TAGS,
)
def check_django_support(context: Context) -> Messages:
    """E501/W502: the build's Django is past, or within 90 days of, its security support end."""
    on = context.today
    version, where = django_version(context)
    try:
        release = platform_data.django_release(version)
    except platform_data.InvalidVersion:
        raise Skipped(
            _("%(where)s: %(version)r is not a Django version")
            % {"where": where, "version": version}
        ) from None
    if isinstance(release, platform_data.Unknown) and release.newer:
        raise Skipped(release.message())
    upgrade = _django_upgrade(on, context)
    if isinstance(release, platform_data.Unknown):
        return [
            checks.Error(
                _(
                    "Django %(version)s is older than every supported release: it no longer gets "
                    "security fixes."
                )
                % {"version": version},
                hint=upgrade,
                obj="django",
                id="deploytools.E501",
            )
        ]
    end = release.end_of_security
    values = {"version": release.series, "end": end.isoformat(), "days": (end - on).days}
    context.evidence(
        _("Django %(version)s, security fixes until %(end)s")
        % {"version": version, "end": end.isoformat()}
    )
    if on > end:
        return [
            checks.Error(
                _("Django %(version)s stopped getting security fixes on %(end)s.") % values,
                hint=upgrade,
                obj="django",
                id="deploytools.E501",
            )
        ]
    if end - on <= timedelta(days=DJANGO_WARNING_DAYS):
        return [
            checks.Warning(
                _("Django %(version)s stops getting security fixes on %(end)s, in %(days)d days.")
                % values,
                hint=upgrade,
                obj="django",
                id="deploytools.W502",
            )
        ]
    return []


def _python_upgrade(on: date, where: str) -> str:
    target = _newest_supported_python(on)
    values = {"source": PYTHON_SOURCE, "heroku": HEROKU_PYTHON_SOURCE, "target": target}
    if target is None:
        return (
            _("See %(source)s and %(heroku)s. Upgrade Python, and deploytools for newer data: ")
            % values
            + UPGRADE_DEPLOYTOOLS
        )
    fix = (
        "git rm runtime.txt && echo %(target)s > .python-version"
        if where == "runtime.txt"
        else "echo %(target)s > .python-version"
    )
    return (_("See %(source)s and %(heroku)s. Upgrade, then run: ") + fix) % values


def _heroku_window_text(window: platform_data.HerokuPythonWindow) -> str:
    """Heroku's side of a Python's support, for the message: until when the buildpacks build it."""
    values = {
        "last": window.last_build_day.isoformat(),
        "removed": window.removed.isoformat(),
        "estimated": _(" (estimated: Heroku has not announced the day yet)")
        if window.removed_estimated
        else "",
    }
    if window.status == "removed":
        return _("Heroku's Python buildpack stopped building it on %(removed)s") % values
    return _("Heroku builds it until %(last)s; builds fail from %(removed)s%(estimated)s") % values


def _python_window(
    version: str, where: str, on: date
) -> platform_data.HerokuPythonWindow | platform_data.Unknown:
    """
    Heroku's build window of the declared Python on day ``on``; Skipped when it is no version
    or newer than the data (unknown to this deploytools, or not released yet: E206's finding).
    """
    try:
        window = platform_data.heroku_builds_python(version, on)
        released = platform_data.python_could_be_released(version, on)
    except platform_data.InvalidVersion:
        raise Skipped(
            _("%(file)s holds no Python version (see deploytools.E206)") % {"file": where}
        ) from None
    if isinstance(window, platform_data.Unknown) and window.newer:
        if not released:
            raise Skipped(
                _("Python %(version)s is not released yet (see deploytools.E206)")
                % {"version": version[:40]}
            )
        raise Skipped(window.message())
    return window


@check(
    name="python_support",
    title=gettext_lazy("The declared Python is supported upstream and on Heroku"),
    ids={
        "E503": gettext_lazy(
            "declared Python past its end of life (no security fixes) or no longer built by Heroku"
        ),
        "W504": gettext_lazy(
            "declared Python within 180 days of end of life, or deprecated on Heroku"
        ),
    },
    tags=TAGS,
)
def check_python_support(context: Context) -> Messages:
    """E503/W504: the declared Python against its end of life and Heroku's build window."""
    on = context.today
    version, where = declared_python(context)
    window = _python_window(version, where, on)
    upgrade = _python_upgrade(on, where)
    values: dict[str, object] = {"version": version, "where": where}
    if isinstance(window, platform_data.Unknown) or window.status == "not-yet-released":
        return [
            checks.Error(
                _("Python %(version)s (from %(where)s) is not a Python Heroku builds.") % values,
                hint=upgrade,
                obj=where,
                id="deploytools.E503",
            )
        ]
    end = window.upstream_end_of_life
    values.update(end=end.isoformat(), days=(end - on).days, heroku=_heroku_window_text(window))
    context.evidence(
        _("Python %(version)s from %(where)s, end of life %(end)s; %(heroku)s") % values
    )
    if window.status in ("removed", "grace"):
        return [
            checks.Error(
                _(
                    "Python %(version)s (from %(where)s) reached its end of life on %(end)s and "
                    "gets no security fixes; %(heroku)s."
                )
                % values,
                hint=upgrade,
                obj=where,
                id="deploytools.E503",
            )
        ]
    if window.status == "deprecated" or end - on <= timedelta(days=PYTHON_WARNING_DAYS):
        return [
            checks.Warning(
                _(
                    "Python %(version)s (from %(where)s) reaches its end of life on %(end)s, in "
                    "%(days)d days; %(heroku)s."
                )
                % values,
                hint=upgrade,
                obj=where,
                id="deploytools.W504",
            )
        ]
    return []
