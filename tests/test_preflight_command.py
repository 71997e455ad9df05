"""manage.py preflight: the simulated dyno, --config-vars, JSON, --push and --list-checks."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from deploytools import configvars, preflight, simulate
from deploytools.checks.run import CheckResult, RunResult
from tests.conftest import ROOT, corner_ids, run_command, run_manage

EXAMPLE = ROOT / "deploy" / "production.env.example"
SETTINGS_CHECKS = {
    "settings_load",
    "production_database",
    "database_connection_reuse",
    "database_ssl",
    "secret_key_stable",
    "environment_complete",
    "whitenoise_middleware",
    "static_root",
    "static_storage",
    "logging_to_stdout",
    "upload_storage",
    "ssl_redirect_proxy",
    "email_backend",
    "allowed_hosts_wildcard",
}
BASE_SETTINGS = """\
import os
import dj_database_url

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "deploytools"]
DATABASES = {
    "default": dj_database_url.config(conn_max_age=600, conn_health_checks=True, ssl_require=True)
}
ALLOWED_HOSTS = [".herokuapp.com"]
USE_TZ = True
"""


def settings_module(tmp_path: Path, name: str, body: str) -> str:
    (tmp_path / f"{name}.py").write_text(BASE_SETTINGS + textwrap.dedent(body))
    return name


def messages(result: RunResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in result.messages:
        found.setdefault(str(message.id), []).append(str(message.msg))
    return found


# -- the simulated environment ---------------------------------------------------------------


def test_dyno_environment_is_minimal_and_never_points_at_the_real_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEVELOPER_ONLY_VARIABLE", "from-my-shell")
    config = {
        "DATABASE_URL": "postgres://realuser:realpass@db.example.com:5432/proddb?sslmode=require",
        "REDIS_URL": "rediss://:redispass@redis.example.com:6380/0",
        "ERROR_PAGE_URL": "https://pages.example.com/error.html",
        "DJANGO_SECRET_KEY": "k" * 50,
    }
    env = simulate.dyno_environment(config, ROOT, settings_module="weareone.settings")
    assert "DEVELOPER_ONLY_VARIABLE" not in env
    assert env["DYNO"] == "web.1"
    assert env["PORT"].isdigit()
    assert env["DJANGO_SETTINGS_MODULE"] == "weareone.settings"
    assert env["DJANGO_SECRET_KEY"] == "k" * 50
    assert env["ERROR_PAGE_URL"] == config["ERROR_PAGE_URL"]
    database = env["DATABASE_URL"]
    assert database.startswith("postgres://") and database.endswith("/proddb?sslmode=require")
    for real in ("realuser", "realpass", "db.example.com", "5432"):
        assert real not in database
    assert "redispass" not in env["REDIS_URL"] and "redis.example.com" not in env["REDIS_URL"]
    assert env["REDIS_URL"].startswith("rediss://") and env["REDIS_URL"].endswith("/0")
    # No DATABASE_URL in the config: a placeholder stands for attached Heroku Postgres.
    bare = simulate.dyno_environment({}, ROOT, process_type="worker")
    assert bare["DATABASE_URL"] == simulate.PLACEHOLDER_DATABASE_URL
    assert bare["DYNO"] == "worker.1"


def test_simulation_reports_a_clean_project(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path, "sim_clean", "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"
    )
    run = simulate.start_in_dyno({"DJANGO_SECRET_KEY": "s" * 60}, tmp_path, settings_module=module)
    result = run.result()
    names = {check.name for check in result.checks}
    assert names >= SETTINGS_CHECKS
    assert "check_debug" in names  # Django's own deploy checks ran in the dyno too
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"
    found = messages(result)
    for absent in ("deploytools.E100", "deploytools.E102", "deploytools.E105", "deploytools.W106"):
        assert absent not in found


def test_e100_when_the_settings_raise_and_the_value_is_scrubbed(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path,
        "sim_raises",
        """\
        from django.core.exceptions import ImproperlyConfigured
        raise ImproperlyConfigured("bad token " + os.environ["API_TOKEN"] + " rejected")
        """,
    )
    token = "tok_live_5f3a9c1e7b2d4f6a8c0e"
    result = simulate.start_in_dyno({"API_TOKEN": token}, tmp_path, settings_module=module).result()
    found = messages(result)
    assert list(found) == ["deploytools.E100"]
    assert "ImproperlyConfigured: bad token *** rejected" in found["deploytools.E100"][0]
    assert token not in json.dumps([found, [c.detail for c in result.checks]])


def test_e100_when_the_child_crashes_or_hangs(tmp_path: Path) -> None:
    crash = settings_module(tmp_path, "sim_crash", "os._exit(3)\n")
    result = simulate.start_in_dyno({}, tmp_path, settings_module=crash).result()
    assert "exited with code 3" in messages(result)["deploytools.E100"][0]
    hang = settings_module(tmp_path, "sim_hang", "import time\ntime.sleep(30)\n")
    result = simulate.start_in_dyno({}, tmp_path, settings_module=hang, timeout=1).result()
    assert "did not finish within 1 seconds" in messages(result)["deploytools.E100"][0]


def test_settings_that_print_do_not_break_the_report(tmp_path: Path) -> None:
    module = settings_module(tmp_path, "sim_prints", "SECRET_KEY = 'k' * 60\nprint('hello')\n")
    result = simulate.start_in_dyno({}, tmp_path, settings_module=module).result()
    assert "deploytools.E100" not in messages(result)
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"


def test_e105_random_secret_key_per_boot(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path,
        "sim_random_key",
        """\
        from django.core.management.utils import get_random_secret_key
        SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
        """,
    )
    result = simulate.start_in_dyno({}, tmp_path, settings_module=module).result()
    assert "deploytools.E105" in messages(result)
    fixed = simulate.start_in_dyno(
        {"DJANGO_SECRET_KEY": "f" * 60}, tmp_path, settings_module=module
    )
    assert "deploytools.E105" not in messages(fixed.result())


def test_w106_missing_config_vars_in_a_settings_package(tmp_path: Path) -> None:
    package = tmp_path / "simconf" / "settings"
    package.mkdir(parents=True)
    (tmp_path / "simconf" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        BASE_SETTINGS
        + "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"
        + "SENTRY_DSN = os.getenv('SENTRY_DSN')\n"
        + "FEATURE = 'SIM_FEATURE_FLAG' in os.environ\n"
        + "LEVEL = os.environ.get('SIM_LOG_LEVEL', 'INFO')\n"
        + "DEPLOYTOOLS = {'OPTIONAL_ENV_VARS': ['SIM_LOG_LEVEL']}\n"
    )
    (package / "production.py").write_text("from .base import *  # noqa\n")
    config = {"DJANGO_SECRET_KEY": "p" * 60}
    result = simulate.start_in_dyno(
        config, tmp_path, settings_module="simconf.settings.production"
    ).result()
    [text] = messages(result)["deploytools.W106"]
    assert "SENTRY_DSN" in text and "SIM_FEATURE_FLAG" in text
    for quiet in ("SIM_LOG_LEVEL", "DJANGO_SECRET_KEY", "DYNO", "PORT", "DATABASE_URL", "HOME"):
        assert quiet not in text
    complete = {**config, "SENTRY_DSN": "https://k@sentry.example/1", "SIM_FEATURE_FLAG": "1"}
    result = simulate.start_in_dyno(
        complete, tmp_path, settings_module="simconf.settings.production"
    ).result()
    assert "deploytools.W106" not in messages(result)


def test_simulation_of_a_sqlite_config_reports_e102(tmp_path: Path) -> None:
    module = settings_module(tmp_path, "sim_sqlite", "SECRET_KEY = 'k' * 60\n")
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = simulate.start_in_dyno(config, tmp_path, settings_module=module).result()
    assert "deploytools.E102" in messages(result)


# -- config vars files ---------------------------------------------------------------------------


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
        ("A=1\n\nnot a line\n", 3, "has no '='"),
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
    outcome = run_command("preflight", "--config-vars", str(EXAMPLE), "--app", "x")
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


# -- the command -------------------------------------------------------------------------------


def test_preflight_json_contract_with_the_example_config() -> None:
    outcome = run_manage("preflight", "--format", "json", "--config-vars", str(EXAMPLE))
    assert outcome.exit_code in (0, 1), outcome.stderr
    document = json.loads(outcome.stdout)
    assert set(document) == {"command", "exit_code", "messages", "checks", "summary"}
    assert document["command"] == "preflight"
    assert document["exit_code"] == outcome.exit_code
    for message in document["messages"]:
        assert set(message) == {"id", "level", "msg", "hint", "obj"}
    for check in document["checks"]:
        assert set(check) == {"name", "title", "tags", "status", "ids", "detail"}
        assert check["status"] in {"passed", "failed", "skipped"}
    assert set(document["summary"]) == {
        "errors",
        "warnings",
        "infos",
        "passed",
        "failed",
        "skipped",
        "seconds",
    }
    # weareone with its production config: the settings part is clean.
    by_name = {check["name"]: check for check in document["checks"]}
    assert set(by_name) >= SETTINGS_CHECKS
    settings_side = [c for c in document["checks"] if "settings" in c["tags"] or not c["tags"]]
    assert all(c["status"] in ("passed", "skipped") for c in settings_side), settings_side
    assert "check_debug" in by_name  # Django's deploy checks, from the dyno
    settings_ids = {i for c in settings_side for i in c["ids"]}
    assert not settings_ids
    assert not [m for m in document["messages"] if not m["id"].startswith("deploytools.")]


def test_check_deploy_passes_with_the_example_config_on_a_dyno() -> None:
    env = {**configvars.read_config_vars_file(EXAMPLE), "DYNO": "web.1"}
    outcome = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    reported = re.findall(r"\(([\w.]+)\)", outcome.stdout + outcome.stderr)
    # Only the state of this git checkout (4xx) may be reported: the settings are clean.
    expected = corner_ids()
    assert [
        i for i in reported if not re.fullmatch(r"deploytools\.[EWI]4\d\d", i) and i not in expected
    ] == []
    if not reported:
        assert outcome.exit_code == 0


def test_text_heading_names_project_module_and_config_source() -> None:
    outcome = run_manage("preflight", "--config-vars", str(EXAMPLE))
    first = outcome.stdout.splitlines()[0]
    assert "weareone.settings" in first and str(EXAMPLE) in first
    assert "Settings load with the production config" in outcome.stdout
    assert outcome.stderr == ""  # progress lines only on a terminal


def test_list_checks_prints_the_whole_catalogue() -> None:
    outcome = run_command("preflight", "--list-checks")
    assert outcome.exit_code == 0
    for msg_id in ("deploytools.E001", "deploytools.E100", "deploytools.W106", "deploytools.W114"):
        assert msg_id in outcome.stdout
    assert "preflight,release,settings" in outcome.stdout


def test_options_reach_the_checks_and_push_implies_tests_and_collectstatic() -> None:
    assert preflight.context_options({"push": True}) == {
        "run_tests": True,
        "collectstatic": True,
        "push": True,
    }
    assert preflight.context_options({"collectstatic": True}) == {
        "run_tests": False,
        "collectstatic": True,
        "push": False,
    }


def _fake_preflight(status: str, pushed: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core import checks

    result = RunResult("preflight")
    message = checks.Error("broken", id="deploytools.E102") if status == "failed" else None
    result.checks.append(
        CheckResult(
            "production_database",
            "t",
            ("deploytools",),
            status,
            messages=[message] if message else [],
        )
    )

    def run_preflight(options: dict[str, Any], **kwargs: Any) -> preflight.Preflight:
        assert options["push"] is True
        return preflight.Preflight(result, "Preflight", Path("/nonexistent-project"))

    def push_release(base_dir: Path, stdout: Any) -> int:
        pushed.append(base_dir)
        stdout.write("git push heroku local/production:master\n")
        return 0

    monkeypatch.setattr(preflight, "run_preflight", run_preflight)
    monkeypatch.setattr("deploytools.gitutil.push_release", push_release)
    # No checkout here: the branch and clean-tree refusal has its own tests with a real repo.
    monkeypatch.setattr(preflight, "push_refusal", lambda base_dir, result=None: None)


def test_push_runs_only_when_nothing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    pushed: list[Path] = []
    _fake_preflight("failed", pushed, monkeypatch)
    outcome = run_command("preflight", "--push")
    assert outcome.exit_code == 1 and pushed == []
    _fake_preflight("passed", pushed, monkeypatch)
    outcome = run_command("preflight", "--push")
    assert outcome.exit_code == 0 and pushed == [Path("/nonexistent-project")]
    assert outcome.stdout.rstrip().endswith("git push heroku local/production:master")
    outcome = run_command("preflight", "--push", "--format", "json")
    assert json.loads(outcome.stdout)["push"] == {"exit_code": 0}


def test_the_child_runs_this_interpreter() -> None:
    env = simulate.dyno_environment({}, ROOT)
    assert Path(sys.executable).exists()
    assert str(ROOT) in env["PYTHONPATH"].split(os.pathsep)


def _example_with(tmp_path: Path, **changes: str) -> Path:
    config = {**configvars.read_config_vars_file(EXAMPLE), **changes}
    path = tmp_path / "production.env"
    path.write_text("".join(f"{name}={value}\n" for name, value in config.items()))
    return path


def test_empty_secret_key_config_var_fails_e100_and_e105_skips(tmp_path: Path) -> None:
    config = _example_with(tmp_path, DJANGO_SECRET_KEY="")
    outcome = run_manage("preflight", "--format", "json", "--config-vars", str(config))
    assert outcome.exit_code == 1, outcome.stderr
    document = json.loads(outcome.stdout)
    checks = {check["name"]: check for check in document["checks"]}
    load = checks["settings_load"]
    assert (load["status"], load["ids"]) == ("failed", ["deploytools.E100"])
    [message] = [m for m in document["messages"] if m["id"] == "deploytools.E100"]
    assert "SECRET_KEY setting must not be empty" in message["msg"]
    assert message["hint"].endswith("DJANGO_SECRET_KEY=$(openssl rand -base64 48)")
    stable = checks["secret_key_stable"]
    assert (stable["status"], stable["detail"]) == (
        "skipped",
        "settings.SECRET_KEY cannot be read (see E100)",
    )
    assert "deploytools.E002" not in outcome.stdout


def test_malformed_database_url_is_e100_without_its_value(tmp_path: Path) -> None:
    bad = "postgres://u:Pa55-s3cret@db.example.com:notaport/d"
    config = _example_with(tmp_path, DATABASE_URL=bad)
    documents = {}
    for output in ("json", "text"):
        outcome = run_manage("preflight", "--format", output, "--config-vars", str(config))
        assert outcome.exit_code == 1, outcome.stderr
        joined = outcome.stdout + outcome.stderr
        for part in ("Pa55-s3cret", "db.example.com", "notaport"):
            assert part not in joined
        documents[output] = outcome.stdout
    document = json.loads(documents["json"])
    load = {check["name"]: check for check in document["checks"]}["settings_load"]
    assert (load["status"], load["ids"]) == ("failed", ["deploytools.E100"])
    [message] = [m for m in document["messages"] if m["id"] == "deploytools.E100"]
    assert message["obj"] == "DATABASE_URL"
    assert message["msg"] == (
        "The config var DATABASE_URL cannot be parsed: its port is not a number from 0 to "
        "65535. A dyno would not boot."
    )
    assert "deploytools.E100" in documents["text"]


def test_database_url_problem_names_the_problem_never_the_value() -> None:
    assert simulate.database_url_problem({}) is None
    assert simulate.database_url_problem({"DATABASE_URL": "postgres://u:p@h:5432/d"}) is None
    cases = {
        "postgres://u:p@h:notaport/d": "its port is not a number",
        "nosuchdb://u:p@h/d": "its scheme is not one dj-database-url knows",
        "postgres://u:p@[::1/d": "it is not a valid URL",
    }
    for url, reason in cases.items():
        problem = simulate.database_url_problem({"DATABASE_URL": url})
        assert problem is not None and problem.startswith(reason), (url, problem)
        assert "nosuchdb" not in problem and "::1" not in problem
