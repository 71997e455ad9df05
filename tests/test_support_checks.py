"""E501–W504: Django and Python support dates, judged at an injected "today"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import django
import pytest

from deploytools import platform_data
from deploytools.checks import support
from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, run_one
from deploytools.context import PreflightContext
from tests.helpers import ROOT, project_at

AS_OF = platform_data.as_of()


def support_line(name: str, base_dir: Path, today: date) -> CheckResult:
    return run_one(CATALOGUE[name], PreflightContext(project=project_at(base_dir), today=today))


@pytest.fixture
def django_version(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def use(version: str) -> None:
        monkeypatch.setattr(django, "get_version", lambda: version)

    return use


def python_project(
    tmp_path: Path, python_version: str | None = None, runtime: str | None = None
) -> Path:
    if python_version is not None:
        (tmp_path / ".python-version").write_text(python_version)
    if runtime is not None:
        (tmp_path / "runtime.txt").write_text(runtime)
    return tmp_path


# --- Django -----------------------------------------------------------------------------------


def test_e501_django_past_security_support(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    django_version("5.1.4")
    result = support_line("django_support", python_project(tmp_path, "3.13\n"), date(2026, 11, 26))
    (message,) = result.messages
    assert message.id == "deploytools.E501"
    # endoflife.date: 5.1's last security release (5.1.15) came out on 2025-12-03.
    assert message.msg == "Django 5.1 stopped getting security fixes on 2025-12-03."
    assert support.DJANGO_SOURCE in str(message.hint)
    assert str(message.hint).endswith(
        "Upgrade: pin Django==6.1.* in requirements.txt, then run: pip install -r requirements.txt"
    )


def test_e501_django_older_than_the_table(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    django_version("3.2.25")
    result = support_line("django_support", tmp_path, date(2026, 11, 26))
    assert result.ids == ["deploytools.E501"]


def test_w502_django_within_90_days(tmp_path: Path, django_version: Callable[[str], None]) -> None:
    django_version("5.2.8")
    result = support_line("django_support", python_project(tmp_path, "3.12"), date(2028, 3, 1))
    (message,) = result.messages
    assert message.id == "deploytools.W502"
    assert message.msg == "Django 5.2 stops getting security fixes on 2028-04-30, in 60 days."


def test_django_support_passes_outside_the_window(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    django_version("5.2.8")
    result = support_line("django_support", tmp_path, date(2028, 1, 30))  # 91 days before
    assert (result.status, result.detail) == (
        "passed",
        "Django 5.2.8, security fixes until 2028-04-30",
    )


def test_django_newer_than_the_table_is_skipped(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    django_version("2029.0")  # DEP 20's calendar versions: after 2028, unknown to this data
    result = support_line("django_support", tmp_path, date(2026, 11, 26))
    assert result.status == "skipped"
    assert result.detail == (
        "Django 2029 is unknown to this deploytools: its platform data (read 2026-12-01) ends at "
        "2028. Upgrade deploytools."
    )


def test_django_4_2_lts_ended_in_april_2026(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    django_version("4.2.30")
    result = support_line("django_support", python_project(tmp_path, "3.12"), date(2026, 12, 1))
    assert [m.msg for m in result.messages] == [
        "Django 4.2 stopped getting security fixes on 2026-04-07."
    ]
    assert str(result.messages[0].hint).endswith(
        "Upgrade: pin Django==6.1.* in requirements.txt, then run: pip install -r requirements.txt"
    )


@pytest.mark.parametrize(
    ("version", "end"),
    [("6.2rc1", "2030-04-30"), ("2028.0", "2030-12-01"), ("2028.1.2", "2030-12-01")],
)
def test_django_6_2_lts_and_calendar_versions_are_understood(
    tmp_path: Path, django_version: Callable[[str], None], version: str, end: str
) -> None:
    django_version(version)
    result = support_line("django_support", tmp_path, date(2026, 12, 1))
    assert (result.status, result.detail) == (
        "passed",
        f"Django {version}, security fixes until {end}",
    )


def test_a_planned_django_release_is_never_the_upgrade_target(
    tmp_path: Path, django_version: Callable[[str], None]
) -> None:
    # On 2027-06-01 the data still calls 6.2 planned: pin only what the data saw released.
    django_version("5.0.14")
    result = support_line("django_support", python_project(tmp_path, "3.12"), date(2027, 6, 1))
    assert result.ids == ["deploytools.E501"]
    assert "pin Django==6.1.* in requirements.txt" in str(result.messages[0].hint)


# --- Python -----------------------------------------------------------------------------------


def test_e503_python_past_end_of_life_in_heroku_s_grace_period(tmp_path: Path) -> None:
    # lib/python_version.sh: 3.10 is removed from the buildpack on 2027-01-06, two months after
    # its upstream end of life: it still builds, but gets no security fixes.
    result = support_line(
        "python_support", python_project(tmp_path, "3.10.15\n"), date(2026, 11, 26)
    )
    (message,) = result.messages
    assert message.id == "deploytools.E503"
    assert message.msg == (
        "Python 3.10 (from .python-version) reached its end of life on 2026-10-31 and gets no "
        "security fixes; Heroku builds it until 2027-01-05; builds fail from 2027-01-06."
    )
    assert support.PYTHON_SOURCE in str(message.hint)
    assert support.HEROKU_PYTHON_SOURCE in str(message.hint)
    assert str(message.hint).endswith("Upgrade, then run: echo 3.14 > .python-version")


def test_e503_python_no_longer_built_by_heroku(tmp_path: Path) -> None:
    result = support_line("python_support", python_project(tmp_path, "3.9"), date(2026, 12, 1))
    assert [m.msg for m in result.messages] == [
        "Python 3.9 (from .python-version) reached its end of life on 2025-10-31 and gets no "
        "security fixes; Heroku's Python buildpack stopped building it on 2026-01-07."
    ]


def test_w504_python_deprecated_on_heroku_before_its_end_of_life(tmp_path: Path) -> None:
    # The buildpack has warned about 3.10 since v321 (2025-11-21), eleven months before its end.
    result = support_line("python_support", python_project(tmp_path, "3.10"), date(2026, 1, 1))
    assert result.ids == ["deploytools.W504"]
    assert result.messages[0].msg == (
        "Python 3.10 (from .python-version) reaches its end of life on 2026-10-31, in 303 days; "
        "Heroku builds it until 2027-01-05; builds fail from 2027-01-06."
    )


def test_e503_from_runtime_txt_and_older_than_the_table(tmp_path: Path) -> None:
    result = support_line(
        "python_support", python_project(tmp_path, runtime="python-3.7.17"), date(2026, 11, 26)
    )
    (message,) = result.messages
    assert (message.id, message.obj) == ("deploytools.E503", "runtime.txt")
    assert str(message.hint).endswith("git rm runtime.txt && echo 3.14 > .python-version")


def test_w504_python_within_180_days(tmp_path: Path) -> None:
    result = support_line(
        "python_support", python_project(tmp_path, "# pinned\n3.11\n"), date(2027, 6, 1)
    )
    (message,) = result.messages
    assert message.id == "deploytools.W504"
    # Heroku has announced no removal day for 3.11 yet: the grace rule's estimate says so.
    assert message.msg == (
        "Python 3.11 (from .python-version) reaches its end of life on 2027-10-31, in 152 days; "
        "Heroku builds it until 2028-01-05; builds fail from 2028-01-06 (estimated: Heroku has "
        "not announced the day yet)."
    )


def test_runtime_txt_wins_over_python_version_as_in_heroku_s_build(tmp_path: Path) -> None:
    # lib/python_version.sh reads runtime.txt first (deprecated, yet still first), then
    # .python-version: with both, the build installs runtime.txt's Python.
    base = python_project(tmp_path, "3.13", runtime="python-3.9.1")
    result = support_line("python_support", base, date(2026, 11, 26))
    assert (result.status, result.ids) == ("failed", ["deploytools.E503"])
    assert result.detail.startswith("Python 3.9 from runtime.txt")


def test_python_defaults_to_the_running_interpreter(tmp_path: Path) -> None:
    result = support_line("python_support", tmp_path, AS_OF)
    assert result.status == "passed"
    assert "from the running interpreter" in result.detail


@pytest.mark.parametrize("text", ["", "three\n", "3\n", "latest", "\x00\xff"])
def test_unreadable_python_version_is_skipped_for_e206(tmp_path: Path, text: str) -> None:
    result = support_line("python_support", python_project(tmp_path, text), AS_OF)
    assert result.status == "skipped"
    assert result.detail == ".python-version does not hold a Python version (see deploytools.E206)"


def test_undecodable_python_version_is_e206_s_not_a_support_question(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_bytes(b"\xff\xfe3.13")
    result = support_line("python_support", tmp_path, AS_OF)
    assert (result.status, result.detail) == (
        "skipped",
        ".python-version does not hold a Python version (see deploytools.E206)",
    )
    assert support_line("python_version_file", tmp_path, AS_OF).ids == ["deploytools.E206"]


def test_python_newer_than_the_table_is_unknown_not_unsupported(tmp_path: Path) -> None:
    result = support_line("python_support", python_project(tmp_path, "3.15"), AS_OF)
    assert (result.status, result.detail) == (
        "skipped",
        "Python 3.15 is unknown to this deploytools: its platform data (read 2026-12-01) ends "
        "at 3.14. Upgrade deploytools.",
    )


# --- the real project -------------------------------------------------------------------------


def test_weareone_passes_the_lifecycle_checks_today() -> None:
    for name in ("django_support", "python_support"):
        result = support_line(name, ROOT, date.today())
        assert (name, result.status, result.messages) == (name, "passed", [])
