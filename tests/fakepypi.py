"""
A fake package index: a real HTTP server on 127.0.0.1 serving PyPI's JSON API.

``/pypi/<name>/json`` and ``/pypi/<name>/<version>/json`` answer documents with exactly the keys
of PyPI's own examples (tests/fixtures/pypi, from PyPI's API documentation; a test compares
them), built from the projects a test adds. A non-canonical project name is redirected to the
canonical one, as PyPI does. Faults are switched on per path: ``latency`` (seconds before the
answer), ``drip`` (the whole answer, status line included, one byte per ``drip_interval``),
``status`` 404/500 (PyPI's error body), ``bad_json`` (a 200 whose body is not JSON).
:func:`refused_url` gives an address where nothing listens.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pypi"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Release:
    """One version of a project: its files' Requires-Python, yanked flag, advisories."""

    requires_python: str | None = None
    yanked: bool = False
    vulnerabilities: list[dict[str, Any]] = field(default_factory=list)
    files: bool = True  # False: a release with no files (PyPI lists it with an empty list)


@dataclass
class Fault:
    latency: float = 0.0
    drip: bool = False
    drip_interval: float = 1.0
    status: int = 0
    bad_json: bool = False


def vulnerability(
    ident: str,
    fixed_in: list[str],
    aliases: list[str] | None = None,
    withdrawn: str | None = None,
    summary: str | None = "A shorter summary of the vulnerability",
) -> dict[str, Any]:
    """A ``vulnerabilities`` entry with the keys PyPI serves (see the Django 3.0.2 fixture)."""
    return {
        "aliases": aliases or [],
        "details": f"Details of {ident}.",
        "summary": summary,
        "fixed_in": fixed_in,
        "id": ident,
        "link": f"https://osv.dev/vulnerability/{ident}",
        "source": "osv",
        "withdrawn": withdrawn,
    }


def _file(name: str, version: str, release: Release, wheel: bool) -> dict[str, Any]:
    stem = f"{canonical(name).replace('-', '_')}-{version}"
    filename = f"{stem}-py3-none-any.whl" if wheel else f"{stem}.tar.gz"
    digest = f"{abs(hash(filename)):064x}"[:64]
    return {
        "comment_text": "",
        "digests": {"blake2b_256": digest, "md5": digest[:32], "sha256": digest},
        "downloads": -1,
        "filename": filename,
        "has_sig": False,
        "md5_digest": digest[:32],
        "packagetype": "bdist_wheel" if wheel else "sdist",
        "python_version": "py3" if wheel else "source",
        "requires_python": release.requires_python,
        "size": 4662,
        "upload_time": "2026-11-03T12:00:00",
        "upload_time_iso_8601": "2026-11-03T12:00:00.000000Z",
        "url": f"https://files.pythonhosted.org/packages/00/00/{filename}",
        "yanked": release.yanked,
        "yanked_reason": "broken" if release.yanked else None,
    }


def _info(name: str, version: str, release: Release) -> dict[str, Any]:
    template = json.loads((FIXTURES / "sampleproject-3.0.0.json").read_text())["info"]
    return {
        **template,
        "name": name,
        "version": version,
        "summary": f"The {name} project",
        "package_url": f"https://pypi.org/project/{name}/",
        "project_url": f"https://pypi.org/project/{name}/",
        "release_url": f"https://pypi.org/project/{name}/{version}/",
        "requires_python": release.requires_python,
        "yanked": release.yanked,
        "yanked_reason": "broken" if release.yanked else None,
    }


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
    block_on_close = False


