"""
A client of the Heroku Platform API: heroku3's authentication, headers and base URL, our own
``requests.Session`` bounding every request.

heroku3 has no timeouts or retries, prints to stdout when it follows ``Next-Range`` pagination,
and its models drop fields the checks need (add-on ``state`` and ``addon_service``, app
``build_stack``). So :class:`HerokuClient` reads raw JSON and paginates itself; each request is
bounded in time (connect to last byte) and size, 429/5xx are retried a bounded number of times,
and the whole client is bounded by :func:`phase_seconds`.

Every failure becomes a :class:`HerokuAPIError` whose message is one line naming the endpoint
(never the token): the commands turn it into exit code 2.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from deploytools.conf import conf
from deploytools.facts import safe_read

JSON = dict[str, Any]

DEFAULT_API_URL = "https://api.heroku.com"
# The Platform API's stable variant; heroku3's default ("3.cedar-acm") is a legacy one.
ACCEPT = "application/vnd.heroku+json; version=3"
# Pages followed on a 206 answer before we give up (Heroku pages hold up to 1000 items).
MAX_PAGES = 20


class HerokuAPIError(Exception):
    """The Heroku API could not give us what we need; the message is one line, token-free."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        # The HTTP status that ended it (0: no answer, a malformed one, a timeout).
        self.status = status


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

    def failure(self, endpoint: str, reason: str, status: int = 0) -> HerokuAPIError:
        """The one-line, token-free error of ``endpoint`` for ``reason`` (the caller raises it)."""
        text = _("Heroku API GET %(endpoint)s: %(reason)s") % {
            "endpoint": endpoint,
            "reason": reason,
        }
        # Belt and braces: an echoed token must never reach a terminal or a log.
        return HerokuAPIError(_one_line(text.replace(self._token, "***"), 400), status=status)

    def _phase_over(self, endpoint: str) -> HerokuAPIError:
        return self.failure(
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
                raise self.failure(
                    endpoint,
                    _("the answer is larger than %(mb)d MB") % {"mb": MAX_RESPONSE_BYTES // 10**6},
                ) from None
            except requests.RequestException as exc:
                if not (limit.expired or isinstance(exc, requests.Timeout)):
                    raise self.failure(
                        endpoint,
                        _("could not connect (%(error)s)") % {"error": type(exc).__name__},
                    ) from None
                if budget < self.timeout:
                    # Cut by what was left of the phase, not by its own timeout.
                    raise self._phase_over(endpoint) from None
                raise self.failure(
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
                raise self.failure(endpoint, self._status_reason(answer, attempt), status)
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
            raise self.failure(
                endpoint, _("the answer is not usable JSON (%(reason)s)") % {"reason": exc}
            ) from None
        except ValueError:
            raise self.failure(endpoint, _("the answer is not valid JSON")) from None

    def get(self, endpoint: str) -> JSON:
        """GET one resource (a JSON object)."""
        data = self._json(endpoint, self._request(endpoint, {}))
        if not isinstance(data, dict):
            raise self.failure(endpoint, _("expected a JSON object"))
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
                raise self.failure(endpoint, _("expected a JSON list of objects"))
            items.extend(data)
            next_range = answer.headers.get("Next-Range")
            if answer.status != 206 or not next_range or not follow:
                return items
        raise self.failure(endpoint, _("more than %(n)d pages") % {"n": MAX_PAGES})
