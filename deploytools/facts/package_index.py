"""
The package index's view of the pinned requirements: newer patch releases and known advisories.

For each pin (name, version) two documents of the index's JSON API are read —
``{base}/pypi/{name}/json`` (every release: the newest patch of the pinned series, the newest
release overall) and ``{base}/pypi/{name}/{version}/json`` (the ``vulnerabilities`` of exactly
that version, as pip-audit reads them) — all of them in one concurrent wave, each bounded by a
total deadline that covers connecting, sending and reading (a server that drips one byte a
second cannot hold a check). Answers are cached on disk for a few minutes, errors never.

Nothing here raises for the network's sake: offline, refused, timed out, an HTTP error or a body
that is not the API's JSON all become :class:`Unavailable` with a typed :class:`Reason`, so the
checks built on this skip with that reason instead of failing the run.

The base URL is ``DEPLOYTOOLS_PYPI_URL`` (default https://pypi.org), so tests and mirrors point
it elsewhere. The Python patch level needs no network: :func:`python_patch_level` compares the
declared version with the patch release Heroku's buildpack resolves (platform data).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from django.utils.translation import gettext as _
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from deploytools import platform_data
from deploytools.facts.package_index_http import (
    CACHE_DIR_ENV,
    Cache,
    Failure,
    Reason,
    default_cache_dir,
    get_json,
)
from deploytools.i18n import gettext_noop

__all__ = ["CACHE_DIR_ENV", "Cache", "Reason", "default_cache_dir", "get_json"]

DEFAULT_BASE_URL = "https://pypi.org"
BASE_URL_ENV = "DEPLOYTOOLS_PYPI_URL"
# Short: each request of the wave gets this long in total, and the wave runs them all at once.
DEFAULT_TIMEOUT_SECONDS = 5.0
# One thread per request: they wait on the network, not the CPU. The cap bounds a huge
# requirements file; 2 requests per pin, so 64 pins still go out in one wave.
MAX_WORKERS = 128


@dataclass(frozen=True)
class Pin:
    """A requirement pinned with ``==``."""

    name: str
    version: str

    @property
    def key(self) -> str:
        """The index's canonical name (PEP 503): 'Django' -> 'django', 'Foo_Bar' -> 'foo-bar'."""
        return str(canonicalize_name(self.name))


@dataclass(frozen=True)
class Advisory:
    """A known vulnerability of the pinned version (the index's ``vulnerabilities`` entry)."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    fixed_in: tuple[str, ...]  # every fixed version the advisory lists, oldest first
    first_fixed: str | None  # the first fixed version after the pin, same series first
    link: str | None

    @property
    def ids(self) -> tuple[str, ...]:
        """The advisory's id and its aliases (CVE, GHSA), as pip-audit reports them."""
        return (self.id, *self.aliases)


@dataclass(frozen=True)
class PackageReport:
    """What the index says about one pin."""

    pin: Pin
    newest_in_series: str | None  # newest release of the pin's series installable on the Python
    newest: str | None  # newest release overall installable on the Python
    advisories: tuple[Advisory, ...]
    pinned_yanked: bool
    # The project's name as its authors spell it ("Django"), for messages; None if not given.
    display_name: str | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.pin.name

    @property
    def behind_series(self) -> bool:
        """A newer patch release of the pinned series exists ("6.1.3 -> 6.1.5")."""
        return self.newest_in_series is not None and _newer(self.newest_in_series, self.pin.version)

    @property
    def behind_newest(self) -> bool:
        return self.newest is not None and _newer(self.newest, self.pin.version)

    @property
    def vulnerable(self) -> bool:
        return bool(self.advisories)


@dataclass(frozen=True)
class Unavailable:
    """The index could not answer for this pin; ``reason`` says why, ``detail`` for humans."""

    pin: Pin
    reason: Reason
    detail: str
    url: str

    def message(self) -> str:
        texts = {
            Reason.OFFLINE: _("the package index is unreachable (offline?)"),
            Reason.REFUSED: _("the package index refused the connection"),
            Reason.TIMEOUT: _("the package index did not answer in time"),
            Reason.NOT_FOUND: _("the package index does not know %(name)s %(version)s"),
            Reason.HTTP_ERROR: _("the package index answered with an error"),
            Reason.BAD_RESPONSE: _("the package index sent something that is not its JSON API"),
            Reason.TOO_LARGE: _("the package index sent an oversized answer"),
        }
        text = texts[self.reason] % {"name": self.pin.name, "version": self.pin.version}
        # Details are made in the wave's worker threads, where the caller's active language is
        # not: they are marked there (gettext_noop) and translated here, in the caller's thread.
        if not self.detail:
            return text
        detail = _(self.detail)
        return f"{text} ({detail})"


Result = PackageReport | Unavailable


