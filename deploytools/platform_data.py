"""
Dated platform facts: Django and Python releases, Heroku's build window, stacks, Postgres plans,
dyno sizes and the release phase, read from ``deploytools/data/platform.json``.

Every table in that file names its sources and the day they were read (docs/platform-facts.md
lists them); ``scripts/refresh_platform_data.py`` regenerates the tables it can fetch. The file
is loaded once, on the first accessor call, so importing this module costs no I/O.

A version newer than the tables is *unknown to this deploytools* (:class:`Unknown` with
``newer=True``): the checks must say "update deploytools", not "unsupported", because a
release newer than the data is most likely fine. A version older than every row is known to be
out of support (``newer=False``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _
from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

DATA_PATH = Path(__file__).resolve().parent / "data" / "platform.json"

Runtime = Literal["common", "private-space", "shield-space", "fir"]
SupportStatus = Literal["supported", "deprecated", "grace", "removed", "not-yet-released"]
BuildRule = Literal[
    "first-build-per-30-days", "first-build-per-7-days", "first-build-per-day", "no-builds"
]
_BUILD_RULES: tuple[BuildRule, ...] = (
    "first-build-per-30-days",
    "first-build-per-7-days",
    "first-build-per-day",
    "no-builds",
)
_RUNTIMES: tuple[Runtime, ...] = ("common", "private-space", "shield-space", "fir")


class InvalidVersion(ValueError):
    """A version string that is not N[.N[.N]] (optionally ``python-`` prefixed, pre/post tags)."""


# --- versions --------------------------------------------------------------------------------


def parse_version(text: str) -> tuple[int, ...]:
    """
    The release numbers of a version: '6.1.3' -> (6, 1, 3); '2028.1' -> (2028, 1);
    'python-3.13.2' (runtime.txt) -> (3, 13, 2). Pre-release, post-release and local tags
    (6.2rc1, 2026.10.19.post1) are valid and ignored: support dates belong to the series.
    """
    cleaned = text.strip()
    if cleaned.lower().startswith("python-"):
        cleaned = cleaned[len("python-") :]
    try:
        return tuple(Version(cleaned).release)
    except (PackagingInvalidVersion, ValueError):
        # ValueError: a number past int()'s digit limit ("3." followed by 100,000 ones).
        raise InvalidVersion(text[:40]) from None


def django_series(version: str) -> str:
    """
    The feature release a Django version belongs to: '4.2.30' -> '4.2', '6.1' -> '6.1',
    '2028.0' and '2028.1.2' -> '2028' (DEP 20 calendar versions: YYYY.N, N counts patches).
    """
    parts = parse_version(version)
    if parts[0] >= _calver_first_year():
        return str(parts[0])
    return f"{parts[0]}.{parts[1] if len(parts) > 1 else 0}"


def python_series(version: str) -> str:
    """'3.13.2' -> '3.13'; '3' -> '3.0'."""
    parts = parse_version(version)
    return f"{parts[0]}.{parts[1] if len(parts) > 1 else 0}"


def _series_key(series: str) -> tuple[int, ...]:
    return parse_version(series)


# --- the records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a table's facts come from: a URL, or a repository file at a commit."""

    url: str | None = None
    repo: str | None = None
    file: str | None = None
    commit: str | None = None
    published: date | None = None
    note: str | None = None

    def __str__(self) -> str:
        if self.repo and self.file:
            where = f"github.com/{self.repo} {self.file}"
            return f"{where} @ {self.commit[:12]}" if self.commit else where
        return self.url or "?"


@dataclass(frozen=True)
class TableInfo:
    """One dated table of platform.json: its name, sources, read date and how it is refreshed."""

    name: str
    read: date
    sources: tuple[Source, ...]
    refresh: Literal["auto", "manual"]


