"""
HTTP requests bounded in total time and size, not per read.

requests' ``timeout`` bounds each socket operation: the connect, then every single read. A
server that sends one byte a second (in its headers or its body) never trips it, and a request
to it never ends. Here a request runs under a :func:`deadline`: a watchdog timer shuts down the
socket of every connection the request uses once its time is up, whatever the request is doing
(connecting, sending, reading headers or body), so the blocked read returns and the request
fails as a timeout, on time. Bodies are read up to a cap (:func:`read_body`), never whole into
memory first.

Sessions from :func:`session` use connection classes that report their socket to the deadline
of the thread that uses them; requests made outside a deadline behave as requests' own.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    import requests

_local = threading.local()


class Deadline:
    """The time one request may take; :attr:`expired` once it is up (the sockets shut down)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(seconds, 0.0)
        self.expires = time.monotonic() + self.seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.expires - time.monotonic(), 0.0)

    def watch(self, connection: HTTPConnection) -> None:
        """Bound ``connection`` by this deadline (at once, if it is already up)."""
        with self._lock:
            self._connections.append(connection)
            if self.expired:
                _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._connections:
                _shut(connection)

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        # socket.socket's own shutdown, also for an SSLSocket: it only wakes the reader blocked
        # on the file descriptor, it does not touch the TLS state from this thread. Already
        # closed: nothing left to wake.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound every request this thread makes inside the block to ``seconds`` in all."""
    current = Deadline(seconds)
    previous = getattr(_local, "deadline", None)
    _local.deadline = current
    current.start()
    try:
        yield current
    finally:
        current.cancel()
        _local.deadline = previous


def _watch(connection: HTTPConnection) -> None:
    current: Deadline | None = getattr(_local, "deadline", None)
    if current is not None:
        current.watch(connection)


class _Watched:
    """A connection the running request's deadline watches, from connect to the last byte."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        # A pooled connection is reused without connect(): each request reports it again.
        _watch(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _BoundedHTTPConnection(_Watched, HTTPConnection):
    pass


class _BoundedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _BoundedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _BoundedHTTPConnection


class _BoundedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _BoundedHTTPSConnection


POOL_CLASSES = {"http": _BoundedHTTPPool, "https": _BoundedHTTPSPool}


def session(*, pool_maxsize: int = 10, trust_env: bool = True) -> requests.Session:
    """A requests Session whose connections obey :func:`deadline` (no urllib3 retries)."""
    import requests
    from requests.adapters import HTTPAdapter

    class BoundedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            # A dict of our own: urllib3's module-level one is shared by every PoolManager.
            self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            if hasattr(manager, "pool_classes_by_scheme"):
                manager.pool_classes_by_scheme = dict(POOL_CLASSES)
            return manager

    bounded = requests.Session()
    adapter = BoundedAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
    bounded.mount("https://", adapter)
    bounded.mount("http://", adapter)
    bounded.trust_env = trust_env
    return bounded


class BodyTooLarge(Exception):
    """A response body over the cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def read_body(response: requests.Response, limit: int, *, truncate: bool = False) -> bytes:
    """
    Up to ``limit`` bytes of a streamed response's body. Past the cap: the first ``limit``
    bytes when ``truncate``, else :class:`BodyTooLarge` (a declared Content-Length over the
    cap is refused before reading anything).
    """
    declared = response.headers.get("Content-Length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise BodyTooLarge(limit)
    return b"".join(chunks)[:limit]
