"""W505–W507 on small project trees, against a fake package index on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from deploytools.checks.run import RunResult
from tests.fakepypi import FakePyPI, Release, vulnerability
from tests.helpers import LOCAL_PYTHON, ROOT, check_tree, ids, make_project, run_command

CHECKS = ("package_patch_releases", "package_vulnerabilities")


@pytest.fixture
def pypi(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePyPI]:
    fake = FakePyPI().start()
    fake.add(
        "Django",
        {
            "6.1.3": Release(
                vulnerabilities=[
                    vulnerability(
                        "PYSEC-2026-101",
                        ["5.2.19", "6.1.5"],
                        aliases=["CVE-2026-1234"],
                    )
                ]
            ),
            "6.1.4": None,
            "6.1.5": None,
            "6.2a1": None,
        },
    )
    fake.add("requests", {"2.34.2": None, "2.34.3": Release(yanked=True), "2.34.4": None})
    fake.add("whitenoise", {"6.12.0": None})
    monkeypatch.setenv("DEPLOYTOOLS_PYPI_URL", fake.url)
    yield fake
    fake.stop()


def project(base: Path, requirements: str, **files: Any) -> Path:
    return make_project(
        base, requirements__txt=requirements, **{".python-version": f"{LOCAL_PYTHON}\n"}, **files
    )


def messages(result: RunResult) -> list[tuple[str, str, str, str]]:
    return [(str(m.id), str(m.obj), m.msg, str(m.hint)) for m in result.messages]


def test_w505_a_pin_behind_its_series_names_both_versions(tmp_path: Path, pypi: FakePyPI) -> None:
    base = project(tmp_path, "requests==2.34.2\nwhitenoise==6.12.0\n")
    result = check_tree(base, *CHECKS)
    # 2.34.3 was yanked: 2.34.4 is the newest of the series pip would install.
    assert messages(result) == [
        (
            "deploytools.W505",
            "requirements.txt:1",
            "requests 2.34.2 → 2.34.4: bug-fix and security releases missed.",
            "Take the newest patch release of the series: pin requests==2.34.4 in "
            "requirements.txt, then: pip install -r requirements.txt",
        )
    ]
    assert result.checks[0].detail == f"2 pins asked of {pypi.url}, 1 behind"
    assert result.checks[1].detail == f"2 pins asked of {pypi.url}, 0 with advisories"
    # One wave: two documents per pin, at once.
    assert len(pypi.requests) == 4


def test_e506_a_vulnerable_pin_names_its_advisories_and_the_fix(
    tmp_path: Path, pypi: FakePyPI
) -> None:
    base = project(tmp_path, "# production\nDjango==6.1.3\n")
    result = check_tree(base, *CHECKS)
    # One finding per pin: the advisory's, with the version that fixes it (not W505 too).
    assert messages(result) == [
        (
            "deploytools.E506",
            "requirements.txt:2",
            "Django 6.1.3 has known vulnerabilities: PYSEC-2026-101 / CVE-2026-1234 (first "
            "fixed in 6.1.5).",
            "Pin a release that fixes them all: pin Django==6.1.5 in requirements.txt, then: "
            "pip install -r requirements.txt",
        )
    ]


def test_a_fix_the_index_does_not_have_is_never_suggested(tmp_path: Path, pypi: FakePyPI) -> None:
    pypi.add(
        "Django",
        {
            "6.1.3": Release(vulnerabilities=[vulnerability("PYSEC-2026-200", ["6.1.9"])]),
            "6.1.4": None,
            # The fix exists for a Python the build does not use only.
            "6.1.9": Release(requires_python=">=3.99"),
        },
    )
    result = check_tree(project(tmp_path, "Django==6.1.3\n"), "package_vulnerabilities")
    (message,) = result.messages
    assert message.id == "deploytools.E506"
    assert "(first fixed in 6.1.9)" in message.msg
    assert message.hint == (
        "No release on the index fixes them all yet; see "
        "https://osv.dev/vulnerability/PYSEC-2026-200"
    )
    assert "Django==6.1.4" not in message.hint


def test_w505_django_speaks_of_security_releases(tmp_path: Path, pypi: FakePyPI) -> None:
    pypi.add("Django", {"6.1.3": None, "6.1.5": None, "6.2": None})
    result = check_tree(project(tmp_path, "Django==6.1.3\n"), "package_patch_releases")
    assert [m.msg for m in result.messages] == ["Django 6.1.3 → 6.1.5: security releases missed."]


@pytest.mark.parametrize(
    ("manager", "files", "hint"),
    [
        (
            "poetry",
            {
                "poetry.lock": '[[package]]\nname = "requests"\nversion = "2.34.2"\n'
                '[metadata]\nlock-version = "2.1"\n',
                "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.12"\nrequests = "*"\n',
            },
            "poetry add requests@2.34.4",
        ),
        (
            "uv",
            {
                "uv.lock": 'version = 1\n\n[[package]]\nname = "requests"\nversion = "2.34.2"\n'
                'source = { registry = "https://pypi.org/simple" }\n\n[[package]]\n'
                'name = "x"\nversion = "1"\nsource = { virtual = "." }\n'
                'dependencies = [{ name = "requests" }]\n',
                "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'
                'dependencies = ["requests"]\n',
            },
            "uv add requests==2.34.4",
        ),
    ],
)
def test_lock_files_get_their_manager_s_command(
    tmp_path: Path, pypi: FakePyPI, manager: str, files: dict[str, str], hint: str
) -> None:
    base = make_project(
        tmp_path, requirements__txt=None, **{".python-version": f"{LOCAL_PYTHON}\n"}, **files
    )
    result = check_tree(base, "package_patch_releases")
    assert [m.id for m in result.messages] == ["deploytools.W505"], result.checks[0].detail
    assert str(result.messages[0].hint).endswith(hint)


def test_offline_or_refused_is_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The suite's default (tests/conftest.py): 127.0.0.1:9, where nothing listens.
    base = project(tmp_path, "requests==2.34.2\n")
    result = check_tree(base, *CHECKS)
    assert [c.status for c in result.checks] == ["skipped", "skipped"]
    assert result.checks[0].detail == (
        "not checked: the package index refused the connection (connection refused) at "
        "http://127.0.0.1:9"
    )
    monkeypatch.setenv("DEPLOYTOOLS_PYPI_URL", "http://no-such-index.invalid")
    offline = check_tree(base, "package_patch_releases")
    assert offline.checks[0].status == "skipped"
    assert "the package index is unreachable (offline?)" in offline.checks[0].detail


def test_a_pin_the_index_lacks_is_named_not_failed(tmp_path: Path, pypi: FakePyPI) -> None:
    base = project(tmp_path, "requests==2.34.4\nprivate-thing==1.0\n")
    result = check_tree(base, "package_patch_releases")
    assert result.checks[0].status == "passed"
    assert result.checks[0].detail.endswith(
        "not checked: private-thing 1.0 (the package index does not know private-thing 1.0 "
        "(HTTP 404))"
    )


def test_weareone_s_own_preflight_never_leaves_loopback() -> None:
    result = check_tree(ROOT, *CHECKS)
    assert [c.status for c in result.checks] == ["skipped", "skipped"]
    assert "127.0.0.1:9" in result.checks[0].detail


# --- W507 ---


@pytest.mark.parametrize(
    ("files", "found", "hint"),
    [
        ({".python-version": "3.13.2\n"}, ["deploytools.W507"], "echo 3.13 > .python-version"),
        ({".python-version": "3.13\n"}, [], ""),
        ({".python-version": "3.13.15\n"}, [], ""),
        (
            {".python-version": None, "runtime.txt": "python-3.12.1\n"},
            ["deploytools.W507"],
            "git rm runtime.txt && echo 3.12 > .python-version",
        ),
    ],
)
def test_w507_python_patch_behind_the_buildpack(
    tmp_path: Path, files: dict[str, str | None], found: list[str], hint: str
) -> None:
    make_project(tmp_path, **files)
    result = check_tree(tmp_path, "python_patch_level")
    assert ids(result) == found
    if found:
        assert str(result.messages[0].hint).endswith(hint)


def test_w507_message_and_fir_s_own_latest(tmp_path: Path, settings: Any) -> None:
    make_project(tmp_path, **{".python-version": "3.12.13\n"})
    # lib/python_version.sh: LATEST_PYTHON_3_12=3.12.14; the Fir CNB: 3.12.13.
    (message,) = check_tree(tmp_path, "python_patch_level").messages
    assert message.msg == "Python 3.12.13 → 3.12.14: security releases missed."
    settings.DEPLOYTOOLS = {"HEROKU_GENERATION": "fir"}
    fir = check_tree(tmp_path, "python_patch_level")
    assert ids(fir) == [] and fir.checks[0].detail == "3.12.13, the newest patch Heroku builds"


# --- I004: the platform data's age ---


def test_i004_platform_data_older_than_180_days() -> None:
    from deploytools import platform_data
    from deploytools.checks.registry import CATALOGUE
    from deploytools.checks.run import run_one
    from deploytools.context import Context

    read = platform_data.as_of()
    fresh = run_one(CATALOGUE["platform_data_age"], Context(today=read + timedelta(days=180)))
    assert (fresh.status, fresh.messages) == ("passed", [])
    assert fresh.detail == f"read {read.isoformat()} (180 days ago)"
    old = run_one(CATALOGUE["platform_data_age"], Context(today=read + timedelta(days=181)))
    (message,) = old.messages
    assert (message.id, old.status) == ("deploytools.I004", "passed")  # advice, not a failure
    assert message.msg == (
        "deploytools' platform data (Django, Python, Heroku stacks, plans and dyno sizes) was "
        f"read on {read.isoformat()}, 181 days ago: newer releases and Heroku changes are "
        "unknown to it."
    )
    assert str(message.hint).startswith("Upgrade deploytools: pip install -U deploytools")


def old_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """The data as a deploytools read on 2026-01-01 would have it (today is later)."""
    from deploytools import platform_data

    data = platform_data.data()
    old = data._replace(tables=tuple(t._replace(read=date(2026, 1, 1)) for t in data.tables))
    monkeypatch.setattr(platform_data, "data", lambda: old)


@pytest.mark.parametrize(
    "args",
    [
        ("production_check", "--snapshot", str(ROOT / "deploytools/examples/snapshot.json")),
        ("preflight", "--config-vars", str(ROOT / "deploy/production.env.example")),
    ],
    ids=["production_check", "preflight"],
)
def test_each_command_says_once_that_its_data_is_old(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.setenv("HEROKU_API_URL", "http://127.0.0.1:9")
    old_data(monkeypatch)
    result = run_command(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    found = [m for m in json.loads(result.stdout)["messages"] if m["id"] == "deploytools.I004"]
    assert len(found) == 1 and "was read on 2026-01-01" in found[0]["msg"]
    text = run_command(*args)
    assert len([line for line in text.stdout.splitlines() if "deploytools.I004" in line]) == 1


def test_check_deploy_asks_no_index(pypi: FakePyPI) -> None:
    # Only preflight asks the index: a `manage.py check --deploy` (a dyno, CI) stays offline.
    from deploytools.checks.registry import django_check

    assert django_check("deploytools.checks.updates")() == []
    assert pypi.requests == []
