"""The simulated dyno: its environment, its report, and E100 when the settings cannot load there."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from deploytools.facts import config_vars as configvars
from deploytools.facts import dyno
from tests.helpers import (
    EXAMPLE_CONFIG,
    ROOT,
    SETTINGS_CHECKS,
    messages_by_id,
    project_at,
    run_manage,
    settings_module,
)


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
    env = dyno.dyno_environment(config, project_at(ROOT), settings_module="weareone.settings")
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
    bare = dyno.dyno_environment({}, project_at(ROOT), process_type="worker")
    assert bare["DATABASE_URL"] == dyno.PLACEHOLDER_DATABASE_URL
    assert bare["DYNO"] == "worker.1"


def test_simulation_reports_a_clean_project(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path, "sim_clean", "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"
    )
    run = dyno.start_in_dyno(
        {"DJANGO_SECRET_KEY": "s" * 60}, project_at(tmp_path), settings_module=module
    )
    result = run.result()
    names = {check.name for check in result.checks}
    assert names >= SETTINGS_CHECKS
    assert "check_debug" in names  # Django's own deploy checks ran in the dyno too
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"
    found = messages_by_id(result)
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
    result = dyno.start_in_dyno(
        {"API_TOKEN": token}, project_at(tmp_path), settings_module=module
    ).result()
    found = messages_by_id(result)
    assert list(found) == ["deploytools.E100"]
    assert "ImproperlyConfigured: bad token *** rejected" in found["deploytools.E100"][0]
    assert token not in json.dumps([found, [c.detail for c in result.checks]])


def test_e100_when_the_child_crashes_or_hangs(tmp_path: Path) -> None:
    crash = settings_module(tmp_path, "sim_crash", "os._exit(3)\n")
    result = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=crash).result()
    assert "exited with code 3" in messages_by_id(result)["deploytools.E100"][0]
    hang = settings_module(tmp_path, "sim_hang", "import time\ntime.sleep(30)\n")
    result = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=hang, timeout=1).result()
    assert "did not finish within 1 seconds" in messages_by_id(result)["deploytools.E100"][0]


def test_settings_that_print_do_not_break_the_report(tmp_path: Path) -> None:
    module = settings_module(tmp_path, "sim_prints", "SECRET_KEY = 'k' * 60\nprint('hello')\n")
    result = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=module).result()
    assert "deploytools.E100" not in messages_by_id(result)
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"


def test_settings_writing_to_descriptor_1_do_not_break_the_report(tmp_path: Path) -> None:
    # C extensions and child processes write to the descriptor, not to sys.stdout.
    module = settings_module(
        tmp_path,
        "sim_fd_writes",
        """\
        import subprocess, sys
        SECRET_KEY = "k" * 60
        os.write(1, b"{not json")
        subprocess.run([sys.executable, "-c", "print('a child process says hi')"], check=True)
        """,
    )
    result = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=module).result()
    assert "deploytools.E100" not in messages_by_id(result)
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"


def test_a_thread_the_settings_start_does_not_hold_a_finished_report(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path,
        "sim_thread",
        """\
        import threading, time
        SECRET_KEY = "k" * 60
        threading.Thread(target=time.sleep, args=(600,), name="never-ends").start()
        """,
    )
    started = time.monotonic()
    run = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=module, timeout=60)
    result = run.result()
    # Without the exit once the report is written: "did not finish within 60 seconds".
    assert time.monotonic() - started < 30
    assert "deploytools.E100" not in messages_by_id(result)
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"


def test_the_memory_child_exits_once_its_result_is_written(tmp_path: Path) -> None:
    from deploytools.facts import sizing

    (tmp_path / "hostile_child.py").write_text(
        "import threading, time\n"
        "from deploytools.facts.sizing import write_result\n"
        "def work(payload):\n"
        "    threading.Thread(target=time.sleep, args=(600,)).start()\n"
        "    write_result(payload, {'measured': 1})\n"
    )
    env = {"PATH": os.environ.get("PATH", "")}
    started = time.monotonic()
    result = sizing.run_child("hostile_child:work", {}, env, tmp_path, timeout=60)
    assert result == {"measured": 1}
    assert time.monotonic() - started < 30


def test_simulation_of_a_sqlite_config_reports_e102(tmp_path: Path) -> None:
    module = settings_module(tmp_path, "sim_sqlite", "SECRET_KEY = 'k' * 60\n")
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    result = dyno.start_in_dyno(config, project_at(tmp_path), settings_module=module).result()
    assert "deploytools.E102" in messages_by_id(result)


def test_config_vars_python_reads_at_startup_reach_the_dyno_s_interpreter(
    tmp_path: Path,
) -> None:
    # The dyno's process starts before the config is known; PYTHONUTF8 (like PYTHONHASHSEED
    # or LANG) only acts when an interpreter starts, so a config that sets one gets a new one.
    body = (
        "import sys\n"
        "SECRET_KEY = 'k' * 60\n"
        "if not sys.flags.utf8_mode:\n"
        "    raise RuntimeError('PYTHONUTF8 was not seen at startup')\n"
    )
    module = settings_module(tmp_path, "sim_utf8", body)
    config = {"PYTHONUTF8": "1", "DJANGO_SECRET_KEY": "s" * 60}
    result = dyno.start_in_dyno(config, project_at(tmp_path), settings_module=module).result()
    assert {c.name: c.status for c in result.checks}["settings_load"] == "passed"
    assert dyno.startup_variables({**config, "LANG": "fr_FR.UTF-8", "LC_ALL": "C"}) == {
        "PYTHONUTF8": "1",
        "LANG": "fr_FR.UTF-8",
        "LC_ALL": "C",
    }


def test_the_checks_import_before_any_settings_are_configured() -> None:
    # The dyno's process imports them while the parent exports the commit, before the
    # project's settings exist: a module that reads a setting on import breaks every run.
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "import deploytools.facts.dyno_child\n"
        "from deploytools.checks.registry import load_catalogue\n"
        "load_catalogue()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_the_child_runs_this_interpreter() -> None:
    env = dyno.dyno_environment({}, project_at(ROOT))
    assert Path(sys.executable).exists()
    assert str(ROOT) in env["PYTHONPATH"].split(os.pathsep)


def _example_with(tmp_path: Path, **changes: str) -> Path:
    config = {**configvars.read_config_vars_file(EXAMPLE_CONFIG), **changes}
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
    assert dyno.database_url_problem({}) is None
    assert dyno.database_url_problem({"DATABASE_URL": "postgres://u:p@h:5432/d"}) is None
    cases = {
        "postgres://u:p@h:notaport/d": "its port is not a number",
        "nosuchdb://u:p@h/d": "its scheme is not one dj-database-url knows",
        "postgres://u:p@[::1/d": "it is not a valid URL",
    }
    for url, reason in cases.items():
        problem = dyno.database_url_problem({"DATABASE_URL": url})
        assert problem is not None and problem.startswith(reason), (url, problem)
        assert "nosuchdb" not in problem and "::1" not in problem
