"""User-facing text goes through Django's translation machinery (a French catalogue can follow).

A fake catalogue wraps every translated text in «»: a text that shows the marker was looked up
at the time it was shown, in the active language; one without it was never marked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploytools.management.commands import heroku_release, preflight, production_check
from tests.helpers import (
    check_tree,
    make_project,
)


def messages(base: Path, check: str) -> list[str]:
    return sorted(str(m.msg) for m in check_tree(base, check).messages)


def test_e201_problem_text_is_translated(tmp_path: Path, bracketed: None) -> None:
    make_project(tmp_path, requirements__txt="Django==6.1\n-r nowhere.txt\n")
    assert messages(tmp_path, "requirements_file") == [
        "«requirements.txt:2 «includes nowhere.txt, which does not exist».»"
    ]


def test_e201_plural_problem_text_is_translated(tmp_path: Path, bracketed: None) -> None:
    make_project(tmp_path, requirements__txt="Django==6.1\n" + "x" * 8193 + "\n")
    assert messages(tmp_path, "requirements_file") == [
        "«requirements.txt:2 «is 8193 characters long».»"
    ]


def test_e201_english_is_unchanged_without_a_catalogue(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="Django==6.1\n-r nowhere.txt\n")
    assert messages(tmp_path, "requirements_file") == [
        "requirements.txt:2 includes nowhere.txt, which does not exist."
    ]


def test_e208_problem_text_is_translated(tmp_path: Path, bracketed: None) -> None:
    make_project(tmp_path, Procfile="web: gunicorn weareone.wsgi\nweb: gunicorn weareone.wsgi\n")
    assert "«Procfile:2 «process type 'web' is declared twice».»" in messages(tmp_path, "procfile")


def test_w211_problem_text_is_translated(tmp_path: Path, bracketed: None) -> None:
    make_project(tmp_path, **{"app.json": '{"name": 1}'})
    assert messages(tmp_path, "app_json") == [
        "«app.json name «must be a JSON string, not number».»"
    ]


@pytest.mark.parametrize(
    ("module", "description", "option_help"),
    [
        (
            preflight,
            "«Check this checkout, with the settings Heroku will give it, before pushing.»",
            "«Run the project's tests (E406).»",
        ),
        (
            heroku_release,
            "«Heroku's release phase: check,",
            "«How many releases --history lists (default 20).»",
        ),
        (
            production_check,
            "«Heroku's Production Check for a running app",
            "«URL of the live site (repeatable).»",
        ),
    ],
)
def test_command_help_is_translated_when_shown(
    module: object, description: str, option_help: str, bracketed: None
) -> None:
    command = module.Command()  # type: ignore[attr-defined]
    text = " ".join(command.create_parser("manage.py", "x").format_help().split())
    assert description in text
    assert option_help in text
    # The options every deploytools command shares (deploytools.command).
    assert "«Message level that makes the command exit 1 (like `manage.py check`).»" in text
    assert (
        "«text (a line per check), json (one document on stdout), html (one self-contained "
        "page), github (GitHub Actions annotations) or junit (JUnit XML).»"
    ) in text