@dataclass(frozen=True)
class Unknown:
    """
    A value this deploytools' tables do not list.

    ``relation`` says how it relates to the table: ``newer`` sorts after every row (a release
    newer than the data: unknown to this deploytools, not unsupported); ``older`` sorts before
    every row (out of support long ago); ``unlisted`` is a name the table does not have.
    """

    kind: Literal["django", "python", "stack", "postgres-plan", "dyno-size", "cnb-builder"]
    value: str
    relation: Literal["newer", "older", "unlisted"]
    newest_known: str | None
    as_of: date

    @property
    def newer(self) -> bool:
        return self.relation == "newer"

    def message(self) -> str:
        kinds = {
            "django": _("Django"),
            "python": _("Python"),
            "stack": _("Stack"),
            "postgres-plan": _("Heroku Postgres plan"),
            "dyno-size": _("Dyno size"),
            "cnb-builder": _("Builder image"),
        }
        values = {
            "kind": kinds[self.kind],
            "value": self.value,
            "as_of": self.as_of.isoformat(),
            "newest": self.newest_known or "?",
        }
        if self.relation == "newer":
            return (
                _(
                    "%(kind)s %(value)s is unknown to this deploytools: its platform data (read "
                    "%(as_of)s) ends at %(newest)s. Upgrade deploytools."
                )
                % values
            )
        if self.relation == "older":
            return (
                _(
                    "%(kind)s %(value)s is older than every release in this deploytools' "
                    "platform data (read %(as_of)s): it is long out of support."
                )
                % values
            )
        return (
            _("%(kind)s %(value)s is not in this deploytools' platform data (read %(as_of)s).")
            % values
        )


@dataclass(frozen=True)
class DjangoRelease:
    """A Django feature release: X.Y until 6.2, then YYYY (DEP 20: 2028.0, 2028.1, ...)."""

    series: str
    released: date
    end_of_mainstream: date | None
    end_of_security: date
    lts: bool
    python: tuple[str, ...]  # major.minor versions it supports; empty while not published
    postgresql_min: int | None  # oldest PostgreSQL server major version; None: not published
    planned: bool = False  # not released when the data was read: the dates are announced ones
    note: str | None = None

    @property
    def calver(self) -> bool:
        return "." not in self.series

    def supported_on(self, day: date) -> bool:
        return self.released <= day <= self.end_of_security

    def supports_python(self, version: str) -> bool | None:
        """Whether this release supports Python ``version``; None while not published."""
        if not self.python:
            return None
        return python_series(version) in self.python


@dataclass(frozen=True)
class HerokuPythonWindow:
    """
    Whether Heroku's Python buildpacks build a Python series on a given day, and why.

    ``status``: supported; deprecated (builds, with a deprecation warning, before upstream end of
    life); grace (past upstream end of life, still built until ``removed``); removed; or
    not-yet-released. ``removed`` is the day builds start failing; ``removed_estimated`` says it
    follows the grace rule because Heroku has not published the date yet.
    """

    series: str
    day: date
    status: SupportStatus
    upstream_end_of_life: date
    deprecated: date | None
    removed: date
    removed_estimated: bool

    @property
    def builds(self) -> bool:
        return self.status in ("supported", "deprecated", "grace")

    @property
    def last_build_day(self) -> date:
        return self.removed - timedelta(days=1)


@dataclass(frozen=True)
class PythonRelease:
    """A Python feature release (3.Y), upstream and on Heroku's buildpacks."""

    series: str
    released: date
    end_of_bugfix: date | None
    end_of_life: date
    latest: str | None  # newest patch release upstream
    buildpack_latest: str | None  # LATEST_PYTHON_3_Y of the classic buildpack (Cedar)
    cnb_latest: str | None  # LATEST_PYTHON_3_Y of the Python CNB (Fir)
    heroku_deprecated: date | None
    heroku_removed: date  # builds fail from this day
    heroku_removed_published: bool

    def heroku_window(self, day: date) -> HerokuPythonWindow:
        if day < self.released:
            status: SupportStatus = "not-yet-released"
        elif day >= self.heroku_removed:
            status = "removed"
        elif day > self.end_of_life:
            status = "grace"
        elif self.heroku_deprecated is not None and day >= self.heroku_deprecated:
            status = "deprecated"
        else:
            status = "supported"
        return HerokuPythonWindow(
            series=self.series,
            day=day,
            status=status,
            upstream_end_of_life=self.end_of_life,
            deprecated=self.heroku_deprecated,
            removed=self.heroku_removed,
            removed_estimated=not self.heroku_removed_published,
        )


