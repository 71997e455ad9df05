"""The DEPLOYTOOLS setting: typed accessors with defaults, and E001 when it is unusable."""

from __future__ import annotations

import pytest
from django.test import override_settings

from deploytools.checks.core import check_deploytools_setting
from deploytools.conf import conf
from deploytools.context import Context

BAD = {
    "NOPE": 1,
    "RELEASE_BRANCH": 3,
    "UNSAFE_MIGRATIONS": "sometimes",
    "DATABASE_WAIT_SECONDS": True,
}


def e001() -> list[object]:
    return list(check_deploytools_setting(Context()))


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
        assert e001() == []


def test_e001_names_each_bad_key() -> None:
    with override_settings(DEPLOYTOOLS=BAD):
        messages = check_deploytools_setting(Context())
    assert [m.id for m in messages] == ["deploytools.E001"] * 4
    objs = sorted(str(m.obj) for m in messages)
    assert objs == sorted(f"settings.DEPLOYTOOLS[{k!r}]" for k in BAD)
    assert all(m.hint and "settings.DEPLOYTOOLS" in m.hint for m in messages)


def test_e001_not_a_dict() -> None:
    with override_settings(DEPLOYTOOLS=["RELEASE_BRANCH"]):
        (message,) = check_deploytools_setting(Context())
    assert message.id == "deploytools.E001"
    assert "must be a dict" in message.msg


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
        (message,) = check_deploytools_setting(Context())
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
        assert e001() == []
        assert conf.release_branch == "release/2026-11_x"
    with override_settings(DEPLOYTOOLS={"TEST_COMMAND": ["pytest", "-q"]}):
        assert e001() == []
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
        (message,) = check_deploytools_setting(Context())
    assert message.obj == "settings.DEPLOYTOOLS['']"
    assert str(message.msg) == "DEPLOYTOOLS ['']: unknown key."
