"""E206–W207: the Python version Heroku builds with, on small project trees."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

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


def test_e206_support_follows_the_end_of_life_date(tmp_path: Path) -> None:
    from deploytools.facts.support_data import PYTHON_RELEASES

    end = PYTHON_RELEASES["3.11"].end_of_life
    make_project(tmp_path, **{".python-version": "3.11\n"})
    # The day after 3.11's end of life Heroku no longer builds it, without a data change.
    after = check_tree(tmp_path, "python_version_file", today=end + DAY)
    assert ids(after) == ["deploytools.E206"]
    assert "Python 3.11, which Heroku does not build" in after.messages[0].msg
    assert "3.11" not in str(after.messages[0].hint).split(":")[0]  # not offered as supported
    assert ids(check_tree(tmp_path, "python_version_file", today=end)) == []


def test_w207_runtime_txt_and_local_mismatch(tmp_path: Path) -> None:
    other = "3.12" if LOCAL != "3.12" else "3.13"
    make_project(tmp_path, runtime__txt=f"python-{other}\n", **{".python-version": None})
    result = check_tree(tmp_path, "python_version_current", "python_version_file")
    assert ids(result) == ["deploytools.W207", "deploytools.W207"]
    assert "deprecated" in result.messages[0].msg
    assert other in result.messages[1].msg


def test_w207_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(check_tree(tmp_path, "python_version_current")) == []