@dataclass(frozen=True)
class BuildpackFacts:
    """What the classic Python buildpack resolves (lib/python_version.sh)."""

    oldest_supported_minor: int
    newest_supported_minor: int
    default_version: str
    runtime_txt_deprecated: date
    version_file_precedence: tuple[str, ...]
    runtime_txt_is_error_on: tuple[str, ...]

    @property
    def default_series(self) -> str:
        return python_series(self.default_version)


@dataclass(frozen=True)
class BuildFailurePhase:
    """From ``starts``, builds of an app on a retiring stack fail as ``rule`` says."""

    starts: date
    rule: BuildRule

    def describe(self) -> str:
        texts = {
            "first-build-per-30-days": _("the first build of each app in a 30-day period fails"),
            "first-build-per-7-days": _("the first build of each app in a 7-day period fails"),
            "first-build-per-day": _("the first build of each app each day fails"),
            "no-builds": _("no builds are allowed"),
        }
        return texts[self.rule]


@dataclass(frozen=True)
class Stack:
    name: str
    base: str
    generation: str  # "cedar" or "cedar+fir"
    status: str  # end-of-life, deprecated, available, recommended
    end_of_life: date
    end_of_life_derived: bool  # from the stack update policy, Heroku has not published it yet
    build_failures: tuple[BuildFailurePhase, ...]
    note: str | None = None

    def build_failure_phase(self, day: date) -> BuildFailurePhase | None:
        """The build-failure rule in force on ``day`` (None: builds are not failed on purpose)."""
        current = None
        for phase in self.build_failures:
            if phase.starts <= day:
                current = phase
        return current

    def next_build_failure_phase(self, day: date) -> BuildFailurePhase | None:
        return next((p for p in self.build_failures if p.starts > day), None)

    def builds_allowed(self, day: date) -> bool:
        phase = self.build_failure_phase(day)
        return phase is None or phase.rule != "no-builds"


@dataclass(frozen=True)
class CnbBuilder:
    """A Cloud Native Buildpacks builder image of Fir apps (heroku/builder:NN)."""

    image: str
    base: str
    status: str
    end_of_life: date
    end_of_life_derived: bool
    note: str | None = None


@dataclass(frozen=True)
class PostgresPlan:
    """
    A Heroku Postgres plan (name without ``heroku-postgresql:``).

    Legacy plans carry one ``connection_limit``. Postgres Advanced plans (advanced,
    advanced-private, advanced-shield) do not: the compute *level* (add-on config, e.g.
    4G-Performance) sets it, per :meth:`connection_limit_for`; they have a standby by default.
    """

    name: str
    tier: str  # essential, hobby, standard, premium, private, shield, advanced
    production: bool
    high_availability: (
        bool  # legacy: HA on the plan; advanced: the default (standby unless disabled)
    )
    connection_limit: int | None
    network: Literal["common", "private", "shield"] = "common"
    legacy: bool = False
    advanced: bool = False
    connection_limit_by_level: Mapping[str, int] = field(default_factory=dict)

    def connection_limit_for(self, level: str | None = None, instances: int = 1) -> int | None:
        """
        Connections the database accepts: the plan's limit, or for Advanced the limit of
        ``level`` per instance. The leader pool serves from its leader only (instances=1); a
        follower pool of N instances accepts N times the instance limit.
        """
        if not self.advanced:
            return self.connection_limit
        if level is None:
            return None
        per_instance = _lookup_level(self.connection_limit_by_level, level)
        return None if per_instance is None else per_instance * max(instances, 1)


def _lookup_level(levels: Mapping[str, int], level: str) -> int | None:
    wanted = level.strip().lower()
    for name, limit in levels.items():
        if name.lower() == wanted:
            return limit
    return None


