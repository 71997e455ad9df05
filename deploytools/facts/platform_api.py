"""
Heroku Platform API access through heroku3: one snapshot of an app, fetched concurrently.

The checks (7xx, 8xx, 9xx) read a :class:`Snapshot` and never the network.

heroku3 provides the client (authentication, headers, base URL); the requests go through our
own ``requests.Session`` because heroku3 has no timeouts or retries, prints to stdout when it
follows ``Next-Range`` pagination, and its models drop fields the checks need (add-on ``state``
and ``addon_service``, app ``build_stack``). So we read raw JSON and paginate ourselves.

Every failure becomes a :class:`HerokuAPIError` whose message is one line naming the endpoint
(never the token): the commands turn it into exit code 2.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from deploytools.conf import conf
from deploytools.facts import safe_read
from deploytools.facts.api_shapes import shape_problem
from deploytools.facts.snapshot import Snapshot

JSON = dict[str, Any]

DEFAULT_API_URL = "https://api.heroku.com"
# The Platform API's stable variant; heroku3's default ("3.cedar-acm") is a legacy one.
ACCEPT = "application/vnd.heroku+json; version=3"
# Pages followed on a 206 answer before we give up (Heroku pages hold up to 1000 items).
MAX_PAGES = 20
# How many releases the snapshot keeps, newest first.
RELEASES_KEPT = 10


class HerokuAPIError(Exception):
    """The Heroku API could not give us what we need; the message is one line, token-free."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        # The HTTP status that ended it (0: no answer, a malformed one, a timeout).
        self.status = status


# --- credentials and app name -------------------------------------------------------------


def api_url() -> str:
    """The Platform API's base URL: HEROKU_API_URL, else heroku3's constant."""
    env = os.environ.get("HEROKU_API_URL", "").strip()
    if env:
        return env.rstrip("/")
    try:
        import heroku3.api

        return str(heroku3.api.HEROKU_URL).rstrip("/")
    except ImportError:  # pragma: no cover - heroku3 is a dependency
        return DEFAULT_API_URL


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


