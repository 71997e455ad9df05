"""
A fake Heroku Platform API: a real HTTP server on 127.0.0.1 serving app states from fixtures.

Every successful response body is validated against Heroku's published schema
(tests/fixtures/heroku/platform-api-schema.json, the ``targetSchema`` of the matching GET link),
so the fake cannot drift from the real API's shapes. Besides an app's own endpoints it serves
what they point at: slugs and OCI images (``slugs``, ``oci-images``), one app feature
(``features/{name}``), an add-on's config (``addon-config``, ``/addons/{id}/config``) and a
space's telemetry drains (``space-telemetry-drains``). Faults (401, 429, 5xx, slow, malformed
JSON, 206 pagination, a response dripped a byte at a time, a hostile body sent as it is:
deep, wrongly typed or oversized JSON) are switched on per endpoint by tests.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "tests" / "fixtures" / "heroku" / "platform-api-schema.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "heroku"
TOKEN = "dummy-token-0123456789abcdef"
STATES = ("production_ready", "hobby", "eol_stack", "fir", "maintenance", "zero_web")


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    """(path regex, JSON of the targetSchema) for every GET link of the schema."""
    routes = []
    for definition in _schema()["definitions"].values():
        for link in definition.get("links", []):
            if link.get("method") == "GET" and "targetSchema" in link:
                pattern = re.sub(r"\\\{\\\(.*?\\\)\\\}", "[^/]+", re.escape(link["href"]))
                routes.append((re.compile(f"^{pattern}$"), json.dumps(link["targetSchema"])))
    # Literal paths win over templated ones (/dyno-sizes vs /dyno-sizes/{id}).
    routes.sort(key=lambda r: r[0].pattern.count("[^/]+"))
    return routes


@cache
def _validator(target: str) -> jsonschema.Draft4Validator:
    # The target's "#/definitions/..." refs resolve inside this document.
    schema = {**json.loads(target), "definitions": _schema()["definitions"]}
    return jsonschema.Draft4Validator(schema)


def validate(path: str, body: Any) -> None:
    """Raise jsonschema.ValidationError if ``body`` is not what the schema says ``path`` returns."""
    for pattern, target in _routes():
        if pattern.match(path):
            _validator(target).validate(body)
            return
    raise LookupError(f"no GET link in the Heroku schema matches {path}")


def load_state(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@dataclass
class Fault:
    """What an endpoint does instead of answering normally, ``times`` times (None: always)."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    malformed: bool = False
    page_size: int = 0
    times: int | None = None
    # Seconds between the bytes of the response (status line and headers too, unless
    # drip_body_only): a server that never stops sending, too slowly to trip a read timeout.
    drip: float = 0.0
    drip_body_only: bool = False
    # Sent as the 200 answer instead of the fixture, never validated against the schema.
    body: bytes | None = None


class _Server(ThreadingHTTPServer):
    # The default backlog (5) drops the SYNs of a snapshot's concurrent requests.
    request_queue_size = 64
    daemon_threads = True
    block_on_close = False


