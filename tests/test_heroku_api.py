"""platform_api and heroku_client against the fake Platform API: snapshot, faults, save and load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploytools.facts import heroku_client, platform_api
from deploytools.facts import snapshot as snapshot_facts
from tests.fakeheroku import STATES, TOKEN, FakeHeroku, load_state, validate
from tests.helpers import (
    ROOT,
)


def client(**kwargs: Any) -> heroku_client.HerokuClient:
    return heroku_client.HerokuClient(TOKEN, **kwargs)


@pytest.mark.parametrize("state", STATES)
def test_every_fixture_state_matches_the_schema(fake_heroku: FakeHeroku, state: str) -> None:
    app = fake_heroku.add_state(state)
    with client() as c:
        snapshot = platform_api.fetch_snapshot(app, c)
    assert snapshot.app_name == app
    assert snapshot.formation and snapshot.dyno_sizes
    assert not fake_heroku.schema_errors


def test_fixture_that_drifts_from_the_schema_is_caught() -> None:
    state = load_state("production_ready")
    state["formation"][0]["quantity"] = "two"
    with pytest.raises(Exception, match="is not of type"):
        validate("/apps/x/formation", state["formation"])


def test_snapshot_has_every_endpoint_and_raw_fields(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    snapshot = platform_api.take_snapshot(app)
    assert snapshot.app["build_stack"]["name"] == "heroku-24"
    assert {a["addon_service"]["name"] for a in snapshot.addons} >= {"heroku-postgresql"}
    assert snapshot.addons[0]["state"] == "provisioned"
    assert [r["version"] for r in snapshot.releases][:3] == [42, 41, 40]
    assert len(snapshot.releases) == platform_api.RELEASES_KEPT
    assert snapshot.slug is not None and snapshot.slug["commit"].startswith("60883d9")
    assert snapshot.config_vars["WEB_CONCURRENCY"] == "3"
    assert snapshot.has_config_values
    paths = {path for path, _headers in fake_heroku.requests}
    assert f"/apps/{app}/telemetry-drains" in paths and "/dyno-sizes" in paths
    releases = [h for p, h in fake_heroku.requests if p.endswith("/releases")]
    assert releases[0]["Range"] == "version ..; order=desc, max=10"


def test_pagination_206_is_followed_and_nothing_is_printed(
    fake_heroku: FakeHeroku, capsys: pytest.CaptureFixture[str]
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/dyno-sizes", page_size=4)
    snapshot = platform_api.take_snapshot(app)
    assert len(snapshot.dyno_sizes) == len(fake_heroku.dyno_sizes) == 9
    assert [p for p, _h in fake_heroku.requests].count("/dyno-sizes") == 3
    assert capsys.readouterr().out == ""


def test_429_then_success_honours_retry_after(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/formation", status=429, headers={"Retry-After": "0"}, times=1)
    waits: list[float] = []
    with client(sleep=waits.append) as c:
        snapshot = platform_api.fetch_snapshot(app, c)
    assert snapshot.formation[0]["type"] == "web"
    assert waits == [0.0]


def test_retry_after_is_capped(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/addons", status=503, headers={"Retry-After": "3600"}, times=2)
    waits: list[float] = []
    with client(sleep=waits.append, timeout=0.5, retries=2) as c:
        platform_api.fetch_snapshot(app, c)
    assert waits == [0.5, 0.5]


def test_repeated_5xx_gives_up_after_the_retries(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/domains", status=503)
    waits: list[float] = []
    with client(sleep=waits.append, retries=2) as c:
        snapshot = platform_api.fetch_snapshot(app, c)
    # A secondary endpoint: recorded as unavailable, the rest of the snapshot is kept.
    assert snapshot.unavailable["domains"].startswith(
        f"Heroku API GET /apps/{app}/domains: HTTP 503 after 2 retries"
    )
    assert snapshot.formation
    assert len(waits) == 2
    with (
        client(sleep=waits.append, retries=2) as c,
        pytest.raises(heroku_client.HerokuAPIError) as err,
    ):
        fake_heroku.fault(f"/apps/{app}", status=503)
        platform_api.fetch_snapshot(app, c)
    assert str(err.value).startswith(f"Heroku API GET /apps/{app}: HTTP 503 after 2 retries")


@pytest.mark.parametrize(
    ("status", "needle"), [(401, "heroku login"), (403, "heroku access"), (404, "heroku apps")]
)
def test_client_errors_are_one_line_naming_the_endpoint(
    fake_heroku: FakeHeroku, status: int, needle: str
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/config-vars", status=status)
    if status == 401:
        # A refused token fails every request: nothing can be checked.
        with pytest.raises(heroku_client.HerokuAPIError) as err:
            platform_api.take_snapshot(app)
        text = str(err.value)
    else:
        text = platform_api.take_snapshot(app).unavailable["config_vars"]
    assert f"/apps/{app}/config-vars" in text and f"HTTP {status}" in text and needle in text
    assert "\n" not in text and TOKEN not in text


def test_wrong_token_is_401(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    with pytest.raises(heroku_client.HerokuAPIError, match="HTTP 401") as err:
        platform_api.take_snapshot(app, token="not-the-token")
    assert "not-the-token" not in str(err.value)


def test_unknown_app_is_404(fake_heroku: FakeHeroku) -> None:
    with pytest.raises(heroku_client.HerokuAPIError, match="HTTP 404"):
        platform_api.take_snapshot("no-such-app")


def test_slow_endpoint_times_out(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/sni-endpoints", delay=1.5)
    with client(timeout=0.2) as c:
        reason = platform_api.fetch_snapshot(app, c).unavailable["sni_endpoints"]
    assert reason == (
        f"Heroku API GET /apps/{app}/sni-endpoints: no complete answer within 0.2s (timeout)"
    )


def test_malformed_json(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/log-drains", malformed=True)
    assert platform_api.take_snapshot(app).unavailable["log_drains"] == (
        f"Heroku API GET /apps/{app}/log-drains: the answer is not valid JSON"
    )


def test_connection_refused() -> None:
    with (
        heroku_client.HerokuClient(TOKEN, "http://127.0.0.1:9", timeout=0.5, retries=0) as c,
        pytest.raises(heroku_client.HerokuAPIError, match="could not connect"),
    ):
        platform_api.fetch_snapshot("any-app", c)


def test_fetch_config_vars(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("hobby")
    assert platform_api.fetch_config_vars(app)["WEB_CONCURRENCY"] == "3"


# --- token, app name, base URL -------------------------------------------------------------


def test_token_from_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine api.heroku.com\n  login me@example.com\n  password tok-from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.delenv("HEROKU_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(netrc))
    assert platform_api.api_token() == "tok-from-netrc"
    monkeypatch.setenv("HEROKU_API_KEY", "tok-from-env")
    assert platform_api.api_token() == "tok-from-env"


def test_no_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEROKU_API_KEY", raising=False)
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(heroku_client.HerokuAPIError, match="HEROKU_API_KEY"):
        platform_api.api_token()
    (tmp_path / ".netrc").write_text("machine github.com password other\n")
    (tmp_path / ".netrc").chmod(0o600)
    with pytest.raises(heroku_client.HerokuAPIError, match="No api.heroku.com entry"):
        platform_api.api_token()


def test_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEROKU_API_URL", raising=False)
    assert heroku_client.api_url() == "https://api.heroku.com"
    monkeypatch.setenv("HEROKU_API_URL", "http://127.0.0.1:1234/")
    assert heroku_client.api_url() == "http://127.0.0.1:1234"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://git.heroku.com/weareone-prod.git", "weareone-prod"),
        ("git@heroku.com:weareone-prod.git", "weareone-prod"),
        ("https://github.com/x/weareone-prod.git", None),
    ],
)
def test_app_from_remote_url(url: str, name: str | None) -> None:
    assert platform_api.app_from_remote_url(url) == name


def test_resolve_app_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    import subprocess

    monkeypatch.delenv("HEROKU_APP_NAME", raising=False)
    with pytest.raises(heroku_client.HerokuAPIError, match="--app NAME"):
        platform_api.resolve_app(None, tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "remote",
            "add",
            "heroku",
            "https://git.heroku.com/from-git.git",
        ],
        check=True,
    )
    assert platform_api.resolve_app(None, tmp_path) == "from-git"
    monkeypatch.setenv("HEROKU_APP_NAME", "from-env")
    assert platform_api.resolve_app(None, tmp_path) == "from-env"
    settings.DEPLOYTOOLS = {"HEROKU_APP": "from-setting"}
    assert platform_api.resolve_app(None, tmp_path) == "from-setting"
    assert platform_api.resolve_app("from-option", tmp_path) == "from-option"


# --- save and load ---------------------------------------------------------------------------


def test_saved_snapshot_keeps_names_and_allow_listed_values_only(
    fake_heroku: FakeHeroku, tmp_path: Path
) -> None:
    app = fake_heroku.add_state("production_ready")
    snapshot = platform_api.take_snapshot(app)
    assert snapshot.slug is not None
    # The real API answers with a pre-signed download URL for the slug: a credential.
    signed = "https://s3.example/slugs/abc.tar.gz?Signature=SLUGSIGNATURE123"
    snapshot.slug["blob"]["url"] = signed
    path = tmp_path / "snap.json"
    snapshot_facts.save_snapshot(snapshot, path)
    text = path.read_text()
    assert "SLUGSIGNATURE123" not in text and "/slugs/abc" not in text
    for name, value in load_state("production_ready")["config-vars"].items():
        if name not in snapshot_facts.NON_SECRET_CONFIG_VARS:
            assert value not in text
    assert TOKEN not in text
    loaded = snapshot_facts.load_snapshot(path)
    assert loaded.config_vars["DATABASE_URL"] is None
    assert loaded.config_vars["WEB_CONCURRENCY"] == "3"
    assert not loaded.has_config_values
    assert loaded.formation == snapshot.formation
    assert loaded.slug is not None and loaded.slug["commit"] == snapshot.slug["commit"]
    assert loaded.slug["blob"]["url"] == "https://s3.example"


def test_fir_snapshot_has_the_oci_image_space_drains_and_advanced_level(
    fake_heroku: FakeHeroku, tmp_path: Path
) -> None:
    app = fake_heroku.add_state("fir")
    snapshot = platform_api.take_snapshot(app)
    # Fir releases carry an OCI image, not a slug (the release's artifacts name it).
    assert snapshot.slug is None and snapshot.oci_image is not None
    assert snapshot.oci_image["commit"].startswith("60883d9")
    assert snapshot.oci_image["architecture"] == "arm64"
    assert snapshot_facts.deployed_commit(snapshot) == snapshot.oci_image["commit"]
    # The space's telemetry drain (logs) joins the app's own (traces, metrics).
    owners = sorted(d["owner"]["type"] for d in snapshot.telemetry_drains)
    assert owners == ["app", "space"]
    addon_id = snapshot.addons[0]["id"]
    assert snapshot.addon_configs == {
        addon_id: {"level": "4G-Performance", "high-availability": "true"}
    }
    paths = {path for path, _headers in fake_heroku.requests}
    assert f"/addons/{addon_id}/config" in paths
    assert not any("/slugs/" in path for path in paths)
    path = tmp_path / "snap.json"
    snapshot_facts.save_snapshot(snapshot, path)
    text = path.read_text()
    for secret in ("otel-SECRETVALUE-999", "space-SECRETVALUE-777", TOKEN):
        assert secret not in text
    loaded = snapshot_facts.load_snapshot(path)
    assert loaded.oci_image == snapshot.oci_image
    assert loaded.addon_configs == snapshot.addon_configs


def test_saved_addon_config_keeps_only_the_level_and_standby() -> None:
    kept = snapshot_facts.kept_addon_config(
        [
            {"name": "level", "value": "8G-Performance"},
            {"name": "DATABASE_URL", "value": "postgres://u:SECRET@h/d"},
            {"name": "high-availability", "value": None},
            "junk",
        ]
    )
    assert kept == {"level": "8G-Performance"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON (line 1)"),
        ("[]", "expected a JSON object"),
        ('{"app": {}}', '"app" must be an object with a "name"'),
        ('{"app": {"name": "x"}, "formation": {}}', '"formation" must be a list of objects'),
        ('{"app": {"name": "x"}, "config_vars": {"A": 1}}', '"config_vars" must map'),
        ('{"format": 9, "app": {"name": "x"}}', "unknown snapshot format"),
    ],
)
def test_bad_snapshot_files(tmp_path: Path, content: str | None, reason: str) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(snapshot_facts.SnapshotError) as err:
        snapshot_facts.load_snapshot(path)
    assert str(err.value).startswith(f"{path}: ") and reason in str(err.value)


def test_example_snapshot_loads() -> None:
    path = ROOT / "deploytools" / "examples" / "snapshot.json"
    snapshot = snapshot_facts.load_snapshot(path)
    assert snapshot.app_name and not snapshot.has_config_values
    assert json.loads(path.read_text())["format"] == snapshot_facts.SNAPSHOT_FORMAT


def test_the_fake_serves_one_app_feature_as_labs_reads_it(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("hobby")
    with client() as c:
        feature = c.get(f"/apps/{app}/features/runtime-dyno-metadata")
    assert (feature["name"], feature["enabled"]) == ("runtime-dyno-metadata", False)
    assert not fake_heroku.schema_errors
