"""
HTTP probing of the live site for the 9xx checks.

Every request is bounded in total (connect and the whole response: a site that drips a byte
a second cannot hold it, see :mod:`deploytools.facts.bounded_http`), reads at most
MAX_BODY_BYTES of the body, follows no redirect unless asked, and verifies certificates (a CA
bundle comes from the ``ca_bundle`` option or REQUESTS_CA_BUNDLE, which requests honours).
Responses are cached per run, so several checks reading ``GET /`` cost one request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    import requests

TIMEOUT = (5.0, 15.0)  # connect, each read
# The whole request, connect to last byte: what one URL can cost a run at most.
REQUEST_SECONDS = 20.0
USER_AGENT = "deploytools-production-check"
MAX_BODY_BYTES = 512 * 1024
ONE_YEAR_SECONDS = 31_536_000
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

# Text only Django's technical 404/500 pages (DEBUG = True) contain; the apostrophe before
# "re seeing" has been straight, curly and escaped across Django versions, so it is left out.
DEBUG_PAGE_MARKERS = (
    "re seeing this error because you have <code>DEBUG = True</code>",
    "re seeing this error because you have DEBUG = True",
    "Using the URLconf defined in",
)

_MAX_AGE = re.compile(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:;|$)", re.IGNORECASE)


@dataclass
class Probe:
    """What one GET returned: status, headers, cookies, a bounded body; or why it failed."""

    url: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    set_cookies: list[str] = field(default_factory=list)
    body: str = ""
    error: str | None = None  # the exception's class name: never its text

    @property
    def location(self) -> str | None:
        value = self.headers.get("location")
        return urljoin(self.url, value) if value else None


class Prober:
    """GETs with our timeouts and certificate settings, cached for the run."""

    def __init__(self, ca_bundle: str | None = None) -> None:

        self.verify: bool | str = ca_bundle or True
        self._cache: dict[tuple[str, bool], Probe] = {}

    def get(self, url: str, *, follow: bool = False) -> Probe:
        """GET ``url`` once per run (cached); connection problems become ``Probe.error``."""
        key = (url, follow)
        if key not in self._cache:
            self._cache[key] = self._fetch(url, follow)
        return self._cache[key]

    def _fetch(self, url: str, follow: bool) -> Probe:
        import requests

        from deploytools.facts import bounded_http

        probe = Probe(url)
        with bounded_http.deadline(REQUEST_SECONDS) as limit:
            try:
                # A session per request: nothing stays open once the run is over.
                with (
                    bounded_http.session() as session,
                    session.get(
                        url,
                        timeout=TIMEOUT,
                        allow_redirects=follow,
                        verify=self.verify,
                        stream=True,
                        headers={"User-Agent": USER_AGENT},
                    ) as response,
                ):
                    probe.status = response.status_code
                    probe.headers = {k.lower(): v for k, v in response.headers.items()}
                    probe.set_cookies = _set_cookie_headers(response)
                    body = bounded_http.read_body(response, MAX_BODY_BYTES, truncate=True)
                    probe.body = decode_body(body, response.encoding)
            except requests.RequestException as exc:
                # Past the deadline the socket was shut down under the request: a timeout.
                probe.error = "Timeout" if limit.expired else type(exc).__name__
        return probe


def decode_body(body: bytes, charset: str | None) -> str:
    """
    The body as text in its declared charset, UTF-8 when it declares none or one Python does
    not decode with (a browser falls back too): a bogus charset is the site's quirk, not a reason to
    leave its page unchecked.
    """
    try:
        return body.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):  # unknown, not a text codec, or one without "replace"
        return body.decode("utf-8", "replace")


def _set_cookie_headers(response: requests.Response) -> list[str]:
    # requests folds repeated Set-Cookie headers into one; urllib3 keeps them apart.
    raw_headers = getattr(response.raw, "headers", None)
    getlist = getattr(raw_headers, "getlist", None)
    if callable(getlist):
        return [str(v) for v in getlist("Set-Cookie")]
    value = response.headers.get("Set-Cookie")
    return [value] if value else []


def cookie_name_and_flags(set_cookie: str) -> tuple[str, set[str]]:
    """The cookie's name and its attribute names, lower-cased ('secure', 'httponly', ...)."""
    first, *attributes = set_cookie.split(";")
    name = first.split("=", 1)[0].strip()
    flags = {attribute.split("=", 1)[0].strip().lower() for attribute in attributes}
    return name, flags


def hsts_max_age(header: str | None) -> int | None:
    """max-age of a Strict-Transport-Security header, None when missing or unparseable."""
    if not header:
        return None
    match = _MAX_AGE.search(header)
    return int(match[1]) if match else None


def is_debug_page(body: str) -> bool:
    """True when a response body is one of Django's technical (DEBUG = True) pages."""
    return any(marker in body for marker in DEBUG_PAGE_MARKERS)


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, without path or query."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def join(base: str, path: str) -> str:
    """``path`` on the origin of ``base``."""
    return origin(base) + "/" + path.lstrip("/")


def random_missing_path() -> str:
    """A path no app routes: a 404 that must not show Django's debug page."""
    return f"/deploytools-404-{uuid.uuid4().hex}/"


def normalize_urls(urls: Iterable[str]) -> list[str]:
    """Base URLs as origins, deduplicated in order; bare hosts get https://."""
    found: list[str] = []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        if "://" not in url:
            url = "https://" + url
        if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).hostname:
            continue
        found.append(origin(url))
    return list(dict.fromkeys(found))


def http_urls(urls: Iterable[str]) -> list[str]:
    """
    The http:// URLs to test for a redirect: each http:// base URL, plus http://HOST for
    each https:// base URL whose host has no http:// URL of its own.
    """
    bases = normalize_urls(urls)
    explicit = [u for u in bases if u.startswith("http://")]
    hosts = {urlsplit(u).hostname for u in explicit}
    derived = [
        f"http://{urlsplit(u).hostname}"
        for u in bases
        if u.startswith("https://") and urlsplit(u).hostname not in hosts
    ]
    return list(dict.fromkeys(explicit + derived))


def https_urls(urls: Iterable[str]) -> list[str]:
    """The https:// base URLs."""
    return [u for u in normalize_urls(urls) if u.startswith("https://")]


def redirects_to_https(probe: Probe) -> bool:
    """True when an http:// probe answered with a redirect to https:// on the same host."""
    if probe.error or probe.status not in REDIRECT_STATUSES or not probe.location:
        return False
    target = urlsplit(probe.location)
    return target.scheme.lower() == "https" and (target.hostname or "") == (
        urlsplit(probe.url).hostname or ""
    )


def page_urls(config_vars: Mapping[str, str | None], names: Iterable[str]) -> dict[str, str]:
    """The configured page URLs among ``names`` (values dropped from a snapshot are skipped)."""
    return {
        name: value.strip()
        for name in names
        if isinstance(value := config_vars.get(name), str) and value.strip()
    }


def describe(probe: Probe) -> str:
    """'HTTP 404' or the connection error's class name, for a message."""
    return probe.error if probe.error else f"HTTP {probe.status}"


def status_ok(probe: Probe) -> bool:
    return probe.error is None and 200 <= probe.status < 300
