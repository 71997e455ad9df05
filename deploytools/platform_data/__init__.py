"""
Dated platform facts: Django and Python releases, Heroku's build window, stacks, Postgres plans,
dyno sizes and the release phase, read from ``deploytools/data/platform.json``.

Every table in that file names its sources and the day they were read (docs/platform-facts.md
lists them); ``scripts/refresh_platform_data.py`` regenerates the tables it can fetch. The file
is loaded once, on the first accessor call, so importing this module costs no I/O.

The records are :mod:`deploytools.platform_data.records` (re-exported here), the parsing
:mod:`deploytools.platform_data.parse`: checks import this module only.

A version newer than the tables is *unknown to this deploytools* (:class:`Unknown` with
``newer=True``): the checks must say "update deploytools", not "unsupported", because a
release newer than the data is most likely fine. A version older than every row is known to be
out of support (``newer=False``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from deploytools.platform_data.parse import parse
from deploytools.platform_data.records import (
    BuildFailurePhase,
    BuildpackFacts,
    BuildRule,
    CnbBuilder,
    DjangoRelease,
    DynoMetadata,
    DynoSize,
    Generation,
    HerokuPythonWindow,
    InvalidVersion,
    PlatformData,
    PostgresPlan,
    PythonRelease,
    ReleasePhase,
    ReleaseStatuses,
    Runtime,
    Source,
    Stack,
    SupportStatus,
    TableInfo,
    Unknown,
    parse_version,
    python_series,
)
from deploytools.platform_data.records import series_key as _series_key

__all__ = [
    "BuildFailurePhase",
    "BuildRule",
    "BuildpackFacts",
    "CnbBuilder",
    "DjangoRelease",
    "DynoMetadata",
    "DynoSize",
    "Generation",
    "HerokuPythonWindow",
    "InvalidVersion",
    "PlatformData",
    "PostgresPlan",
    "PythonRelease",
    "ReleasePhase",
    "ReleaseStatuses",
    "Runtime",
    "Source",
    "Stack",
    "SupportStatus",
    "TableInfo",
    "Unknown",
    "parse_version",
    "python_series",
    "parse",
]

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "platform.json"


# --- versions --------------------------------------------------------------------------------


def django_series(version: str) -> str:
    """
    The feature release a Django version belongs to: '4.2.30' -> '4.2', '6.1' -> '6.1',
    '2028.0' and '2028.1.2' -> '2028' (DEP 20 calendar versions: YYYY.N, N counts patches).
    """
    parts = parse_version(version)
    if parts[0] >= _calver_first_year():
        return str(parts[0])
    return f"{parts[0]}.{parts[1] if len(parts) > 1 else 0}"


# --- the data --------------------------------------------------------------------------------


def load(path: Path | None = None) -> PlatformData:
    """Read and parse a platform.json (default: the one shipped with deploytools)."""
    target = path or DATA_PATH
    return parse(json.loads(target.read_text(encoding="utf-8")))


@functools.cache
def data() -> PlatformData:
    """The shipped platform data, loaded on first use and kept for the process."""
    return load()


def _calver_first_year() -> int:
    return data().calver_first_year


# --- accessors the checks use ----------------------------------------------------------------


def __getattr__(name: str) -> date:
    # AS_OF as a module attribute without reading the file at import time (PEP 562).
    if name == "AS_OF":
        return data().as_of
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_of() -> date:
    """The oldest ``read`` date of all tables."""
    return data().as_of


def data_age_days(today: date) -> int:
    """Days since the oldest table was read (for the "platform data is old" info line)."""
    return (today - data().as_of).days


def tables() -> tuple[TableInfo, ...]:
    return data().tables


# A Django or Python release: both are found by their series.
R = TypeVar("R", DjangoRelease, PythonRelease)


def _unknown(
    kind: Any, value: str, key: tuple[int, ...], known: Sequence[tuple[tuple[int, ...], str]]
) -> Unknown:
    if not known:
        return Unknown(kind, value, "unlisted", None, data().as_of)
    newest_key, newest = max(known)
    relation: Any = "newer" if key > newest_key else "older" if key < min(known)[0] else "unlisted"
    return Unknown(kind, value, relation, newest, data().as_of)


def django_release(version: str) -> DjangoRelease | Unknown:
    """The feature release of a Django version ('6.1.3', '2028.1'), or :class:`Unknown`."""
    return _release_of("django", django_series(version), data().django_releases)


def django_releases() -> tuple[DjangoRelease, ...]:
    return data().django_releases


def django_postgres_minimum(version: str) -> int | None:
    """The oldest PostgreSQL major version this Django supports (None: not known)."""
    release = django_release(version)
    return release.postgresql_min if isinstance(release, DjangoRelease) else None


def python_release(version: str) -> PythonRelease | Unknown:
    """The feature release of a Python version ('3.13', '3.13.2', 'python-3.12'), or Unknown."""
    return _release_of("python", python_series(version), data().python_releases)


def _release_of(
    kind: Literal["django", "python"], series: str, releases: tuple[R, ...]
) -> R | Unknown:
    """The release of ``series`` among ``releases`` (Django's or Python's), or Unknown."""
    for release in releases:
        if release.series == series:
            return release
    return _unknown(
        kind, series, _series_key(series), [(_series_key(r.series), r.series) for r in releases]
    )


def python_releases() -> tuple[PythonRelease, ...]:
    return data().python_releases


def heroku_builds_python(version: str, on: date) -> HerokuPythonWindow | Unknown:
    """Heroku's build window for a Python version on day ``on`` (``.builds`` says yes or no)."""
    release = python_release(version)
    if isinstance(release, Unknown):
        return release
    return release.heroku_window(on)


