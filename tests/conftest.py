from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import translation

from deploytools.checks.registry import load_catalogue
from deploytools.checks.run import ASSERT_DECLARED_IDS
from deploytools.facts.package_index import BASE_URL_ENV, CACHE_DIR_ENV
from tests import postgres

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

    from tests.browser import Browser

# The commands import the check modules they run; the tests read any check by name.
load_catalogue()

# Every check run by the suite (in this process or a simulated dyno) may emit only the IDs its
# declaration names.
os.environ[ASSERT_DECLARED_IDS] = "1"
# Nothing in the suite reaches beyond loopback: the package-index checks (W505, E506) of every
# preflight here, child processes included, ask 127.0.0.1:9, where nothing listens, and are
# skipped at once ("refused"); tests of them point DEPLOYTOOLS_PYPI_URL at tests/fakepypi.py.
os.environ[BASE_URL_ENV] = "http://127.0.0.1:9"
# And they cache nothing in the user's cache directory.
_CACHE = tempfile.mkdtemp(prefix="deploytools-test-cache-")
os.environ[CACHE_DIR_ENV] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture(autouse=True)
def git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits in temporary repositories, whatever the user's git configuration."""
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout on the release branch with one commit, clean."""
    from tests.helpers import RELEASE, git

    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("print('v1')\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "switch", "-q", "-c", RELEASE)
    return root


@pytest.fixture
def bracketed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Translate every text to «text» (ngettext: the form for the count) under language fr."""
    trans = translation._trans  # type: ignore[attr-defined]
    monkeypatch.setattr(trans, "gettext", lambda message: f"«{message}»")
    monkeypatch.setattr(
        trans,
        "ngettext",
        lambda singular, plural, number: f"«{singular if number == 1 else plural}»",
    )
    with translation.override("fr"):
        yield


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
