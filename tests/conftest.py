from __future__ import annotations

import io
import os
import select
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import CommandError, call_command

from tests import postgres

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

    from tests.browser import Browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.Server]:
    """A real PostgreSQL server for the whole run (see tests/postgres.py)."""
    server = postgres.start()
    try:
        yield server
    finally:
        postgres.stop(server)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(pg_server: postgres.Server) -> None:
    # Called by pytest-django before it creates the test database: point Django at our server.
    from django.conf import settings

    settings.DATABASES["default"].update(
        HOST=pg_server.host,
        PORT=str(pg_server.port),
        USER=pg_server.user,
        PASSWORD=pg_server.password,
    )


@dataclass
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str


def run_command(*args: str) -> CommandResult:
    """Run a management command in-process; capture its output and exit code."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    except CommandError as exc:
        code = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return CommandResult(code, out.getvalue(), err.getvalue())


def run_manage(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> CommandResult:
    """Run `python manage.py ARGS` in a child process, as a user or Heroku would."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, str((cwd or ROOT) / "manage.py"), *args],
        env={**base, **(env or {})},
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CommandResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def fake_heroku(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A fake Heroku Platform API on 127.0.0.1 (tests/fakeheroku.py); the env points at it."""
    from django.test import override_settings

    from tests.fakeheroku import TOKEN, FakeHeroku

    fake = FakeHeroku().start()
    monkeypatch.setenv("HEROKU_API_URL", fake.url)
    monkeypatch.setenv("HEROKU_API_KEY", TOKEN)
    monkeypatch.delenv("HEROKU_APP_NAME", raising=False)
    # Small timeouts and retries keep the fault tests fast and bounded.
    with override_settings(
        DEPLOYTOOLS={"HEROKU_API_TIMEOUT_SECONDS": 0.5, "HEROKU_API_RETRIES": 2}
    ):
        yield fake
    fake.stop()
    assert not fake.schema_errors, fake.schema_errors


def corner_ids() -> set[str]:
    """
    Findings that are right for this interpreter, not faults of weareone: CI also runs the suite
    on Python 3.11 with Django 5.2 (W207: local Python differs from .python-version; W204:
    installed Django differs from its pin).
    """
    from importlib.metadata import version

    found = set()
    declared = (ROOT / ".python-version").read_text().split()[0]
    if f"{sys.version_info[0]}.{sys.version_info[1]}" != ".".join(declared.split(".")[:2]):
        found.add("deploytools.W207")
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    if version("Django") != pins.get("Django"):
        found.add("deploytools.W204")
    return found


@pytest.fixture
def listeners() -> Iterator[list[socket.socket]]:
    """Loopback services that record any connection (a database, a Redis, a search service)."""
    sockets = []
    for _ in range(3):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sockets.append(sock)
    yield sockets
    for sock in sockets:
        sock.close()


def connected(sock: socket.socket) -> bool:
    """Whether a connection arrived at a listener of :func:`listeners`."""
    readable, _w, _x = select.select([sock], [], [], 0.2)
    return bool(readable)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, started once for the run (each test still gets its own browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser_factory(
    playwright_driver: Playwright, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Browser]]:
    """
    Launch Debian's Chromium, each call with a fresh profile (tests/browser.py); all of them
    are closed after the test. Screenshots go to $DEPLOYTOOLS_TEST_ARTIFACTS/<test> when set,
    else to tmp_path/artifacts.
    """
    from tests import browser

    opened: list[Browser] = []

    def launch(*, trusted_certificates: Iterable[Path] = ()) -> Browser:
        profile = tmp_path / f"chromium-profile-{len(opened)}"
        artifacts = browser.artifacts_dir(request.node.nodeid, tmp_path / "artifacts")
        opened.append(
            browser.launch(
                playwright_driver, profile, artifacts, trusted_certificates=trusted_certificates
            )
        )
        return opened[-1]

    yield launch
    for each in opened:
        each.close()


@pytest.fixture
def browser(browser_factory: Callable[..., Browser]) -> Browser:
    """A headless Chromium with a fresh profile, recording console errors and requests."""
    return browser_factory()