def python_could_be_released(version: str, on: date) -> bool:
    """
    Whether a Python series after the table could be out by ``on``: Python ships one feature
    release a year, in October (PEP 602), so on 2026-12-01, with 3.14 (October 2025) the
    newest in the data, 3.15 could be and 3.16 or 3.99 cannot. Such a series is unknown to
    this deploytools; one that cannot exist yet is no Python at all.
    """
    parts = parse_version(version)
    releases = data().python_releases
    newest = max(releases, key=lambda r: _series_key(r.series))
    major, minor = _series_key(newest.series)[:2]
    octobers = on.year - newest.released.year - (1 if on < date(on.year, 10, 1) else 0)
    wanted = (parts[0], parts[1] if len(parts) > 1 else 0)
    return wanted <= (major, minor + max(octobers, 0))


def latest_python_patch(version: str, builder: Literal["classic", "cnb"] = "classic") -> str | None:
    """The patch release Heroku resolves '3.Y' to (LATEST_PYTHON_3_Y), None if it builds none."""
    release = python_release(version)
    if isinstance(release, Unknown):
        return None
    return release.buildpack_latest if builder == "classic" else release.cnb_latest


def buildpack() -> BuildpackFacts:
    return data().buildpack


def python_grace_rule() -> str:
    return data().python_grace_rule


_STACK_NUMBER = re.compile(r"^heroku-(?P<n>\d+)$")


def stack(name: str) -> Stack | Unknown:
    """A stack by name ('heroku-22'); ``Unknown(newer=True)`` for a heroku-NN after the table."""
    wanted = name.strip().lower()
    stacks = data().stacks
    for item in stacks:
        if item.name == wanted:
            return item
    numbered = [
        ((int(m["n"]),), s.name) for s in stacks if (m := _STACK_NUMBER.match(s.name)) is not None
    ]
    match = _STACK_NUMBER.match(wanted)
    if match is None:
        newest = max(numbered)[1] if numbered else None
        return Unknown("stack", wanted, "unlisted", newest, data().as_of)
    return _unknown("stack", wanted, (int(match["n"]),), numbered)


def stacks() -> tuple[Stack, ...]:
    return data().stacks


def recommended_stack() -> Stack:
    found = stack(data().recommended_stack)
    if isinstance(found, Unknown):
        raise ValueError(f"recommended stack {data().recommended_stack!r} is not in the table")
    return found


def stack_without_os_layer(name: str) -> str | None:
    """Why a stack without Heroku's OS layer (container, cnb) has no stack end of life."""
    return data().stacks_without_os_layer.get(name.strip().lower())


def cnb_builder(image: str) -> CnbBuilder | Unknown:
    """A Fir builder image ('heroku/builder:24'; the ':24' tag alone works too)."""
    wanted = image.strip().lower()
    if not wanted.startswith("heroku/builder"):
        wanted = "heroku/builder:" + wanted.lstrip(":")
    builders = data().cnb_builders
    for builder in builders:
        if builder.image == wanted:
            return builder
    tag = wanted.rpartition(":")[2]
    known = [((int(b.image.rpartition(":")[2]),), b.image) for b in builders]
    if tag.isdigit():
        return _unknown("cnb-builder", wanted, (int(tag),), known)
    newest = max(known)[1] if known else None
    return Unknown("cnb-builder", wanted, "unlisted", newest, data().as_of)


def recommended_cnb_builder() -> CnbBuilder:
    """The builder image Heroku recommends for Fir builds (heroku/builder:26)."""
    return next(b for b in data().cnb_builders if b.status == "recommended")


def _plan_name(name: str) -> str:
    return name.split(":", 1)[-1].strip().lower()


