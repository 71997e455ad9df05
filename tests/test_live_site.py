"""9xx: the live-site checks against the real weareone app under gunicorn (TLS from a local CA)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploytools.checks.run import RunResult, run_checks, select
from deploytools.context import ProductionContext
from deploytools.facts import http_probe
from deploytools.facts.snapshot import Snapshot
from deploytools.report import Report, render
from tests import tlsserver

pytestmark = pytest.mark.slow

PAGE_SECRET = "s3cr3t-page-token"


@dataclass
class Site:
    certificates: tlsserver.Certificates
    good_https: str
    good_http: str
    bad_https: str
    bad_http: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("live")
    certificates = tlsserver.make_certificates(workdir)
    tlsserver.prepare_site(workdir)
    servers = [
        tlsserver.start_gunicorn(workdir, "good-https", "tests.live_settings", certificates),
        tlsserver.start_gunicorn(workdir, "good-http", "tests.live_settings"),
        tlsserver.start_gunicorn(workdir, "bad-https", "tests.live_bad_settings", certificates),
        tlsserver.start_gunicorn(workdir, "bad-http", "tests.live_bad_settings"),
    ]
    try:
        for server in servers:
            tlsserver.wait_ready(server)
        yield Site(certificates, *(server.url for server in servers))
    finally:
        for server in servers:
            server.stop()


def run_live(
    urls: list[str], *, ca_bundle: Path | None, config_vars: dict[str, Any] | None = None
) -> RunResult:
    context = ProductionContext(
        snapshot=Snapshot(app={"name": "weareone"}, config_vars=config_vars or {}),
        urls=urls,
        live=True,
        ca_bundle=str(ca_bundle) if ca_bundle is not None else None,
    )
    return run_checks(context, select(["live"]))


def statuses(result: RunResult) -> dict[str, str]:
    return {check.name: check.status for check in result.checks}


def ids(result: RunResult) -> list[str]:
    return sorted(str(m.id) for m in result.messages)


def test_live_checks_are_catalogued_for_the_live_tag() -> None:
    names = {spec.name: spec for spec in select(["live"])}
    assert {spec.ids[0] for spec in names.values()} == {
        "deploytools.E901",
        "deploytools.W902",
        "deploytools.E903",
        "deploytools.W904",
        "deploytools.W905",
    }
    assert all(spec.deploy for spec in names.values())


def test_production_settings_pass_every_live_check(site: Site) -> None:
    result = run_live(
        [site.good_https, site.good_http],
        ca_bundle=site.certificates.ca_bundle,
        config_vars={
            "ERROR_PAGE_URL": site.good_https + "/health",
            "MAINTENANCE_PAGE_URL": site.good_https + "/",
            "DJANGO_SECRET_KEY": None,
        },
    )
    assert ids(result) == []
    assert statuses(result) == {
        "live_https_redirect": "passed",
        "live_hsts": "passed",
        "live_debug_page": "passed",
        "live_secure_cookies": "passed",
        "live_error_pages": "passed",
    }
    details = {check.name: check.detail for check in result.checks}
    assert f"{site.good_http} → 301 https://localhost:" in details["live_https_redirect"]
    assert "max-age=31536000" in details["live_hsts"]
    assert "HTTP 404, no debug page" in details["live_debug_page"]
    # The admin login sets the CSRF cookie: it was seen, and it is Secure.
    assert "cookies, all Secure" in details["live_secure_cookies"]


def test_debug_settings_fail_e901_w902_e903_w904(site: Site) -> None:
    result = run_live([site.bad_https, site.bad_http], ca_bundle=site.certificates.ca_bundle)
    assert ids(result) == [
        "deploytools.E901",
        "deploytools.E903",
        "deploytools.W902",
        "deploytools.W904",
    ]
    by_id = {str(m.id): m for m in result.messages}
    assert "HTTP 200" in by_id["deploytools.E901"].msg
    assert by_id["deploytools.E901"].hint.endswith("in settings.")
    assert "(missing)" in by_id["deploytools.W902"].msg
    assert "csrftoken" in by_id["deploytools.W904"].msg
    assert by_id["deploytools.W904"].obj == "csrftoken"
    assert statuses(result)["live_error_pages"] == "skipped"


def test_http_url_that_does_not_answer_skips_e901(site: Site) -> None:
    # A site that does not answer is not one that "does not redirect": E901 says so, skipped.
    closed = f"http://localhost:{tlsserver.free_port()}"
    result = run_live([site.good_https, closed], ca_bundle=site.certificates.ca_bundle)
    assert "deploytools.E901" not in ids(result)
    redirect = next(c for c in result.checks if c.name == "live_https_redirect")
    assert redirect.status == "skipped"
    assert redirect.detail == f"{closed} did not answer (ConnectionError)"
    assert statuses(result)["live_hsts"] == "passed"


def test_one_silent_http_url_is_shown_and_the_others_still_checked(site: Site) -> None:
    closed = f"http://localhost:{tlsserver.free_port()}"
    result = run_live([site.bad_http, closed], ca_bundle=None)
    e901 = [m for m in result.messages if m.id == "deploytools.E901"]
    assert [m.obj for m in e901] == [site.bad_http]
    redirect = next(c for c in result.checks if c.name == "live_https_redirect")
    assert redirect.status == "failed"
    assert f"{closed} did not answer (ConnectionError)" in redirect.detail


def test_unreachable_error_pages_fail_w905_without_printing_values(site: Site) -> None:
    closed = f"https://127.0.0.1:{tlsserver.free_port()}/{PAGE_SECRET}"
    result = run_live(
        [site.good_https],
        ca_bundle=site.certificates.ca_bundle,
        config_vars={
            "ERROR_PAGE_URL": site.good_https + f"/missing-{PAGE_SECRET}",
            "MAINTENANCE_PAGE_URL": closed,
        },
    )
    w905 = sorted(
        (m for m in result.messages if m.id == "deploytools.W905"), key=lambda m: str(m.obj)
    )
    assert [m.obj for m in w905] == ["ERROR_PAGE_URL", "MAINTENANCE_PAGE_URL"]
    assert "(HTTP 404)" in w905[0].msg
    assert "(ConnectionError)" in w905[1].msg
    assert w905[0].hint.endswith("`heroku config:set ERROR_PAGE_URL=https://… -a weareone`.")
    document = render(Report(result, 1), "json") + render(Report(result, 1), "text")
    assert PAGE_SECRET not in document
    assert "missing-" not in document


def test_certificate_verification_is_on(site: Site) -> None:
    # Without the local CA the certificate is untrusted: nothing is reported as passed.
    result = run_live([site.good_https], ca_bundle=None)
    state = statuses(result)
    assert (
        state["live_hsts"] == state["live_debug_page"] == state["live_secure_cookies"] == "skipped"
    )
    detail = {c.name: c.detail for c in result.checks}["live_hsts"]
    assert "SSLError" in detail


def test_requests_ca_bundle_environment_variable_is_honoured(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(site.certificates.ca_bundle))
    result = run_live([site.good_https], ca_bundle=None)
    assert statuses(result)["live_hsts"] == "passed"


def test_without_urls_every_live_check_is_skipped() -> None:
    result = run_live([], ca_bundle=None)
    assert set(statuses(result).values()) == {"skipped"}
    assert result.messages == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=31536000; includeSubDomains", 31536000),
        ('max-age="300"', 300),
        ("includeSubDomains; Max-Age=63072000; preload", 63072000),
        ("includeSubDomains", None),
        (None, None),
    ],
)
def test_hsts_max_age(header: str | None, expected: int | None) -> None:
    assert http_probe.hsts_max_age(header) == expected


def test_cookie_flags_and_debug_markers() -> None:
    assert http_probe.cookie_name_and_flags("csrftoken=abc; Path=/; SameSite=Lax") == (
        "csrftoken",
        {"path", "samesite"},
    )
    assert "secure" in http_probe.cookie_name_and_flags("sessionid=x; Secure; HttpOnly")[1]
    assert http_probe.is_debug_page(
        "You’re seeing this error because you have <code>DEBUG = True</code>"
    )
    assert not http_probe.is_debug_page("<h1>Not Found</h1>")


def test_http_urls_derive_from_https_hosts_without_their_own() -> None:
    assert http_probe.http_urls(["https://example.com/path", "www.example.org"]) == [
        "http://example.com",
        "http://www.example.org",
    ]
    assert http_probe.http_urls(["https://a.test:8443", "http://a.test:8080"]) == [
        "http://a.test:8080"
    ]
    assert http_probe.https_urls(["ftp://x.test", "https://A.test/"]) == ["https://a.test"]
