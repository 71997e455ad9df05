"""
The browser fixture itself (tests/browser.py): what the HTML-report and admin tests rely on it
to notice -- a request to the network, a console error, an uncaught exception -- it notices, and
it keeps everything on loopback.

Debian's Chromium driven by Playwright (not Selenium): requests, responses and console messages
are events Playwright reports as they happen, with no CDP plumbing of our own; see the module
docstring of tests/browser.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS_ENV, Browser, is_loopback

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_self_contained_file_loads_nothing_from_the_network(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(
        "<!doctype html><html lang=en><title>Report</title>"
        "<style>h1{color:#005a9c}</style><h1>All checks passed</h1>"
        # An inline image: data: URLs are part of the file, not the network.
        '<img alt=mark src="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22/>">'
    )
    response = browser.open(page)
    assert response is not None and response.ok
    assert browser.page.get_by_role("heading", name="All checks passed").is_visible()
    assert [r.url for r in browser.requests][0] == page.resolve().as_uri()
    assert browser.network_requests() == []
    assert browser.console_errors == []
    shot = browser.screenshot("report")
    assert shot == tmp_path / "artifacts" / "report.png"
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


def test_a_file_that_fetches_from_the_network_is_caught_and_blocked(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        "<!doctype html><title>Leaky</title>"
        '<link rel=stylesheet href="https://cdn.example.com/style.css">'
        '<img alt=logo src="http://93.184.216.34/logo.png">'
        "<p>text</p>"
    )
    browser.open(page)
    leaked = {r.url: r for r in browser.beyond_loopback()}
    assert set(leaked) == {"https://cdn.example.com/style.css", "http://93.184.216.34/logo.png"}
    # Neither left the browser: the guard aborted both (the name would not resolve either).
    assert all(r.blocked and r.failure for r in leaked.values())
    assert {r.resource_type for r in leaked.values()} == {"stylesheet", "image"}
    # Chromium says so in the console, which the report tests assert is empty.
    assert len(browser.console_errors) == 2


def test_console_errors_and_uncaught_exceptions_are_collected(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!doctype html><title>Broken</title><p>x</p><script>"
        "console.log('fine'); console.warn('also fine'); console.error('bad thing');"
        "undefinedFunction();</script>"
    )
    browser.open(page)
    assert browser.console_errors[0].startswith("bad thing (file://")
    assert browser.console_errors[1].startswith("uncaught: ")
    assert "undefinedFunction" in browser.console_errors[1]
    assert len(browser.console_errors) == 2


def test_screenshots_go_to_the_ci_artifacts_folder_when_it_is_set(
    browser_factory: Callable[..., Browser], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ARTIFACTS_ENV, str(tmp_path / "ci"))
    browser = browser_factory()
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><p>hello</p>")
    browser.open(page)
    shot = browser.screenshot("page")
    # One folder per test, named after it, so CI's artifacts say which test took which picture.
    assert shot == (
        tmp_path / "ci" / "tests_test_browser.py_test_screenshots_go_to_the_ci_artifacts_folder_"
        "when_it_is_set" / "page.png"
    )
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/admin/", True),
        ("https://localhost/", True),
        ("http://[::1]:8080/", True),
        ("http://127.1.2.3/", True),
        ("https://example.com/", False),
        ("http://10.0.0.1/", False),
        ("http://localhost.example.com/", False),
        ("file:///tmp/x.html", False),
    ],
)
def test_loopback_is_only_127_0_0_0_8_ipv6_loopback_and_localhost(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
