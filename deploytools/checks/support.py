"""E501–W504: Django and Python still get security fixes (tags preflight, heroku)."""

from __future__ import annotations

import re
import sys
from datetime import date, timedelta

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts import safe_read

TAGS = ["preflight", "heroku"]
DJANGO_WARNING_DAYS = 90
PYTHON_WARNING_DAYS = 180
_PYTHON_VERSION = re.compile(r"^(?:python-)?(3\.\d+)(?:\.\d+)?$")


def declared_python(context: Context) -> tuple[str, str]:
    """
    (major.minor, where it was declared): .python-version, else runtime.txt, else this
    interpreter. Skipped when the file cannot be read (E206 reports its content).
    """
    for filename in (".python-version", "runtime.txt"):
        path = context.project.tree / filename
        if not path.is_file():
            continue
        try:
            lines = safe_read.read_text(path).splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise Skipped(
                _("%(file)s cannot be read (%(error)s)")
                % {"file": filename, "error": type(exc).__name__}
            ) from exc
        # .python-version allows comments; the first remaining line is the version.
        values = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        match = _PYTHON_VERSION.match(values[0]) if values else None
        if match is None:
            raise Skipped(
                _("%(file)s does not hold a Python version (see deploytools.E206)")
                % {"file": filename}
            )
        return match[1], filename
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    return running, _("the running interpreter")


def _newest_supported_django(on: date, python: str | None) -> str | None:
    from deploytools.facts import support_data as support

    candidates = [
        r
        for r in support.DJANGO_RELEASES.values()
        if r.end_of_security_support - on > timedelta(days=DJANGO_WARNING_DAYS) and r.released <= on
    ]
    fitting = [r for r in candidates if python in r.python] or candidates
    newest = max(fitting, key=lambda r: tuple(int(p) for p in r.version.split(".")), default=None)
    return newest.version if newest else None


def _newest_supported_python(on: date) -> str | None:
    from deploytools.facts import support_data as support

    candidates = [
        r
        for r in support.PYTHON_RELEASES.values()
        if r.heroku_supported
        and r.released <= on
        and r.end_of_life - on > timedelta(days=PYTHON_WARNING_DAYS)
    ]
    newest = max(candidates, key=lambda r: int(r.version.split(".")[1]), default=None)
    return newest.version if newest else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


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
    """E501/W502: the installed Django is past, or within 90 days of, its security support end."""
    import django

    from deploytools.facts import support_data as support

    on = context.today
    version = django.get_version()
    release = support.django_release(version)
    feature = support.major_minor(version)
    try:
        python = declared_python(context)[0]
    except Skipped:
        python = None
    target = _newest_supported_django(on, python)
    upgrade = (
        _(
            "See %(source)s. Upgrade: pin Django==%(target)s.* in requirements.txt, then run: "
            "pip install -r requirements.txt"
        )
        if target
        else _("See %(source)s. Upgrade Django, then update: deploytools/facts/support_data.py")
    ) % {"target": target, "source": support.DJANGO_SOURCE}
    if release is None:
        known = sorted(support.DJANGO_RELEASES, key=_version_key)
        if _version_key(feature) > _version_key(known[-1]):
            raise Skipped(
                _(
                    "Django %(version)s is newer than the support table of %(as_of)s; update "
                    "deploytools/facts/support_data.py"
                )
                % {"version": feature, "as_of": support.AS_OF.isoformat()}
            )
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
    end = release.end_of_security_support
    context.evidence(
        _("Django %(version)s, security fixes until %(end)s")
        % {"version": version, "end": end.isoformat()}
    )
    if on > end:
        return [
            checks.Error(
                _("Django %(version)s stopped getting security fixes on %(end)s.")
                % {"version": feature, "end": end.isoformat()},
                hint=upgrade,
                obj="django",
                id="deploytools.E501",
            )
        ]
    if end - on <= timedelta(days=DJANGO_WARNING_DAYS):
        return [
            checks.Warning(
                _("Django %(version)s stops getting security fixes on %(end)s, in %(days)d days.")
                % {"version": feature, "end": end.isoformat(), "days": (end - on).days},
                hint=upgrade,
                obj="django",
                id="deploytools.W502",
            )
        ]
    return []


@check(
    name="python_support",
    title=gettext_lazy("The declared Python is supported upstream and on Heroku"),
    ids={
        "E503": gettext_lazy("declared Python past end of life or unsupported on Heroku"),
        "W504": gettext_lazy("declared Python within 180 days of end of life"),
    },
    tags=TAGS,
)
def check_python_support(context: Context) -> Messages:
    """E503/W504: the declared Python is past, or within 180 days of, its end of life."""
    from deploytools.facts import support_data as support

    on = context.today
    version, where = declared_python(context)
    target = _newest_supported_python(on)
    fix = (
        "git rm runtime.txt && echo %(target)s > .python-version"
        if where == "runtime.txt"
        else "echo %(target)s > .python-version"
    )
    upgrade = (
        _("See %(source)s and %(heroku)s. Upgrade, then run: ") + fix
        if target
        else _(
            "See %(source)s and %(heroku)s. Upgrade Python, then update: "
            "deploytools/facts/support_data.py"
        )
    ) % {
        "target": target,
        "source": support.PYTHON_SOURCE,
        "heroku": support.HEROKU_PYTHON_SOURCE,
    }
    release = support.python_release(version)
    if release is None:
        known = sorted(support.PYTHON_RELEASES, key=_version_key)
        if _version_key(version) > _version_key(known[-1]):
            raise Skipped(
                _(
                    "Python %(version)s is newer than the support table of %(as_of)s; update "
                    "deploytools/facts/support_data.py"
                )
                % {"version": version, "as_of": support.AS_OF.isoformat()}
            )
        return [
            checks.Error(
                _(
                    "Python %(version)s (from %(where)s) is past its end of life and Heroku does "
                    "not build it."
                )
                % {"version": version, "where": where},
                hint=upgrade,
                obj=where,
                id="deploytools.E503",
            )
        ]
    end = release.end_of_life
    context.evidence(
        _("Python %(version)s from %(where)s, end of life %(end)s")
        % {"version": version, "where": where, "end": end.isoformat()}
    )
    if on > end or not release.heroku_supported:
        reason = (
            _("reached its end of life on %(end)s") % {"end": end.isoformat()}
            if on > end
            else _("is not built by Heroku's Python buildpack (end of life %(end)s)")
            % {"end": end.isoformat()}
        )
        return [
            checks.Error(
                _("Python %(version)s (from %(where)s) %(reason)s.")
                % {"version": version, "where": where, "reason": reason},
                hint=upgrade,
                obj=where,
                id="deploytools.E503",
            )
        ]
    if end - on <= timedelta(days=PYTHON_WARNING_DAYS):
        return [
            checks.Warning(
                _(
                    "Python %(version)s (from %(where)s) reaches its end of life on %(end)s, in "
                    "%(days)d days."
                )
                % {
                    "version": version,
                    "where": where,
                    "end": end.isoformat(),
                    "days": (end - on).days,
                },
                hint=upgrade,
                obj=where,
                id="deploytools.W504",
            )
        ]
    return []
