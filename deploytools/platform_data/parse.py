"""
``platform.json`` into :class:`~deploytools.platform_data.records.PlatformData`, one table at a
time; a malformed document is a ValueError naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from deploytools.platform_data.records import (
    BUILD_RULES,
    RUNTIMES,
    BuildFailurePhase,
    BuildpackFacts,
    CnbBuilder,
    DjangoRelease,
    DynoMetadata,
    DynoSize,
    Generation,
    PlatformData,
    PostgresPlan,
    PythonRelease,
    ReleasePhase,
    ReleaseStatuses,
    Source,
    Stack,
    TableInfo,
    series_key,
)

TABLES = ("django", "python", "stacks", "postgres", "dynos", "releases", "generations")


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
        for name in TABLES
    )
    django, python, st, pg = raw["django"], raw["python"], raw["stacks"], raw["postgres"]
    rel = raw["releases"]
    return PlatformData(
        tables=tables,
        django_releases=_django_releases(django),
        calver_first_year=int(django["calver"]["first_year"]),
        calver_support_months=int(django["calver"]["support_months"]),
        python_releases=_python_releases(python),
        python_grace_rule=str(python["grace_rule"]),
        buildpack=_buildpack(python["buildpack"]),
        stacks=tuple(_stack(row) for row in st["stacks"]),
        recommended_stack=str(st["recommended"]),
        stacks_without_os_layer=dict(st["without_os_layer"]),
        cnb_builders=tuple(_builder(row) for row in st["cnb_builders"]),
        postgres_plans=tuple(_plan(row) for row in pg["plans"]),
        postgres_tiered=pg["tiered"],
        advanced_plans=_advanced_plans(pg["advanced"]),
        dyno_sizes=_dyno_sizes(raw["dynos"]),
        web_concurrency_rule=str(raw["dynos"]["web_concurrency_rule"]),
        release_phase=_release_phase(rel["release_phase"]),
        dyno_metadata=_dyno_metadata(rel["dyno_metadata"]),
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


def _django_releases(table: Mapping[str, Any]) -> tuple[DjangoRelease, ...]:
    releases = (
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
        for row in table["releases"]
    )
    return tuple(sorted(releases, key=lambda r: series_key(r.series)))


def _python_releases(table: Mapping[str, Any]) -> tuple[PythonRelease, ...]:
    releases = []
    for row in table["releases"]:
        end_of_life = _date(row["end_of_life"])
        removed = _opt_date(row.get("heroku_removed"))
        releases.append(
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
    return tuple(sorted(releases, key=lambda r: series_key(r.series)))


def _buildpack(bp: Mapping[str, Any]) -> BuildpackFacts:
    return BuildpackFacts(
        oldest_supported_minor=int(bp["oldest_supported_minor"]),
        newest_supported_minor=int(bp["newest_supported_minor"]),
        default_version=str(bp["default_version"]),
        runtime_txt_deprecated=_date(bp["runtime_txt_deprecated"]),
        version_file_precedence=tuple(bp["version_file_precedence"]),
        runtime_txt_is_error_on=tuple(bp["runtime_txt_is_error_on"]),
    )


def _stack(row: Mapping[str, Any]) -> Stack:
    phases = []
    for phase in row["build_failures"]:
        if phase["rule"] not in BUILD_RULES:
            raise ValueError(f"unknown build failure rule {phase['rule']!r}")
        phases.append(BuildFailurePhase(_date(phase["from"]), phase["rule"]))
    return Stack(
        name=row["name"],
        base=row["base"],
        generation=row["generation"],
        status=row["status"],
        end_of_life=_date(row["end_of_life"]),
        end_of_life_derived=bool(row["end_of_life_derived"]),
        build_failures=tuple(sorted(phases, key=lambda p: p.starts)),
        note=row.get("note"),
    )


def _builder(row: Mapping[str, Any]) -> CnbBuilder:
    return CnbBuilder(
        image=row["image"],
        base=row["base"],
        status=row["status"],
        end_of_life=_date(row["end_of_life"]),
        end_of_life_derived=bool(row["end_of_life_derived"]),
        note=row.get("note"),
    )


def _plan(row: Mapping[str, Any]) -> PostgresPlan:
    return PostgresPlan(
        name=row["name"],
        tier=row["tier"],
        production=bool(row["production"]),
        high_availability=bool(row["high_availability"]),
        connection_limit=row["connection_limit"],
        legacy=bool(row.get("legacy", False)),
    )


def _advanced_plans(adv: Mapping[str, Any]) -> tuple[PostgresPlan, ...]:
    levels = {str(k): int(v) for k, v in adv["connection_limit_by_level"].items()}
    return tuple(
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


def _dyno_sizes(table: Mapping[str, Any]) -> tuple[DynoSize, ...]:
    tiers = table["tiers"]
    sizes = []
    for row in table["sizes"]:
        tier = tiers[row["tier"]]
        if row["runtime"] not in RUNTIMES:
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
    return tuple(sizes)


def _release_phase(phase: Mapping[str, Any]) -> ReleasePhase:
    return ReleasePhase(
        timeout_seconds=int(phase["timeout_seconds"]),
        timeout_extendable=bool(phase["timeout_extendable"]),
        triggers=tuple(phase["triggers"]),
        not_triggered_by=tuple(phase["not_triggered_by"]),
    )


def _dyno_metadata(meta: Mapping[str, Any]) -> DynoMetadata:
    return DynoMetadata(
        labs_feature=meta["labs_feature"],
        enable_command=meta["enable_command"],
        takes_effect=meta["takes_effect"],
        variables=tuple(meta["variables"]),
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