@dataclass(frozen=True)
class IndexReport:
    """The wave's results, in the order of the pins, and how long the wave took."""

    base_url: str
    python_version: str
    results: tuple[Result, ...]
    seconds: float
    requests: int
    cache_hits: int

    @property
    def reports(self) -> tuple[PackageReport, ...]:
        return tuple(r for r in self.results if isinstance(r, PackageReport))

    @property
    def unavailable(self) -> tuple[Unavailable, ...]:
        return tuple(r for r in self.results if isinstance(r, Unavailable))

    @property
    def all_unavailable(self) -> Unavailable | None:
        """When not a single pin got an answer, the first failure: the check skips with it."""
        if self.results and not self.reports:
            return self.unavailable[0]
        return None


@dataclass(frozen=True)
class PythonPatchLevel:
    """The declared Python against the patch release Heroku's buildpack builds (no network)."""

    declared: str
    series: str
    latest: str | None  # LATEST_PYTHON_3_Y; None when the buildpack builds no such series
    pinned_patch: bool  # the declaration names a patch release (3.13.2), not a series (3.13)
    behind: bool  # pinned to an older patch than ``latest``: security fixes missed
    unknown: platform_data.Unknown | None  # a series newer (or older) than the platform data


def python_patch_level(
    declared: str, builder: Literal["classic", "cnb"] = "classic"
) -> PythonPatchLevel:
    """
    '3.13.2' -> behind 3.13.15; '3.13' -> not behind (the buildpack resolves the newest patch
    at every build). Raises platform_data.InvalidVersion for a string that is not a version.
    """
    parts = platform_data.parse_version(declared)
    series = platform_data.python_series(declared)
    release = platform_data.python_release(declared)
    if isinstance(release, platform_data.Unknown):
        return PythonPatchLevel(declared, series, None, len(parts) >= 3, False, release)
    latest = platform_data.latest_python_patch(series, builder)
    pinned = len(parts) >= 3
    behind = pinned and latest is not None and parts < platform_data.parse_version(latest)
    return PythonPatchLevel(declared, series, latest, pinned, behind, None)


# --- versions ----------------------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _newer(candidate: str, pinned: str) -> bool:
    a, b = _version(candidate), _version(pinned)
    return a is not None and b is not None and a > b


def series_of(pin: Pin) -> tuple[int, ...]:
    """
    The release series a pin gets patch releases in: Django by its feature release (6.1, or the
    DEP 20 year 2028), everything else by major.minor (requests 2.34.2 -> 2.34).
    """
    parsed = _version(pin.version)
    if parsed is None:
        return ()
    if pin.key == "django":
        return platform_data.parse_version(platform_data.django_series(pin.version))
    release = parsed.release
    return tuple(release[:2]) if len(release) >= 2 else (release[0], 0)


def _in_series(version: Version, series: tuple[int, ...], pin: Pin) -> bool:
    if pin.key == "django":
        return platform_data.parse_version(platform_data.django_series(str(version))) == series
    release = version.release if len(version.release) >= 2 else (version.release[0], 0)
    return tuple(release[: len(series)]) == series


def _installable(files: Any, python: Version) -> bool:
    """A release pip would install on ``python``: one file not yanked whose Requires-Python fits."""
    if not isinstance(files, list) or not files:
        return False
    for entry in files:
        if not isinstance(entry, dict) or entry.get("yanked"):
            continue
        requires = entry.get("requires_python")
        if not requires:
            return True
        try:
            if SpecifierSet(str(requires)).contains(python, prereleases=True):
                return True
        except InvalidSpecifier:
            # An unparseable Requires-Python does not stop pip either.
            return True
    return False


def newest_releases(
    project: Mapping[str, Any], pin: Pin, python_version: str
) -> tuple[str | None, str | None]:
    """(newest release of the pin's series, newest release overall), installable on Python."""
    releases = project.get("releases")
    if not isinstance(releases, dict):
        raise ValueError("no releases mapping")
    python = Version(".".join(str(p) for p in platform_data.parse_version(python_version)))
    pinned = _version(pin.version)
    allow_pre = pinned is not None and pinned.is_prerelease
    series = series_of(pin)
    newest: Version | None = None
    newest_series: Version | None = None
    for name, files in releases.items():
        version = _version(str(name))
        if version is None or (version.is_prerelease and not allow_pre):
            continue
        if not _installable(files, python):
            continue
        if newest is None or version > newest:
            newest = version
        in_series = bool(series) and _in_series(version, series, pin)
        if in_series and (newest_series is None or version > newest_series):
            newest_series = version
    return (
        str(newest_series) if newest_series is not None else None,
        str(newest) if newest is not None else None,
    )


def first_fixed(fixed_in: Iterable[str], pin: Pin) -> str | None:
    """
    The version to move to: the oldest fixed version after the pin in the pin's own series
    (Django 3.0.2 with fixes 2.2.18, 3.0.12, 3.1.6 -> 3.0.12), else the oldest after the pin.
    """
    pinned = _version(pin.version)
    candidates = sorted(v for v in map(_version, fixed_in) if v is not None)
    later = [v for v in candidates if pinned is None or v > pinned]
    series = series_of(pin)
    same = [v for v in later if series and _in_series(v, series, pin)]
    chosen = same[0] if same else later[0] if later else None
    return str(chosen) if chosen is not None else None


