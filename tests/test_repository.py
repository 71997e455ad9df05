"""E212–W214: what the repository pushes, and the whole 2xx range on weareone itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE
from tests.helpers import (
    ROOT,
    check_tree,
    corner_ids,
    git,
    ids,
    make_project,
    objs,
    run,
)

SECRET = "s3cr3t-literal-key-do-not-print-0123456789"


ALL_2XX = [name for name, spec in CATALOGUE.items() if spec.ids and spec.ids[0][13] == "2"]


def test_every_2xx_id_is_registered() -> None:
    registered = {i for name in ALL_2XX for i in CATALOGUE[name].ids}
    expected = {f"deploytools.E2{n:02d}" for n in (1, 3, 6, 8, 9, 12, 15, 16, 17)}
    expected |= {f"deploytools.W2{n:02d}" for n in (2, 4, 7, 10, 11, 13, 14)}
    expected.add("deploytools.I205")
    assert registered == expected
    assert all("preflight" in CATALOGUE[name].tags and CATALOGUE[name].deploy for name in ALL_2XX)


def test_good_project_passes_everything(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = check_tree(tmp_path, *ALL_2XX)
    assert ids(result) == []
    statuses = {c.name: c.status for c in result.checks}
    assert statuses["collectstatic"] == "skipped"
    assert statuses["requirements_complete"] == "passed"


# E212 ------------------------------------------------------------------------------------------


def test_e212_tracked_env_file(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY={SECRET}\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / ".env.production").write_text(
        "DEBUG=0\nDATABASE_URL=postgres://app:s3cr3t-pw@db.example:5432/app\n"
    )
    # Committed settings without a secret are no leak: an example, a log level.
    (tmp_path / ".env.example").write_text("DJANGO_SECRET_KEY=\n")
    (tmp_path / ".env.ci").write_text("DEBUG=1\nLOG_LEVEL=info\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-f", ".env", "config/.env.production", ".env.example", ".env.ci")
    git(tmp_path, "add", "Procfile")
    result = check_tree(tmp_path, "secrets_committed")
    assert ids(result) == ["deploytools.E212", "deploytools.E212"]
    assert objs(result) == [".env", "config/.env.production"]
    assert "(DATABASE_URL)" in result.messages[1].msg
    assert "s3cr3t-pw" not in repr([(m.msg, m.hint) for m in result.messages])
    assert SECRET not in repr([(m.msg, m.hint) for m in result.messages])


@pytest.mark.parametrize(
    "line",
    [
        f'SECRET_KEY = "{SECRET}"',
        f'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "{SECRET}")',
        f'SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", default="{SECRET}")',
        f'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "{SECRET}"',
        f'SECRET_KEY: str = "{SECRET}"',
    ],
)
def test_e212_literal_secret_key(tmp_path: Path, line: str) -> None:
    make_project(tmp_path, weareone__settings__py=f"import os\n\n{line}\n")
    result = check_tree(tmp_path, "secrets_committed")
    assert ids(result) == ["deploytools.E212"]
    assert objs(result) == ["weareone/settings.py:3"]
    assert SECRET not in repr([(m.msg, m.hint, m.obj) for m in result.messages])
    assert SECRET not in result.checks[0].detail


def test_e212_follows_split_settings(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        weareone__settings__py="from .base import *  # noqa\n",
        weareone__base__py=f'SECRET_KEY = "{SECRET}"\n',
    )
    result = check_tree(tmp_path, "secrets_committed")
    assert objs(result) == ["weareone/base.py:1"]


def test_e212_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / ".env.example").write_text("DJANGO_SECRET_KEY=\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    result = check_tree(tmp_path, "secrets_committed")
    assert ids(result) == []
    assert "weareone/settings.py" in result.checks[0].detail


# W213 ------------------------------------------------------------------------------------------


def test_w213_gitignore_gaps(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": "*.pyc\n.env.local\n!db.sqlite3\n"})
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    with override_settings(STATIC_ROOT=tmp_path / "static" / "collected"):
        result = check_tree(tmp_path, "gitignore")
    assert ids(result) == ["deploytools.W213"]
    assert result.messages[0].msg == (
        ".gitignore does not ignore .env, db.sqlite3, static/collected, env/."
    )


def test_w213_missing_gitignore(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": None})
    assert ids(check_tree(tmp_path, "gitignore")) == ["deploytools.W213"]


def test_w213_passes(tmp_path: Path) -> None:
    make_project(tmp_path, **{".gitignore": "**/.env\n.env.*\ndb.sqlite3\nstatic/\n.venv*/\n"})
    (tmp_path / ".venv-py311").mkdir()
    (tmp_path / ".venv-py311" / "pyvenv.cfg").write_text("home = /usr\n")
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        assert ids(check_tree(tmp_path, "gitignore")) == []


# W214 ------------------------------------------------------------------------------------------


def test_w214_slug_near_limit(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "data.bin").write_bytes(b"\0" * (3 * 1024 * 1024))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    with override_settings(DEPLOYTOOLS={"SLUG_SIZE_WARNING_MB": 1}):
        result = check_tree(tmp_path, "slug_size")
    assert ids(result) == ["deploytools.W214"]
    assert "project files 3.0 MB" in result.messages[0].msg


def test_w214_slugignore_and_threshold(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="six==1.17.0\n")
    (tmp_path / "data.bin").write_bytes(b"\0" * (3 * 1024 * 1024))
    (tmp_path / ".slugignore").write_text("*.bin\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    with override_settings(DEPLOYTOOLS={"SLUG_SIZE_WARNING_MB": 1}):
        result = check_tree(tmp_path, "slug_size")
    assert ids(result) == []
    assert "project files 0.0 MB + 1 distributions" in result.checks[0].detail


# The real project ------------------------------------------------------------------------------


@pytest.mark.slow
def test_weareone_passes_every_2xx_check() -> None:
    from deploytools.context import PreflightContext
    from deploytools.facts.project import Project

    context = PreflightContext(
        project=Project.at(ROOT),
        config_vars={"DJANGO_SECRET_KEY": SECRET, "DJANGO_SETTINGS_MODULE": "weareone.settings"},
        collectstatic=True,
    )
    result = run(context, *ALL_2XX)
    # Running the suite under another Python and Django (CI's 3.11 + Django 5.2 corner) is
    # W207's and W204's case exactly; everything else must still pass.
    expected = corner_ids()
    assert [(m.id, m.msg) for m in result.messages if m.id not in expected] == []
    assert {c.name: c.status for c in result.checks if not set(c.ids) & expected} == {
        name: "passed" for name in ALL_2XX if not set(CATALOGUE[name].ids) & expected
    }
    assert "files collected" in next(c for c in result.checks if c.name == "collectstatic").detail


def test_w214_default_threshold_follows_heroku_s_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # heroku.com/blog (2026-03-19): 1 GB compressed; the default threshold is 80% of it.
    from deploytools import platform_data

    make_project(tmp_path)
    (tmp_path / "data.bin").write_bytes(b"\0" * (3 * 1024 * 1024))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    assert platform_data.slug_max_compressed_mb() == 1024
    assert ids(check_tree(tmp_path, "slug_size")) == []
    monkeypatch.setattr(platform_data, "slug_max_compressed_mb", lambda: 2)
    result = check_tree(tmp_path, "slug_size")
    assert ids(result) == ["deploytools.W214"]
    assert result.messages[0].msg.startswith("The slug is near Heroku's 2 MB limit: ")
    assert "DEPLOYTOOLS['SLUG_SIZE_WARNING_MB'] = 1)" in str(result.messages[0].hint)


def test_w214_does_not_apply_to_fir_apps(tmp_path: Path) -> None:
    make_project(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    with override_settings(DEPLOYTOOLS={"SLUG_SIZE_WARNING_MB": 0, "HEROKU_GENERATION": "fir"}):
        result = check_tree(tmp_path, "slug_size")
    assert result.checks[0].status == "skipped"
    assert result.checks[0].detail.startswith("a Fir app: releases carry an OCI image, not a slug")
