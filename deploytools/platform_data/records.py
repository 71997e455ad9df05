"""
The records of deploytools' platform data: one named tuple per kind of dated fact (a Django
or Python release, a stack, a Postgres plan, a dyno size, ...), and :class:`Unknown` for a value
the tables do not list. :mod:`deploytools.platform_data` loads them and is what checks import;
:mod:`deploytools.platform_data.parse` builds them from ``platform.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from django.utils.translation import gettext as _
from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

Runtime = Literal["common", "private-space", "shield-space", "fir"]
SupportStatus = Literal["supported", "deprecated", "grace", "removed", "not-yet-released"]
BuildRule = Literal[
    "first-build-per-30-days", "first-build-per-7-days", "first-build-per-day", "no-builds"
]
BUILD_RULES: tuple[BuildRule, ...] = (
    "first-build-per-30-days",
    "first-build-per-7-days",
    "first-build-per-day",
    "no-builds",
)
RUNTIMES: tuple[Runtime, ...] = ("common", "private-space", "shield-space", "fir")


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


def python_series(version: str) -> str:
    """'3.13.2' -> '3.13'; '3' -> '3.0'."""
    parts = parse_version(version)
    return f"{parts[0]}.{parts[1] if len(parts) > 1 else 0}"


def series_key(series: str) -> tuple[int, ...]:
    return parse_version(series)


# --- the records -----------------------------------------------------------------------------
# Named tuples, not frozen dataclasses: as immutable, and five times cheaper to define, which
# every command pays at import (the release phase on every deploy). Change one with _replace().


class Source(NamedTuple):
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


class TableInfo(NamedTuple):
    """One dated table of platform.json: its name, sources, read date and how it is refreshed."""

    name: str
    read: date
    sources: tuple[Source, ...]
    refresh: Literal["auto", "manual"]


class Unknown(NamedTuple):
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


class DjangoRelease(NamedTuple):
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


class HerokuPythonWindow(NamedTuple):
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


class PythonRelease(NamedTuple):
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


class BuildpackFacts(NamedTuple):
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


class BuildFailurePhase(NamedTuple):
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


class Stack(NamedTuple):
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


class CnbBuilder(NamedTuple):
    """A Cloud Native Buildpacks builder image of Fir apps (heroku/builder:NN)."""

    image: str
    base: str
    status: str
    end_of_life: date
    end_of_life_derived: bool
    note: str | None = None


class PostgresPlan(NamedTuple):
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
    connection_limit_by_level: Mapping[str, int] = MappingProxyType({})

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


class DynoSize(NamedTuple):
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


class ReleasePhase(NamedTuple):
    timeout_seconds: int
    timeout_extendable: bool
    triggers: tuple[str, ...]
    not_triggered_by: tuple[str, ...]


class DynoMetadata(NamedTuple):
    labs_feature: str
    enable_command: str  # with APP where the app name goes
    takes_effect: str
    variables: tuple[str, ...]

    def enable_command_for(self, app: str) -> str:
        return self.enable_command.replace("APP", app)


class Generation(NamedTuple):
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


class ReleaseStatuses(NamedTuple):
    statuses: tuple[str, ...]
    rollback_targets: tuple[str, ...]
    retention: str

    def can_roll_back_to(self, status: str) -> bool:
        return status in self.rollback_targets


# --- the data --------------------------------------------------------------------------------


class PlatformData(NamedTuple):
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