# --- the client ------------------------------------------------------------------------------


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait before retrying: Retry-After (seconds or HTTP date), else backoff."""
    import email.utils

    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return max(0.0, (parsed - datetime.now(UTC)).total_seconds())
    return 0.5 * float(2**attempt)


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# The largest answer read from the API: a page holds at most 1000 items of a few kB.
MAX_RESPONSE_BYTES = 16_000_000


def phase_seconds(timeout: float, retries: int) -> float:
    """
    The bound on a whole API phase (a snapshot: every request, retry, wait and page).
    The endpoints are fetched side by side, so a phase is one chain of requests: an endpoint
    with all its retries and the waits between them ((2 × retries + 1) × timeout), then the
    latest release's slug and a further page (2 × timeout).
    """
    return timeout * (2 * max(retries, 0) + 3)


@dataclass(frozen=True)
class Answer:
    """One API response, read whole (up to the cap) within its deadline."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class HerokuClient:
    """
    A heroku3 client with our session: every request bounded in total time (connect and the
    whole response, see :mod:`deploytools.facts.bounded_http`) and size, bounded retries on
    429/5xx, and the whole client bounded by :func:`phase_seconds`.

    ``sleep`` is injectable so tests can see the waits without waiting.
    """

    def __init__(
        self,
        token: str,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from heroku3.api import Heroku

        from deploytools.facts import bounded_http

        self.timeout = conf.heroku_api_timeout_seconds if timeout is None else timeout
        self.retries = conf.heroku_api_retries if retries is None else retries
        # Never wait longer than a request may take, nor more than 30 s, whatever Retry-After says.
        self.max_wait = min(max(self.timeout, 0.1), 30.0)
        self.phase = phase_seconds(self.timeout, self.retries)
        self.phase_ends = time.monotonic() + self.phase
        self._token = token
        self._sleep = sleep
        # Enough pooled connections for one snapshot's concurrent requests. Proxies and
        # ~/.netrc from the environment are ignored: the token is explicit.
        self.session = bounded_http.session(pool_maxsize=16, trust_env=False)
        # heroku3 prints; nothing of it may reach our stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            self.heroku = Heroku(session=self.session)
        self.heroku._heroku_url = (base_url or api_url()).rstrip("/")
        # heroku3.authenticate() would verify the key with an extra, timeout-less request.
        self.heroku._api_key = token
        self.session.auth = ("", token)
        self.session.headers["Accept"] = ACCEPT
        self.session.headers["User-Agent"] = "deploytools (heroku3)"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HerokuClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, endpoint: str, reason: str, status: int = 0) -> HerokuAPIError:
        text = _("Heroku API GET %(endpoint)s: %(reason)s") % {
            "endpoint": endpoint,
            "reason": reason,
        }
        # Belt and braces: an echoed token must never reach a terminal or a log.
        return HerokuAPIError(_one_line(text.replace(self._token, "***"), 400), status=status)

    def _phase_over(self, endpoint: str) -> HerokuAPIError:
        return self._fail(
            endpoint,
            _("the Heroku API phase took longer than %(s)gs; try again later") % {"s": self.phase},
        )

    def _phase_left(self, endpoint: str) -> float:
        left = self.phase_ends - time.monotonic()
        if left <= 0:
            raise self._phase_over(endpoint)
        return left

    def _get_once(self, url: str, endpoint: str, headers: Mapping[str, str]) -> Answer:
        """One GET, connect to last byte within min(timeout, what is left of the phase)."""
        import requests

        from deploytools.facts import bounded_http

        budget = min(self.timeout, self._phase_left(endpoint))
        with bounded_http.deadline(budget) as limit:
            try:
                with self.session.get(
                    url, headers=dict(headers), timeout=budget, stream=True
                ) as response:
                    body = bounded_http.read_body(response, MAX_RESPONSE_BYTES)
                    # requests keeps the headers case-insensitive (Next-Range, Retry-After).
                    return Answer(response.status_code, response.headers, body)
            except bounded_http.BodyTooLarge:
                raise self._fail(
                    endpoint,
                    _("the answer is larger than %(mb)d MB") % {"mb": MAX_RESPONSE_BYTES // 10**6},
                ) from None
            except requests.RequestException as exc:
                if not (limit.expired or isinstance(exc, requests.Timeout)):
                    raise self._fail(
                        endpoint,
                        _("could not connect (%(error)s)") % {"error": type(exc).__name__},
                    ) from None
                if budget < self.timeout:
                    # Cut by what was left of the phase, not by its own timeout.
                    raise self._phase_over(endpoint) from None
                raise self._fail(
                    endpoint,
                    _("no complete answer within %(s)gs (timeout)") % {"s": self.timeout},
                ) from None

    def _request(self, endpoint: str, headers: Mapping[str, str]) -> Answer:
        url = self.heroku._url_for(endpoint.lstrip("/"))
        attempt = 0
        while True:
            answer = self._get_once(url, endpoint, headers)
            status = answer.status
            if (status == 429 or status >= 500) and attempt < self.retries:
                wait = min(
                    _retry_after(answer.headers.get("Retry-After"), attempt),
                    self.max_wait,
                    self._phase_left(endpoint),
                )
                self._sleep(wait)
                attempt += 1
                continue
            if status >= 400:
                raise self._fail(endpoint, self._status_reason(answer, attempt), status)
            return answer

    def _status_reason(self, answer: Answer, attempts: int) -> str:
        status = answer.status
        try:
            data = safe_read.loads(answer.body)
            message = str(data.get("message", "")) if isinstance(data, dict) else ""
        except ValueError:
            message = ""
        advice = {
            401: _("the token was refused; run `heroku login` or set HEROKU_API_KEY"),
            403: _("this account may not access that app; check `heroku access -a APP`"),
            404: _("not found; check the app name (`heroku apps`)"),
            429: _("rate limited by Heroku; try again in a minute"),
        }.get(status, _("the API failed; try again later (https://status.heroku.com)"))
        reason = f"HTTP {status}"
        if attempts:
            reason += " " + _("after %(n)d retries") % {"n": attempts}
        if message:
            reason += f" ({_one_line(message, 120)})"
        return f"{reason}: {advice}"

    def _json(self, endpoint: str, answer: Answer) -> Any:
        try:
            return safe_read.loads(answer.body)
        except safe_read.JSONTooDeep as exc:
            raise self._fail(
                endpoint, _("the answer is not usable JSON (%(reason)s)") % {"reason": exc}
            ) from None
        except ValueError:
            raise self._fail(endpoint, _("the answer is not valid JSON")) from None

    def get(self, endpoint: str) -> JSON:
        """GET one resource (a JSON object)."""
        data = self._json(endpoint, self._request(endpoint, {}))
        if not isinstance(data, dict):
            raise self._fail(endpoint, _("expected a JSON object"))
        return data

    def get_list(
        self, endpoint: str, *, range_header: str | None = None, follow: bool = True
    ) -> list[JSON]:
        """GET a collection, following 206 ``Next-Range`` pages (up to MAX_PAGES)."""
        items: list[JSON] = []
        next_range = range_header
        for _page in range(MAX_PAGES):
            answer = self._request(endpoint, {"Range": next_range} if next_range else {})
            data = self._json(endpoint, answer)
            if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
                raise self._fail(endpoint, _("expected a JSON list of objects"))
            items.extend(data)
            next_range = answer.headers.get("Next-Range")
            if answer.status != 206 or not next_range or not follow:
                return items
        raise self._fail(endpoint, _("more than %(n)d pages") % {"n": MAX_PAGES})


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
    from concurrent.futures import Future, ThreadPoolExecutor

    lists = _endpoints(app)
    unavailable: dict[str, str] = {}

    def shaped(name: str, endpoint: str, data: Any) -> Any:
        problem = shape_problem(name, data)
        if problem:
            raise client._fail(endpoint, _("unexpected data: %(problem)s") % {"problem": problem})
        return data

    def collect(name: str, endpoint: str, future: Future[Any], default: Any) -> Any:
        try:
            return shaped(name, endpoint, future.result())
        except HerokuAPIError as exc:
            if exc.status == 401:
                raise  # the token: every other request fails the same way
            unavailable[name] = str(exc)
            return default

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
            app_json = shaped("app", f"/apps/{app}", app_future.result())
        except HerokuAPIError:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        config = collect("config_vars", f"/apps/{app}/config-vars", config_future, {})
        results = {
            name: collect(name, lists[name], future, []) for name, future in list_futures.items()
        }
        releases = collect("releases", releases_endpoint, releases_future, [])
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
    _fetch_named(app, client, snapshot, shaped)
    return snapshot


def _fetch_named(
    app: str, client: HerokuClient, snapshot: Snapshot, shaped: Callable[[str, str, Any], Any]
) -> None:
    """
    The second wave: what the first one's answers point at, fetched concurrently. What cannot
    be fetched is unavailable (as in the first wave); without the releases, so is the slug.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from deploytools import platform_data
    from deploytools.facts.snapshot import kept_addon_config, plan_of, release_artifact

    missing = snapshot.unavailable
    if "releases" in missing:
        # Which artifact the app runs is unknown: the checks that read it say why.
        missing["slug"] = missing["releases"]
    releases = snapshot.releases if snapshot.available("releases") else []
    artifact = release_artifact(releases[0]) if releases else None
    space = snapshot.app.get("space")
    space_id = space.get("id") if isinstance(space, dict) else None
    advanced = [
        str(a["id"])
        for a in (snapshot.addons if snapshot.available("addons") else [])
        if a.get("id")
        and isinstance(found := platform_data.postgres_plan(plan_of(a)), platform_data.PostgresPlan)
        and found.advanced
    ]

    def take(name: str, endpoint: str, future: Future[Any], default: Any) -> Any:
        try:
            return shaped(name, endpoint, future.result())
        except HerokuAPIError as exc:
            if exc.status == 401:
                raise
            missing[name] = str(exc)
            return default

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
        problem = shape_problem("config_vars", data)
        if problem:
            raise client._fail(endpoint, _("unexpected data: %(problem)s") % {"problem": problem})
        app_json = client.get(f"/apps/{app}")
        generation = name_of(app_json.get("generation")) if isinstance(app_json, dict) else ""
    return {str(k): str(v) for k, v in data.items() if v is not None}, generation or None