class FakePyPI:
    """The server; :meth:`add` registers a project (display name and its releases)."""

    def __init__(self, latency: float = 0.0) -> None:
        self.projects: dict[str, tuple[str, dict[str, Release]]] = {}
        self.faults: dict[str, Fault] = {}
        self.latency = latency
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        # A short poll keeps stop() (shutdown waits for one poll) from slowing every test.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, name: str, releases: Mapping[str, Release | None]) -> None:
        self.projects[canonical(name)] = (
            name,
            {version: spec or Release() for version, spec in releases.items()},
        )

    def fault(self, path: str = "", **kwargs: Any) -> None:
        """Make every path starting with ``path`` misbehave ('' : every path)."""
        self.faults[path] = Fault(**kwargs)

    def start(self) -> FakePyPI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _fault(self, path: str) -> Fault | None:
        matches = [prefix for prefix in self.faults if path.startswith(prefix)]
        return self.faults[max(matches, key=len)] if matches else None

    # --- documents -------------------------------------------------------------------------

    def _latest(self, releases: Mapping[str, Release]) -> str:
        from packaging.version import Version

        stable = [v for v, r in releases.items() if not Version(v).is_prerelease and not r.yanked]
        return max(stable or list(releases), key=Version)

    def project_document(self, key: str) -> dict[str, Any]:
        name, releases = self.projects[key]
        latest = self._latest(releases)
        files = {
            version: [_file(name, version, spec, True), _file(name, version, spec, False)]
            if spec.files
            else []
            for version, spec in releases.items()
        }
        return {
            "info": _info(name, latest, releases[latest]),
            "last_serial": 31000000 + len(releases),
            "releases": files,
            "urls": files[latest],
            "vulnerabilities": releases[latest].vulnerabilities,
        }

    def release_document(self, key: str, version: str) -> dict[str, Any]:
        name, releases = self.projects[key]
        spec = releases[version]
        files = [_file(name, version, spec, True), _file(name, version, spec, False)]
        return {
            "info": _info(name, version, spec),
            "last_serial": 31000000 + len(releases),
            "urls": files if spec.files else [],
            "vulnerabilities": spec.vulnerabilities,
        }


_ROUTE = re.compile(r"^/pypi/(?P<name>[^/]+)/(?:(?P<version>[^/]+)/)?json/?$")


class _Handler(BaseHTTPRequestHandler):
    fake: FakePyPI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        fake = self.fake
        with fake._lock:
            fake.requests.append(self.path)
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            self._answer()
        finally:
            with fake._lock:
                fake.in_flight -= 1

    def _answer(self) -> None:
        fake = self.fake
        path = self.path.split("?", 1)[0]
        fault = fake._fault(path)
        delay = fake.latency + (fault.latency if fault else 0.0)
        if delay:
            time.sleep(delay)
        match = _ROUTE.match(path)
        status, body, headers = 404, {"message": "Not Found"}, {}
        if fault and fault.status:
            status = fault.status
            body = {"message": "Not Found"} if status == 404 else {"message": "Internal error"}
        elif match is not None:
            key = canonical(match["name"])
            version = match["version"]
            if key in fake.projects and key != match["name"]:
                # PyPI redirects a non-canonical name to the canonical URL.
                target = f"/pypi/{key}/{version + '/' if version else ''}json"
                status, body, headers = 301, {"message": "Moved"}, {"Location": target}
            elif key in fake.projects and version is None:
                status, body = 200, fake.project_document(key)
            elif key in fake.projects and version in fake.projects[key][1]:
                status, body = 200, fake.release_document(key, version)
        payload = json.dumps(body).encode()
        if fault and fault.bad_json and status == 200:
            payload = b"<html><body>Service Unavailable</body></html>"
        self._send(status, payload, headers, fault)

    def _send(
        self, status: int, payload: bytes, headers: Mapping[str, str], fault: Fault | None
    ) -> None:
        head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        head += [
            "Content-Type: application/json",
            f"Content-Length: {len(payload)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        self.close_connection = True
        try:
            if fault and fault.drip:
                for index in range(len(data)):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(fault.drip_interval)
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should on a dripping answer


def refused_url() -> str:
    """http://127.0.0.1:<port>/ where no one listens (the port was free a moment ago)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
