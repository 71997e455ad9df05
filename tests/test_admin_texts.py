"""
The release admin's commands and texts, in-process (the browser tests in test_admin.py show
them on the page): the undo commands when a row recorded no targets, the ``heroku run`` form for
each way the app is named, and every text in the active language.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.test import override_settings

from deploytools.admin import SUMMARY_LABELS, ReleaseAdmin, undo_commands
from deploytools.models import Release

NOW = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)


def release(**fields: object) -> Release:
    defaults: dict[str, object] = {
        "version": "v7",
        "commit": "0123456789abcdef",
        "status": Release.Status.SUCCEEDED,
        "started_at": NOW,
        "finished_at": NOW,
        "duration_seconds": 3.25,
        "migrations_applied": ["auth.0012_alter_user_first_name_max_length"],
    }
    return Release(**{**defaults, **fields})


def model_admin() -> ReleaseAdmin:
    return ReleaseAdmin(Release, admin.site)


def test_rows_without_recorded_targets_are_undone_by_the_graph_or_a_placeholder() -> None:
    # Rows written before heroku_release recorded undo targets: the code's graph answers, and a
    # migration it does not know gets a placeholder rather than a wrong target.
    old = release(migrations_applied=["auth.0012_alter_user_first_name_max_length", "shop.0007_x"])
    assert undo_commands(old) == [
        "python manage.py migrate auth 0011_update_proxy_permissions",
        "python manage.py migrate shop <before 0007_x>",
    ]
    recorded = release(undo_targets={"auth": "0010_alter_group_name_max_length"})
    assert undo_commands(recorded) == [
        "python manage.py migrate auth 0010_alter_group_name_max_length"
    ]


@pytest.mark.parametrize(
    ("deploytools", "env", "prefix"),
    [
        ({"HEROKU_APP": "shop-prod"}, "ignored", "heroku run -a shop-prod "),
        ({}, "weareone-staging", "heroku run -a weareone-staging "),
        # Unknown here: the Heroku CLI takes the app from the checkout's heroku remote.
        ({}, None, "heroku run "),
    ],
)
def test_heroku_run_names_the_app_when_it_is_known(
    deploytools: dict[str, str],
    env: str | None,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if env is None:
        monkeypatch.delenv("HEROKU_APP_NAME", raising=False)
    else:
        monkeypatch.setenv("HEROKU_APP_NAME", env)
    with override_settings(DEPLOYTOOLS=deploytools):
        html = model_admin().undo(release())
    assert f"{prefix}python manage.py migrate auth 0011_update_proxy_permissions" in html
    assert html.count("python manage.py migrate auth") == 2
    assert "ignored" not in html  # DEPLOYTOOLS["HEROKU_APP"] comes first


def test_commands_in_the_page_are_escaped() -> None:
    # Values come from the database: a hostile migration name must not become markup.
    html = model_admin().undo(release(migrations_applied=["x.<script>0001"], undo_targets={}))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_every_text_is_in_the_active_language(bracketed: None) -> None:
    ma = model_admin()
    columns = [ma.short_commit, ma.duration, ma.migration_count]
    assert [str(c.short_description) for c in columns] == [  # type: ignore[attr-defined]
        "«commit»",
        "«duration»",
        "«migrations»",
    ]
    assert [str(title) for title, _fields in ma.fieldsets[1:]] == ["«Migrations»", "«Checks»"]
    assert str(ma.search_help_text).startswith("«Version")
    # The number in the language's own format too (a comma in French).
    assert ma.duration(release()) == "«3,2 s»"
    assert ma.migrations_list(release(migrations_applied=[])) == "«None»"
    assert ma.undo(release(migrations_applied=[])).startswith("«Nothing to undo")
    undo = ma.undo(release())
    assert "«Reversing a migration needs its file" in undo
    assert "«From your checkout:»" in undo
    assert ma.summary(release(checks_summary={"errors": 1, "passed": 3, "new": 2})) == (
        "«errors»: 1, «checks passed»: 3, new: 2"
    )
    assert all(str(label).startswith("«") for label in SUMMARY_LABELS.values())
