"""
A real headless browser for the tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

Playwright rather than Selenium with chromedriver: what the tests assert on -- every request a
page makes ("nothing loaded from the network"), console errors and uncaught exceptions, the
status of each response -- are plain events in Playwright, where Selenium needs CDP or BiDi
plumbing on top of chromedriver's logs. Playwright speaks CDP to the browser itself, so the pip
package alone (its bundled driver) is needed, pointed at Debian's browser with
``executable_path``; ``playwright install``, which downloads a browser build, is never run.

Every launch gets a fresh profile (``--user-data-dir``) and the flags of :data:`FLAGS`; nothing
the browser does may leave the machine: names other than localhost do not resolve, and a request
to any address but loopback is aborted (and recorded, so a test can fail on it).

Usage, through the fixtures of tests/conftest.py::

    def test_report(browser: Browser, tmp_path: Path) -> None:
        browser.open(tmp_path / "report.html")          # a local file, or a URL
        assert browser.page.get_by_role("heading", name="Production check").is_visible()
        assert browser.network_requests() == []         # self-contained: nothing fetched
        assert browser.console_errors == []
        browser.screenshot("report")                    # PNG in the test's artifacts folder

``browser_factory(trusted_certificates=[cert.pem])`` launches another one that trusts a local
server's certificate (tests/tlsserver.py) and no other.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    Route,
    WebSocket,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Request as PlaywrightRequest

CHROMIUM = Path("/usr/bin/chromium")

# Headless, no sandbox (root in CI), and none of Chromium's own traffic: no component or
# safe-browsing updates, no sync, no QUIC probes, no first-run pages.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Belt and braces for "nothing beyond loopback": any other host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
)

# Schemes that load nothing over the network.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about", "chrome", "chrome-error"})

# Environment variable naming the folder CI keeps screenshots in (one subfolder per test).
ARTIFACTS_ENV = "DEPLOYTOOLS_TEST_ARTIFACTS"


def is_loopback(url: str) -> bool:
    """
    Whether ``url`` names localhost or a loopback address (127.0.0.0/8, ::1). The resolver
    rules of :data:`FLAGS` still let only 127.0.0.1, ::1 and localhost resolve: serve on those.
    """
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def spki_hash(certificate: Path) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium pins keys."""
    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def artifacts_dir(test_name: str, fallback: Path) -> Path:
    """``$DEPLOYTOOLS_TEST_ARTIFACTS/<test name>`` when set (CI keeps it), else ``fallback``."""
    root = os.environ.get(ARTIFACTS_ENV)
    if not root:
        return fallback
    return Path(root) / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")


@dataclass
class Request:
    """One request a page made: filled in as its response (or failure) arrives."""

    url: str
    method: str
    resource_type: str
    status: int | None = None
    failure: str | None = None
    # Aborted by the loopback guard before it left the browser.
    blocked: bool = False

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def is_network(self) -> bool:
        return self.scheme not in LOCAL_SCHEMES


class Browser:
    """
    One Chromium with a fresh profile and one page (``page``), recording for every page it opens
    the console errors (``console_errors``) and requests (``requests``).
    """

    def __init__(self, context: BrowserContext, artifacts: Path) -> None:
        self.context = context
        self.artifacts = artifacts
        self.console_errors: list[str] = []
        self.requests: list[Request] = []
        # Playwright hands out one object per request to every event about it: it keys the record.
        self._by_request: dict[PlaywrightRequest, Request] = {}
        context.route("**/*", self._guard)
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_failed)
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)
        # A persistent context opens with one blank page: that is the page tests use.
        self.page = context.pages[0] if context.pages else context.new_page()

    # -- what tests call --------------------------------------------------------------------

    def open(self, target: str | Path, *, page: Page | None = None) -> Response | None:
        """Navigate to a URL, or to a local file given as a Path; wait for the load event."""
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        return (page or self.page).goto(url, wait_until="load")

    def network_requests(self) -> list[Request]:
        """Requests that went (or tried to go) over the network: not file:, data:, blob:."""
        return [r for r in self.requests if r.is_network]

    def beyond_loopback(self) -> list[Request]:
        """Requests to anything but 127.0.0.0/8, ::1 or localhost (all of them blocked)."""
        return [r for r in self.network_requests() if not is_loopback(r.url)]

    def failed_requests(self) -> list[Request]:
        """Requests that failed or were answered with a status of 400 or more."""
        return [r for r in self.requests if r.failure or (r.status or 0) >= 400]

    def screenshot(self, name: str, *, page: Page | None = None) -> Path:
        """Save a full-page PNG as ``<artifacts>/<name>.png`` and return its path."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        return path

    # -- recording --------------------------------------------------------------------------

    def _watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("websocket", self._on_websocket)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_request(self, request: PlaywrightRequest) -> None:
        record = self._record(request)
        record.method, record.resource_type = request.method, request.resource_type

    def _on_response(self, response: Response) -> None:
        self._record(response.request).status = response.status

    def _on_failed(self, request: PlaywrightRequest) -> None:
        self._record(request).failure = request.failure or "failed"

    def _on_websocket(self, websocket: WebSocket) -> None:
        self.requests.append(Request(websocket.url, "GET", "websocket"))

    def _guard(self, route: Route) -> None:
        # Local files (file:, data:) are routed too: they load, as does anything on loopback.
        url = route.request.url
        if urlsplit(url).scheme in LOCAL_SCHEMES or is_loopback(url):
            route.continue_()
            return
        self._record(route.request).blocked = True
        route.abort("blockedbyclient")

    def _record(self, request: PlaywrightRequest) -> Request:
        record = self._by_request.get(request)
        if record is None:
            record = Request(request.url, request.method, request.resource_type)
            self._by_request[request] = record
            self.requests.append(record)
        return record

    def close(self) -> None:
        # Already gone (the browser crashed): nothing is left to close.
        with contextlib.suppress(PlaywrightError):
            self.context.close()


def launch(
    playwright: Playwright,
    profile: Path,
    artifacts: Path,
    *,
    trusted_certificates: Iterable[Path] = (),
) -> Browser:
    """
    Start Debian's Chromium with a fresh profile in ``profile`` (created, must not exist).

    ``trusted_certificates``: PEM server certificates whose keys the browser accepts although no
    system CA signed them (Chromium's SPKI pinning, honoured only with --user-data-dir); every
    other certificate is still verified.
    """
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(apt-get install chromium; .ci/run installs it)."
        )
    profile.mkdir(parents=True)
    args = list(FLAGS)
    pins = [spki_hash(path) for path in trusted_certificates]
    if pins:
        args.append("--ignore-certificate-errors-spki-list=" + ",".join(pins))
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=args,
        # Debian's wrapper script execs the browser; without a timeout a hang would hang the run.
        timeout=30_000,
    )
    context.set_default_timeout(10_000)
    return Browser(context, artifacts)
