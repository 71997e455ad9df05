"""E701–I717 (Heroku's Production Check) on fixture app states: each ID fails and passes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, run_one
from deploytools.context import Context, ProductionContext
from deploytools.facts.project import Project
from deploytools.facts.snapshot import (
    Snapshot,
    deployed_commit,
    kept_addon_config,
    pretty_size,
    release_artifact,
)
from deploytools.production_check import CHECKLIST
from tests.fakeheroku import load_state
from tests.helpers import (
    git,
)

TODAY = date(2026, 1, 1)


def snapshot(state: str, **changes: Any) -> Snapshot:
    data = load_state(state)
    releases = sorted(data["releases"], key=lambda r: -r["version"])
    snap = Snapshot(
        app=data["app"],
        formation=data["formation"],
        addons=data["addons"],
        config_vars=data["config-vars"],
        domains=data["domains"],
        sni_endpoints=data["sni-endpoints"],
        log_drains=data["log-drains"],
        telemetry_drains=data["telemetry-drains"],
        features=data["features"],
        releases=releases,
        slug=data["slugs"].get((releases[0].get("slug") or {}).get("id")),
    )
    # What platform_api's second wave adds: a Fir release's OCI image, the space's drains, the
    # Postgres Advanced add-ons' config.
    artifact = release_artifact(releases[0])
    if artifact is not None and artifact[0] == "oci-image":
        snap.oci_image = data["oci-images"][artifact[1]][0]
    snap.telemetry_drains = [*snap.telemetry_drains, *data.get("space-telemetry-drains", [])]
    snap.addon_configs = {
        key: kept_addon_config(value) for key, value in data.get("addon-config", {}).items()
    }
    for name, value in changes.items():
        setattr(snap, name, value)
    return snap


def run(
    name: str, snap: Snapshot | None, today: date = TODAY, base_dir: Path | None = None
) -> CheckResult:
    project = Project.at(base_dir) if base_dir is not None else Project.here()
    if snap is None:
        return run_one(CATALOGUE[name], Context(project=project, today=today))
    context = ProductionContext(project=project, snapshot=snap, today=today)
    return run_one(CATALOGUE[name], context)


def ids(check: CheckResult) -> list[str]:
    return [str(m.id).removeprefix("deploytools.") for m in check.messages]


def hints(check: CheckResult) -> str:
    return "\n".join(str(m.hint) for m in check.messages)


@pytest.mark.parametrize("name", list(CHECKLIST))
def test_production_ready_passes_all_nine(name: str) -> None:
    check = run(name, snapshot("production_ready"))
    assert check.status == "passed", (check.ids, check.detail)
    assert check.detail  # evidence of what it saw


@pytest.mark.parametrize(
    "name", [n for n, s in CATALOGUE.items() if "heroku" in s.tags and s.ids[0][13] == "7"]
)
def test_skipped_without_snapshot(name: str) -> None:
    check = run(name, None)
    assert check.status == "skipped" and "production_check" in check.detail


def test_hobby_app_fails_the_checklist() -> None:
    snap = snapshot("hobby")
    found = {name: ids(run(name, snap)) for name in CHECKLIST}
    assert found == {
        "heroku_stack": [],
        "heroku_dyno_types": ["E704", "W705"],
        "heroku_dyno_redundancy": ["E706"],
        "heroku_postgres": ["E708"],
        "heroku_postgres_ha": ["W709"],
        "heroku_monitoring": ["W710"],
        "heroku_logging": ["W711"],
        "heroku_error_pages": ["W712", "W712"],
        "heroku_ssl": ["E713", "W715"],
    }
    assert "heroku ps:scale web=2:standard-1x -a weareone-hobby" in hints(
        run("heroku_dyno_types", snap)
    )
    assert "heroku certs:auto:enable -a weareone-hobby" in hints(run("heroku_ssl", snap))
    assert "heroku addons:upgrade" in hints(run("heroku_postgres", snap))


# --- 1 stack ---


def test_e701_end_of_life_stack_and_w703_build_stack() -> None:
    check = run("heroku_stack", snapshot("eol_stack"))
    assert ids(check) == ["E701", "W703"]
    # heroku/base-images README: Heroku-26 is the recommended stack.
    assert "heroku stack:set heroku-26 -a weareone-old" in hints(check)


def test_e701_unknown_stack() -> None:
    snap = snapshot("production_ready")
    snap.app["stack"]["name"] = snap.app["build_stack"]["name"] = "bamboo"
    assert ids(run("heroku_stack", snap)) == ["E701"]


def with_stack(name: str, state: str = "production_ready") -> Snapshot:
    snap = snapshot(state)
    snap.app["stack"]["name"] = snap.app["build_stack"]["name"] = name
    return snap


def test_w702_heroku_22_gives_its_build_failure_schedule() -> None:
    check = run("heroku_stack", with_stack("heroku-22"), today=date(2026, 12, 1))
    assert ids(check) == ["W702"]
    assert check.messages[0].msg == (
        "The app's stack heroku-22 is deprecated and Heroku fails its builds on purpose: from "
        "2026-11-01 the first build of each app in a 30-day period fails; from 2027-02-01 the "
        "first build of each app in a 7-day period fails; from 2027-04-01 the first build of "
        "each app each day fails; from 2027-05-01 no builds are allowed; end of life 2027-04-30."
    )
    assert hints(check) == (
        "Move to heroku-26 now: `heroku stack:set heroku-26 -a weareone-prod`, then deploy again."
    )


def test_heroku_22_before_its_schedule_and_after_its_end() -> None:
    before = run("heroku_stack", with_stack("heroku-22"), today=date(2026, 6, 1))
    assert before.status == "passed"
    assert before.detail == "heroku-22 (supported until 2027-04-30; heroku-26 recommended)"
    # 2027-05-01: no builds at all, and past its end of life.
    assert ids(run("heroku_stack", with_stack("heroku-22"), today=date(2027, 5, 1))) == ["E701"]


def test_heroku_20_is_past_its_end_of_life() -> None:
    check = run("heroku_stack", with_stack("heroku-20"), today=date(2026, 12, 1))
    assert ids(check) == ["E701"]
    assert check.messages[0].msg == (
        "The app runs on heroku-20, which reached end of life on 2025-04-30."
    )


def test_heroku_26_is_recommended_and_a_newer_stack_is_unknown_not_unsupported() -> None:
    check = run("heroku_stack", with_stack("heroku-26"), today=date(2026, 12, 1))
    assert check.status == "passed"
    assert check.detail == "heroku-26 (recommended, supported until 2031-04-30)"
    newer = run("heroku_stack", with_stack("heroku-28"), today=date(2026, 12, 1))
    assert newer.status == "passed" and newer.messages == []
    assert "heroku-28 is unknown to this deploytools" in newer.detail


def test_fir_builder_image_end_of_life() -> None:
    snap = snapshot("fir")
    check = run("heroku_stack", snap, today=date(2026, 12, 1))
    assert check.status == "passed"
    assert check.detail == (
        "cnb (Fir), built with heroku/builder:24 (base heroku/heroku:24) until 2029-04-30"
    )
    assert snap.oci_image is not None
    # heroku/cnb-builder-images: builder:22 ends on 2027-04-30, then Heroku disables it.
    snap.oci_image["base_image_name"] = "heroku/heroku:22-cnb"
    check = run("heroku_stack", snap, today=date(2026, 12, 1))
    assert ids(check) == ["W702"]
    assert "heroku/builder:22, which reaches end of life on 2027-04-30" in check.messages[0].msg
    assert "heroku/builder:26" in hints(check)
    assert ids(run("heroku_stack", snap, today=date(2027, 5, 1))) == ["E701"]


def test_fir_app_stack_and_sizes_pass() -> None:
    snap = snapshot("fir")
    for name in ("heroku_stack", "heroku_dyno_types", "heroku_dyno_redundancy"):
        assert run(name, snap).status == "passed", name
    assert "dyno-1c-0.5gb" in run("heroku_dyno_types", snap).detail
    # The same size names on a Cedar app are no hobby sizes either.
    assert pretty_size("dyno-1c-0.5gb") == "dyno-1c-0.5gb"
    assert pretty_size("standard-2x") == "Standard-2X"


# --- 2, 3 dynos ---


def test_e706_zero_web_dynos() -> None:
    check = run("heroku_dyno_redundancy", snapshot("zero_web"))
    assert ids(check) == ["E706"] and "No web dynos" in str(check.messages[0].msg)
    assert "heroku ps:scale web=2:standard-2x -a weareone-zero" in hints(check)


def test_e706_no_web_process_at_all() -> None:
    snap = snapshot("production_ready")
    snap.formation = [p for p in snap.formation if p["type"] != "web"]
    assert ids(run("heroku_dyno_redundancy", snap)) == ["E706"]


def test_dyno_redundancy_evidence() -> None:
    assert (
        run("heroku_dyno_redundancy", snapshot("production_ready")).detail == "web: 2 × Standard-2X"
    )


# --- 4, 5 Postgres ---


def test_e707_no_postgres() -> None:
    snap = snapshot("production_ready")
    snap.addons = snap.addons[1:]
    check = run("heroku_postgres", snap)
    assert ids(check) == ["E707"]
    assert "heroku addons:create heroku-postgresql:standard-0 -a weareone-prod" in hints(check)
    assert run("heroku_postgres_ha", snap).status == "skipped"


def test_e707_postgres_not_attached_as_database_url() -> None:
    snap = snapshot("production_ready")
    snap.addons[0]["config_vars"] = ["HEROKU_POSTGRESQL_RED_URL"]
    check = run("heroku_postgres", snap)
    assert ids(check) == ["E707"] and "heroku pg:promote HEROKU_POSTGRESQL_RED" in hints(check)


def test_e708_w709_by_plan() -> None:
    snap = snapshot("production_ready")
    snap.addons[0]["plan"]["name"] = "heroku-postgresql:standard-0"
    assert run("heroku_postgres", snap).status == "passed"
    assert ids(run("heroku_postgres_ha", snap)) == ["W709"]
    snap.addons[0]["plan"]["name"] = "heroku-postgresql:mini"
    assert ids(run("heroku_postgres", snap)) == ["E708"]


# --- 6, 7 monitoring ---


def test_w710_monitoring_sources() -> None:
    snap = snapshot("hobby")
    assert ids(run("heroku_monitoring", snap)) == ["W710"]
    snap.config_vars["SENTRY_DSN"] = None  # by name only: the value is never needed
    check = run("heroku_monitoring", snap)
    assert check.status == "passed" and check.detail == "SENTRY_DSN"
    assert run("heroku_monitoring", snapshot("fir")).detail.startswith("telemetry drain")


def test_w711_logging_sources() -> None:
    snap = snapshot("hobby")
    assert ids(run("heroku_logging", snap)) == ["W711"]
    snap.log_drains = [{"addon": None, "url": "syslog+tls://user:pw@logs.example.com:6514"}]
    check = run("heroku_logging", snap)
    assert check.status == "passed" and "logs.example.com" in check.detail
    assert "pw" not in check.detail
    assert run("heroku_logging", snapshot("fir")).status == "passed"


# --- 8 pages ---


def test_w712_page_not_https() -> None:
    snap = snapshot("production_ready")
    snap.config_vars["ERROR_PAGE_URL"] = "http://pages.example.com/error.html"
    check = run("heroku_error_pages", snap)
    assert ids(check) == ["W712"] and check.messages[0].obj == "ERROR_PAGE_URL"


# --- 9 SSL ---


def sni(domain_id: str, expires: str) -> dict[str, Any]:
    return {
        "name": "tengu-1234",
        "domains": [domain_id],
        "ssl_cert": {"cert_domains": ["*.weareone.example"], "expires_at": expires},
    }


def test_ssl_with_sni_certificate_and_w714() -> None:
    snap = snapshot("production_ready")
    snap.app["acm"] = False
    domain = snap.domains[1]
    assert ids(run("heroku_ssl", snap)) == ["E713"]
    snap.sni_endpoints = [sni(domain["id"], "2026-06-01T00:00:00Z")]
    check = run("heroku_ssl", snap)
    assert check.status == "passed" and "certificate until 2026-06-01" in check.detail
    snap.sni_endpoints = [sni("other", "2026-01-20T00:00:00Z")]  # covered by its wildcard
    assert ids(run("heroku_ssl", snap)) == ["W714"]
    snap.sni_endpoints = [sni(domain["id"], "2025-12-01T00:00:00Z")]
    check = run("heroku_ssl", snap)
    assert ids(check) == ["E713"] and "expired" in str(check.messages[0].msg)


def test_e713_acm_failing() -> None:
    snap = snapshot("production_ready")
    snap.domains[1]["acm_status"] = "failed"
    snap.domains[1]["acm_status_reason"] = "CAA record blocks Let's Encrypt"
    check = run("heroku_ssl", snap)
    assert ids(check) == ["E713"] and "CAA record" in str(check.messages[0].msg)
    assert "heroku certs:auto:refresh -a weareone-prod" in hints(check)


def test_ssl_without_custom_domains_passes() -> None:
    snap = snapshot("hobby")
    snap.domains = snap.domains[:1]
    assert run("heroku_ssl", snap).status == "passed"


# --- W716, I717 ---


def test_w716_maintenance_and_failed_release() -> None:
    check = run("heroku_release_state", snapshot("maintenance"))
    assert ids(check) == ["W716", "W716"]
    assert "heroku maintenance:off -a weareone-maint" in hints(check)
    assert "heroku releases:output 43 -a weareone-maint" in hints(check)
    assert run("heroku_release_state", snapshot("production_ready")).status == "passed"


def test_i717_deployed_commit(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    snap = snapshot("production_ready")
    check = run("heroku_deployed_commit", snap, base_dir=repo)
    assert ids(check) == ["I717"] and check.status == "passed"  # infos do not fail
    assert head[:7] in str(check.messages[0].msg)
    snap.slug = {"commit": head}
    check = run("heroku_deployed_commit", snap, base_dir=repo)
    assert ids(check) == [] and head[:7] in check.detail


def test_i717_skips(tmp_path: Path) -> None:
    assert (
        run("heroku_deployed_commit", snapshot("production_ready"), base_dir=tmp_path).status
        == "skipped"
    )
    snap = snapshot("production_ready", slug=None, releases=[])
    assert deployed_commit(snap) is None
    assert (
        run("heroku_deployed_commit", snap, base_dir=tmp_path).detail
        == "the latest releases name no commit"
    )


def test_deployed_commit_from_description() -> None:
    snap = snapshot("production_ready", slug=None)
    assert deployed_commit(snap) == "60883d9e"


# --- dyno tiers and runtimes (platform data) ---


def test_e704_hint_says_what_each_tier_lacks() -> None:
    # dyno-tiers: only Eco sleeps; metrics from Basic up; only Standard and up scale out.
    snap = snapshot("hobby")
    snap.formation[0]["dyno_size"]["name"] = snap.formation[0]["size"] = "eco"
    check = run("heroku_dyno_types", snap)
    assert str(check.messages[0].hint).startswith(
        "Eco dynos sleep when idle, have no metrics, cannot scale beyond one dyno; only "
        "Standard dynos and up scale out: `heroku ps:scale web=2:standard-1x"
    )
    snap.formation[0]["dyno_size"]["name"] = snap.formation[0]["size"] = "basic"
    check = run("heroku_dyno_types", snap)
    assert str(check.messages[0].hint).startswith(
        "Basic dynos cannot scale beyond one dyno; only Standard dynos and up scale out"
    )


def test_sizes_offered_are_the_ones_the_app_can_use() -> None:
    # A Cedar Private Space app scales to private-* sizes; a Fir app to Fir's ARM sizes.
    snap = snapshot("zero_web")
    snap.app["space"] = {"id": "00000000-0000-0000-0000-0000000000e9", "name": "s", "shield": False}
    snap.formation[0]["dyno_size"]["name"] = snap.formation[0]["size"] = ""
    assert "heroku ps:scale web=2:private-s" in hints(run("heroku_dyno_redundancy", snap))
    snap.app["space"]["shield"] = True
    assert "heroku ps:scale web=2:shield-s" in hints(run("heroku_dyno_redundancy", snap))
    fir = snapshot("fir")
    fir.formation[0]["quantity"] = 1
    fir.formation[0]["dyno_size"]["name"] = fir.formation[0]["size"] = "mystery-size"
    check = run("heroku_dyno_redundancy", fir)
    assert "heroku ps:scale web=2:dyno-1c-0.5gb -a weareone-fir" in hints(check)


def test_unknown_sizes_are_not_called_hobby() -> None:
    snap = snapshot("production_ready")
    snap.formation[0]["dyno_size"]["name"] = snap.formation[0]["size"] = "turbo-9x"
    check = run("heroku_dyno_types", snap)
    assert check.messages == [] and "a size unknown to this deploytools" in check.detail


# --- Postgres Advanced ---


def test_postgres_advanced_has_a_standby_by_default() -> None:
    for plan in ("advanced", "advanced-private", "advanced-shield"):
        snap = snapshot("production_ready")
        snap.addons[0]["plan"]["name"] = f"heroku-postgresql:{plan}"
        assert run("heroku_postgres", snap).status == "passed"
        check = run("heroku_postgres_ha", snap)
        assert (check.status, check.detail) == (
            "passed",
            f"heroku-postgresql:{plan} (standby by default)",
        )
    fir = run("heroku_postgres_ha", snapshot("fir"))
    assert fir.status == "passed" and "advanced-private" in fir.detail


def test_w709_postgres_advanced_with_its_standby_turned_off() -> None:
    snap = snapshot("fir")
    addon = snap.addons[0]
    snap.addon_configs[addon["id"]]["high-availability"] = "false"
    check = run("heroku_postgres_ha", snap)
    assert ids(check) == ["W709"]
    assert "heroku data:pg:update heroku-postgresql-shiny-101 -a weareone-fir" in hints(check)


def test_postgres_plans_offered_fit_the_app_s_network() -> None:
    # A Fir app lives in a Private Space: it needs a private plan, not standard-0.
    snap = snapshot("fir")
    snap.addons = []
    assert "heroku addons:create heroku-postgresql:private-0 -a weareone-fir" in hints(
        run("heroku_postgres", snap)
    )
    legacy = snapshot("production_ready")
    legacy.addons[0]["plan"]["name"] = "heroku-postgresql:standard-2"
    assert "heroku addons:upgrade heroku-postgresql-shiny-101 heroku-postgresql:premium-0" in (
        hints(run("heroku_postgres_ha", legacy))
    )


# --- Fir: telemetry drains, no custom pages, OCI images ---


def test_fir_skips_the_pages_item_instead_of_failing_it() -> None:
    check = run("heroku_error_pages", snapshot("fir"))
    assert (check.status, check.detail) == (
        "skipped",
        "custom error and maintenance pages are not available on Fir "
        "(devcenter.heroku.com/articles/error-pages)",
    )


def test_fir_logs_leave_through_telemetry_drains_only() -> None:
    snap = snapshot("fir")
    check = run("heroku_logging", snap)
    assert (check.status, check.detail) == (
        "passed",
        "the space's telemetry drain (logs)",
    )
    # Log drains and drain-based add-ons do not exist on Fir: they do not count there.
    snap.telemetry_drains = [d for d in snap.telemetry_drains if d["owner"]["type"] == "app"]
    snap.log_drains = [{"addon": None, "url": "syslog+tls://logs.example.com:6514"}]
    check = run("heroku_logging", snap)
    assert ids(check) == ["W711"]
    assert check.messages[0].msg == (
        "No telemetry drain carries the app's logs: Fir keeps no log history."
    )
    assert hints(check) == (
        "Send them somewhere searchable (log drains do not exist on Fir): `heroku telemetry:add "
        "https://ENDPOINT --app weareone-fir --signals logs`."
    )


def test_fir_monitoring_hint_is_a_telemetry_drain() -> None:
    snap = snapshot("fir")
    snap.telemetry_drains = []
    check = run("heroku_monitoring", snap)
    assert ids(check) == ["W710"]
    assert (
        "`heroku telemetry:add https://ENDPOINT --app weareone-fir --signals traces,metrics`"
        in (hints(check))
    )


def test_i717_names_the_oci_image_s_commit_on_fir(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    snap = snapshot("fir")
    assert snap.slug is None and snap.oci_image is not None
    snap.oci_image["commit"] = head
    check = run("heroku_deployed_commit", snap, base_dir=repo)
    assert (
        check.detail
        == f"Heroku runs {head[:7]} (its OCI image's commit), the head of local/production"
    )


def test_w716_evidence_names_the_rollback_target_and_skips_expired_releases() -> None:
    snap = snapshot("production_ready")
    # Heroku changelog 3395: an expired release lost its slug; `heroku rollback` cannot use it.
    for release in snap.releases[1:4]:
        release["status"] = "expired"
    check = run("heroku_release_state", snap)
    assert check.status == "passed"
    assert check.detail == (
        "v42 succeeded; rollback target v38 (3 expired: their artifacts are destroyed, no "
        "rollback to them)"
    )
    for release in snap.releases[1:]:
        release["status"] = "expired"
    assert run("heroku_release_state", snap).detail.endswith(
        "no release to roll back to among the latest 13 (12 expired: their artifacts are "
        "destroyed, no rollback to them)"
    )


def test_i718_dyno_metadata_off() -> None:
    check = run("heroku_dyno_metadata", snapshot("hobby"))
    assert ids(check) == ["I718"] and check.status == "passed"  # an info
    assert check.messages[0].msg.startswith(
        "The labs feature runtime-dyno-metadata is off: dynos get no HEROKU_RELEASE_VERSION or "
        "HEROKU_SLUG_COMMIT"
    )
    assert hints(check) == (
        "Turn it on (it takes effect from the next deploy): "
        "`heroku labs:enable runtime-dyno-metadata -a weareone-hobby`."
    )
    ready = run("heroku_dyno_metadata", snapshot("production_ready"))
    assert (ready.status, ready.messages, ready.detail) == (
        "passed",
        [],
        "runtime-dyno-metadata enabled",
    )


def test_w905_is_moot_on_fir() -> None:
    snap = snapshot("fir")
    snap.config_vars["ERROR_PAGE_URL"] = "https://127.0.0.1:9/error.html"
    context = ProductionContext(project=Project.here(), snapshot=snap, live=True)
    check = run_one(CATALOGUE["live_error_pages"], context)
    assert check.status == "skipped" and "not available on Fir" in check.detail
