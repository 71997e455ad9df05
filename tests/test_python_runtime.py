"""E206–W207: the Python version Heroku builds with, on small project trees."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    LOCAL_PYTHON,
    check_tree,
    ids,
    make_project,
    objs,
)

LOCAL = LOCAL_PYTHON
DAY = timedelta(days=1)
UV_PYPROJECT = '[project]\nname = "x"\nversion = "1"\ndependencies = ["django"]\n'
UV_LOCK = """\
version = 1
requires-python = ">=3.12"

[[package]]
name = "django"
version = "6.1.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "x"
version = "1"
source = { virtual = "." }
dependencies = [{ name = "django" }]
"""


# E206 / W207 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "obj"),
    [
        (None, ".python-version"),
        ("3.x\n", ".python-version:1"),
        ("# old\n3.9\n", ".python-version:2"),
        ("3.13\n3.12\n", ".python-version:2"),
        ("python-3.13\n", ".python-version:1"),
    ],
)
def test_e206_invalid_python_version(tmp_path: Path, content: str | None, obj: str) -> None:
    make_project(tmp_path, **{".python-version": content})
    result = check_tree(tmp_path, "python_version_file")
    assert ids(result) == ["deploytools.E206"]
    assert objs(result) == [obj]


def test_e206_runtime_txt_disagrees(tmp_path: Path) -> None:
    make_project(tmp_path, runtime__txt="python-3.12.1\n", **{".python-version": "3.13.1\n"})
    result = check_tree(tmp_path, "python_version_file")
    assert ids(result) == ["deploytools.E206"]
    assert objs(result) == ["runtime.txt"]


def test_e206_passes_with_patch_version_and_crlf(tmp_path: Path) -> None:
    make_project(tmp_path, **{".python-version": f"\ufeff# pinned\r\n{LOCAL}.1\r\n"})
    result = check_tree(tmp_path, "python_version_file")
    assert ids(result) == []
    assert f"{LOCAL}.1" in result.checks[0].detail


def test_e206_follows_heroku_s_build_window_not_upstream_s(tmp_path: Path) -> None:
    # lib/python_version.sh: 3.10 reached its end of life on 2026-10-31, yet the buildpack
    # builds it until its removal on 2027-01-06 (the grace period).
    make_project(tmp_path, **{".python-version": "3.10\n"})
    grace = check_tree(tmp_path, "python_version_file", today=date(2026, 12, 1))
    assert ids(grace) == []
    assert grace.checks[0].detail == (
        ".python-version: 3.10 (deprecated on Heroku: built until 2027-01-05)"
    )
    after = check_tree(tmp_path, "python_version_file", today=date(2027, 1, 6))
    assert ids(after) == ["deploytools.E206"]
    assert after.messages[0].msg == (
        ".python-version declares Python 3.10, which Heroku's Python buildpack stopped building "
        "on 2027-01-06."
    )
    assert "3.10" not in str(after.messages[0].hint).split(":")[0]  # not offered as supported


def test_e206_python_removed_long_ago(tmp_path: Path) -> None:
    make_project(tmp_path, **{".python-version": "3.9\n"})
    result = check_tree(tmp_path, "python_version_file", today=date(2026, 12, 1))
    assert ids(result) == ["deploytools.E206"]
    assert str(result.messages[0].hint).startswith("Use one of 3.10, 3.11, 3.12, 3.13, 3.14: ")


def test_a_python_newer_than_the_data_is_unknown_not_unsupported(tmp_path: Path) -> None:
    make_project(tmp_path, **{".python-version": "3.15\n"})
    result = check_tree(tmp_path, "python_version_file", today=date(2026, 12, 1))
    assert ids(result) == []
    assert result.checks[0].detail == (
        ".python-version: 3.15 (Python 3.15 is unknown to this deploytools: its platform data "
        "(read 2026-12-01) ends at 3.14. Upgrade deploytools.)"
    )


def test_runtime_txt_is_a_build_error_on_fir(tmp_path: Path, settings: Any) -> None:
    # heroku/buildpacks-python (Fir) refuses runtime.txt outright: an error, not W207's warning.
    settings.DEPLOYTOOLS = {"HEROKU_GENERATION": "fir"}
    make_project(tmp_path, runtime__txt=f"python-{LOCAL}\n", **{".python-version": None})
    result = check_tree(tmp_path, "python_version_file", "python_version_current")
    assert ids(result) == ["deploytools.E206"]
    (message,) = result.messages
    assert message.msg == (
        "runtime.txt fails the build on Fir, where Heroku's Python buildpack no longer reads it."
    )
    assert message.hint == f"Switch: git rm runtime.txt && echo {LOCAL} > .python-version"
    settings.DEPLOYTOOLS = {"HEROKU_GENERATION": "cedar"}
    assert ids(check_tree(tmp_path, "python_version_file", "python_version_current")) == [
        "deploytools.W207"
    ]


def test_runtime_txt_is_a_build_error_with_uv(tmp_path: Path) -> None:
    # lib/python_version.sh: "Error: The runtime.txt file isn't supported when using uv."
    make_project(
        tmp_path,
        runtime__txt=f"python-{LOCAL}\n",
        requirements__txt=None,
        **{".python-version": None, "uv.lock": UV_LOCK, "pyproject.toml": UV_PYPROJECT},
    )
    result = check_tree(tmp_path, "python_version_file", "python_version_current")
    assert ids(result) == ["deploytools.E206"]
    assert "with uv" in result.messages[0].msg


def test_w207_runtime_txt_and_local_mismatch(tmp_path: Path) -> None:
    other = "3.12" if LOCAL != "3.12" else "3.13"
    make_project(tmp_path, runtime__txt=f"python-{other}\n", **{".python-version": None})
    result = check_tree(tmp_path, "python_version_current", "python_version_file")
    assert ids(result) == ["deploytools.W207", "deploytools.W207"]
    # CHANGELOG v276: runtime.txt deprecated on 2025-02-05.
    assert result.messages[0].msg == "runtime.txt is deprecated by Heroku since 2025-02-05."
    assert other in result.messages[1].msg


def test_w207_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(check_tree(tmp_path, "python_version_current")) == []


@pytest.mark.parametrize(
    ("version", "day"), [("3.16", date(2026, 12, 1)), ("3.15", date(2026, 6, 1))]
)
def test_a_python_that_cannot_be_out_yet_is_e206(tmp_path: Path, version: str, day: date) -> None:
    make_project(tmp_path, **{".python-version": f"{version}\n"})
    result = check_tree(tmp_path, "python_version_file", today=day)
    assert ids(result) == ["deploytools.E206"]
    assert result.messages[0].msg == (
        f".python-version declares Python {version}, which is not released yet (Python ships "
        "one feature release a year)."
    )