def advisories(document: Mapping[str, Any], pin: Pin) -> tuple[Advisory, ...]:
    """The ``vulnerabilities`` of a release document, as pip-audit reads them."""
    entries = document.get("vulnerabilities")
    # No key: the index knows of no vulnerability for any version (pip-audit reads it so too).
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ValueError("vulnerabilities is not a list")
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ValueError("a vulnerability without an id")
        # A withdrawn report was found to be invalid by its source: pip-audit skips it too.
        if entry.get("withdrawn") is not None:
            continue
        fixed = [str(v) for v in entry.get("fixed_in") or [] if _version(str(v)) is not None]
        fixed.sort(key=Version)
        summary = entry.get("summary") or entry.get("details") or ""
        found.append(
            Advisory(
                id=entry["id"],
                aliases=tuple(str(a) for a in entry.get("aliases") or []),
                summary=" ".join(str(summary).split()),
                fixed_in=tuple(fixed),
                first_fixed=first_fixed(fixed, pin),
                link=entry.get("link") if isinstance(entry.get("link"), str) else None,
            )
        )
    return tuple(found)


# --- the wave ----------------------------------------------------------------------------------


def base_url(explicit: str | None = None) -> str:
    """The index's base URL: ``explicit``, else $DEPLOYTOOLS_PYPI_URL, else https://pypi.org."""
    return (explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def project_url(base: str, pin: Pin) -> str:
    return f"{base}/pypi/{quote(pin.key)}/json"


def release_url(base: str, pin: Pin) -> str:
    return f"{base}/pypi/{quote(pin.key)}/{quote(pin.version)}/json"


def _check_shape(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        raise Failure(Reason.BAD_RESPONSE, gettext_noop("no 'info' object"))
    return document


def check_packages(
    pins: Iterable[Pin | tuple[str, str]],
    python_version: str,
    *,
    index_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    cache: Cache | None = None,
    use_cache: bool = True,
) -> IndexReport:
    """
    Ask the index about every pin in one concurrent wave; never raises for the network.

    ``python_version`` is the Python the app runs ('3.13' or '3.13.2'): releases whose files
    all exclude it (Requires-Python) do not count as available upgrades.
    """
    chosen = [p if isinstance(p, Pin) else Pin(*p) for p in pins]
    base = base_url(index_url)
    store = (cache or Cache()) if use_cache else None
    urls: list[str] = []
    for pin in chosen:
        urls += [project_url(base, pin), release_url(base, pin)]
    answers: dict[str, Any] = {}
    hits = 0
    pending = []
    for url in dict.fromkeys(urls):
        cached = store.get(url) if store is not None else None
        if cached is not None:
            answers[url] = cached
            hits += 1
        else:
            pending.append(url)

    def fetch(url: str) -> tuple[str, Any]:
        try:
            document = _check_shape(get_json(url, timeout))
        except Failure as failure:
            return url, failure
        if store is not None:
            store.put(url, document)
        return url, document

    started = time.perf_counter()
    if pending:
        with ThreadPoolExecutor(max_workers=min(len(pending), MAX_WORKERS)) as pool:
            answers.update(pool.map(fetch, pending))
    results: list[Result] = []
    for pin in chosen:
        results.append(_result(pin, base, answers, python_version))
    return IndexReport(
        base_url=base,
        python_version=python_version,
        results=tuple(results),
        seconds=time.perf_counter() - started,
        requests=len(pending),
        cache_hits=hits,
    )


def _result(pin: Pin, base: str, answers: Mapping[str, Any], python_version: str) -> Result:
    p_url, r_url = project_url(base, pin), release_url(base, pin)
    for url in (p_url, r_url):
        answer = answers[url]
        if isinstance(answer, Failure):
            return Unavailable(pin, answer.reason, answer.detail, url)
    try:
        newest_series, newest = newest_releases(answers[p_url], pin, python_version)
        found = advisories(answers[r_url], pin)
    except (ValueError, TypeError, platform_data.InvalidVersion) as exc:
        return Unavailable(pin, Reason.BAD_RESPONSE, str(exc), p_url)
    info = answers[r_url].get("info") or {}
    name = info.get("name")
    return PackageReport(
        pin=pin,
        newest_in_series=newest_series,
        newest=newest,
        advisories=found,
        pinned_yanked=bool(info.get("yanked")),
        display_name=name if isinstance(name, str) and name else None,
    )


_PIN_LINE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#]+)"
)


def pins_from_requirements(text: str) -> list[Pin]:
    """The ``name==version`` lines of a requirements file (others are E201/W202's business)."""
    found = []
    for line in text.splitlines():
        match = _PIN_LINE.match(line)
        if match is not None and not match["version"].endswith(".*"):
            found.append(Pin(match["name"], match["version"]))
    return found
