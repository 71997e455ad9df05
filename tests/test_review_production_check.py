"""Review: production_check's fault modes end to end, and no network for offline runs."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run_command
from tests.fakeheroku import TOKEN, FakeHeroku
from tests.test_production_check import OFFLINE_URL, beyond_loopback  # noqa: F401 - autouse


@pytest.mark.parametrize(
    ("suffix", "fault", "needle"),
    [
        ("/config-vars", {"status": 401}, "HTTP 401"),
        ("/formation", {"status": 403}, "HTTP 403"),
        ("/addons", {"status": 404}, "HTTP 404"),
        ("/domains", {"status": 503}, "HTTP 503 after 2 retries"),
        ("/sni-endpoints", {"delay": 1.5}, "timeout"),
        ("/log-drains", {"malformed": True}, "not valid JSON"),
    ],
)
def test_api_faults_exit_2_with_one_line(
    fake_heroku: FakeHeroku, suffix: str, fault: dict[str, Any], needle: str
) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault(suffix, **fault)
    result = run_command("production_check", "--app", app, "--url", OFFLINE_URL)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"/apps/{app}{suffix}" in lines[0] and needle in lines[0]
    assert TOKEN not in result.stderr


@pytest.mark.parametrize(
    ("suffix", "fault"),
    [
        ("/formation", {"status": 429, "headers": {"Retry-After": "0"}, "times": 1}),
        ("/addons", {"status": 502, "times": 1}),
        ("/dyno-sizes", {"page_size": 2}),
    ],
)
def test_recoverable_faults_give_the_normal_report(
    fake_heroku: FakeHeroku, suffix: str, fault: dict[str, Any]
) -> None:
    app = fake_heroku.add_state("hobby")
    clean = run_command("production_check", "--app", app, "--url", OFFLINE_URL, "--format", "json")
    fake_heroku.fault(suffix, **fault)
    faulty = run_command("production_check", "--app", app, "--url", OFFLINE_URL, "--format", "json")
    assert faulty.exit_code == clean.exit_code == 1, faulty.stderr

    def findings(stdout: str) -> list[str]:
        document = json.loads(stdout)  # exactly one JSON document: nothing heroku3 printed
        return sorted(m["id"] for m in document["messages"])

    assert findings(faulty.stdout) == findings(clean.stdout)
    assert "deploytools.E704" in findings(faulty.stdout)


@pytest.fixture
def listeners() -> Iterator[list[socket.socket]]:
    """Two loopback services that record any connection (a database and a Redis)."""
    sockets = []
    for _ in range(2):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sockets.append(sock)
    yield sockets
    for sock in sockets:
        sock.close()


def connected(sock: socket.socket) -> bool:
    readable, _w, _x = select.select([sock], [], [], 0.2)
    return bool(readable)


def test_command_never_connects_to_the_apps_services(
    fake_heroku: FakeHeroku, listeners: list[socket.socket]
) -> None:
    # Both the memory measurement and the settings evaluation run project code with the app's
    # config vars: neither may open a connection to what those point at.
    database, redis = (sock.getsockname()[1] for sock in listeners)
    app = fake_heroku.add_state("production_ready")
    config = fake_heroku.apps[app]["config-vars"]
    config["DATABASE_URL"] = f"postgres://u:review-pw-123@127.0.0.1:{database}/db"
    config["REDIS_URL"] = f"redis://127.0.0.1:{redis}/0"
    result = run_command("production_check", "--app", app, "--url", OFFLINE_URL, "--format", "json")
    document = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in document["checks"]}
    assert statuses["web_memory"] == "passed", result.stdout
    assert "dyno_settings" not in statuses  # the settings were evaluated, not skipped
    assert not any(connected(sock) for sock in listeners)
    assert "review-pw-123" not in result.stdout + result.stderr
    # The detector works: a real connection is seen.
    with socket.create_connection(("127.0.0.1", database)):
        assert connected(listeners[0])