@dataclass(frozen=True)
class DynoSize:
    name: str
    tier: str
    runtime: Runtime
    memory_mb: int
    vcpu: float | None  # dedicated vCPUs; None for shared dynos (CPU share, not cores)
    cpu_cores_seen: int | None  # what nproc reports on the dyno (the buildpack's input)
    architecture: str  # amd64 on Cedar, arm64 on Fir
    default_web_concurrency: int | None  # set by the classic Python buildpack; None on Fir
    sleeps: bool
    metrics: bool
    horizontal_scaling: bool
    autoscaling: bool
    preboot: bool
    dedicated: bool
    retired: bool

    @property
    def professional(self) -> bool:
        """Production-capable: scales out and never sleeps (Standard and up, Fir)."""
        return self.horizontal_scaling and not self.sleeps and not self.retired


@dataclass(frozen=True)
class ReleasePhase:
    timeout_seconds: int
    timeout_extendable: bool
    triggers: tuple[str, ...]
    not_triggered_by: tuple[str, ...]


@dataclass(frozen=True)
class DynoMetadata:
    labs_feature: str
    enable_command: str  # with APP where the app name goes
    takes_effect: str
    variables: tuple[str, ...]

    def enable_command_for(self, app: str) -> str:
        return self.enable_command.replace("APP", app)


@dataclass(frozen=True)
class Generation:
    """
    A generation of the Heroku platform: Cedar (classic buildpacks, slugs, log drains) or Fir
    (Cloud Native Buildpacks in Private Spaces, OCI images, ARM dynos, telemetry drains).
    """

    name: str
    release_artifact: str  # "slug" or "oci-image"
    architecture: str
    logs: str  # "log-drains" or "telemetry-drains"
    private_space_only: bool
    # Features this generation lacks ("custom-error-pages", "log-drains", "slugs").
    unavailable: tuple[str, ...]
    telemetry_command: str | None  # with APP, ENDPOINT and SIGNALS where they go

    def offers(self, feature: str) -> bool:
        return feature not in self.unavailable


@dataclass(frozen=True)
class ReleaseStatuses:
    statuses: tuple[str, ...]
    rollback_targets: tuple[str, ...]
    retention: str

    def can_roll_back_to(self, status: str) -> bool:
        return status in self.rollback_targets


# --- the data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformData:
    """Every table of a platform.json, parsed."""

    tables: tuple[TableInfo, ...]
    django_releases: tuple[DjangoRelease, ...]
    calver_first_year: int
    calver_support_months: int
    python_releases: tuple[PythonRelease, ...]
    python_grace_rule: str
    buildpack: BuildpackFacts
    stacks: tuple[Stack, ...]
    recommended_stack: str
    stacks_without_os_layer: Mapping[str, str]
    cnb_builders: tuple[CnbBuilder, ...]
    postgres_plans: tuple[PostgresPlan, ...]
    postgres_tiered: Mapping[str, Any]
    advanced_plans: tuple[PostgresPlan, ...]
    dyno_sizes: tuple[DynoSize, ...]
    web_concurrency_rule: str
    release_phase: ReleasePhase
    dyno_metadata: DynoMetadata
    release_statuses: ReleaseStatuses
    slug_max_compressed_mb: int
    generations: Mapping[str, Generation]

    @property
    def as_of(self) -> date:
        """The oldest read date of all tables: the data is at least this current."""
        return min(table.read for table in self.tables)


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date, got {value!r}")
    return date.fromisoformat(value)


def _opt_date(value: Any) -> date | None:
    return None if value is None else _date(value)


def _sources(raw: Sequence[Mapping[str, Any]]) -> tuple[Source, ...]:
    return tuple(
        Source(
            url=item.get("url"),
            repo=item.get("repo"),
            file=item.get("file"),
            commit=item.get("commit"),
            published=_opt_date(item.get("published")),
            note=item.get("note"),
        )
        for item in raw
    )


def _estimated_removal(end_of_life: date) -> date:
    # The grace rule (platform.json python.grace_rule): removed in the first week of the
    # January after the upstream end of life; January 6 is the latest day observed so far.
    return date(end_of_life.year + 1, 1, 6)


