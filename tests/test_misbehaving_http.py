"""
Hostile servers on 127.0.0.1 (issue 8, classes 5, 6 and 10): the Heroku API and the live site
dripping a byte at a time, answering deep, wrongly typed or oversized JSON, failing one
endpoint, declaring a bogus charset. Every run ends in bounded time with one clear line (exit
2) or a report whose affected checks are skipped with the reason; never a traceback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploytools.checks.run import RunResult, run_checks, select
from deploytools.context import ProductionContext
from deploytools.facts import heroku_client, http_probe, platform_api
from deploytools.facts import snapshot as snapshot_facts
from deploytools.facts.api_shapes import shape_problem
from tests import tlsserver
from tests.fakeheroku import TOKEN, FakeHeroku
from tests.helpers import run_command, within
from tests.hostileserver import HostileSite, Page

# The live checks get a loopback URL with nothing listening, so nothing leaves 127.0.0.1.
OFFLINE_URL = "http://127.0.0.1:9/"
# fake_heroku sets HEROKU_API_TIMEOUT_SECONDS to 0.5 with 2 retries: the bounds below hold on a
# loaded machine with a wide margin, and a hang (the bug) blows through them.
TIMEOUT = 0.5
# Retried at once: the retries are what is tested, not the waits between them.
NO_WAIT = {"Retry-After": "0"}


def production_check(app: str, *args: str) -> tuple[Any, float, str]:
    started = time.monotonic()
    result = within(
        60,
        lambda: run_command(
            "production_check", "--app", app, "--url", OFFLINE_URL, "--format", "json", *args
        ),
    )
    return result, time.monotonic() - started, result.stderr


def checks_by_name(stdout: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(stdout)["checks"]}


def heroku_checks(app: str) -> tuple[snapshot_facts.Snapshot, dict[str, dict[str, Any]]]:
    """The snapshot of ``app`` and the Heroku checks' lines, in process (no dyno, no probe)."""
    from deploytools.report.document import to_json

    snapshot = platform_api.take_snapshot(app)
    context = ProductionContext(
        snapshot=snapshot,
        config_vars=snapshot.known_config_vars() if snapshot.available("config_vars") else {},
        measure_memory=False,
    )
    result = run_checks(context, select(["heroku"]))
    lines = {c["name"]: c for c in to_json(result, 0)["checks"]}
    assert "deploytools.E002" not in {str(m.id) for m in result.messages}
    return snapshot, lines


# -- the Heroku API: a request's whole time is bounded ------------------------------------------


