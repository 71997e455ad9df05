"""
W505–W507: keeping up with releases (tag preflight): every pinned package against the package
index, the pinned Python against the patch Heroku's buildpack builds.

W505 and E506 read one concurrent wave of the index's JSON API per run
(:func:`deploytools.facts.package_updates.index_report`, ``DEPLOYTOOLS_PYPI_URL``); when the
index is offline, refuses or is slow they are skipped with the reason. They run in preflight
only: a plain ``manage.py check --deploy`` (on a dyno, in CI) makes no request. A hint names only a
version the index lists as installable on the build's Python. W507 needs no network: the
buildpack's newest patch of each series is platform data.
"""

from __future__ import annotations

from django.core import checks
from django.core.checks import CheckMessage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import Messages, check
from deploytools.context import Context, PreflightContext, Skipped
from deploytools.facts import package_index
from deploytools.i18n import gettext_noop

TAGS = ["preflight"]
# How each package manager pins one package to one version (their documented forms).
PIN_COMMANDS = {
    "pip": gettext_noop(
        "pin %(name)s==%(version)s in %(where)s, then: pip install -r requirements.txt"
    ),
    "pipenv": "pipenv install %(name)s==%(version)s",
    "poetry": "poetry add %(name)s@%(version)s",
    "uv": "uv add %(name)s==%(version)s",
}


def _pin_hint(manager: str, name: str, version: str, where: str) -> str:
    # The pip one has words around its command; the other commands are said as they are.
    command = _(PIN_COMMANDS.get(manager, PIN_COMMANDS["pip"]))
    return command % {"name": name, "version": version, "where": where.split(":")[0]}


def _evidence(context: Context, report: package_index.IndexReport, text: str, count: int) -> None:
    """What was asked of which index, what it found, and the pins it could not answer for."""
    context.evidence(text % {"n": len(report.results), "url": report.base_url, "count": count})
    missing = report.unavailable
    if missing:
        context.evidence(
            _("not checked: %(pins)s (%(why)s)")
            % {
                "pins": ", ".join(f"{u.pin.name} {u.pin.version}" for u in missing),
                "why": missing[0].message(),
            }
        )


def _behind(found: package_index.PackageReport, manager: str, where: str) -> CheckMessage:
    assert found.newest_in_series is not None
    pin = found.pin
    kind = _("security releases") if pin.key == "django" else _("bug-fix and security releases")
    return checks.Warning(
        _("%(name)s %(pinned)s → %(newest)s: %(kind)s missed.")
        % {
            "name": found.name,
            "pinned": pin.version,
            "newest": found.newest_in_series,
            "kind": kind,
        },
        hint=_("Take the newest patch release of the series: %(fix)s")
        % {"fix": _pin_hint(manager, found.name, found.newest_in_series, where)},
        obj=where,
        id="deploytools.W505",
    )


@check(
    name="package_patch_releases",
    title=gettext_lazy("Every pinned package has its series' newest patch release"),
    ids={"W505": gettext_lazy("a pinned package behind the newest patch release of its series")},
    tags=TAGS,
)
def check_package_patch_releases(context: PreflightContext) -> Messages:
    """W505: a pin older than the newest release of its series (6.1.3 while 6.1.5 is out)."""
    from deploytools.facts.package_updates import index_report

    findings = index_report(context)
    report = findings.report
    messages = [
        _behind(found, findings.manager, findings.sources[found.pin.name])
        for found in report.reports
        # A vulnerable pin is E506's: one finding, with the version that fixes it.
        if found.behind_series and not found.vulnerable
    ]
    _evidence(context, report, _("%(n)d pins asked of %(url)s, %(count)d behind"), len(messages))
    return messages


def _advisory_text(advisory: package_index.Advisory) -> str:
    fixed = (
        _("first fixed in %(version)s") % {"version": advisory.first_fixed}
        if advisory.first_fixed
        else _("no fixed release yet")
    )
    return f"{' / '.join(advisory.ids)} ({fixed})"


def _vulnerable(found: package_index.PackageReport, manager: str, where: str) -> CheckMessage:
    from deploytools.facts.package_updates import fix_version

    pin = found.pin
    target = fix_version(found)
    links = sorted({a.link for a in found.advisories if a.link})
    if target is not None:
        hint = _("Pin a release that fixes them all: %(fix)s") % {
            "fix": _pin_hint(manager, found.name, target, where)
        }
    else:
        hint = _("No release on the index fixes them all yet; see %(links)s") % {
            "links": ", ".join(links) or _("the advisories")
        }
    return checks.Error(
        _("%(name)s %(version)s has known vulnerabilities: %(advisories)s.")
        % {
            "name": found.name,
            "version": pin.version,
            "advisories": "; ".join(_advisory_text(a) for a in found.advisories),
        },
        hint=hint,
        obj=where,
        id="deploytools.E506",
    )


@check(
    name="package_vulnerabilities",
    title=gettext_lazy("No pinned package has a known vulnerability"),
    ids={"E506": gettext_lazy("a pinned package with known vulnerabilities (advisory IDs, fix)")},
    tags=TAGS,
)
def check_package_vulnerabilities(context: PreflightContext) -> Messages:
    """E506: the index lists advisories for a pinned version (its ``vulnerabilities``)."""
    from deploytools.facts.package_updates import index_report

    findings = index_report(context)
    report = findings.report
    vulnerable = [found for found in report.reports if found.vulnerable]
    text = _("%(n)d pins asked of %(url)s, %(count)d with advisories")
    _evidence(context, report, text, len(vulnerable))
    return [
        _vulnerable(found, findings.manager, findings.sources[found.pin.name])
        for found in vulnerable
    ]


@check(
    name="python_patch_level",
    title=gettext_lazy("A pinned Python patch is the newest Heroku builds"),
    ids={"W507": gettext_lazy("a pinned Python patch behind the buildpack's newest of its series")},
    tags=TAGS,
)
def check_python_patch_level(context: Context) -> Messages:
    """W507: .python-version pins 3.13.2 while the buildpack builds 3.13.15 (it warns at build)."""
    from deploytools.facts.generation import is_fir
    from deploytools.facts.package_manager import skip_container_app
    from deploytools.facts.python_request import requested_python

    skip_container_app(context)
    request = requested_python(context)
    if request.origin == "default" or request.version is None:
        raise Skipped(_("no Python version declared (E206)"))
    try:
        level = package_index.python_patch_level(
            request.version, "cnb" if is_fir(context) else "classic"
        )
    except platform_data.InvalidVersion:
        raise Skipped(
            _("%(file)s holds no Python version (E206)") % {"file": request.origin}
        ) from None
    if level.unknown is not None:
        raise Skipped(level.unknown.message())
    values = {"declared": request.version, "latest": level.latest, "series": level.series}
    if not level.pinned_patch:
        context.evidence(
            _("%(declared)s: Heroku builds its newest patch (%(latest)s today)") % values
        )
        return []
    if not level.behind:
        context.evidence(_("%(declared)s, the newest patch Heroku builds") % values)
        return []
    fix = (
        "git rm runtime.txt && echo %(series)s > .python-version"
        if request.origin == "runtime.txt"
        else "echo %(series)s > .python-version"
    ) % values
    return [
        checks.Warning(
            _("Python %(declared)s → %(latest)s: security releases missed.") % values,
            hint=_("Declare the series only, so that every build gets its newest patch: %(fix)s")
            % {"fix": fix},
            obj=request.origin,
            id="deploytools.W507",
        )
    ]
