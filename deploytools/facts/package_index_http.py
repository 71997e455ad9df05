"""
The package index client's transport: one GET with a total deadline, and the on-disk cache.

http.client applies its timeout to each recv, so a server sending a byte a second would hold a
request forever: here connecting, sending and every read share one deadline. Every failure is a
:class:`Failure` with a typed :class:`Reason`; :mod:`deploytools.facts.package_index` turns
them into skipped checks, never a failed run.
"""

from __future__ import annotations

import enum
import hashlib
import http.client
import io
import json
import os
import socket
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deploytools.i18n import gettext_noop

CACHE_DIR_ENV = "DEPLOYTOOLS_CACHE_DIR"
# A release list changes when a project publishes; minutes of staleness cost nothing here.
DEFAULT_CACHE_TTL_SECONDS = 15 * 60
# Django's project document (every release and file) is about 1.5 MB; anything far larger is
# not the JSON API.
MAX_BODY_BYTES = 32 * 1024 * 1024
USER_AGENT = "deploytools package-index check"
_REDIRECTS = 3


class Reason(enum.Enum):
    """Why the index could not answer for a package."""

    OFFLINE = "offline"  # no route, no DNS: the network is not there
    REFUSED = "refused"  # nothing listens at the index's address
    TIMEOUT = "timeout"  # the total deadline passed (slow connect, slow or dripping body)
    NOT_FOUND = "not-found"  # the index has no such project or version (404)
    HTTP_ERROR = "http-error"  # any other non-200 answer
    BAD_RESPONSE = "bad-response"  # not JSON, or not the JSON API's shape
    TOO_LARGE = "too-large"  # a body over MAX_BODY_BYTES


# --- the cache ---------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """The user's cache dir: $DEPLOYTOOLS_CACHE_DIR, else the platform's usual place."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "deploytools" / "package-index"


class Cache:
    """
    Successful JSON answers on disk, one file per URL (named by its SHA-256), fresh for ``ttl``.

    Writers never collide: each writes a private temporary file in the same directory and
    renames it over the entry (atomic on POSIX and Windows), so a reader sees a whole old entry
    or a whole new one. Every failure to read or write is a miss: the cache only saves time.
    """

    def __init__(self, directory: Path | None = None, ttl: float = DEFAULT_CACHE_TTL_SECONDS):
        self.directory = directory or default_cache_dir()
        self.ttl = ttl

    def _path(self, url: str) -> Path:
        return self.directory / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def get(self, url: str) -> Any | None:
        try:
            entry = json.loads(self._path(url).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("url") != url:
            return None
        stored = entry.get("stored_at")
        now = time.time()
        # An entry from the future (clock moved back) is as untrustworthy as an old one.
        if not isinstance(stored, int | float) or not (now - self.ttl < stored <= now + 60):
            return None
        return entry.get("body")

    def put(self, url: str, body: Any) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump({"url": url, "stored_at": time.time(), "body": body}, handle)
                os.replace(temporary, self._path(url))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass


# --- one request with a total deadline ---------------------------------------------------------


class Failure(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _DeadlineReader(io.RawIOBase):
    """Reads a socket, giving every recv only the time left before the request's deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """
    What http.client needs of a socket (sendall, makefile, close), each bounded by one deadline.

    http.client applies a timeout to each recv; a server sending a byte a second would then
    never time out. Here every recv gets only what is left of the request's total time.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(remaining)
        self._sock.sendall(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        # http.client closes the connection as soon as a "Connection: close" answer's headers
        # are in, while the body is still to be read from the same socket (a real socket counts
        # its makefile() readers for this). The request closes the socket when it is done.
        pass


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, https: bool, deadline: float) -> None:
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.001))
        self._https = https
        self._deadline = deadline
        self.raw: socket.socket | None = None

    def connect(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        sock = socket.create_connection((self.host, self.port), timeout=remaining)
        if self._https:
            try:
                sock.settimeout(max(self._deadline - time.monotonic(), 0.001))
                sock = _ssl_context().wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.raw = sock
        self.sock = _DeadlineSocket(sock, self._deadline)

    def close_socket(self) -> None:
        self.close()
        if self.raw is not None:
            self.raw.close()
            self.raw = None


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        try:
            import certifi  # requests' CA bundle, when installed: the same trust as pip's

            _SSL_CONTEXT = ssl.create_default_context(cafile=certifi.where())
        except ImportError:
            _SSL_CONTEXT = ssl.create_default_context()
    return _SSL_CONTEXT


def _classify(exc: BaseException) -> Failure:
    if isinstance(exc, Failure):
        return exc
    if isinstance(exc, TimeoutError | socket.timeout):
        return Failure(Reason.TIMEOUT, gettext_noop("no complete answer within the deadline"))
    if isinstance(exc, ConnectionRefusedError):
        return Failure(Reason.REFUSED, gettext_noop("connection refused"))
    if isinstance(exc, socket.gaierror):
        return Failure(Reason.OFFLINE, gettext_noop("the index's name does not resolve"))
    if isinstance(exc, ssl.SSLError):
        return Failure(Reason.BAD_RESPONSE, f"TLS: {exc.reason or type(exc).__name__}")
    if isinstance(exc, http.client.HTTPException):
        return Failure(Reason.BAD_RESPONSE, type(exc).__name__)
    if isinstance(exc, OSError):
        return Failure(Reason.OFFLINE, exc.strerror or type(exc).__name__)
    return Failure(Reason.BAD_RESPONSE, type(exc).__name__)


def get_json(url: str, timeout: float) -> Any:
    """GET ``url`` and parse its JSON, the whole exchange within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for _hop in range(_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Failure(Reason.BAD_RESPONSE, gettext_noop("not an http(s) URL"))
        https = parts.scheme == "https"
        connection = _Connection(
            parts.hostname, parts.port or (443 if https else 80), https, deadline
        )
        try:
            path = parts.path or "/"
            connection.request(
                "GET",
                path + (f"?{parts.query}" if parts.query else ""),
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                # The JSON API redirects a non-canonical project name to the canonical one.
                location = str(response.getheader("Location"))
                url = (
                    location if "://" in location else f"{parts.scheme}://{parts.netloc}{location}"
                )
                continue
            if response.status == 404:
                raise Failure(Reason.NOT_FOUND, "HTTP 404")
            if response.status != 200:
                raise Failure(Reason.HTTP_ERROR, f"HTTP {response.status}")
            body = response.read(MAX_BODY_BYTES + 1)
            if len(body) > MAX_BODY_BYTES:
                raise Failure(Reason.TOO_LARGE, f"over {MAX_BODY_BYTES} bytes")
            try:
                return json.loads(body)
            except ValueError:
                raise Failure(Reason.BAD_RESPONSE, gettext_noop("the body is not JSON")) from None
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise _classify(exc) from None
        finally:
            connection.close_socket()
    raise Failure(Reason.HTTP_ERROR, gettext_noop("too many redirects"))
