"""I117: a production config var nothing in the build reads."""

from __future__ import annotations

import os
from pathlib import Path

from deploytools.facts.config_var_use import unread, walk_files
from tests.helpers import make_project, preflight_context, run


def test_only_names_nothing_mentions_are_left(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: gunicorn app.wsgi --max-requests $MAX_REQUESTS\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "post_compile").write_text("echo ${ASSETS_BUCKET}\n")
    # A longer name that contains the config var's name does not read it.
    (tmp_path / "settings.py").write_text("HOSTS = os.environ['DJANGO_ALLOWED_HOSTS']\n")
    config = [
        "MAX_REQUESTS",
        "ASSETS_BUCKET",
        "DJANGO_ALLOWED_HOST",
        "FROM_THE_SETTINGS",
        "DJANGO_COLORS",  # django/core/management/color.py reads it
        "ERROR_PAGE_URL",  # Heroku's router
        "HEROKU_APP_NAME",  # dyno metadata
        "PIP_EXTRA_INDEX_URL",  # pip, at build time
        "PGSSLMODE",  # libpq
    ]
    left = unread(config, ["FROM_THE_SETTINGS"], tmp_path, walk_files(tmp_path), ["django"])
    assert left == ["DJANGO_ALLOWED_HOST"]


def test_a_fifo_or_a_huge_file_in_the_tree_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dump.json").write_bytes(b"LEFTOVER " * 200_000)
    assert unread(["LEFTOVER"], [], tmp_path, walk_files(tmp_path), []) == ["LEFTOVER"]


def test_i117_names_the_leftover_never_its_value(tmp_path: Path) -> None:
    make_project(tmp_path)
    config = {
        "DJANGO_SETTINGS_MODULE": "weareone.settings",
        "DJANGO_OLD_SIGNING_KEY": "s3cr3t-leftover-value-Zr8Qm3Wx",
    }
    result = run(preflight_context(tmp_path, config_vars=config), "config_vars_read")
    (message,) = result.messages
    assert message.id == "deploytools.I117"
    assert "DJANGO_OLD_SIGNING_KEY" in message.msg
    assert "heroku config:unset DJANGO_OLD_SIGNING_KEY" in (message.hint or "")
    assert "s3cr3t" not in repr((message.msg, message.hint, result.checks[0].detail))
    assert result.checks[0].detail == "1 of 2 config vars read"


def test_i117_is_skipped_without_a_production_config(tmp_path: Path) -> None:
    make_project(tmp_path)
    line = run(preflight_context(tmp_path, config_vars={}), "config_vars_read").checks[0]
    assert (line.status, line.detail) == (
        "skipped",
        "no production config given (--config-vars FILE or --app NAME)",
    )
