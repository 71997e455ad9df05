"""E201–I205: the production requirements, on small project trees."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from deploytools.facts.requirements_txt import parse_requirements
from tests.helpers import (
    GOOD_REQUIREMENTS,
    GOOD_SETTINGS,
    check_tree,
    ids,
    make_project,
    objs,
    pin,
    preflight_context,
    run,
)

# E201 ------------------------------------------------------------------------------------------


def test_e201_missing_requirements(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=None)
    result = check_tree(tmp_path, "requirements_file", "requirements_pinned")
    assert ids(result) == ["deploytools.E201"]
    assert objs(result) == ["requirements.txt"]
    assert result.checks[1].status == "skipped"


def test_e201_unparseable_line_has_file_and_line(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="Django==6.1\n\nthis is not ! a requirement\n")
    result = check_tree(tmp_path, "requirements_file")
    assert ids(result) == ["deploytools.E201"]
    assert objs(result) == ["requirements.txt:3"]


def test_e201_include_missing_and_cycle(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt="-r base.txt\n-r nowhere.txt\n")
    (tmp_path / "base.txt").write_text("six==1.17.0\n--requirement=requirements.txt\n")
    result = check_tree(tmp_path, "requirements_file")
    assert ids(result) == ["deploytools.E201", "deploytools.E201"]
    assert objs(result) == ["base.txt:2", "requirements.txt:2"]
    assert "include cycle" in " ".join(m.msg for m in result.messages)


def test_e201_passes_on_every_pip_line_form(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# every form pip accepts",
            "--index-url https://pypi.org/simple",
            "--extra-index-url=https://example.org/simple --trusted-host example.org",
            "-c constraints.txt",
            "-r sub/base.txt",
            'Django[argon2]==6.1.3 ; python_version >= "3.10"  # trailing comment',
            "whitenoise==6.12.0 \\",
            "    --hash=sha256:0123456789abcdef \\",
            "    --hash=sha256:fedcba9876543210",
            "-e git+https://github.com/org/lib.git@0a1b2c3d4e5f#egg=lib",
            "git+https://github.com/org/other.git@v1.2.3#egg=other",
            "thing @ https://example.org/thing-2.0.tar.gz",
            "https://example.org/wheel-1.0-py3-none-any.whl",
            "./vendor/pkg",
            "-e .",
            "--prefer-binary",
            "",
        ]
    )
    make_project(tmp_path, requirements__txt=text)
    (tmp_path / "constraints.txt").write_text("six==1.17.0\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.txt").write_text("-r ../other.txt\nsix\n")
    (tmp_path / "other.txt").write_text("gunicorn==27.0.1\n")
    result = check_tree(tmp_path, "requirements_file", "requirements_pinned")
    assert ids(result) == []
    parsed = parse_requirements(tmp_path / "requirements.txt", tmp_path)
    by_name = {r.name: r for r in parsed.requirements}
    assert by_name["whitenoise"].pinned_version == "6.12.0"
    assert by_name["whitenoise"].line == 7
    assert by_name["lib"].pinned_by == "commit 0a1b2c3d4e5f"
    assert by_name["other"].pinned_by == "version tag v1.2.3"
    assert by_name["thing"].pinned_by == "archive of version 2.0"
    assert by_name["gunicorn"].file == "other.txt"
    assert by_name["django"].extras == ("argon2",)


# W202 ------------------------------------------------------------------------------------------


def test_w202_unpinned_and_branch_vcs(tmp_path: Path) -> None:
    text = GOOD_REQUIREMENTS + "requests>=2\ngit+https://github.com/org/lib.git@main#egg=lib\n"
    make_project(tmp_path, requirements__txt=text)
    result = check_tree(tmp_path, "requirements_pinned")
    assert ids(result) == ["deploytools.W202", "deploytools.W202"]
    assert objs(result) == ["requirements.txt:7", "requirements.txt:8"]
    assert "names no commit or version" in result.messages[1].msg


def test_w202_passes_when_constrained(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=GOOD_REQUIREMENTS + "-c c.txt\nrequests\n")
    (tmp_path / "c.txt").write_text("requests==2.34.2\n")
    assert ids(check_tree(tmp_path, "requirements_pinned")) == []


# E203 ------------------------------------------------------------------------------------------


def test_e203_missing_middleware_driver_procfile_and_settings_import(tmp_path: Path) -> None:
    text = pin("Django") + "\n"
    make_project(tmp_path, requirements__txt=text)
    result = check_tree(tmp_path, "requirements_complete")
    messages = " ".join(m.msg for m in result.messages)
    assert set(ids(result)) == {"deploytools.E203"}
    for dist in ("whitenoise", "dj-database-url", "gunicorn", "psycopg2-binary"):
        assert dist in messages
    assert "Procfile:1" in objs(result)
    assert "weareone/settings.py:3" in objs(result)
    # The hint gives the pin of what is installed here.
    assert any(pin("whitenoise") in str(m.hint) for m in result.messages)


def test_e203_driver_from_config_vars(tmp_path: Path) -> None:
    make_project(tmp_path)
    context = preflight_context(
        tmp_path,
        config_vars={
            "DATABASE_URL": "mysql://u:p@h/db",
            "DJANGO_SETTINGS_MODULE": "weareone.settings",
        },
    )
    result = run(context, "requirements_complete")
    assert ids(result) == ["deploytools.E203"]
    assert "mysqlclient" in result.messages[0].msg


def test_e203_passes_transitively_and_for_equivalents(tmp_path: Path) -> None:
    # psycopg2 (not -binary) provides the same import; asgiref comes with Django.
    text = GOOD_REQUIREMENTS.replace(pin("psycopg2-binary"), "psycopg2==2.9.13")
    make_project(tmp_path, requirements__txt=text)
    (tmp_path / "weareone" / "settings.py").write_text(GOOD_SETTINGS + "import asgiref\n")
    assert ids(check_tree(tmp_path, "requirements_complete")) == []


# W204 ------------------------------------------------------------------------------------------


def test_w204_installed_differs(tmp_path: Path) -> None:
    make_project(tmp_path, requirements__txt=GOOD_REQUIREMENTS + "six==0.1\nnot-installed-x==1.0\n")
    result = check_tree(tmp_path, "requirements_installed")
    assert ids(result) == ["deploytools.W204", "deploytools.W204"]
    assert objs(result) == ["requirements.txt:7", "requirements.txt:8"]
    assert metadata.version("six") in result.messages[0].msg


def test_w204_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = check_tree(tmp_path, "requirements_installed")
    assert ids(result) == []
    assert "5 pins compared" in result.checks[0].detail


# I205 ------------------------------------------------------------------------------------------


def test_i205_dev_tools(tmp_path: Path) -> None:
    text = GOOD_REQUIREMENTS + "pytest==9.2.0\npytest-django==4.14.0\nruff==0.17.6\n"
    make_project(tmp_path, requirements__txt=text)
    result = check_tree(tmp_path, "requirements_dev_only")
    assert ids(result) == ["deploytools.I205"] * 3
    # An info is advice: the check still passed.
    assert result.checks[0].status == "passed"


def test_i205_passes(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert ids(check_tree(tmp_path, "requirements_dev_only")) == []