def postgres_plan(name: str) -> PostgresPlan | Unknown:
    """
    A Heroku Postgres plan by name ('heroku-postgresql:standard-0', 'premium-l-9',
    'heroku-postgresql:advanced'), with its connection limit and high availability.
    """
    plan = _plan_name(name)
    platform = data()
    service = name.partition(":")[0].strip().lower() if ":" in name else "heroku-postgresql"
    if service != "heroku-postgresql":
        return Unknown("postgres-plan", name.strip().lower(), "unlisted", None, platform.as_of)
    for item in (*platform.postgres_plans, *platform.advanced_plans):
        if item.name == plan:
            return item
    tiered = platform.postgres_tiered
    match = re.fullmatch(r"(?P<tier>[a-z]+)(?P<disk>-l|-xl)?-(?P<size>\d+)", plan)
    if match is not None and match["tier"] in tiered["tiers"]:
        size = int(match["size"])
        spec = tiered["tiers"][match["tier"]]
        large = match["disk"] is not None
        known_size = size in tiered["sizes"] and (not large or size in tiered["large_disk_sizes"])
        # -l/-xl (larger disk) exist only for premium/private/shield sizes 6 and 9.
        if known_size and not (large and match["tier"] == "standard"):
            return PostgresPlan(
                name=plan,
                tier=match["tier"],
                production=bool(spec["production"]),
                high_availability=bool(spec["high_availability"]),
                connection_limit=int(tiered["connection_limit_by_size"][str(size)]),
                network=spec["network"],
            )
        newest = max(tiered["sizes"])
        relation: Any = "newer" if size > newest else "unlisted"
        return Unknown("postgres-plan", plan, relation, f"{match['tier']}-{newest}", platform.as_of)
    return Unknown("postgres-plan", plan, "unlisted", None, platform.as_of)


def smallest_postgres_plan(network: str, high_availability: bool) -> str:
    """
    The smallest production plan of the tiered table for ``network`` (common, private, shield)
    with (or without) a standby: common -> standard-0 or premium-0, private -> private-0.
    """
    tiered = data().postgres_tiered
    matching = [
        (tier, bool(spec["high_availability"]))
        for tier, spec in tiered["tiers"].items()
        if spec["network"] == network and spec["production"]
    ]
    exact = [tier for tier, ha in matching if ha == high_availability]
    # Private and Shield tiers all have a standby: one is the smallest there either way.
    chosen = exact or [tier for tier, ha in matching if ha]
    if not chosen:
        raise ValueError(f"no production Postgres plan for network {network!r}")
    return f"heroku-postgresql:{chosen[0]}-{min(tiered['sizes'])}"


def postgres_connection_limit(
    plan: str, level: str | None = None, instances: int = 1
) -> int | None:
    """The connection limit of a plan (and, for Postgres Advanced, its compute level)."""
    found = postgres_plan(plan)
    return None if isinstance(found, Unknown) else found.connection_limit_for(level, instances)


def normalize_dyno_size(name: str) -> str:
    """'Standard-2X' (as the CLI and dashboard write it) -> 'standard-2x'."""
    return name.strip().lower()


def dyno_size(name: str) -> DynoSize | Unknown:
    wanted = normalize_dyno_size(name)
    for size in data().dyno_sizes:
        if size.name == wanted:
            return size
    return Unknown("dyno-size", wanted, "unlisted", None, data().as_of)


def dyno_sizes(
    runtime: Runtime | None = None, professional_only: bool = False
) -> tuple[DynoSize, ...]:
    """
    The sizes an app on ``runtime`` can use, smallest memory first (I803 recommends only
    these): Common Runtime apps cannot use private-*/shield-* or Fir sizes, and so on.
    """
    chosen = [
        s
        for s in data().dyno_sizes
        if (runtime is None or s.runtime == runtime)
        and not s.retired
        and (not professional_only or s.professional)
    ]
    return tuple(sorted(chosen, key=lambda s: (s.memory_mb, s.vcpu or 0, s.name)))


def default_web_concurrency(size: str) -> int | None:
    """WEB_CONCURRENCY the classic Python buildpack sets for ``size`` (None on Fir / unknown)."""
    found = dyno_size(size)
    return None if isinstance(found, Unknown) else found.default_web_concurrency


def release_phase() -> ReleasePhase:
    return data().release_phase


def dyno_metadata() -> DynoMetadata:
    return data().dyno_metadata


def release_statuses() -> ReleaseStatuses:
    return data().release_statuses


def slug_max_compressed_mb() -> int:
    """Heroku's maximum compressed slug size (Cedar apps; Fir releases carry OCI images)."""
    return data().slug_max_compressed_mb


def generation(name: str | None) -> Generation:
    """A platform generation by name ('fir'); anything else is Cedar, Heroku's default."""
    found = data().generations
    return found.get((name or "").strip().lower(), found["cedar"])
