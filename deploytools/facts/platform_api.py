"""
Heroku Platform API access: the token, the app's name, one snapshot of the app fetched
concurrently, and its config vars for preflight --app.

The checks (7xx, 8xx, 9xx) read a :class:`Snapshot` and never the network. The requests go
through :class:`~deploytools.facts.heroku_client.HerokuClient` (bounded in time and size);
every failure is a one-line :class:`~deploytools.facts.heroku_client.HerokuAPIError` naming
the endpoint (never the token): the commands turn it into exit code 2.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from deploytools.conf import conf
from deploytools.facts import safe_read
from deploytools.facts.api_shapes import shape_problem
from deploytools.facts.heroku_client import HerokuAPIError, HerokuClient
from deploytools.facts.snapshot import Snapshot

if TYPE_CHECKING:
    from concurrent.futures import Future

# How many releases the snapshot keeps, newest first.
RELEASES_KEPT = 10


# --- credentials and app name -------------------------------------------------------------


def api_token() -> str:
    """HEROKU_API_KEY, else the api.heroku.com entry of ~/.netrc (where `heroku login` keeps it)."""
    token = os.environ.get("HEROKU_API_KEY", "").strip()
    if token:
        return token
    import netrc

    path = Path(
        os.environ.get("NETRC") or Path(os.environ.get("HOME", "~")).expanduser() / ".netrc"
    )
    hint = _("set HEROKU_API_KEY or run `heroku login`")
    if not path.is_file():
        raise HerokuAPIError(_("No Heroku API token: %(hint)s.") % {"hint": hint})
    try:
        # A regular file of sane size only: netrc reads whatever it is given, whole.
        safe_read.regular_file(path, safe_read.SMALL_FILE_BYTES)
        entry = netrc.netrc(str(path)).authenticators("api.heroku.com")
    except (netrc.NetrcParseError, OSError) as exc:
        # Only the line number: the parser's message can quote the file's contents.
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        raise HerokuAPIError(
            _("Cannot read %(where)s (%(error)s): %(hint)s.")
            % {"where": where, "error": type(exc).__name__, "hint": hint}
        ) from None
    if not entry or not entry[2]:
        raise HerokuAPIError(
            _("No api.heroku.com entry in %(path)s: %(hint)s.") % {"path": path, "hint": hint}
        )
    return entry[2]


_REMOTE_PATTERNS = (
    re.compile(r"^https://git\.heroku\.com/(?P<name>[a-z][a-z0-9-]+)\.git/?$"),
    re.compile(r"^(?:ssh://)?git@heroku\.com[:/](?P<name>[a-z][a-z0-9-]+)\.git$"),
)


def app_from_remote_url(url: str) -> str | None:
    """The app name in a Heroku git remote URL (https://git.heroku.com/NAME.git), if it is one."""
    for pattern in _REMOTE_PATTERNS:
        match = pattern.match(url.strip())
        if match:
            return match.group("name")
    return None


def _git_remote_url(remote: str, cwd: Path) -> str | None:
    from deploytools.facts.git_repository import run_git

    proc = run_git(["remote", "get-url", remote], cwd)
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def resolve_app(explicit: str | None, base_dir: Path) -> str:
    """--app, else DEPLOYTOOLS["HEROKU_APP"], else HEROKU_APP_NAME, else the heroku git remote."""
    for candidate in (explicit, conf.heroku_app, os.environ.get("HEROKU_APP_NAME")):
        if candidate and candidate.strip():
            return candidate.strip()
    url = _git_remote_url(conf.heroku_remote, base_dir)
    name = app_from_remote_url(url) if url else None
    if name:
        return name
    raise HerokuAPIError(
        _(
            "No Heroku app given: pass --app NAME, set DEPLOYTOOLS['HEROKU_APP'] or "
            "HEROKU_APP_NAME, or add the remote with `heroku git:remote -a NAME`."
        )
    )


# --- the snapshot ------------------------------------------------------------------------------


def _endpoints(app: str) -> dict[str, str]:
    base = f"/apps/{app}"
    return {
        "formation": f"{base}/formation",
        "addons": f"{base}/addons",
        "domains": f"{base}/domains",
        "sni_endpoints": f"{base}/sni-endpoints",
        "log_drains": f"{base}/log-drains",
        "telemetry_drains": f"{base}/telemetry-drains",
        "features": f"{base}/features",
        "dyno_sizes": "/dyno-sizes",
    }


def fetch_snapshot(app: str, client: HerokuClient) -> Snapshot:
    """
    Fetch everything the checks need about ``app``, the requests issued concurrently: one wave
    for the app's own endpoints, then one for what they name (the latest release's slug or OCI
    image, the space's telemetry drains, Postgres Advanced add-ons' config).

    Raises :class:`HerokuAPIError` (one line, endpoint named) when the app itself cannot be
    read or the token is refused: nothing can be checked then. Any other endpoint that fails
    (after its retries), or answers with data of the wrong shape, is recorded in
    ``Snapshot.unavailable`` with its one-line reason: the checks that read it are skipped,
    the others run.
    """
    from concurrent.futures import ThreadPoolExecutor

    lists = _endpoints(app)
    unavailable: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(lists) + 3) as pool:
        app_future = pool.submit(client.get, f"/apps/{app}")
        config_future = pool.submit(client.get, f"/apps/{app}/config-vars")
        releases_endpoint = f"/apps/{app}/releases"
        releases_future = pool.submit(
            client.get_list,
            releases_endpoint,
            range_header=f"version ..; order=desc, max={RELEASES_KEPT}",
            follow=False,
        )
        list_futures = {name: pool.submit(client.get_list, path) for name, path in lists.items()}
        try:
            app_json = _shaped(client, "app", f"/apps/{app}", app_future.result())
        except HerokuAPIError:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        wave = _Wave(client, unavailable)
        config = wave.collect("config_vars", f"/apps/{app}/config-vars", config_future, {})
        results = {
            name: wave.collect(name, lists[name], future, [])
            for name, future in list_futures.items()
        }
        releases = wave.collect("releases", releases_endpoint, releases_future, [])
    # Every version is an integer (shape_problem checked), so the order is the API's own.
    releases = sorted(releases, key=lambda r: int(r.get("version") or 0), reverse=True)
    snapshot = Snapshot(
        app=app_json,
        config_vars={str(k): v for k, v in config.items()},
        releases=releases,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        unavailable=unavailable,
        **results,
    )
    _fetch_named(app, client, snapshot)
    return snapshot