@pytest.mark.parametrize("body_only", [False, True], ids=["headers", "body"])
def test_a_dripping_endpoint_is_cut_at_the_timeout_and_only_its_checks_skip(
    fake_heroku: FakeHeroku, body_only: bool
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/sni-endpoints", drip=0.05, drip_body_only=body_only)
    result, elapsed, _err = production_check(app)
    assert result.exit_code == 0, result.stdout
    assert elapsed < 10, elapsed  # the drip never ends: without a total bound this hangs
    document = json.loads(result.stdout)
    reason = document["unavailable"]["sni_endpoints"]
    assert reason == (
        f"Heroku API GET /apps/{app}/sni-endpoints: no complete answer within 0.5s (timeout)"
    )
    checks = checks_by_name(result.stdout)
    assert checks["heroku_ssl"] == {**checks["heroku_ssl"], "status": "skipped", "detail": reason}
    # Everything that does not read the SNI endpoints was still checked.
    for name in ("heroku_stack", "heroku_dyno_types", "heroku_postgres", "database_connections"):
        assert checks[name]["status"] == "passed", checks[name]
    assert "Traceback" not in result.stderr


def test_a_request_is_bounded_connect_to_last_byte(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault(f"/apps/{app}", drip=0.05)
    with heroku_client.HerokuClient(TOKEN, timeout=TIMEOUT, retries=0) as client:
        started = time.monotonic()
        with pytest.raises(heroku_client.HerokuAPIError, match=r"within 0\.5s \(timeout\)"):
            within(10, lambda: client.get(f"/apps/{app}"))
        assert time.monotonic() - started < TIMEOUT + 1.0


def test_the_app_itself_dripping_is_exit_2_in_one_line(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault(f"/apps/{app}", drip=0.05)
    started = time.monotonic()
    result = within(30, lambda: run_command("production_check", "--app", app, "--url", OFFLINE_URL))
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"CommandError: Heroku API GET /apps/{app}: no complete answer within 0.5s (timeout)"
    ]


def test_preflight_app_config_vars_dripping_is_exit_2(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/config-vars", drip=0.05, drip_body_only=True)
    started = time.monotonic()
    result = within(30, lambda: run_command("preflight", "--app", app, "--format", "json"))
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert (
        "config-vars: no complete answer within 0.5s (timeout)"
        in json.loads(result.stdout)["error"]
    )


def test_the_whole_api_phase_is_bounded(fake_heroku: FakeHeroku) -> None:
    # Every page answers in time, but 9 pages one after another take longer than the phase:
    # (2 × 0 retries + 3) × 0.3 s = 0.9 s.
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/dyno-sizes", page_size=1, delay=0.2)
    started = time.monotonic()
    with heroku_client.HerokuClient(TOKEN, timeout=0.3, retries=0) as client:
        assert client.phase == pytest.approx(0.9)
        snapshot = platform_api.fetch_snapshot(app, client)
    elapsed = time.monotonic() - started
    assert elapsed < 0.9 + 0.3 + 1.0, elapsed
    assert snapshot.unavailable["dyno_sizes"] == (
        "Heroku API GET /dyno-sizes: the Heroku API phase took longer than 0.9s; try again later"
    )
    assert snapshot.formation  # the endpoints that answered in time are kept


def test_the_readme_states_the_bounds_the_client_enforces() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "connect to last byte" in readme
    assert heroku_client.phase_seconds(10, 3) == 90
    assert "(2 × `HEROKU_API_RETRIES` + 3) × `HEROKU_API_TIMEOUT_SECONDS`" in readme


# -- the Heroku API: hostile JSON --------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
# Parses (Python's parser goes about 1000 levels deep), but deeper than any walk should follow.
NESTED = b"[" + b'{"a": ' * 200 + b"1" + b"}" * 200 + b"]"


@pytest.mark.parametrize(
    ("suffix", "body", "field", "reason", "skipped"),
    [
        (
            "/addons",
            DEEP,
            "addons",
            "the answer is not usable JSON (nested too deeply)",
            "heroku_postgres",
        ),
        (
            "/addons",
            NESTED,
            "addons",
            "the answer is not usable JSON (nested more than 64 levels deep)",
            "heroku_monitoring",
        ),
        (
            "/releases",
            b'[{"version": "forty-two", "status": "succeeded"}]',
            "releases",
            "unexpected data: releases[0].version must be an integer",
            "heroku_release_state",
        ),
        (
            "/releases",
            b'[{"version": 42, "slug": "not-an-object"}]',
            "releases",
            "unexpected data: releases[0].slug must be an object",
            "heroku_deployed_commit",
        ),
        (
            "/formation",
            b'[{"type": "web", "quantity": "two"}]',
            "formation",
            "unexpected data: formation[0].quantity must be an integer",
            "heroku_dyno_redundancy",
        ),
        (
            "/sni-endpoints",
            b'[{"ssl_cert": "expired"}]',
            "sni_endpoints",
            "unexpected data: sni_endpoints[0].ssl_cert must be an object",
            "heroku_ssl",
        ),
        (
            "/config-vars",
            b'{"WEB_CONCURRENCY": 3}',
            "config_vars",
            'unexpected data: "config_vars" must map names to strings or null',
            "heroku_error_pages",
        ),
        ("/domains", b"[1, 2]", "domains", "expected a JSON list of objects", "heroku_ssl"),
        (
            "/log-drains",
            b"[" + b" " * 17_000_000 + b"]",
            "log_drains",
            "the answer is larger than 16 MB",
            "heroku_logging",
        ),
    ],
    ids=[
        "deep",
        "nested",
        "version-string",
        "slug-string",
        "quantity-string",
        "cert-string",
        "config-number",
        "list-of-numbers",
        "oversized",
    ],
)
def test_hostile_json_from_an_endpoint_skips_what_reads_it(
    fake_heroku: FakeHeroku, suffix: str, body: bytes, field: str, reason: str, skipped: str
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault(suffix, body=body)
    snapshot, checks = heroku_checks(app)
    assert snapshot.unavailable[field] == f"Heroku API GET /apps/{app}{suffix}: {reason}"
    assert (checks[skipped]["status"], checks[skipped]["detail"]) == (
        "skipped",
        snapshot.unavailable[field],
    )
    assert checks["heroku_stack"]["status"] == "passed"


def test_hostile_json_end_to_end_is_one_document_and_no_traceback(
    fake_heroku: FakeHeroku,
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/releases", body=b'[{"version": "forty-two"}]')
    fake_heroku.fault("/addons", body=DEEP)
    result, _elapsed, _err = production_check(app)
    assert result.exit_code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "deploytools.E002" not in result.stdout
    document = json.loads(result.stdout)  # one document: nothing else on stdout
    assert set(document["unavailable"]) == {"releases", "slug", "addons"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "the answer is not usable JSON (nested too deeply)"),
        (b'{"name": "x", "stack": "heroku-24"}', "unexpected data: app.stack must be an object"),
        (b'{"name": ["x"]}', "unexpected data: app.name must be a string"),
        (b"[]", "expected a JSON object"),
    ],
    ids=["deep", "stack-string", "name-list", "not-an-object"],
)
def test_hostile_json_for_the_app_itself_is_exit_2(
    fake_heroku: FakeHeroku, body: bytes, reason: str
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault(f"/apps/{app}", body=body)
    for fmt in ("text", "json"):
        result = run_command("production_check", "--app", app, "--format", fmt)
        assert result.exit_code == 2
        line = f"Heroku API GET /apps/{app}: {reason}"
        assert result.stderr.strip() == f"CommandError: {line}"
        if fmt == "json":
            assert json.loads(result.stdout)["error"] == line


# -- the Heroku API: one failing endpoint -------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "fault", "field", "needle", "skipped"),
    [
        ("/formation", {"status": 403}, "formation", "HTTP 403", "heroku_dyno_types"),
        ("/addons", {"status": 404}, "addons", "HTTP 404", "heroku_postgres"),
        (
            "/domains",
            {"status": 503, "headers": NO_WAIT},
            "domains",
            "HTTP 503 after 2 retries",
            "heroku_ssl",
        ),
        ("/log-drains", {"malformed": True}, "log_drains", "not valid JSON", "heroku_logging"),
        ("/config-vars", {"status": 403}, "config_vars", "HTTP 403", "dyno_settings"),
        (
            "/releases",
            {"status": 500, "headers": NO_WAIT},
            "releases",
            "HTTP 500",
            "heroku_release_state",
        ),
    ],
)
def test_one_failing_endpoint_skips_what_depends_on_it_and_keeps_the_rest(
    fake_heroku: FakeHeroku,
    suffix: str,
    fault: dict[str, Any],
    field: str,
    needle: str,
    skipped: str,
) -> None:
    app = fake_heroku.add_state("hobby")
    fake_heroku.fault(suffix, **fault)
    snapshot, checks = heroku_checks(app)
    # The latest release's slug is read through the releases: without them, no slug either.
    assert set(snapshot.unavailable) == ({field, "slug"} if field == "releases" else {field})
    reason = snapshot.unavailable[field]
    assert reason.startswith(f"Heroku API GET /apps/{app}{suffix}: ") and needle in reason
    assert TOKEN not in reason
    if skipped == "dyno_settings":
        from deploytools.facts.project import Project
        from deploytools.production_check import start_settings_run

        assert start_settings_run(snapshot, Project.here()) == reason
    else:
        assert (checks[skipped]["status"], checks[skipped]["detail"]) == ("skipped", reason)
    # The stack is read from the app itself: still judged. The hobby app's findings that do
    # not read the failed endpoint still count.
    assert checks["heroku_stack"]["status"] == "passed"
    assert any(c["status"] == "failed" for c in checks.values())
    # Only the checks that read the failed endpoint are skipped for it.
    readers = {n for n, c in checks.items() if c["detail"] == reason}
    assert readers and all(checks[n]["status"] == "skipped" for n in readers)


def test_a_saved_snapshot_remembers_the_failed_endpoint(
    fake_heroku: FakeHeroku, tmp_path: Path
) -> None:
    app = fake_heroku.add_state("hobby")
    fake_heroku.fault("/domains", status=503, headers=NO_WAIT)
    saved = tmp_path / "snap.json"
    snapshot = platform_api.take_snapshot(app)
    reason = snapshot.unavailable["domains"]
    snapshot_facts.save_snapshot(snapshot, saved)
    assert json.loads(saved.read_text())["unavailable"] == {"domains": reason}
    fake_heroku.stop()  # offline means offline
    offline = run_command("production_check", "--snapshot", str(saved), "--format", "json")
    assert json.loads(offline.stdout)["unavailable"] == {"domains": reason}
    ssl = checks_by_name(offline.stdout)["heroku_ssl"]
    assert (ssl["status"], ssl["detail"]) == ("skipped", reason)
    assert checks_by_name(offline.stdout)["heroku_dyno_types"]["status"] == "failed"


def test_a_refused_token_on_any_endpoint_is_exit_2(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/features", status=401)
    result = run_command("production_check", "--app", app, "--url", OFFLINE_URL)
    assert result.exit_code == 2
    assert f"/apps/{app}/features: HTTP 401" in result.stderr


def test_the_slug_failing_skips_only_the_deployed_commit(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/slugs/" + _latest_slug(fake_heroku, app), status=503, headers=NO_WAIT)
    _snapshot, checks = heroku_checks(app)
    assert checks["heroku_deployed_commit"]["status"] == "skipped"
    assert "HTTP 503 after 2 retries" in checks["heroku_deployed_commit"]["detail"]
    assert checks["heroku_release_state"]["status"] == "passed"


def _latest_slug(fake: FakeHeroku, app: str) -> str:
    releases = fake.apps[app]["releases"]
    latest = max(releases, key=lambda r: r["version"])
    return str(latest["slug"]["id"])


# -- saved snapshots: the same hostile JSON, from a file -----------------------------------------


def _example(**changes: Any) -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "deploytools" / "examples" / "snapshot.json"
    return {**json.loads(path.read_text()), **changes}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (DEEP, "not usable JSON (nested too deeply)"),
        (
            json.dumps(_example(releases=[{"version": "v42"}])).encode(),
            "releases[0].version must be an integer",
        ),
        (
            json.dumps(_example(slug="abc")).encode(),
            "slug must be an object",
        ),
        (
            json.dumps(_example(format="x" * 100_000)).encode(),
            "unknown snapshot format (this deploytools reads format 1)",
        ),
        (
            json.dumps(_example(unavailable={"formation": 3})).encode(),
            '"unavailable" must map snapshot fields to reasons',
        ),
        (
            json.dumps(_example(domains=[{"hostname": {"deep": "x"}}])).encode(),
            "domains[0].hostname must be a string",
        ),
    ],
    ids=["deep", "version", "slug", "format", "unavailable", "hostname"],
)
def test_hostile_snapshot_files_exit_2_in_one_line(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "snap.json"
    path.write_bytes(content)
    with pytest.raises(snapshot_facts.SnapshotError) as raised:
        snapshot_facts.load_snapshot(path)
    assert str(raised.value) == f"{path}: {reason}"
    result = run_command("production_check", "--snapshot", str(path), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == f"{path}: {reason}"
    assert len(result.stderr) < 1000  # the 100 kB format value is not quoted


def test_every_fixture_state_passes_the_shape_check() -> None:
    from tests.fakeheroku import STATES, load_state

    for state in STATES:
        data = load_state(state)
        for name, endpoint in [
            ("app", "app"),
            ("formation", "formation"),
            ("addons", "addons"),
            ("config_vars", "config-vars"),
            ("domains", "domains"),
            ("sni_endpoints", "sni-endpoints"),
            ("log_drains", "log-drains"),
            ("telemetry_drains", "telemetry-drains"),
            ("features", "features"),
            ("releases", "releases"),
        ]:
            assert shape_problem(name, data.get(endpoint, [])) is None, (
                state,
                name,
            )


# -- the live site ------------------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[HostileSite]:
    server = HostileSite().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tlsserver.Certificates:
    return tlsserver.make_certificates(tmp_path_factory.mktemp("hostile-tls"))


def live_checks(urls: list[str], ca_bundle: Path | None = None) -> RunResult:
    context = ProductionContext(
        snapshot=snapshot_facts.Snapshot(app={"name": "weareone"}),
        urls=urls,
        live=True,
        ca_bundle=str(ca_bundle) if ca_bundle else None,
    )
    return run_checks(context, select(["live"]))


def test_a_dripping_site_is_cut_at_the_request_bound(
    site: HostileSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_probe, "REQUEST_SECONDS", 0.5)
    site.pages["*"] = Page(drip=0.05)
    started = time.monotonic()
    probe = within(10, lambda: http_probe.Prober().get(site.url + "/"))
    assert time.monotonic() - started < 0.5 + 1.0
    assert probe.error == "Timeout"
    result = within(30, lambda: live_checks([site.url]))
    redirect = {c.name: c for c in result.checks}["live_https_redirect"]
    assert redirect.status == "skipped" and "did not answer (Timeout)" in redirect.detail
    assert time.monotonic() - started < 10


def test_an_endless_page_is_read_up_to_the_cap(site: HostileSite) -> None:
    site.pages["/"] = Page(body=b"<html>", endless=True, no_length=True)
    started = time.monotonic()
    probe = within(10, lambda: http_probe.Prober().get(site.url + "/"))
    assert time.monotonic() - started < 5
    assert probe.error is None and probe.status == 200
    assert len(probe.body) == http_probe.MAX_BODY_BYTES


@pytest.mark.parametrize("charset", ["x-bogus", "rot13", "idna", "base64"])
def test_a_bogus_charset_is_read_as_utf8_and_still_judged(
    certificates: tlsserver.Certificates, charset: str
) -> None:
    site = HostileSite(certificates).start()
    try:
        body = (
            "<h1>Page not found</h1><p>You’re seeing this error because you have "
            "<code>DEBUG = True</code> in your Django settings file.</p>"
        ).encode()
        site.pages["*"] = Page(
            status=404, headers={"Content-Type": f"text/html; charset={charset}"}, body=body
        )
        result = live_checks([site.url], ca_bundle=certificates.ca_bundle)
    finally:
        site.stop()
    found = {str(m.id) for m in result.messages}
    assert "deploytools.E002" not in found
    assert "deploytools.E903" in found  # the finding the bogus charset used to hide