class FakeHeroku:
    """The server; ``apps`` maps app name to its state (see tests/fixtures/heroku)."""

    def __init__(self, latency: float = 0.0) -> None:
        self.apps: dict[str, dict[str, Any]] = {}
        self.dyno_sizes: list[dict[str, Any]] = json.loads(
            (FIXTURES / "dyno-sizes.json").read_text(encoding="utf-8")
        )
        self.faults: dict[str, Fault] = {}
        self.latency = latency
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.schema_errors: list[str] = []
        self._lock = threading.Lock()
        _routes()  # parse the schema once, before requests arrive in parallel
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_state(self, state: str) -> str:
        """Serve fixture ``state``; returns its app name."""
        data = load_state(state)
        self.apps[data["app"]["name"]] = data
        return str(data["app"]["name"])

    def fault(self, path_suffix: str, **kwargs: Any) -> None:
        """Make every path ending with ``path_suffix`` misbehave (see :class:`Fault`)."""
        self.faults[path_suffix] = Fault(**kwargs)

    def start(self) -> FakeHeroku:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for suffix, fault in self.faults.items():
                if path.endswith(suffix) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def resource(self, path: str) -> Any:
        """The fixture JSON for ``path``, or None (404)."""
        if path == "/dyno-sizes":
            return self.dyno_sizes
        # An add-on's config (GET /addons/{id}/config) and a space's telemetry drains (GET
        # /spaces/{id}/telemetry-drains) belong to the app state that has that add-on or space.
        addon = re.match(r"^/addons/([^/]+)/config$", path)
        if addon:
            found = [
                s["addon-config"][addon[1]]
                for s in self.apps.values()
                if addon[1] in s.get("addon-config", {})
            ]
            return found[0] if found else None
        space = re.match(r"^/spaces/([^/]+)/telemetry-drains$", path)
        if space:
            found = [
                s.get("space-telemetry-drains", [])
                for s in self.apps.values()
                if (s["app"].get("space") or {}).get("id") == space[1]
            ]
            return found[0] if found else None
        match = re.match(r"^/apps/([^/]+)(?:/(.*))?$", path)
        if not match:
            return None
        state = self.apps.get(match.group(1))
        if state is None:
            return None
        rest = match.group(2)
        if rest is None:
            return state["app"]
        if rest.startswith("slugs/"):
            return state["slugs"].get(rest.removeprefix("slugs/"))
        if rest.startswith("oci-images/"):
            return state.get("oci-images", {}).get(rest.removeprefix("oci-images/"))
        if rest == "features":
            return state["features"]
        if rest.startswith("features/"):
            # GET /apps/{app}/features/{name or id}, as `heroku labs:enable` reads one first.
            wanted = rest.removeprefix("features/")
            return next((f for f in state["features"] if wanted in (f["name"], f["id"])), None)
        return state.get(rest)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHeroku

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep the test output clean

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _error(self, status: int, ident: str, message: str, **headers: str) -> None:
        body = json.dumps({"id": ident, "message": message}).encode()
        self._send(status, body, headers)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        fake = self.fake
        path = self.path.split("?")[0]
        fake.requests.append((path, dict(self.headers.items())))
        if fake.latency:
            time.sleep(fake.latency)
        auth = self.headers.get("Authorization", "")
        import base64

        expected = "Basic " + base64.b64encode(f":{TOKEN}".encode()).decode()
        if auth != expected:
            return self._error(401, "unauthorized", "Invalid credentials provided.")
        fault = fake._take_fault(path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            return self._error(fault.status, "fault", "Injected fault.", **fault.headers)
        if fault and fault.malformed:
            return self._send(200, b'{"name": "weareone-prod", ')
        if fault and fault.drip:
            return self._drip(fault)
        if fault and fault.body is not None:
            return self._send(200, fault.body)
        data = fake.resource(path)
        if data is None:
            return self._error(404, "not_found", "Couldn't find that app.")
        status, headers = 200, {}
        if isinstance(data, list):
            data, status, headers = self._range(data, fault)
        try:
            validate(path, data)
        except (jsonschema.ValidationError, LookupError) as exc:
            fake.schema_errors.append(f"{path}: {str(exc).splitlines()[0]}")
            return self._error(500, "schema", "fixture does not match the schema")
        self._send(status, json.dumps(data).encode(), headers)

    def _drip(self, fault: Fault) -> None:
        """A valid answer, one byte every ``fault.drip`` seconds, until the client gives up."""
        body = fault.body if fault.body is not None else b"[]"
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) + 10**6}\r\n\r\n"
        ).encode()
        try:
            if fault.drip_body_only:
                self.wfile.write(head)
                head = b""
            for byte in head + body + b" " * 10**6:
                self.wfile.write(bytes([byte]))
                time.sleep(fault.drip)
        except OSError:
            pass  # the client hung up: what a bounded client does
        self.close_connection = True

    def _range(
        self, items: list[Any], fault: Fault | None
    ) -> tuple[list[Any], int, dict[str, str]]:
        """Heroku's Range header: ``version ..; order=desc, max=N`` and ``]id..`` pages."""
        header = self.headers.get("Range", "")
        if "order=desc" in header and items and "version" in items[0]:
            items = sorted(items, key=lambda i: i["version"], reverse=True)
        match = re.search(r"max=(\d+)", header)
        size = fault.page_size if fault and fault.page_size else 0
        if match:
            size = int(match.group(1))
        start = 0
        after = re.match(r"^\]([^.]+)\.\.", header)
        if after:
            ids = [str(i.get("id")) for i in items]
            start = ids.index(after.group(1)) + 1 if after.group(1) in ids else len(items)
        page = items[start : start + size] if size else items[start:]
        if size and start + size < len(items):
            return page, 206, {"Next-Range": f"]{page[-1]['id']}..; max={size}"}
        return page, 200, {}
