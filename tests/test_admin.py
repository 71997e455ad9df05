"""
The release history in weareone's admin, as a person uses it: a real headless Chromium against
the real weareone under gunicorn (production settings, TLS from a local CA, tests/tlsserver.py)
on 127.0.0.1, with the database on the suite's PostgreSQL.

The browser is Debian's Chromium driven by Playwright rather than Selenium with chromedriver:
the assertions here and in the HTML-report tests -- no console error, every request answered and
on loopback, nothing fetched from the network -- are events Playwright reports for every page,
where Selenium would need CDP or BiDi plumbing over chromedriver; Playwright's pip package runs
Debian's browser through ``executable_path`` and never downloads one (tests/browser.py).

The server runs tests/admin_settings.py (production settings, a fast password hasher). The newest
release is recorded by the real ``heroku_release`` migrating the fresh database, so the
admin shows what the release phase really writes; two older ones (one failed) are added with
the ORM.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Response

from tests import postgres, tlsserver
from tests.browser import Browser
from tests.helpers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DBNAME = "weareone_admin"
SETTINGS = "tests.admin_settings"
PASSWORD = "admin-test-Pw-7c41e9"
APP = "weareone"
RELEASE_COMMIT = "c0ffee15ee2a4b1d8e3f5a6b7c8d9e0f1a2b3c4d"
ADD = "/admin/deploytools/release/add/"

# The users: root, a superuser; viewer, staff who may view releases; editor, staff who may do
# anything to releases but view them (and may view users); member, signed in on the site with the
# view permission but not staff.
SEED = f"""
import datetime, json
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone
from deploytools.models import Release

def perms(*names):
    return [Permission.objects.get_by_natural_key(codename, app, model)
            for app, model, codename in (n.split(".") for n in names)]

User.objects.create_superuser("root", "root@example.com", {PASSWORD!r})
viewer = User.objects.create_user("viewer", password={PASSWORD!r}, is_staff=True)
viewer.user_permissions.set(perms("deploytools.release.view_release"))
editor = User.objects.create_user("editor", password={PASSWORD!r}, is_staff=True)
editor.user_permissions.set(perms(
    "deploytools.release.add_release", "deploytools.release.change_release",
    "deploytools.release.delete_release", "auth.user.view_user",
))
member = User.objects.create_user("member", password={PASSWORD!r})
member.user_permissions.set(perms("deploytools.release.view_release"))

now = timezone.now()
failed = Release.objects.create(
    version="v39", commit="4e1f0c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f", status="failed",
    started_at=now - datetime.timedelta(days=2),
    finished_at=now - datetime.timedelta(days=2) + datetime.timedelta(seconds=12.4),
    duration_seconds=12.4, migrations_applied=[], undo_targets={{}},
    checks_summary={{"errors": 1, "warnings": 0, "infos": 0, "passed": 70, "failed": 1,
                     "skipped": 3}},
    message_ids=["deploytools.E605"],
    error='deploytools.E605: shop.0003_item_stock failed: column "stock" contains null values',
)
succeeded = Release.objects.create(
    version="v40", commit="9f3c2e1a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e", status="succeeded",
    started_at=now - datetime.timedelta(days=1),
    finished_at=now - datetime.timedelta(days=1) + datetime.timedelta(seconds=8.44),
    duration_seconds=8.44,
    migrations_applied=["auth.0012_alter_user_first_name_max_length",
                        "admin.0003_logentry_add_action_flag_choices"],
    undo_targets={{"auth": "0011_update_proxy_permissions",
                  "admin": "0002_logentry_remove_auto_add"}},
    checks_summary={{"errors": 0, "warnings": 0, "infos": 0, "passed": 72, "failed": 0,
                     "skipped": 3}},
    message_ids=[],
)
# A site member signed in elsewhere on the site: the admin login form would refuse them.
client = Client()
client.force_login(member)
print(json.dumps({{
    "member_session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "ids": {{r.version: r.pk for r in Release.objects.all()}},
}}))
"""


@dataclass
class Site:
    url: str
    certificate: Path
    server: postgres.Server
    session_cookie: str
    member_session: str
    ids: dict[str, int]
    migrations: list[str]

    def path(self, path: str) -> str:
        return self.url + path

    def release_url(self, version: str, view: str = "change") -> str:
        return self.path(f"/admin/deploytools/release/{self.ids[version]}/{view}/")

    def sql(self, query: str) -> str:
        return self.server.psql(query, dbname=DBNAME)


def manage(workdir: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**tlsserver.production_env(workdir, SETTINGS), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def site(pg_server: postgres.Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("admin")
    certificates = tlsserver.make_certificates(workdir)
    database = {"DATABASE_URL": pg_server.create_database(DBNAME), "HEROKU_APP_NAME": APP}
    # The release phase migrates the empty database and records release v41.
    manage(
        workdir,
        {
            **database,
            "DYNO": "release.1",
            "HEROKU_RELEASE_VERSION": "v41",
            "HEROKU_SLUG_COMMIT": RELEASE_COMMIT,
        },
        "heroku_release",
    )
    # collectstatic, as the build does (its migrate finds nothing left to do).
    tlsserver.prepare_site(workdir, {**database, "DJANGO_SETTINGS_MODULE": SETTINGS})
    seeded = json.loads(manage(workdir, database, "shell", "-c", SEED).splitlines()[-1])
    server = tlsserver.start_gunicorn(
        workdir, "admin", SETTINGS, certificates, host="127.0.0.1", extra_env=database
    )
    try:
        tlsserver.wait_ready(server)
        migrations = pg_server.psql(
            "SELECT app || '.' || name FROM django_migrations ORDER BY id", dbname=DBNAME
        ).splitlines()
        yield Site(
            server.url,
            certificates.certfile,
            pg_server,
            "sessionid",
            seeded["member_session"],
            seeded["ids"],
            migrations,
        )
    finally:
        server.stop()
        pg_server.psql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)', dbname="postgres")


@pytest.fixture
def chromium(browser_factory: Callable[..., Browser], site: Site) -> Iterator[Browser]:
    """A browser that trusts the site's certificate; on loopback only, and nothing failed."""
    browser = browser_factory(trusted_certificates=[site.certificate])
    yield browser
    assert browser.beyond_loopback() == []


