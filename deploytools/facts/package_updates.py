"""
The build's pinned packages against the package index: newer patch releases, known advisories.

One concurrent wave of requests per run (:func:`deploytools.facts.package_index.check_packages`,
shared by W505 and E506 through :func:`index_report`), asked about exactly the pins Heroku's
build installs (:func:`deploytools.facts.package_manager.build_packages`) for the Python it
builds with. The index is ``DEPLOYTOOLS_PYPI_URL`` (default https://pypi.org); offline, refused
or slow, the checks are skipped with the reason, never failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from deploytools import platform_data
from deploytools.context import Context, Skipped, memoized
from deploytools.facts import package_index


@dataclass(frozen=True)
class IndexFindings:
    """The wave's report, and each pin's line in the build's file ("requirements.txt:3")."""

    report: package_index.IndexReport
    sources: dict[str, str]  # canonical name -> where the build pins it
    manager: str  # "pip", "pipenv", "poetry", "uv"


def build_python(context: Context) -> str:
    """
    The Python version the build installs: the declared patch, else the newest patch of the
    declared series that Heroku's buildpack resolves it to (platform data), else the series.
    """
    from deploytools.facts.generation import is_fir
    from deploytools.facts.python_request import requested_python

    request = requested_python(context)
    version = request.version or platform_data.buildpack().default_version
    try:
        if len(platform_data.parse_version(version)) >= 3:
            return version
    except platform_data.InvalidVersion:
        return platform_data.buildpack().default_version
    latest = platform_data.latest_python_patch(version, "cnb" if is_fir(context) else "classic")
    return latest or version


def _pinned(version: str | None) -> bool:
    if not version:
        return False
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


@dataclass(frozen=True)
class _Wave:
    """What the index is asked about: the build's exact pins, its Python, where each pin is."""

    pins: list[package_index.Pin]
    python: str
    sources: dict[str, str]
    manager: str


def _wave(context: Context) -> _Wave:
    """The build's exact pins and Python, or Skipped when there is nothing to ask about."""
    from django.utils.translation import gettext as _

    from deploytools.facts.package_manager import build_packages, skip_container_app

    skip_container_app(context)
    packages = build_packages(context)
    if packages.manager is None:
        raise Skipped(_("the build has no package manager file it can install from (E201/E216)"))
    pins = {name: pin for name, pin in packages.pins.items() if _pinned(pin.version)}
    if not pins:
        raise Skipped(_("the build pins no package to an exact version (W202)"))
    return _Wave(
        [package_index.Pin(name, str(pin.version)) for name, pin in pins.items()],
        build_python(context),
        {name: pin.source for name, pin in pins.items()},
        packages.manager,
    )


def start_index_wave(context: Context) -> None:
    """
    Ask the index now, in the background (preflight does while the simulated dyno runs);
    :func:`index_report` then waits for the answer instead of asking. Only the requests run
    in the other thread: what they ask is read here, and their messages are made later, in
    the language of the thread that reports them.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        wave = _wave(context)
    except Skipped:
        return  # index_report raises it again, for the checks to report
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="package-index")
    future = pool.submit(package_index.check_packages, wave.pins, wave.python)
    pool.shutdown(wait=False)
    context.remember(start_index_wave, (wave, future))


@memoized
def index_report(context: Context) -> IndexFindings:
    """Every exact pin of the build, asked of the index once per run; Skipped if none answers."""
    from django.utils.translation import gettext as _

    started = context.known(start_index_wave)
    if started is not None:
        wave, future = started
        report = future.result()
    else:
        wave = _wave(context)
        report = package_index.check_packages(wave.pins, wave.python)
    failed = report.all_unavailable
    if failed is not None:
        raise Skipped(
            _("not checked: %(why)s at %(url)s") % {"why": failed.message(), "url": report.base_url}
        )
    return IndexFindings(report, wave.sources, wave.manager)


def fix_version(found: package_index.PackageReport) -> str | None:
    """
    A release to pin that fixes every advisory of the pin, and that the index has (installable
    on the build's Python): the newest of the pin's series, else the newest overall, else none.
    """
    fixes = [a.first_fixed for a in found.advisories]
    if any(fix is None for fix in fixes):
        return None
    for candidate in (found.newest_in_series, found.newest):
        if candidate is not None and all(Version(candidate) >= Version(str(f)) for f in fixes):
            return candidate
    return None
