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
from deploytools.facts.snapshot import Snapshot, deployed_commit, pretty_size
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
    assert "heroku stack:set heroku-24 -a weareone-old" in hints(check)


def test_e701_unknown_stack() -> None:
    snap = snapshot("production_ready")
    snap.app["stack"]["name"] = snap.app["build_stack"]["name"] = "bamboo"
    assert ids(run("heroku_stack", snap)) == ["E701"]


def test_w702_stack_near_end_of_life() -> None:
    snap = snapshot("production_ready")
    snap.app["stack"]["name"] = snap.app["build_stack"]["name"] = "heroku-22"
    assert ids(run("heroku_stack", snap, today=date(2026, 12, 1))) == ["W702"]
    assert run("heroku_stack", snap, today=date(2026, 1, 1)).status == "passed"


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