def parse(raw: Mapping[str, Any]) -> PlatformData:
    """Build :class:`PlatformData` from a platform.json document; ValueError if malformed."""
    try:
        return _parse(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed platform data: {type(exc).__name__}: {exc}") from exc


def _parse(raw: Mapping[str, Any]) -> PlatformData:
    if raw.get("schema") != 1:
        raise ValueError(f"unsupported platform data schema {raw.get('schema')!r}")
    tables = tuple(
        TableInfo(
            name, _date(raw[name]["read"]), _sources(raw[name]["source"]), raw[name]["refresh"]
        )
        for name in ("django", "python", "stacks", "postgres", "dynos", "releases", "generations")
    )
    django = raw["django"]
    django_releases = tuple(
        DjangoRelease(
            series=str(row["series"]),
            released=_date(row["released"]),
            end_of_mainstream=_opt_date(row.get("end_of_mainstream")),
            end_of_security=_date(row["end_of_security"]),
            lts=bool(row["lts"]),
            python=tuple(row["python"]),
            postgresql_min=row.get("postgresql_min"),
            planned=bool(row.get("planned", False)),
            note=row.get("note"),
        )
        for row in django["releases"]
    )
    python = raw["python"]
    python_releases = []
    for row in python["releases"]:
        end_of_life = _date(row["end_of_life"])
        removed = _opt_date(row.get("heroku_removed"))
        python_releases.append(
            PythonRelease(
                series=str(row["series"]),
                released=_date(row["released"]),
                end_of_bugfix=_opt_date(row.get("end_of_bugfix")),
                end_of_life=end_of_life,
                latest=row.get("latest"),
                buildpack_latest=row.get("buildpack_latest"),
                cnb_latest=row.get("cnb_latest"),
                heroku_deprecated=_opt_date(row.get("heroku_deprecated")),
                heroku_removed=removed or _estimated_removal(end_of_life),
                heroku_removed_published=bool(row.get("heroku_removed_published"))
                and removed is not None,
            )
        )
    bp = python["buildpack"]
    buildpack = BuildpackFacts(
        oldest_supported_minor=int(bp["oldest_supported_minor"]),
        newest_supported_minor=int(bp["newest_supported_minor"]),
        default_version=str(bp["default_version"]),
        runtime_txt_deprecated=_date(bp["runtime_txt_deprecated"]),
        version_file_precedence=tuple(bp["version_file_precedence"]),
        runtime_txt_is_error_on=tuple(bp["runtime_txt_is_error_on"]),
    )
    st = raw["stacks"]
    stacks = []
    for row in st["stacks"]:
        phases = []
        for phase in row["build_failures"]:
            if phase["rule"] not in _BUILD_RULES:
                raise ValueError(f"unknown build failure rule {phase['rule']!r}")
            phases.append(BuildFailurePhase(_date(phase["from"]), phase["rule"]))
        stacks.append(
            Stack(
                name=row["name"],
                base=row["base"],
                generation=row["generation"],
                status=row["status"],
                end_of_life=_date(row["end_of_life"]),
                end_of_life_derived=bool(row["end_of_life_derived"]),
                build_failures=tuple(sorted(phases, key=lambda p: p.starts)),
                note=row.get("note"),
            )
        )
    builders = tuple(
        CnbBuilder(
            image=row["image"],
            base=row["base"],
            status=row["status"],
            end_of_life=_date(row["end_of_life"]),
            end_of_life_derived=bool(row["end_of_life_derived"]),
            note=row.get("note"),
        )
        for row in st["cnb_builders"]
    )
    pg = raw["postgres"]
    plans = tuple(
        PostgresPlan(
            name=row["name"],
            tier=row["tier"],
            production=bool(row["production"]),
            high_availability=bool(row["high_availability"]),
            connection_limit=row["connection_limit"],
            legacy=bool(row.get("legacy", False)),
        )
        for row in pg["plans"]
    )
    adv = pg["advanced"]
    levels = {str(k): int(v) for k, v in adv["connection_limit_by_level"].items()}
    advanced_plans = tuple(
        PostgresPlan(
            name=name,
            tier="advanced",
            production=bool(adv["production"]),
            high_availability=bool(adv["standby_by_default"]),
            connection_limit=None,
            network=spec["network"],
            advanced=True,
            connection_limit_by_level=levels,
        )
        for name, spec in adv["plans"].items()
    )
    dy = raw["dynos"]
    tiers = dy["tiers"]
    sizes = []
    for row in dy["sizes"]:
        tier = tiers[row["tier"]]
        if row["runtime"] not in _RUNTIMES:
            raise ValueError(f"unknown runtime {row['runtime']!r}")
        sizes.append(
            DynoSize(
                name=row["name"],
                tier=row["tier"],
                runtime=row["runtime"],
                memory_mb=int(row["memory_mb"]),
                vcpu=row["vcpu"],
                cpu_cores_seen=row["cpu_cores_seen"],
                architecture=row["architecture"],
                default_web_concurrency=row["default_web_concurrency"],
                sleeps=bool(tier["sleeps"]),
                metrics=bool(tier["metrics"]),
                horizontal_scaling=bool(tier["horizontal_scaling"]),
                autoscaling=bool(tier["autoscaling"]),
                preboot=bool(tier["preboot"]),
                dedicated=bool(tier["dedicated"]),
                retired=bool(tier.get("retired", False)),
            )
        )
    rel = raw["releases"]
    phase = rel["release_phase"]
    meta = rel["dyno_metadata"]
    return PlatformData(
        tables=tables,
        django_releases=tuple(sorted(django_releases, key=lambda r: _series_key(r.series))),
        calver_first_year=int(django["calver"]["first_year"]),
        calver_support_months=int(django["calver"]["support_months"]),
        python_releases=tuple(sorted(python_releases, key=lambda r: _series_key(r.series))),
        python_grace_rule=str(python["grace_rule"]),
        buildpack=buildpack,
        stacks=tuple(stacks),
        recommended_stack=str(st["recommended"]),
        stacks_without_os_layer=dict(st["without_os_layer"]),
        cnb_builders=builders,
        postgres_plans=plans,
        postgres_tiered=pg["tiered"],
        advanced_plans=advanced_plans,
        dyno_sizes=tuple(sizes),
        web_concurrency_rule=str(dy["web_concurrency_rule"]),
        release_phase=ReleasePhase(
            timeout_seconds=int(phase["timeout_seconds"]),
            timeout_extendable=bool(phase["timeout_extendable"]),
            triggers=tuple(phase["triggers"]),
            not_triggered_by=tuple(phase["not_triggered_by"]),
        ),
        dyno_metadata=DynoMetadata(
            labs_feature=meta["labs_feature"],
            enable_command=meta["enable_command"],
            takes_effect=meta["takes_effect"],
            variables=tuple(meta["variables"]),
        ),
        release_statuses=ReleaseStatuses(
            statuses=tuple(rel["statuses"]),
            rollback_targets=tuple(rel["rollback_targets"]),
            retention=str(rel["retention"]),
        ),
        slug_max_compressed_mb=int(rel["slug"]["max_compressed_mb"]),
        generations={
            name: _generation(name, raw["generations"][name]) for name in ("cedar", "fir")
        },
    )


def _generation(name: str, row: Mapping[str, Any]) -> Generation:
    return Generation(
        name=name,
        release_artifact=str(row["release_artifact"]),
        architecture=str(row["architecture"]),
        logs=str(row["logs"]),
        private_space_only=bool(row.get("private_space_only", False)),
        unavailable=tuple(row.get("unavailable", ())),
        telemetry_command=row.get("telemetry_command"),
    )


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
    series = django_series(version)
    releases = data().django_releases
    for release in releases:
        if release.series == series:
            return release
    return _unknown(
        "django", series, _series_key(series), [(_series_key(r.series), r.series) for r in releases]
    )


def django_releases() -> tuple[DjangoRelease, ...]:
    return data().django_releases


def django_postgres_minimum(version: str) -> int | None:
    """The oldest PostgreSQL major version this Django supports (None: not known)."""
    release = django_release(version)
    return release.postgresql_min if isinstance(release, DjangoRelease) else None


def python_release(version: str) -> PythonRelease | Unknown:
    """The feature release of a Python version ('3.13', '3.13.2', 'python-3.12'), or Unknown."""
    series = python_series(version)
    releases = data().python_releases
    for release in releases:
        if release.series == series:
            return release
    return _unknown(
        "python", series, _series_key(series), [(_series_key(r.series), r.series) for r in releases]
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