def _shaped(client: HerokuClient, name: str, endpoint: str, data: Any) -> Any:
    """``data``, the answer of ``endpoint``, if it has the shape of the snapshot's ``name``."""
    problem = shape_problem(name, data)
    if problem:
        raise client.failure(endpoint, _("unexpected data: %(problem)s") % {"problem": problem})
    return data


@dataclass
class _Wave:
    """The answers of one wave of requests; what fails is recorded in ``unavailable``."""

    client: HerokuClient
    unavailable: dict[str, str]

    def collect(self, name: str, endpoint: str, future: Future[Any], default: Any) -> Any:
        """
        The snapshot field ``name`` from ``future`` (the answer of ``endpoint``); ``default``
        when it failed or has the wrong shape, the one-line reason kept as unavailable.
        """
        try:
            return _shaped(self.client, name, endpoint, future.result())
        except HerokuAPIError as exc:
            if exc.status == 401:
                raise  # the token: every other request fails the same way
            self.unavailable[name] = str(exc)
            return default


def _advanced_postgres(snapshot: Snapshot) -> list[str]:
    """The ids of the Heroku Postgres Advanced add-ons, whose config names their level."""
    from deploytools import platform_data
    from deploytools.facts.snapshot import plan_of

    return [
        str(a["id"])
        for a in (snapshot.addons if snapshot.available("addons") else [])
        if a.get("id")
        and isinstance(found := platform_data.postgres_plan(plan_of(a)), platform_data.PostgresPlan)
        and found.advanced
    ]


