"""
The HTML report of production_check in a real browser (Debian's Chromium, tests/browser.py):
the page a team lead opens from a CI artifact, for a production-ready app and a failing one on
the fake Heroku API. What they rely on: the nine items with their marks and words, the fix of
each failing item, the capacity bars drawn to scale, nothing fetched from anywhere, no error,
and a page that prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploytools.facts.snapshot import NON_SECRET_CONFIG_VARS
from tests.browser import Browser
from tests.fakeheroku import TOKEN, FakeHeroku, load_state
from tests.helpers import run_command

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OFFLINE_URL = "http://127.0.0.1:9/"
CHECKLIST_TITLES = [
    "Stack",
    "Dyno types",
    "Dyno redundancy",
    "Production Postgres",
    "Postgres high availability",
    "Application monitoring",
    "Log monitoring",
    "Custom error and maintenance pages",
    "SSL",
]
MARKS = {"passed": "✓", "failed": "✗", "skipped": "–"}
# The words of the text report's lines, beside the marks.
WORDS = {"passed": "passed", "failed": "FAILED", "skipped": "skipped"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def report(fake_heroku: FakeHeroku, state: str, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The HTML report of ``state`` saved as a file, and the JSON document of the same app."""
    app = fake_heroku.add_state(state)
    args = ("production_check", "--app", app, "--url", OFFLINE_URL, "--format")
    html, document = run_command(*args, "html"), run_command(*args, "json")
    assert html.exit_code == json.loads(document.stdout)["exit_code"], html.stderr
    path = tmp_path / f"{state}.html"
    path.write_text(html.stdout, encoding="utf-8")
    secrets = [
        v for k, v in load_state(state)["config-vars"].items() if k not in NON_SECRET_CONFIG_VARS
    ]
    for secret in [*secrets, TOKEN]:
        assert secret not in html.stdout
    return path, json.loads(document.stdout)


def assert_self_contained(browser: Browser, path: Path) -> None:
    # The file itself is the only thing the page loaded, and nothing went wrong.
    assert [r.url for r in browser.requests] == [path.resolve().as_uri()]
    assert browser.network_requests() == []
    assert browser.console_errors == []


def checklist(browser: Browser) -> list[dict[str, Any]]:
    items = browser.page.locator("section.checklist > ol > li.check")
    found = []
    for index in range(items.count()):
        item = items.nth(index)
        assert item.is_visible()
        found.append(
            {
                "mark": item.locator("h3 .mark").inner_text(),
                "status": item.locator("h3 .status").text_content(),
                "title": item.locator("h3 .title").inner_text(),
                "evidence": item.locator(".evidence").all_inner_texts(),
                "fixes": item.locator("pre.fix").all_inner_texts(),
                "marker_visible": item.locator("h3 .status").is_visible(),
            }
        )
    return found


def bars(browser: Browser) -> list[dict[str, Any]]:
    """Each drawn bar: its caption and the measured widths of the bar and its fill."""
    drawn = []
    gauges = browser.page.locator(".gauge")
    for index in range(gauges.count()):
        gauge = gauges.nth(index)
        bar = gauge.locator(".bar").bounding_box()
        fill = gauge.locator(".bar .fill").bounding_box()
        assert bar is not None and fill is not None
        drawn.append(
            {
                "caption": gauge.locator("figcaption").inner_text(),
                "share": fill["width"] / bar["width"],
                "bar_width": bar["width"],
                "fill_height": fill["height"],
            }
        )
    return drawn


def gauges_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for c in document["checks"] for g in c["gauges"]]


def assert_bars_drawn_to_scale(browser: Browser, document: dict[str, Any]) -> None:
    expected = gauges_of(document)
    labels = {g["label"] for g in expected}
    # The capacity checks measured both: connections against the plan, memory against the dyno.
    assert labels == {"Database connections", "Web dyno memory"}
    drawn = bars(browser)
    assert len(drawn) == len(expected)
    for gauge, bar in zip(expected, drawn, strict=True):
        share = min(gauge["used"] / gauge["limit"], 1.0)
        assert bar["bar_width"] > 200 and bar["fill_height"] > 5
        assert abs(bar["share"] - share) < 0.01, (gauge, bar)
        assert bar["caption"].startswith(f"{gauge['label']}: ")


def test_production_ready_report_in_chromium(
    fake_heroku: FakeHeroku, browser: Browser, tmp_path: Path
) -> None:
    path, document = report(fake_heroku, "production_ready", tmp_path)
    response = browser.open(path)
    assert response is not None and response.ok
    page = browser.page
    assert page.get_by_role("heading", level=1).inner_text().startswith("Production check of ")
    items = checklist(browser)
    assert [i["title"] for i in items] == CHECKLIST_TITLES
    # Mark and word, never colour alone; and each item says what it saw.
    assert all(i["mark"] == "✓" and i["status"] == "passed" for i in items), items
    assert all(i["marker_visible"] and i["evidence"] and not i["fixes"] for i in items)
    counts = page.locator("ul.counts").inner_text()
    assert f"{document['summary']['passed']} passed" in counts
    assert "exit code 0" in counts
    assert_bars_drawn_to_scale(browser, document)
    shot = browser.screenshot("production-ready")
    assert shot.is_relative_to(tmp_path) and shot.read_bytes().startswith(PNG_SIGNATURE)
    assert_self_contained(browser, path)


def test_failing_report_in_chromium_shows_each_fix(
    fake_heroku: FakeHeroku, browser: Browser, tmp_path: Path
) -> None:
    path, document = report(fake_heroku, "hobby", tmp_path)
    browser.open(path)
    items = checklist(browser)
    statuses = {c["name"]: c["status"] for c in document["checks"]}
    by_title = {c["title"]: c for c in document["checks"]}
    assert [i["title"] for i in items] == CHECKLIST_TITLES
    failed = [i for i in items if by_title[i["title"]]["status"] == "failed"]
    assert len(failed) >= 4  # eco dynos, one web dyno, a mini database, no certificate
    for item in items:
        check = by_title[item["title"]]
        assert item["mark"] == MARKS[check["status"]]
        assert item["status"] == WORDS[check["status"]]
        # The exact fix of each of its messages, ready to copy.
        assert item["fixes"] == [
            m["hint"]
            for i in check["ids"]
            for m in document["messages"]
            if m["id"] == i and m["hint"]
        ]
    assert statuses["heroku_dyno_types"] == "failed"
    assert "heroku ps:scale web=" in " ".join(
        next(i for i in items if i["title"] == "Dyno types")["fixes"]
    )
    assert "exit code 1" in browser.page.locator("ul.counts").inner_text()
    assert_bars_drawn_to_scale(browser, document)
    browser.screenshot("failing")
    # On paper: the bars keep their colour, and the page prints.
    browser.page.emulate_media(media="print")
    adjust = browser.page.locator(".bar .fill").first.evaluate(
        "e => getComputedStyle(e).printColorAdjust"
    )
    assert adjust == "exact"
    assert browser.page.pdf()[:5] == b"%PDF-"
    assert_self_contained(browser, path)
