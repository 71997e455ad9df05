"""
A misbehaving web site on 127.0.0.1, for the live-site probe: each path answers as a test
configures it — a bogus charset, a body dripped a byte at a time, an endless body.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Seconds between bytes, the status line and headers included: never a pause long enough
    # to trip a read timeout, never an end.
    drip: float = 0.0
    # Bytes of body sent after ``body`` (as fast as the client reads): an endless page.
    endless: bool = False
    # No Content-Length: the body ends when the connection closes (or never, if endless).
    no_length: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class HostileSite:
    """The site; HTTPS when given the certificates of tests/tlsserver.py."""

    def __init__(self, certificates: Any = None) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[str] = []
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.scheme = "http"
        if certificates is not None:
            import ssl

            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(certificates.certfile), str(certificates.keyfile))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> HostileSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    site: HostileSite

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?")[0]
        self.site.requests.append(path)
        page = self.site.pages.get(path) or self.site.pages.get("*") or Page(status=404)
        length = 10**12 if (page.endless or page.drip) else len(page.body)
        head = f"HTTP/1.1 {page.status} X\r\n"
        if not page.no_length:
            head += f"Content-Length: {length}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in page.headers.items())
        data = (head + "\r\n").encode("latin-1") + page.body
        try:
            if page.drip:
                while True:
                    for byte in data:
                        self.wfile.write(bytes([byte]))
                        time.sleep(page.drip)
                    data = b" "
            self.wfile.write(data)
            while page.endless:
                self.wfile.write(b"x" * 65536)
        except OSError:
            pass  # the client hung up
        self.close_connection = True
