"""The production config: a `heroku config --shell` file, or a Heroku app's config vars (--app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploytools.facts import config_vars as configvars
from tests.fakeheroku import TOKEN, FakeHeroku, load_state
from tests.helpers import (
    EXAMPLE_CONFIG,
    run_command,
    run_manage,
)


def test_config_vars_parse_every_format() -> None:
    text = (
        "# from heroku config --shell\n"
        "\n"
        "export PLAIN=value # a comment\n"
        "SINGLE='it'\\''s quoted'\n"
        'DOUBLE="line one\\nline two \\"q\\""\n'
        'MULTI="first\nsecond"\n'
        "EMPTY=\n"
        "SPACED = 'a b'\n"
    )
    assert configvars.parse_config_vars(text) == {
        "PLAIN": "value",
        "SINGLE": "it's quoted",
        "DOUBLE": 'line one\nline two "q"',
        "MULTI": "first\nsecond",
        "EMPTY": "",
        "SPACED": "a b",
    }


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("A=1\n\nnot a line\n", 3, "no '=' after the variable name"),
        ("A=1\n=secretvalue\n", 2, "expected a variable name"),
        ("A=1\nB='unterminated secretvalue\nC=3\n", 2, "not closed"),
        ("A=1\nB=two words\n", 2, "unquoted spaces"),
        ("A=1\nA=2\n", 2, "set twice (first on line 1)"),
    ],
)
def test_config_vars_errors_name_file_and_line_and_exit_2(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = tmp_path / "production.env"
    path.write_text(text)
    with pytest.raises(configvars.ConfigVarsError) as raised:
        configvars.read_config_vars_file(path)
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert problem in str(raised.value)
    assert "secretvalue" not in str(raised.value)
    assert "\n" not in str(raised.value)
    outcome = run_command("preflight", "--config-vars", str(path))
    assert outcome.exit_code == 2
    assert outcome.stdout == ""
    assert f"{path}:{line}: " in outcome.stderr
    assert outcome.stderr.strip().count("\n") == 0


def test_config_vars_file_missing_or_binary(tmp_path: Path) -> None:
    with pytest.raises(configvars.ConfigVarsError, match="no such file"):
        configvars.read_config_vars_file(tmp_path / "nope.env")
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"A=1\nB=\xff\xfe\n")
    with pytest.raises(configvars.ConfigVarsError, match=r"binary.env:2: not UTF-8"):
        configvars.read_config_vars_file(binary)


def test_config_vars_error_in_json_mode_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "bad.env"
    path.write_text("GOOD=1\nBAD LINE\n")
    outcome = run_command("preflight", "--format", "json", "--config-vars", str(path))
    assert outcome.exit_code == 2
    document = json.loads(outcome.stdout)
    assert document["exit_code"] == 2
    assert document["error"].startswith(f"{path}:2: ")


def test_app_and_file_together_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_command("preflight", "--config-vars", str(EXAMPLE_CONFIG), "--app", "x")
    assert outcome.exit_code == 2
    assert "not both" in outcome.stderr


def test_app_with_an_unreachable_api_exits_2(tmp_path: Path) -> None:
    env = {
        "HEROKU_API_KEY": "fake-token-0123456789",
        "HEROKU_API_URL": "http://127.0.0.1:9",
        "HOME": str(tmp_path),
    }
    outcome = run_manage("preflight", "--app", "weareone-prod", env=env, timeout=60)
    assert outcome.exit_code == 2, outcome.stderr
    assert "fake-token-0123456789" not in outcome.stdout + outcome.stderr
    assert "Traceback" not in outcome.stderr


APP_SECRETS = [
    value
    for name, value in load_state("production_ready")["config-vars"].items()
    if name not in {"WEB_CONCURRENCY", "ERROR_PAGE_URL", "MAINTENANCE_PAGE_URL"}
]


@pytest.mark.parametrize("output", ["text", "json"])
def test_app_reads_config_vars_from_the_api_and_prints_no_value(
    fake_heroku: FakeHeroku, output: str
) -> None:
    app = fake_heroku.add_state("production_ready")
    outcome = run_manage("preflight", "--app", app, "--format", output, timeout=120)
    assert outcome.exit_code in (0, 1), outcome.stderr
    assert any(path.endswith(f"/apps/{app}/config-vars") for path, _h in fake_heroku.requests)
    joined = outcome.stdout + outcome.stderr
    for secret in [*APP_SECRETS, TOKEN, "Pa55w0rd-XYZZY"]:
        assert secret not in joined
    if output == "json":
        checks = {check["name"]: check for check in json.loads(outcome.stdout)["checks"]}
        # The API's config has every variable the settings need: the settings side is clean.
        for name in ("settings_load", "secret_key_stable", "environment_complete"):
            assert checks[name]["status"] == "passed", checks[name]
    else:
        assert f"Heroku app {app}" in outcome.stdout.splitlines()[0]


@pytest.mark.parametrize("output", ["text", "json"])
def test_app_without_a_token_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.delenv("HEROKU_API_KEY", raising=False)
    monkeypatch.delenv("NETRC", raising=False)
    env = {"HOME": str(tmp_path), "HEROKU_API_URL": "http://127.0.0.1:9"}
    outcome = run_manage("preflight", "--app", "weareone-prod", "--format", output, env=env)
    assert outcome.exit_code == 2
    if output == "json":
        document = json.loads(outcome.stdout)
        assert document["exit_code"] == 2 and "No Heroku API token" in document["error"]
    else:
        assert outcome.stdout == ""
        assert len(outcome.stderr.strip().splitlines()) == 1
        assert "No Heroku API token" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_app_with_a_rejected_token_exits_2_without_the_token(fake_heroku: FakeHeroku) -> None:
    app = fake_heroku.add_state("production_ready")
    fake_heroku.fault("/config-vars", status=401)
    outcome = run_manage("preflight", "--app", app)
    assert outcome.exit_code == 2
    assert outcome.stdout == ""
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert TOKEN not in outcome.stderr and "Traceback" not in outcome.stderr


def test_app_gives_preflight_the_app_s_generation(fake_heroku: FakeHeroku, tmp_path: Path) -> None:
    # A Fir app builds with Cloud Native Buildpacks: preflight --app judges the build so.
    from deploytools.facts.generation import app_generation
    from deploytools.preflight import context_for, load_config
    from tests.helpers import project_at

    for state, generation in (("fir", "fir"), ("production_ready", "cedar")):
        config = load_config(None, fake_heroku.add_state(state))
        context = context_for({}, project_at(tmp_path), config)
        assert app_generation(context).name == generation
    assert load_config(None, fake_heroku.add_state("fir")).generation == "fir"


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("preflight", "--config-vars"),
        ("preflight", "--app"),
        ("production_check", "--app"),
        ("production_check", "--snapshot"),
        ("production_check", "--save-snapshot"),
        ("production_check", "--url"),
    ],
)
@pytest.mark.parametrize("value", ["", "  "], ids=["empty", "blank"])
def test_an_empty_file_app_or_url_is_a_usage_error(command: str, option: str, value: str) -> None:
    # `--config-vars "$CONFIG"` with CONFIG unset used to mean "no config" and pass.
    result = run_command(command, option, value)
    assert result.exit_code == 2
    assert result.stderr == f"CommandError: argument {option}: must not be empty\n"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_empty_config_vars_is_exit_2_from_the_command_line(fmt: str) -> None:
    result = run_manage("preflight", "--format", fmt, "--config-vars", "")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "manage.py preflight: error: argument --config-vars: must not be empty"
    )
    if fmt == "json":
        assert json.loads(result.stdout)["error"] == "argument --config-vars: must not be empty"
    else:
        assert result.stdout == ""