def _fetch_named(app: str, client: HerokuClient, snapshot: Snapshot) -> None:
    """
    The second wave: what the first one's answers point at, fetched concurrently. What cannot
    be fetched is unavailable (as in the first wave); without the releases, so is the slug.
    """
    from concurrent.futures import ThreadPoolExecutor

    from deploytools.facts.snapshot import kept_addon_config, release_artifact

    missing = snapshot.unavailable
    if "releases" in missing:
        # Which artifact the app runs is unknown: the checks that read it say why.
        missing["slug"] = missing["releases"]
    releases = snapshot.releases if snapshot.available("releases") else []
    artifact = release_artifact(releases[0]) if releases else None
    space = snapshot.app.get("space")
    space_id = space.get("id") if isinstance(space, dict) else None
    advanced = _advanced_postgres(snapshot)
    take = _Wave(client, missing).collect
    with ThreadPoolExecutor(max_workers=2 + len(advanced)) as pool:
        if artifact is not None and artifact[0] == "slug":
            endpoint = f"/apps/{app}/slugs/{artifact[1]}"
            snapshot.slug = take("slug", endpoint, pool.submit(client.get, endpoint), None)
        elif artifact is not None and artifact[0] == "oci-image":
            endpoint = f"/apps/{app}/oci-images/{artifact[1]}"
            images = take("oci_images", endpoint, pool.submit(client.get_list, endpoint), [])
            snapshot.oci_image = images[0] if images else None
            if "oci_images" in missing:
                missing["oci_image"] = missing.pop("oci_images")
        if space_id and snapshot.available("telemetry_drains"):
            # A Fir space's telemetry drains receive every app's logs and traces in it.
            endpoint = f"/spaces/{space_id}/telemetry-drains"
            drains = take("telemetry_drains", endpoint, pool.submit(client.get_list, endpoint), [])
            if snapshot.available("telemetry_drains"):
                snapshot.telemetry_drains = [*snapshot.telemetry_drains, *drains]
        configs = {
            i: (f"/addons/{i}/config", pool.submit(client.get_list, f"/addons/{i}/config"))
            for i in advanced
        }
        answers = {i: take("addon_config", e, f, None) for i, (e, f) in configs.items()}
        if "addon_config" in missing:
            missing["addon_configs"] = missing.pop("addon_config")
        elif snapshot.available("addon_configs"):
            snapshot.addon_configs = {i: kept_addon_config(v) for i, v in answers.items()}


def take_snapshot(app: str, *, token: str | None = None) -> Snapshot:
    """Fetch ``app``'s snapshot with the configured token, base URL, timeout and retries."""
    with HerokuClient(token or api_token()) as client:
        return fetch_snapshot(app, client)


def fetch_config_vars(app: str) -> dict[str, str]:
    """The app's config vars with their values (for preflight --app). Raises HerokuAPIError."""
    return fetch_app_config(app)[0]


def fetch_app_config(app: str) -> tuple[dict[str, str], str | None]:
    """
    (config vars, generation name) of the app, for preflight --app: the generation decides how
    Heroku builds it (classic buildpacks on Cedar, Cloud Native Buildpacks on Fir).
    """
    from deploytools.facts.snapshot import name_of

    endpoint = f"/apps/{app}/config-vars"
    with HerokuClient(api_token()) as client:
        data = client.get(endpoint)
        _shaped(client, "config_vars", endpoint, data)
        app_json = client.get(f"/apps/{app}")
        generation = name_of(app_json.get("generation")) if isinstance(app_json, dict) else ""
    return {str(k): str(v) for k, v in data.items() if v is not None}, generation or None
