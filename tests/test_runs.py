"""E215, E406: collectstatic as Heroku's build runs it, and the project's tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, run_one
from deploytools.checks.runs import command_argv
from deploytools.context import PreflightContext
from deploytools.facts.project import Project
from tests.helpers import (
    RELEASE,
    check_tree,
    git,
    ids,
    make_project,
    preflight_context,
    run,
)

SECRET = "s3cr3t-literal-key-do-not-print-0123456789"


# E215 ------------------------------------------------------------------------------------------


def test_e215_skipped_without_option(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = check_tree(tmp_path, "collectstatic")
    assert result.checks[0].status == "skipped"
    assert result.checks[0].detail == "run with --collectstatic"


MANAGE_PY = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'weareone.settings')\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(sys.argv)\n"
)


@pytest.mark.parametrize(
    ("files", "config_vars", "reason"),
    [
        ({}, {}, "no manage.py within 3 folders of the root: the build skips it"),
        (
            {"manage.py": MANAGE_PY},
            {"DISABLE_COLLECTSTATIC": "1"},
            "DISABLE_COLLECTSTATIC is set: Heroku's build does not run it",
        ),
        (
            {"manage.py": MANAGE_PY, ".heroku/collectstatic_disabled": ""},
            {},
            ".heroku/collectstatic_disabled exists: Heroku's build does not run it",
        ),
        (
            {"manage.py": MANAGE_PY, "requirements.txt": "gunicorn==23.0.0\n"},
            {},
            "the build does not install Django, so it does not run collectstatic",
        ),
        (
            {"a/b/c/manage.py": MANAGE_PY},
            {},
            "no manage.py within 3 folders of the root: the build skips it",
        ),
    ],
)
def test_e215_is_skipped_where_the_build_does_not_collect(
    tmp_path: Path, files: dict[str, str], config_vars: dict[str, str], reason: str
) -> None:
    # bin/steps/collectstatic: find . -maxdepth 3 -type f -name manage.py; Django installed.
    make_project(tmp_path, **files)
    context = preflight_context(tmp_path, config_vars=config_vars, collectstatic=True)
    result = run(context, "collectstatic")
    assert (result.checks[0].status, result.checks[0].detail) == ("skipped", reason)


@pytest.mark.slow
def test_e215_collectstatic_fails(tmp_path: Path) -> None:
    # The build runs collectstatic only where it finds manage.py.
    make_project(tmp_path, **{"manage.py": MANAGE_PY})
    # The child imports the real weareone settings, not this tree's stand-in package.
    shutil.rmtree(tmp_path / "weareone")
    (tmp_path / "brokensettings.py").write_text(
        "from weareone.settings import *  # noqa\n"
        f"STATICFILES_DIRS = [{str(tmp_path / 'assets')!r}]\n"
    )
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "site.css").write_text("body { background: url('missing.png'); }\n")
    context = preflight_context(
        tmp_path,
        config_vars={"DJANGO_SECRET_KEY": SECRET, "DJANGO_SETTINGS_MODULE": "brokensettings"},
        collectstatic=True,
    )
    result = run(context, "collectstatic")
    assert ids(result) == ["deploytools.E215"]
    assert "missing.png" in result.messages[0].msg
    assert SECRET not in repr([(m.msg, m.hint) for m in result.messages])


@pytest.mark.slow
def test_e215_runs_in_the_build_environment(tmp_path: Path) -> None:
    make_project(tmp_path, **{"manage.py": MANAGE_PY})
    shutil.rmtree(tmp_path / "weareone")
    # Heroku's build exports the config vars but is no dyno: no DYNO, no PORT.
    (tmp_path / "buildsettings.py").write_text(
        "import os\n"
        "from weareone.settings import *  # noqa\n"
        "if 'DYNO' in os.environ or 'PORT' in os.environ or os.environ.get('MARKER') != 'yes':\n"
        "    raise RuntimeError('not the build environment')\n"
    )
    context = preflight_context(
        tmp_path,
        config_vars={"MARKER": "yes", "DJANGO_SETTINGS_MODULE": "buildsettings"},
        collectstatic=True,
        push=True,
    )
    result = run(context, "collectstatic")
    assert ids(result) == []
    assert result.checks[0].status == "passed"


# E406 ------------------------------------------------------------------------------------------


def run_check_in(name: str, root: Path, **fields: object) -> CheckResult:
    """One check of preflight run on the checkout ``root``."""
    return run_one(CATALOGUE[name], PreflightContext(project=Project.at(root), **fields))  # type: ignore[arg-type]


def test_e406_skipped_without_run_tests(repo: Path) -> None:
    result = run_check_in("git_tests_pass", repo)
    assert (result.status, result.detail) == ("skipped", "run with --run-tests")


def failing(code: int, text: str) -> list[str]:
    script = f"import sys\nfor i in range(30): print('line', i)\nprint({text!r})\nsys.exit({code})"
    return ["python", "-c", script]


def test_e406_reports_exit_code_and_the_last_lines(repo: Path) -> None:
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": failing(3, "FAILED test_x")}):
        result = run_check_in("git_tests_pass", repo, run_tests=True)
    (message,) = result.messages
    assert message.id == "deploytools.E406"
    assert f"The tests failed on {RELEASE} (exit code 3)" in message.msg
    assert message.msg.endswith("line 29\nFAILED test_x")
    assert "line 15\n" not in message.msg  # only the last lines
    assert result.detail.endswith(f"seconds on {RELEASE}")


def test_e406_scrubs_secrets_from_the_output(repo: Path) -> None:
    command = failing(1, "DATABASE_URL=postgres://u:hunter2secret@db/x")
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": command}):
        context = PreflightContext(
            project=Project.at(repo),
            config_vars={"DATABASE_URL": "postgres://u:hunter2secret@db/x"},
            run_tests=True,
            push=True,
        )
        messages = CATALOGUE["git_tests_pass"].func(context)
    assert messages[0].id == "deploytools.E406"
    assert "hunter2secret" not in messages[0].msg
    assert "hunter2secret" not in str(messages[0].obj)
    # Only the secret part: the rest of the URL says which database.
    assert "DATABASE_URL=postgres://u:***@db/x" in messages[0].msg


def test_e406_says_when_tests_ran_on_another_branch(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": failing(1, "boom")}):
        result = run_check_in("git_tests_pass", repo, run_tests=True)
    assert f"the current checkout (main), not {RELEASE}" in result.messages[0].msg


def test_e406_passes_and_runs_in_the_project_root(repo: Path) -> None:
    # A string command is shell-split; "python" is this interpreter.
    command = (
        "python -c \"import pathlib, sys; sys.exit(0 if pathlib.Path('app.py').exists() else 9)\""
    )
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": command}):
        assert command_argv(repo)[0] == sys.executable
        result = run_check_in("git_tests_pass", repo, run_tests=True)
    assert result.status == "passed"
    assert result.detail.endswith(f"seconds on {RELEASE}")


def test_e406_runs_in_the_checkout_while_preflight_judges_an_export(repo: Path) -> None:
    # The developer's untracked test settings stay usable: the tests run where they live.
    from deploytools.facts.project import exported

    (repo / "local_test_settings.py").write_text("LOCAL = True\n")
    command = [
        "python",
        "-c",
        "import pathlib, sys; "
        "sys.exit(0 if pathlib.Path('local_test_settings.py').exists() else 9)",
    ]
    with (
        exported(Project.at(repo)) as judged,
        override_settings(DEPLOYTOOLS={"TEST_COMMAND": command}),
    ):
        assert not (judged.tree / "local_test_settings.py").exists()
        result = run_one(
            CATALOGUE["git_tests_pass"], PreflightContext(project=judged, run_tests=True)
        )
    assert result.status == "passed", result.messages


def test_e406_command_not_found_is_a_failure_not_a_traceback(repo: Path) -> None:
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": ["./no-such-test-runner"]}):
        result = run_check_in("git_tests_pass", repo, run_tests=True)
    assert result.ids == ["deploytools.E406"]
    assert "exit code 127" in result.messages[0].msg


def test_e406_test_runner_uses_its_own_settings_not_manage_py_s(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project whose pytest config names its test settings, as weareone's pyproject does.
    (repo / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "projtestsettings"\n'
    )
    (repo / "projtestsettings.py").write_text('SECRET_KEY = "test"\nINSTALLED_APPS = []\n')
    (repo / "test_settings_used.py").write_text(
        "def test_settings():\n"
        "    from django.conf import settings\n"
        "    assert settings.SETTINGS_MODULE == 'projtestsettings'\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "tests")
    # What manage.py does before preflight runs: the runtime settings in the environment.
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "weareone.settings")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": command}):
        result = run_check_in("git_tests_pass", repo, run_tests=True)
    assert result.status == "passed", [m.msg for m in result.messages]
    assert result.ids == []
