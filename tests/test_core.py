"""The deploytools core: conf, registration with Django, the runner, the report, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from deploytools import report
from deploytools.checks.registry import CATALOGUE, Context, Skipped
from deploytools.checks.run import RunResult, run_one
from deploytools.conf import conf
from tests.conftest import ROOT, run_command, run_manage

BAD = {
    "NOPE": 1,
    "RELEASE_BRANCH": 3,
    "UNSAFE_MIGRATIONS": "sometimes",
    "DATABASE_WAIT_SECONDS": True,
}


def test_conf_defaults_and_override() -> None:
    assert conf.release_branch == "local/production"
    assert conf.heroku_remote == "heroku"
    with override_settings(DEPLOYTOOLS={"RELEASE_BRANCH": "release", "DATABASE_WAIT_SECONDS": 5}):
        assert conf.release_branch == "release"
        assert conf.database_wait_seconds == 5.0


def test_conf_invalid_values_fall_back_to_defaults() -> None:
    with override_settings(DEPLOYTOOLS=BAD):
        assert conf.release_branch == "local/production"
        assert conf.unsafe_migrations == "fail"
        assert conf.database_wait_seconds == 60.0
    with override_settings(DEPLOYTOOLS="not a dict"):
        assert conf.release_branch == "local/production"


def test_e001_passes_on_a_valid_setting() -> None:
    with override_settings(DEPLOYTOOLS={"RELEASE_BRANCH": "x", "OPTIONAL_ENV_VARS": ["A"]}):
        assert CATALOGUE["deploytools_setting"].func() == []


def test_e001_names_each_bad_key() -> None:
    with override_settings(DEPLOYTOOLS=BAD):
        messages = CATALOGUE["deploytools_setting"].func()
    assert [m.id for m in messages] == ["deploytools.E001"] * 4
    objs = sorted(str(m.obj) for m in messages)
    assert objs == sorted(f"settings.DEPLOYTOOLS[{k!r}]" for k in BAD)
    assert all(m.hint and "settings.DEPLOYTOOLS" in m.hint for m in messages)


def test_e001_not_a_dict() -> None:
    with override_settings(DEPLOYTOOLS=["RELEASE_BRANCH"]):
        (message,) = CATALOGUE["deploytools_setting"].func()
    assert message.id == "deploytools.E001"
    assert "must be a dict" in message.msg


def test_checks_are_registered_with_django() -> None:
    # A plain `manage.py check` runs E001 (deploy=False) and fails on it like on Django's own.
    with override_settings(DEPLOYTOOLS={"NOPE": 1}), pytest.raises(SystemCheckError) as exc:
        call_command("check")
    assert "deploytools.E001" in str(exc.value)


def test_silenced_system_checks_silence_our_ids() -> None:
    with override_settings(DEPLOYTOOLS={"NOPE": 1}, SILENCED_SYSTEM_CHECKS=["deploytools.E001"]):
        call_command("check")  # does not raise
        result = run_one(
            "deploytools_setting", "t", (), CATALOGUE["deploytools_setting"].func, Context()
        )
    assert result.status == "passed"
    assert result.messages == []
    assert "silenced: deploytools.E001" in result.detail


def test_every_catalogued_check_has_ids_title_and_tags() -> None:
    for spec in CATALOGUE.values():
        assert spec.ids, spec.name
        assert str(spec.title), spec.name
        assert "deploytools" in spec.tags
        for msg_id in spec.ids:
            assert msg_id.startswith("deploytools.") and msg_id[12] in "EWI", msg_id
    ids = [i for spec in CATALOGUE.values() for i in spec.ids]
    numbers = [i[13:] for i in ids]
    assert len(numbers) == len(set(numbers)), "check numbers must be unique across letters"


def test_skipped_and_crashing_checks_become_report_lines() -> None:
    context = Context()

    def skipping() -> list[checks.CheckMessage]:
        raise Skipped("not a git checkout")

    def crashing() -> list[checks.CheckMessage]:
        raise ValueError("secret-value-in-exception")

    skipped = run_one("s", "Skips", (), skipping, context)
    crashed = run_one("c", "Crashes", (), crashing, context)
    assert (skipped.status, skipped.detail) == ("skipped", "not a git checkout")
    assert crashed.status == "failed"
    assert crashed.ids == ["deploytools.E002"]
    assert "secret-value-in-exception" not in str(crashed.messages[0])
    assert "ValueError" in str(crashed.messages[0])


def _result() -> RunResult:
    result = RunResult("preflight", seconds=0.5)
    context = Context()
    result.checks.append(
        run_one("ok", "All good", ("deploytools", "preflight"), lambda: [], context)
    )
    result.checks.append(
        run_one(
            "warn",
            "Something to look at",
            ("deploytools", "preflight"),
            lambda: [
                checks.Warning(
                    "Look.", hint="Do X.", obj="requirements.txt:3", id="deploytools.W202"
                )
            ],
            context,
        )
    )
    result.checks.append(
        run_one(
            "info",
            "Advice",
            ("deploytools", "preflight"),
            lambda: [checks.Info("FYI.", id="deploytools.I205")],
            context,
        )
    )
    return result


def test_exit_codes_follow_fail_level() -> None:
    result = _result()
    assert result.exit_code("ERROR") == 0
    assert result.exit_code("WARNING") == 1
    assert result.exit_code("INFO") == 1
    assert result.counts() == {
        "errors": 0,
        "warnings": 1,
        "infos": 1,
        "passed": 2,
        "failed": 1,
        "skipped": 0,
    }


def test_text_report_has_a_line_per_check_messages_and_summary() -> None:
    text = report.render_text(_result(), heading="Preflight")
    lines = text.splitlines()
    assert lines[0] == "Preflight"
    assert lines[1] == "  passed   All good"
    assert lines[2] == "  FAILED   Something to look at [W202]"
    assert lines[3] == "  passed   Advice [I205]"
    assert "WARNINGS:" in lines
    assert "requirements.txt:3: (deploytools.W202) Look.\n\tHINT: Do X." in text
    assert lines[-1] == "2 passed, 1 failed, 0 skipped; 0 errors, 1 warning, 1 info in 0.50s"
    assert "\x1b[" not in text  # no colour without a terminal


def test_json_report_matches_the_contract_and_round_trips() -> None:
    document = json.loads(report.render_json(_result(), 1))
    assert set(document) == {"command", "exit_code", "messages", "checks", "summary"}
    assert document["messages"][0] == {
        "id": "deploytools.W202",
        "level": "WARNING",
        "msg": "Look.",
        "hint": "Do X.",
        "obj": "requirements.txt:3",
    }
    assert document["checks"][1] == {
        "name": "warn",
        "title": "Something to look at",
        "tags": ["preflight"],
        "status": "failed",
        "ids": ["deploytools.W202"],
        "detail": "",
    }
    assert document["summary"] == {
        "errors": 0,
        "warnings": 1,
        "infos": 1,
        "passed": 2,
        "failed": 1,
        "skipped": 0,
        "seconds": 0.5,
    }
    again = report.to_json(report.from_json(document), 1)
    assert again == document


def test_list_checks_prints_every_check() -> None:
    result = run_command("preflight", "--list-checks")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    levels = {"E": "ERROR", "W": "WARNING", "I": "INFO"}
    for spec in CATALOGUE.values():
        assert str(spec.title) in result.stdout
        for msg_id in spec.ids:
            # One row per ID, with that ID's own level (W502 is a warning beside E501).
            assert rows[msg_id] == levels[msg_id[12]]
    numbers = [int(i[13:]) for i in rows]
    assert numbers == sorted(numbers)


def test_bad_fail_level_is_a_usage_error() -> None:
    result = run_manage("preflight", "--fail-level", "LOUD")
    assert result.exit_code == 2
    assert "argument --fail-level: invalid choice: 'LOUD'" in result.stderr
    assert "Traceback" not in result.stderr


def test_text_report_collapses_djangos_passing_checks_into_one_line() -> None:
    result = _result()
    context = Context()
    for name in ("check_debug", "check_sts"):
        result.checks.append(run_one(name, name, ("security",), lambda: [], context))
    result.checks.append(
        run_one(
            "check_ssl_redirect",
            "check ssl redirect",
            ("security",),
            lambda: [checks.Warning("No redirect.", id="security.W008")],
            context,
        )
    )
    lines = report.render_text(result).splitlines()
    assert "  passed   Django's own system checks — 2 passed" in lines
    assert "  FAILED   check ssl redirect [security.W008]" in lines
    assert not [line for line in lines if "check_debug" in line]
    assert len(json.loads(report.render_json(result, 0))["checks"]) == 6


def test_preflight_text_collapses_the_dynos_django_checks() -> None:
    # The dyno's report comes back as JSON: Django's checks must not turn into ours there.
    outcome = run_manage("preflight", "--config-vars", "deploy/production.env.example")
    lines = outcome.stdout.splitlines()
    collapsed = [line for line in lines if "Django's own system checks" in line]
    assert len(collapsed) == 1 and collapsed[0].startswith("  passed   ")
    assert not [line for line in lines if line.startswith("  passed   check ")]


def test_traceback_option_lets_a_crashing_check_raise() -> None:
    from deploytools.checks.run import RAISE_CRASHES

    def crashing() -> list[checks.CheckMessage]:
        raise ValueError("boom")

    token = RAISE_CRASHES.set(True)
    try:
        with pytest.raises(ValueError, match="boom"):
            run_one("c", "Crashes", (), crashing, Context())
    finally:
        RAISE_CRASHES.reset(token)
    assert run_one("c", "Crashes", (), crashing, Context()).ids == ["deploytools.E002"]


def test_areas_table_matches_each_modules_checks() -> None:
    from deploytools.checks.registry import AREAS, load_catalogue

    for spec in load_catalogue().values():
        module = spec.func.__module__
        if module in AREAS:
            # The lazy Django registration claims these tags for the whole module.
            assert spec.tags == ("deploytools", *AREAS[module]), spec.name
            assert spec.deploy, spec.name
        else:
            assert module == "deploytools.checks.core", spec.name


def test_plain_check_imports_no_check_module_and_deploy_runs_them() -> None:
    code = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "call_command('check'); "
        "print(sorted(m for m in sys.modules if m.startswith('deploytools.checks.')))"
    )
    plain = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "weareone.settings"},
    )
    assert plain.stdout.strip().splitlines()[-1] == (
        "['deploytools.checks.core', 'deploytools.checks.registry']"
    ), plain.stderr
    # `check --deploy` imports the areas and runs their checks: on a dev checkout the
    # settings checks report (E102: SQLite).
    deploy = run_manage("check", "--deploy", "--tag", "settings")
    assert "deploytools.E102" in deploy.stderr


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("TEST_COMMAND", [1, 2], "expected str or a list of str, got list"),
        ("TEST_COMMAND", "pytest 'unbalanced", "cannot be split into words"),
        ("RELEASE_BRANCH", "", "must not be empty"),
        ("RELEASE_BRANCH", "local production", "must not contain ' '"),
        ("RELEASE_BRANCH", "release..x", "must not contain '..'"),
        ("RELEASE_BRANCH", "-f", "must not start with '-'"),
        ("RELEASE_BRANCH", "release/", "nor end with '/'"),
        ("HEROKU_REMOTE", "heroku.lock", "end with '.lock'"),
        ("HEROKU_REMOTE", "her\x07oku", "control characters"),
        ("HEROKU_DEPLOY_BRANCH", "", "must not be empty"),
        ("HEROKU_DEPLOY_BRANCH", "main:prod", "must not contain ':'"),
    ],
)
def test_e001_reports_unusable_commands_and_ref_names(
    key: str, value: object, problem: str
) -> None:
    with override_settings(DEPLOYTOOLS={key: value}):
        (message,) = CATALOGUE["deploytools_setting"].func()
        assert message.id == "deploytools.E001"
        assert message.obj == f"settings.DEPLOYTOOLS[{key!r}]"
        assert problem in message.msg
        # The accessors fall back to the defaults, so no git command gets the bad value.
        assert conf.test_command == "python manage.py test"
        assert (conf.release_branch, conf.heroku_remote) == ("local/production", "heroku")
        assert conf.heroku_deploy_branch == "master"


def test_e001_accepts_usable_commands_and_ref_names() -> None:
    good = {
        "TEST_COMMAND": "pytest -q 'tests/a b.py'",
        "RELEASE_BRANCH": "release/2026-11_x",
        "HEROKU_REMOTE": "heroku-staging",
        "HEROKU_DEPLOY_BRANCH": "main",
    }
    with override_settings(DEPLOYTOOLS=good):
        assert CATALOGUE["deploytools_setting"].func() == []
        assert conf.release_branch == "release/2026-11_x"
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": ["pytest", "-q"]}):
        assert CATALOGUE["deploytools_setting"].func() == []
        assert conf.test_command == ["pytest", "-q"]


def test_e001_problem_texts_are_translated() -> None:
    from unittest import mock

    from deploytools import conf as conf_module

    seen: list[str] = []

    def record(message: str) -> str:
        seen.append(message)
        return message

    with mock.patch.object(conf_module, "_", side_effect=record):
        conf_module.problems({"NOPE": 1, "RELEASE_BRANCH": "", "TEST_COMMAND": 3})
        conf_module.problems("not a dict")
    assert {"unknown key", "must not be empty", "must be a dict, not %(type)s"} <= set(seen)
    assert "expected %(expected)s, got %(type)s" in seen


def test_e001_names_an_empty_string_key() -> None:
    with override_settings(DEPLOYTOOLS={"": 1}):
        (message,) = CATALOGUE["deploytools_setting"].func()
    assert message.obj == "settings.DEPLOYTOOLS['']"
    assert str(message.msg) == "DEPLOYTOOLS ['']: unknown key."