def log_in(browser: Browser, site: Site, username: str) -> Page:
    page = browser.page
    browser.open(site.path("/admin/login/?next=/admin/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def status_chain(response: Response | None) -> list[tuple[int, str]]:
    """(status, path) of each hop of a navigation, the redirects first."""
    assert response is not None
    hops: list[tuple[int, str]] = []
    request: Any = response.request
    while request is not None:
        answered = request.response()
        hops.insert(0, (answered.status, request.url.split("://", 1)[1].split("/", 1)[1]))
        request = request.redirected_from
    return hops


def column(page: Page, name: str) -> list[str]:
    return [cell.strip() for cell in page.locator(f"#result_list .field-{name}").all_inner_texts()]


def assert_clean(browser: Browser) -> None:
    assert browser.console_errors == []
    assert browser.failed_requests() == []


def refusals_aside(browser: Browser) -> list[str]:
    """Console errors but the lines Chromium logs for each page refused with 403 or 404."""
    return [e for e in browser.console_errors if not re.search(r"status of 40[34]\b", e)]


# -- who gets in -----------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_the_login_page(chromium: Browser, site: Site) -> None:
    response = chromium.open(site.path("/admin/deploytools/release/"))
    assert status_chain(response) == [
        (302, "admin/deploytools/release/"),
        (200, "admin/login/?next=/admin/deploytools/release/"),
    ]
    assert chromium.page.locator("#id_username").is_visible()
    assert "Releases" not in chromium.page.inner_text("body")
    # The detail page too, with nothing of the release on the login page.
    response = chromium.open(site.release_url("v40"))
    assert status_chain(response)[0][0] == 302
    assert "9f3c2e1" not in chromium.page.content()
    assert_clean(chromium)


def test_signed_in_member_who_is_not_staff_is_refused(chromium: Browser, site: Site) -> None:
    # Django's admin refuses a non-staff user by sending them to its login page, saying why.
    chromium.context.add_cookies(
        [
            {
                "name": site.session_cookie,
                "value": site.member_session,
                "url": site.url,
                "secure": True,
                "httpOnly": True,
            }
        ]
    )
    response = chromium.open(site.path("/admin/deploytools/release/"))
    assert status_chain(response) == [
        (302, "admin/deploytools/release/"),
        (200, "admin/login/?next=/admin/deploytools/release/"),
    ]
    body = chromium.page.inner_text("body")
    assert "You are authenticated as member, but are not authorized to access this page" in body
    assert "v40" not in body
    assert status_chain(chromium.open(site.release_url("v40")))[0][0] == 302
    assert_clean(chromium)


def test_admin_login_form_refuses_a_member_who_is_not_staff(chromium: Browser, site: Site) -> None:
    page = log_in(chromium, site, "member")
    assert page.url.endswith("/admin/login/?next=/admin/")
    assert "Please enter the correct username and password for a staff account" in (
        page.inner_text(".errornote")
    )
    assert_clean(chromium)


def test_staff_without_the_view_permission_does_not_see_releases(
    chromium: Browser, site: Site
) -> None:
    # editor may add, change and delete releases and view users, but not view releases.
    page = log_in(chromium, site, "editor")
    assert page.url == site.path("/admin/")
    assert page.get_by_role("link", name="Users").is_visible()
    assert page.locator("a[href*='/deploytools/']").count() == 0
    assert "Deploy tools" not in page.inner_text("#content")
    # The list and a release are forbidden; the app's index does not exist for them.
    for url, status in (
        (site.path("/admin/deploytools/release/"), 403),
        (site.release_url("v40"), 403),
        (site.path("/admin/deploytools/"), 404),
    ):
        response = chromium.open(url)
        assert response is not None and response.status == status, url
        assert "9f3c2e1" not in page.content()
    assert refusals_aside(chromium) == []


# -- the list --------------------------------------------------------------------------------


def test_viewer_sees_the_release_list_with_its_columns(chromium: Browser, site: Site) -> None:
    page = log_in(chromium, site, "viewer")
    page.get_by_role("link", name="Releases").click()
    page.wait_for_url(site.path("/admin/deploytools/release/"))
    assert page.locator("#content h1").inner_text() == "Select release to view"
    headers = [h.strip() for h in page.locator("#result_list thead th").all_text_contents()]
    assert headers == ["Version", "Commit", "Status", "Started at", "Duration", "Migrations"]
    assert column(page, "version") == ["v41", "v40", "v39"]
    assert column(page, "short_commit") == ["c0ffee1", "9f3c2e1", "4e1f0c2"]
    assert column(page, "status") == ["succeeded", "succeeded", "failed"]
    assert column(page, "duration")[1:] == ["8.4 s", "12.4 s"]
    # v41 is the release phase that migrated the empty database: every migration there is.
    assert column(page, "migration_count") == [str(len(site.migrations)), "2", "0"]
    assert len(site.migrations) > 10
    full = page.locator("#result_list .field-short_commit code").first.get_attribute("title")
    assert full == RELEASE_COMMIT
    # Read-only: no "Add release", no bulk actions or their checkboxes.
    assert page.locator(f"a[href*='{ADD}'], .object-tools .addlink").count() == 0
    assert page.locator("select[name=action], input.action-select, #action-toggle").count() == 0
    chromium.screenshot("release-list")
    assert_clean(chromium)


def test_status_filter_and_search(chromium: Browser, site: Site) -> None:
    page = log_in(chromium, site, "viewer")
    chromium.open(site.path("/admin/deploytools/release/"))
    page.locator("#changelist-filter").get_by_role("link", name="failed", exact=True).click()
    page.wait_for_url("**/admin/deploytools/release/?status__exact=failed")
    assert column(page, "version") == ["v39"]
    page.locator("#changelist-filter").get_by_role("link", name="succeeded", exact=True).click()
    page.wait_for_url("**/admin/deploytools/release/?status__exact=succeeded")
    assert column(page, "version") == ["v41", "v40"]

    # Unfiltered (the search form keeps the page's filters); the box stays on the results page.
    chromium.open(site.path("/admin/deploytools/release/"))
    for query, versions in (("9f3c2e1", ["v40"]), ("v39", ["v39"]), ("no-such-release", [])):
        page.fill("#searchbar", query)
        with page.expect_navigation():
            page.press("#searchbar", "Enter")
        assert column(page, "version") == versions, query
    assert "0 results (3 total)" in page.inner_text("#changelist-search")
    assert_clean(chromium)


# -- a release -------------------------------------------------------------------------------


def test_release_detail_shows_its_migrations_and_exact_undo_commands(
    chromium: Browser, site: Site
) -> None:
    page = log_in(chromium, site, "viewer")
    chromium.open(site.path("/admin/deploytools/release/"))
    page.get_by_role("link", name="v40", exact=True).click()
    page.wait_for_url(site.release_url("v40"))
    assert page.locator("#content h1").inner_text() == "View release"
    assert page.locator(".field-commit .readonly").inner_text() == (
        "9f3c2e1a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e"
    )
    assert page.locator(".field-migrations_list li").all_inner_texts() == [
        "auth.0012_alter_user_first_name_max_length",
        "admin.0003_logentry_add_action_flag_choices",
    ]
    blocks = page.locator(".field-undo pre").all_inner_texts()
    assert blocks == [
        "python manage.py migrate auth 0011_update_proxy_permissions\n"
        "python manage.py migrate admin 0002_logentry_remove_auto_add",
        "heroku run -a weareone python manage.py migrate auth 0011_update_proxy_permissions\n"
        "heroku run -a weareone python manage.py migrate admin 0002_logentry_remove_auto_add",
    ]
    assert "before heroku rollback" in page.inner_text(".field-undo")
    # No form to save, no delete link: nothing but reading.
    assert page.locator(".submit-row input, .submit-row .deletelink").count() == 0
    assert page.locator("form#release_form input:not([type=hidden])").count() == 0
    chromium.screenshot("release-detail")
    assert_clean(chromium)


def test_failed_release_shows_its_error_line_and_check_summary(
    chromium: Browser, site: Site
) -> None:
    page = log_in(chromium, site, "viewer")
    chromium.open(site.release_url("v39"))
    assert page.locator(".field-status .readonly").inner_text() == "failed"
    assert page.locator(".field-error .readonly").inner_text() == (
        'deploytools.E605: shop.0003_item_stock failed: column "stock" contains null values'
    )
    assert page.locator(".field-summary .readonly").inner_text() == (
        "errors: 1, warnings: 0, infos: 0, checks passed: 70, checks failed: 1, checks skipped: 3"
    )
    assert page.locator(".field-message_list .readonly").inner_text() == "deploytools.E605"
    assert page.locator(".field-migrations_list .readonly").inner_text() == "None"
    assert page.locator(".field-undo .readonly").inner_text() == (
        "Nothing to undo: this release applied no migration."
    )
    assert_clean(chromium)


def test_release_recorded_by_the_release_phase_undoes_every_app_to_zero(
    chromium: Browser, site: Site
) -> None:
    page = log_in(chromium, site, "viewer")
    chromium.open(site.release_url("v41"))
    assert page.locator(".field-migrations_list li").all_inner_texts() == site.migrations
    on_dyno, from_checkout = page.locator(".field-undo pre").all_inner_texts()
    apps = sorted({label.split(".")[0] for label in site.migrations})
    assert sorted(on_dyno.splitlines()) == [f"python manage.py migrate {app} zero" for app in apps]
    assert from_checkout.splitlines() == [
        f"heroku run -a weareone {line}" for line in on_dyno.splitlines()
    ]
    assert page.locator(".field-message_list .readonly").inner_text() == "deploytools.W104"
    assert "errors: 0, warnings: 1" in page.locator(".field-summary .readonly").inner_text()
    assert_clean(chromium)


# -- nobody changes anything -----------------------------------------------------------------


def test_not_even_a_superuser_can_add_change_or_delete_a_release(
    chromium: Browser, site: Site
) -> None:
    page = log_in(chromium, site, "root")
    chromium.open(site.path("/admin/deploytools/release/"))
    assert page.locator("#content h1").inner_text() == "Select release to view"
    # The sidebar offers a superuser "Add" for users and groups, never for releases.
    assert page.locator("#nav-sidebar .addlink").count() >= 1
    assert page.locator(f"a[href*='{ADD}'], select[name=action], input.action-select").count() == 0
    chromium.open(site.release_url("v40"))
    assert page.locator("#content h1").inner_text() == "View release"
    assert page.locator(".submit-row input, .deletelink, a[href$='/delete/']").count() == 0

    for url in (site.path(ADD), site.release_url("v40", "delete")):
        assert chromium.open(url).status == 403, url  # type: ignore[union-attr]

    # What a crafted form would send, with a valid CSRF token from the signed-in page.
    chromium.open(site.release_url("v40"))
    token = next(c["value"] for c in chromium.context.cookies() if c["name"] == "csrftoken")
    post = """async ([url, token, fields]) => {
        const body = new URLSearchParams(fields);
        const r = await fetch(url, {method: "POST", body, headers: {"X-CSRFToken": token}});
        return [r.status, await r.text()];
    }"""
    before = site.sql("SELECT id, version, status FROM deploytools_release ORDER BY id")
    change = page.evaluate(
        post, [site.release_url("v40"), token, {"version": "v40-edited", "status": "failed"}]
    )
    delete = page.evaluate(post, [site.release_url("v40", "delete"), token, {"post": "yes"}])
    add = page.evaluate(post, [site.path(ADD), token, {"version": "v99"}])
    bulk = page.evaluate(
        post,
        [
            site.path("/admin/deploytools/release/"),
            token,
            {"action": "delete_selected", "_selected_action": str(site.ids["v40"]), "post": "yes"},
        ],
    )
    assert [change[0], delete[0], add[0]] == [403, 403, 403]
    assert all("CSRF" not in text for _status, text in (change, delete, add))
    # The bulk delete is not an action here: the list comes back, every release still there.
    assert bulk[0] == 200 and "Select release to view" in bulk[1]
    assert site.sql("SELECT id, version, status FROM deploytools_release ORDER BY id") == before
    assert refusals_aside(chromium) == []
