"""deploytools.platform_data, and scripts/refresh_platform_data.py on stored source copies."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from deploytools import platform_data as pd
from deploytools.platform_data import (
    DjangoRelease,
    DynoSize,
    PostgresPlan,
    PythonRelease,
    Stack,
    Unknown,
)
from tests.helpers import ROOT

SOURCES = ROOT / "tests" / "fixtures" / "sources"
READ = date(2026, 12, 1)


def load_refresh() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "refresh_platform_data", ROOT / "scripts" / "refresh_platform_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


refresh = load_refresh()


def source(path: str) -> str:
    return (SOURCES / path).read_text(encoding="utf-8")


def stored_sources() -> Any:
    """What a refresh run on the day the data was read would have fetched (stored copies)."""
    texts = {
        "python_version_sh": source("heroku-buildpack-python/python_version.sh"),
        "buildpack_changelog": source("heroku-buildpack-python/CHANGELOG.md"),
        "web_concurrency_sh": source("heroku-buildpack-python/WEB_CONCURRENCY.sh"),
        "cnb_python_version_rs": source("buildpacks-python/python_version.rs"),
        "cnb_main_rs": source("buildpacks-python/main.rs"),
        "base_images_readme": source("base-images/README.md"),
        "builders_readme": source("cnb-builder-images/README.md"),
        "builder_eol_22": source("cnb-builder-images/builder-22-eol-build"),
        "endoflife_django": source("endoflife/django.json"),
        "endoflife_python": source("endoflife/python.json"),
        "heroku_22_faq": source("heroku/heroku-22-deprecation-notice.txt"),
        "django_notes_6.2": source("django/6.2.html.txt"),
    }
    for series in ("4.2", "5.1", "5.2", "6.0", "6.1"):
        texts[f"django_notes_{series}"] = source(f"django/{series}.txt")
    commits = {
        "heroku/heroku-buildpack-python": "b4e7e721dc39a097feb68305bbd7551578782992",
        "heroku/buildpacks-python": "f81d0dc19ec32b9a5f7a98c2dad6b3e2aed99992",
        "heroku/base-images": "61a6b2b7716598f4dceb12a40c5ccfa08460d420",
        "heroku/cnb-builder-images": "20f452498718229c1b43df21583180d7c2114ea9",
        "django/django": "0" * 40,
    }
    return refresh.Fetched(texts=texts, commits=commits)


def committed() -> dict[str, Any]:
    return json.loads(pd.DATA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# --- the data module ---------------------------------------------------------------------------


def test_importing_reads_nothing() -> None:
    # A fresh interpreter: importing the module must not open platform.json; the first
    # accessor does (which also proves the probe sees pathlib's reads).
    code = (
        "import builtins, io, json\n"
        "opened = []\n"
        "real = io.open\n"
        "def spy(file, *args, **kwargs):\n"
        "    opened.append(str(file))\n"
        "    return real(file, *args, **kwargs)\n"
        "builtins.open = io.open = spy\n"
        "import deploytools.platform_data as pd\n"
        "at_import = [f for f in opened if f.endswith('platform.json')]\n"
        "pd.as_of()\n"
        "after_use = [f for f in opened if f.endswith('platform.json')]\n"
        "print(json.dumps([len(at_import), len(after_use)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [0, 1]


def test_every_table_has_sources_and_a_read_date() -> None:
    for table in pd.tables():
        assert table.sources, table.name
        assert table.read <= date.today()
        for item in table.sources:
            assert item.url or (item.repo and item.file), item
            assert "/work/" not in str(item) and ".mirror" not in str(item)
    assert pd.as_of() == pd.AS_OF == min(t.read for t in pd.tables())
    assert pd.data_age_days(date(2027, 5, 30)) == (date(2027, 5, 30) - pd.AS_OF).days


@pytest.mark.parametrize(
    ("version", "series"),
    [
        ("4.2.30", "4.2"),
        ("6.1.3", "6.1"),
        ("6.1", "6.1"),
        ("6.2rc1", "6.2"),
        ("2028.0", "2028"),
        ("2028.1", "2028"),
        ("2028.1.2", "2028"),
    ],
)
def test_django_versions_map_to_their_feature_release(version: str, series: str) -> None:
    release = pd.django_release(version)
    assert isinstance(release, DjangoRelease)
    assert release.series == series


def test_django_versions_beyond_the_table() -> None:
    newer = pd.django_release("2029.3")
    assert isinstance(newer, Unknown) and newer.relation == "newer"
    assert newer.newest_known == "2028"
    assert "unknown to this deploytools" in newer.message()
    older = pd.django_release("3.2.25")
    assert isinstance(older, Unknown) and older.relation == "older"
    assert "out of support" in older.message()
    with pytest.raises(pd.InvalidVersion):
        pd.django_release("six point one")


def test_unknown_and_schedule_texts_are_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import translation

    trans = translation._trans  # type: ignore[attr-defined]
    monkeypatch.setattr(trans, "gettext", lambda message: f"«{message}»")
    unknown = pd.python_release("3.15")
    stack = pd.stack("heroku-22")
    assert isinstance(unknown, Unknown) and isinstance(stack, Stack)
    phase = stack.build_failure_phase(READ)
    assert phase is not None
    with translation.override("fr"):
        assert unknown.message().startswith("««Python» 3.15 is unknown to this deploytools")
        assert phase.describe() == "«the first build of each app in a 30-day period fails»"


def test_django_support_dates() -> None:
    lts = pd.django_release("6.2")
    assert isinstance(lts, DjangoRelease)
    assert lts.lts and lts.planned and lts.end_of_security == date(2030, 4, 30)
    assert not lts.supported_on(READ)  # not released on the day the data was read
    calver = pd.django_release("2028.1")
    assert isinstance(calver, DjangoRelease) and calver.calver and not calver.lts
    assert calver.supports_python("3.14") is None  # not published yet
    current = pd.django_release("6.1.3")
    assert isinstance(current, DjangoRelease)
    assert current.supported_on(READ) and current.supports_python("3.13.2")
    assert current.supports_python("3.11") is False
    old = pd.django_release("4.2.30")
    assert isinstance(old, DjangoRelease) and not old.supported_on(READ)


@pytest.mark.parametrize(
    ("version", "minimum"),
    [("4.2.30", 12), ("5.1", 13), ("5.2.19", 14), ("6.0.8", 14), ("6.1.3", 15)],
)
def test_postgresql_minimum_per_django(version: str, minimum: int) -> None:
    assert pd.django_postgres_minimum(version) == minimum


def test_python_versions() -> None:
    release = pd.python_release("python-3.13.2")  # runtime.txt's spelling
    assert isinstance(release, PythonRelease)
    assert (release.series, release.end_of_life) == ("3.13", date(2029, 10, 31))
    assert pd.latest_python_patch("3.13") == "3.13.15"
    assert pd.latest_python_patch("3.10", builder="cnb") == "3.10.20"
    newer = pd.python_release("3.15")
    assert isinstance(newer, Unknown) and newer.newer
    older = pd.python_release("3.7.17")
    assert isinstance(older, Unknown) and older.relation == "older"


def test_heroku_keeps_building_python_after_upstream_end_of_life() -> None:
    # 3.10 reached its end of life on 2026-10-31; the buildpacks build it until 2027-01-06.
    window = pd.heroku_builds_python("3.10.21", on=READ)
    assert not isinstance(window, Unknown)
    assert (window.status, window.builds) == ("grace", True)
    assert window.last_build_day == date(2027, 1, 5) and not window.removed_estimated
    removed = pd.heroku_builds_python("3.10", on=date(2027, 1, 6))
    assert not isinstance(removed, Unknown) and removed.status == "removed" and not removed.builds
    deprecated = pd.heroku_builds_python("3.10", on=date(2026, 6, 1))
    assert not isinstance(deprecated, Unknown) and deprecated.status == "deprecated"
    gone = pd.heroku_builds_python("3.9", on=READ)
    assert not isinstance(gone, Unknown) and gone.status == "removed"
    assert gone.removed == date(2026, 1, 7)
    # No removal date published yet for 3.11: the grace rule estimates it, and says so.
    estimated = pd.heroku_builds_python("3.11", on=date(2027, 12, 1))
    assert not isinstance(estimated, Unknown)
    assert (estimated.status, estimated.removed_estimated) == ("grace", True)
    assert estimated.removed == date(2028, 1, 6)
    assert isinstance(pd.heroku_builds_python("3.15", on=READ), Unknown)


def test_buildpack_facts() -> None:
    facts = pd.buildpack()
    assert (facts.oldest_supported_minor, facts.newest_supported_minor) == (10, 14)
    assert facts.default_series == "3.14"
    assert facts.version_file_precedence[0] == "runtime.txt"


def test_heroku_22_build_failure_schedule() -> None:
    stack = pd.stack("Heroku-22")
    assert isinstance(stack, Stack) and stack.status == "deprecated"
    assert stack.build_failure_phase(date(2026, 10, 31)) is None
    rules = [
        (date(2026, 11, 1), "first-build-per-30-days"),
        (date(2027, 1, 31), "first-build-per-30-days"),
        (date(2027, 2, 1), "first-build-per-7-days"),
        (date(2027, 4, 1), "first-build-per-day"),
        (date(2027, 5, 1), "no-builds"),
    ]
    for day, rule in rules:
        phase = stack.build_failure_phase(day)
        assert phase is not None and phase.rule == rule, day
    assert stack.builds_allowed(date(2027, 4, 30)) and not stack.builds_allowed(date(2027, 5, 1))
    upcoming = stack.next_build_failure_phase(READ)
    assert upcoming is not None and upcoming.starts == date(2027, 2, 1)
    assert stack.end_of_life == date(2027, 4, 30)


def test_stacks_and_builders() -> None:
    assert pd.recommended_stack().name == "heroku-26"
    newer = pd.stack("heroku-28")
    assert isinstance(newer, Unknown) and newer.newer
    assert isinstance(pd.stack("cnb"), Unknown)
    assert pd.stack_without_os_layer("cnb") is not None
    assert pd.stack_without_os_layer("container") is not None
    builder = pd.cnb_builder("heroku/builder:22")
    assert not isinstance(builder, Unknown) and builder.end_of_life == date(2027, 4, 30)
    assert not builder.end_of_life_derived
    assert not isinstance(pd.cnb_builder("24"), Unknown)
    assert isinstance(pd.cnb_builder("heroku/builder:28"), Unknown)


@pytest.mark.parametrize(
    ("plan", "limit", "ha", "production"),
    [
        ("heroku-postgresql:essential-0", 20, False, False),
        ("heroku-postgresql:essential-2", 40, False, False),
        ("heroku-postgresql:mini", 20, False, False),
        ("heroku-postgresql:standard-0", 120, False, True),
        ("heroku-postgresql:standard-2", 400, False, True),
        ("heroku-postgresql:premium-4", 500, True, True),
        ("heroku-postgresql:premium-l-9", 500, True, True),
        ("private-xl-6", 500, True, True),
        ("shield-10", 500, True, True),
    ],
)
def test_legacy_postgres_plans(plan: str, limit: int, ha: bool, production: bool) -> None:
    found = pd.postgres_plan(plan)
    assert isinstance(found, PostgresPlan)
    assert (found.connection_limit, found.high_availability, found.production) == (
        limit,
        ha,
        production,
    )


def test_postgres_advanced() -> None:
    for name, network in (
        ("heroku-postgresql:advanced", "common"),
        ("heroku-postgresql:advanced-private", "private"),
        ("heroku-postgresql:advanced-shield", "shield"),
    ):
        plan = pd.postgres_plan(name)
        assert isinstance(plan, PostgresPlan) and plan.advanced
        assert plan.high_availability and plan.production and plan.network == network
    # The level, not the plan name, sets the limit: per instance, the leader alone serving.
    assert pd.postgres_connection_limit("heroku-postgresql:advanced") is None
    assert pd.postgres_connection_limit("heroku-postgresql:advanced", "4G-Performance") == 380
    assert pd.postgres_connection_limit("advanced", "16g-performance") == 1600
    assert pd.postgres_connection_limit("advanced", "128G-Performance") == 5000
    assert pd.postgres_connection_limit("advanced", "8G-Performance", instances=3) == 2400
    assert pd.postgres_connection_limit("advanced", "3G-Whatever") is None


def test_unknown_postgres_plans() -> None:
    newer = pd.postgres_plan("heroku-postgresql:premium-11")
    assert isinstance(newer, Unknown) and newer.newer
    assert isinstance(pd.postgres_plan("standard-l-6"), Unknown)  # larger disks: premium and up
    assert isinstance(pd.postgres_plan("heroku-redis:mini"), Unknown)


def test_dyno_sizes_and_tiers() -> None:
    eco = pd.dyno_size("Eco")
    basic = pd.dyno_size("basic")
    standard = pd.dyno_size("Standard-1X")
    assert isinstance(eco, DynoSize) and isinstance(basic, DynoSize)
    assert isinstance(standard, DynoSize)
    # Only Eco sleeps; metrics from Basic up; horizontal scaling from Standard up.
    assert eco.sleeps and not basic.sleeps and not standard.sleeps
    assert not eco.metrics and basic.metrics and standard.metrics
    assert not basic.horizontal_scaling and standard.horizontal_scaling
    assert not eco.professional and not basic.professional and standard.professional
    fir = pd.dyno_size("dyno-2c-4gb")
    assert isinstance(fir, DynoSize)
    assert (fir.runtime, fir.architecture, fir.memory_mb, fir.vcpu) == ("fir", "arm64", 4096, 2)
    assert fir.default_web_concurrency is None and fir.professional
    assert pd.default_web_concurrency("performance-l") == 17
    assert pd.default_web_concurrency("Standard-2X") == 4
    assert isinstance(pd.dyno_size("dyno-3c-7gb"), Unknown)


def test_dyno_sizes_per_runtime() -> None:
    common = [s.name for s in pd.dyno_sizes("common", professional_only=True)]
    assert common[0] == "standard-1x" and "private-m" not in common and "eco" not in common
    private = {s.name for s in pd.dyno_sizes("private-space")}
    assert private == {f"private-{x}" for x in ("s", "m", "l", "l-ram", "xl", "2xl")}
    fir = pd.dyno_sizes("fir")
    assert len(fir) == 17 and all(s.name.startswith("dyno-") for s in fir)
    assert [s.memory_mb for s in fir] == sorted(s.memory_mb for s in fir)
    assert "hobby" not in {s.name for s in pd.dyno_sizes()}  # retired sizes are never offered


def test_web_concurrency_follows_the_buildpacks_rule() -> None:
    # min(cores * 2 + 1, memory // 256): the table must agree with the rule it came from.
    for size in pd.dyno_sizes():
        if size.default_web_concurrency is None or size.cpu_cores_seen is None:
            continue
        expected = min(size.cpu_cores_seen * 2 + 1, max(size.memory_mb // 256, 1))
        assert size.default_web_concurrency == expected, size.name


def test_release_facts() -> None:
    phase = pd.release_phase()
    assert phase.timeout_seconds == 3600 and not phase.timeout_extendable
    assert any("rollback" in t for t in phase.triggers)
    assert any("add-on" in t for t in phase.triggers)
    metadata = pd.dyno_metadata()
    assert metadata.labs_feature == "runtime-dyno-metadata"
    assert {"HEROKU_RELEASE_VERSION", "HEROKU_SLUG_COMMIT"} <= set(metadata.variables)
    assert metadata.enable_command_for("weareone") == (
        "heroku labs:enable runtime-dyno-metadata -a weareone"
    )
    statuses = pd.release_statuses()
    assert "expired" in statuses.statuses
    assert not statuses.can_roll_back_to("expired") and statuses.can_roll_back_to("succeeded")


def test_release_statuses_match_herokus_schema() -> None:
    schema = json.loads((ROOT / "tests/fixtures/heroku/platform-api-schema.json").read_text())
    enum = schema["definitions"]["release"]["definitions"]["status"]["enum"]
    assert sorted(pd.release_statuses().statuses) == sorted(enum)


def test_malformed_data_is_refused(tmp_path: Path) -> None:
    broken = committed()
    del broken["stacks"]["recommended"]
    path = tmp_path / "platform.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match="malformed"):
        pd.load(path)
    broken = committed()
    broken["schema"] = 2
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match="schema"):
        pd.load(path)


# --- the refresh routine's parsers, on stored copies --------------------------------------------


def test_parse_python_version_sh() -> None:
    parsed = refresh.parse_python_version_sh(source("heroku-buildpack-python/python_version.sh"))
    assert parsed["latest"] == {
        "3.10": "3.10.21",
        "3.11": "3.11.16",
        "3.12": "3.12.14",
        "3.13": "3.13.15",
        "3.14": "3.14.7",
    }
    assert (parsed["oldest_minor"], parsed["newest_minor"], parsed["default"]) == (10, 14, "3.14.7")
    assert parsed["removals"] == {"3.10": "2027-01-06"}
    with pytest.raises(ValueError):
        refresh.parse_python_version_sh("#!/usr/bin/env bash\n")


def test_removal_dates_in_both_wordings() -> None:
    # 'will reach its upstream end-of-life in October 2026' (3.10) and 'reached its upstream
    # end-of-life on 31st October 2025' (3.9, in the buildpack before 3.9's removal).
    older = source("heroku-buildpack-python/python_version-v326-deprecation.sh")
    assert refresh.announced_removals(older) == {"3.9": "2026-01-07", "3.10": "2027-01-06"}
    assert refresh.announced_removals(source("buildpacks-python/main.rs")) == {"3.10": "2027-01-06"}


def test_parse_cnb_python_version_rs() -> None:
    parsed = refresh.parse_cnb_python_version_rs(source("buildpacks-python/python_version.rs"))
    assert parsed["latest"]["3.10"] == "3.10.20" and parsed["latest"]["3.14"] == "3.14.7"
    assert (parsed["oldest_minor"], parsed["newest_minor"]) == (10, 14)


def test_parse_buildpack_changelog() -> None:
    parsed = refresh.parse_buildpack_changelog(source("heroku-buildpack-python/CHANGELOG.md"))
    assert parsed["removed"] == {"3.9": "2026-01-07", "3.8": "2025-01-08"}
    assert parsed["deprecated"] == {"3.10": "2025-11-21", "3.9": "2025-01-08", "3.8": "2023-12-08"}
    assert parsed["runtime_txt_deprecated"] == "2025-02-05"
    assert parsed["stacks_added"]["heroku-26"] == "2026-04-09"


def test_parse_web_concurrency_sh() -> None:
    parsed = refresh.parse_web_concurrency_sh(source("heroku-buildpack-python/WEB_CONCURRENCY.sh"))
    assert parsed["eco"] == parsed["standard-1x"] == 2
    assert parsed["shield-s"] == 4 and parsed["private-2xl"] == 33
    assert parsed["performance-l-ram"] == 9


def test_parse_endoflife_stored_api_response() -> None:
    # A real answer of endoflife.date's API v1 (stored copy, generated 2026-04-10).
    rows = refresh.parse_endoflife(source("endoflife/django-v1-stored-excerpt.json"))
    assert rows[1] == {
        "series": "5.2",
        "released": "2025-04-02",
        "end_of_mainstream": "2025-12-03",
        "end_of_life": "2028-04-30",
        "lts": True,
        "latest": "5.2.13",
        "python": ["3.10", "3.11", "3.12", "3.13", "3.14"],
    }
    python = refresh.parse_endoflife(source("endoflife/python.json"))
    assert python[0]["series"] == "3.14" and python[0]["python"] is None


def test_parse_django_release_notes() -> None:
    assert refresh.parse_django_release_notes(source("django/6.1.txt")) == {
        "python": ["3.12", "3.13", "3.14"],
        "postgresql_min": 15,
        "lts": False,
    }
    notes_52 = refresh.parse_django_release_notes(source("django/5.2.txt"))
    assert notes_52["postgresql_min"] == 14 and notes_52["lts"]
    assert refresh.parse_django_release_notes(source("django/4.2.txt"))["postgresql_min"] == 12
    assert refresh.parse_django_release_notes(source("django/6.0.txt"))["postgresql_min"] is None
    rendered = refresh.parse_django_release_notes(source("django/6.2.html.txt"))
    assert rendered["python"] == ["3.12", "3.13", "3.14"] and rendered["lts"]


def test_parse_image_readmes() -> None:
    assert refresh.parse_image_statuses(source("base-images/README.md")) == {
        "heroku/heroku:20": "end-of-life",
        "heroku/heroku:22": "deprecated",
        "heroku/heroku:24": "available",
        "heroku/heroku:26": "recommended",
    }
    assert refresh.parse_image_statuses(source("cnb-builder-images/README.md")) == {
        "heroku/builder:22": "deprecated",
        "heroku/builder:24": "available",
        "heroku/builder:26": "recommended",
    }
    eol = refresh.parse_builder_end_of_life(source("cnb-builder-images/builder-22-eol-build"))
    assert eol == "2027-04-30"


def test_parse_stack_schedules_in_both_wordings() -> None:
    notice = refresh.parse_stack_eol_schedule(source("heroku/heroku-22-deprecation-notice.txt"))
    assert notice == {
        "end_of_life": "2027-04-30",
        "phases": [
            {"from": "2026-11-01", "rule": "first-build-per-30-days"},
            {"from": "2027-02-01", "rule": "first-build-per-7-days"},
            {"from": "2027-04-01", "rule": "first-build-per-day"},
            {"from": "2027-05-01", "rule": "no-builds"},
        ],
    }
    faq = refresh.parse_stack_eol_schedule(source("heroku/heroku-18-end-of-life-faq.txt"))
    assert faq["end_of_life"] == "2023-04-30"
    assert faq["phases"] == committed()["stacks"]["stacks"][2]["build_failures"]
    html = "<ul><li>May 1, 2027: No further builds will be allowed</li></ul>"
    assert refresh.parse_stack_eol_schedule(html)["phases"] == [
        {"from": "2027-05-01", "rule": "no-builds"}
    ]


def test_expand_python_range() -> None:
    assert refresh.expand_python_range("3.8 - 3.12 (added in 4.2.8)") == [
        "3.8",
        "3.9",
        "3.10",
        "3.11",
        "3.12",
    ]
    assert refresh.expand_python_range("3.12") == ["3.12"]


# --- the refresh routine as a whole --------------------------------------------------------------


def without_sources(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for value in doc.values():
        if isinstance(value, dict):
            value.pop("source", None)
    return doc


def test_refresh_from_the_stored_sources_reproduces_the_committed_data() -> None:
    # The committed tables are what the refresh routine makes of its sources as stored.
    fetched = stored_sources()
    new = refresh.build(committed(), fetched, READ)
    assert without_sources(new) == without_sources(committed())
    assert [n for n in fetched.notes if "not fetched" in n or "could not" in n] == []


def test_committed_file_is_in_the_refresh_layout() -> None:
    # So that the refresh's diff shows changed facts only, never reformatting.
    assert refresh.render(committed()) == pd.DATA_PATH.read_text(encoding="utf-8")


def test_refresh_records_the_commits_it_read() -> None:
    new = refresh.build(committed(), stored_sources(), READ)
    notes = [s for s in new["django"]["source"] if s.get("file", "").startswith("docs/releases/")]
    assert {s["commit"] for s in notes} == {"0" * 40}
    assert [s["file"] for s in notes][-1] == "docs/releases/6.2.txt"


def test_refresh_applies_new_facts_and_prints_a_diff() -> None:
    fetched = stored_sources()
    fetched.texts["python_version_sh"] = (
        fetched.texts["python_version_sh"]
        .replace('LATEST_PYTHON_3_13="3.13.15"', 'LATEST_PYTHON_3_13="3.13.16"')
        .replace(
            'LATEST_PYTHON_3_14="3.14.7"',
            'LATEST_PYTHON_3_14="3.14.8"\nLATEST_PYTHON_3_15="3.15.1"',
        )
        .replace(
            "NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION=14",
            "NEWEST_SUPPORTED_PYTHON_3_MINOR_VERSION=15",
        )
    )
    python = json.loads(fetched.texts["endoflife_python"])
    python["result"]["releases"].insert(
        0,
        {
            **python["result"]["releases"][0],
            "name": "3.15",
            "releaseDate": "2026-10-01",
            "eoasFrom": "2028-10-01",
            "eolFrom": "2031-10-31",
            "latest": {"name": "3.15.1", "date": "2026-12-02", "link": None},
        },
    )
    fetched.texts["endoflife_python"] = json.dumps(python)
    later = date(2026, 12, 20)
    new = refresh.build(committed(), fetched, later)
    rows = {row["series"]: row for row in new["python"]["releases"]}
    assert rows["3.13"]["buildpack_latest"] == "3.13.16"
    assert (
        rows["3.15"]["buildpack_latest"] == "3.15.1" and rows["3.15"]["end_of_life"] == "2031-10-31"
    )
    assert new["python"]["read"] == later.isoformat()
    data = pd.parse(new)
    assert isinstance(pd.python_release("3.15"), Unknown)  # the shipped data is untouched
    assert [r.series for r in data.python_releases][-1] == "3.15"
    text = refresh.diff(refresh.render(committed()), refresh.render(new))
    assert '+      {"series": "3.15"' in text and '"buildpack_latest": "3.13.16"' in text


def test_refresh_keeps_what_it_could_not_fetch() -> None:
    fetched = refresh.Fetched()
    new = refresh.build(committed(), fetched, date(2027, 3, 1))
    assert without_sources(new) == without_sources(committed())
    assert any("endoflife_python: not fetched" in note for note in fetched.notes)
    # A broken source is reported and changes nothing either.
    fetched = stored_sources()
    fetched.texts["endoflife_django"] = "<html>rate limited</html>"
    new = refresh.build(committed(), fetched, date(2027, 3, 1))
    assert new["django"]["releases"] == committed()["django"]["releases"]
    assert new["django"]["read"] == committed()["django"]["read"]
    assert any("endoflife_django: could not be parsed" in note for note in fetched.notes)


def test_refresh_turns_a_released_calendar_version_into_a_release() -> None:
    fetched = stored_sources()
    django = json.loads(fetched.texts["endoflife_django"])
    django["result"]["releases"].insert(
        0,
        {
            **django["result"]["releases"][0],
            "name": "2028.0",
            "releaseDate": "2028-01-12",
            "eoasFrom": "2028-12-05",
            "eolFrom": "2030-12-03",
            "custom": {"supportedPythonVersions": "3.14 - 3.16"},
        },
    )
    fetched.texts["endoflife_django"] = json.dumps(django)
    new = refresh.build(committed(), fetched, date(2028, 1, 20))
    row = new["django"]["releases"][-1]
    assert row["series"] == "2028" and "planned" not in row and "note" not in row
    assert (row["released"], row["python"]) == ("2028-01-12", ["3.14", "3.15", "3.16"])
    assert [r["series"] for r in new["django"]["releases"]].count("2028") == 1


def test_refresh_adds_a_new_stack_with_a_derived_end_of_life() -> None:
    fetched = stored_sources()
    fetched.texts["base_images_readme"] += (
        "| [heroku/heroku:28][heroku-tags]           | Heroku/CNB Run Image   | Ubuntu 28.04 "
        "| AMD64 + ARM64           | `heroku`       |  Recommended |\n"
    )
    new = refresh.build(committed(), fetched, READ)
    assert new["stacks"]["recommended"] == "heroku-28"
    assert new["stacks"]["stacks"][-1] == {
        "name": "heroku-28",
        "base": "Ubuntu 28.04",
        "generation": "cedar+fir",
        "status": "recommended",
        "end_of_life": "2033-04-30",
        "end_of_life_derived": True,
        "build_failures": [],
    }


def test_refresh_never_touches_the_network_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # main() is the only caller of the fetcher; here it is replaced, and --write is not given.
    calls: list[str] = []
    monkeypatch.setattr(
        refresh, "fetch", lambda current: (calls.append("fetch"), stored_sources())[1]
    )
    assert refresh.main([]) == 0
    assert calls == ["fetch"]


def test_slug_limit_and_generations() -> None:
    # heroku.com/blog (2026-03-19): the default maximum compressed slug size is 1 GB now.
    assert pd.slug_max_compressed_mb() == 1024
    fir, cedar = pd.generation("fir"), pd.generation("cedar")
    assert (fir.release_artifact, fir.architecture, fir.logs) == (
        "oci-image",
        "arm64",
        "telemetry-drains",
    )
    assert fir.private_space_only and not fir.offers("custom-error-pages")
    assert not fir.offers("log-drains") and not fir.offers("slugs")
    assert (cedar.release_artifact, cedar.logs) == ("slug", "log-drains")
    assert cedar.offers("custom-error-pages") and cedar.offers("slugs")
    # No generation (a saved snapshot from an older API, an unknown name) is Heroku's default.
    assert pd.generation(None) == pd.generation("bamboo") == cedar
    assert {size.architecture for size in pd.dyno_sizes("fir")} == {fir.architecture}
    assert {size.architecture for size in pd.dyno_sizes("common")} == {cedar.architecture}


def test_a_python_after_the_table_could_be_out_one_october_at_a_time() -> None:
    # PEP 602: one feature release a year, in October. 3.14 came out on 2025-10-07.
    assert pd.python_could_be_released("3.15", date(2026, 12, 1))
    assert not pd.python_could_be_released("3.15", date(2026, 9, 30))
    assert not pd.python_could_be_released("3.16", date(2026, 12, 1))
    assert pd.python_could_be_released("3.16", date(2027, 10, 1))
    assert not pd.python_could_be_released("3.99", date(2026, 12, 1))
    assert not pd.python_could_be_released("4.0", date(2026, 12, 1))
    assert pd.python_could_be_released("3.12", date(2026, 12, 1))
    with pytest.raises(pd.InvalidVersion):
        pd.parse_version("3." + "1" * 100_000)
