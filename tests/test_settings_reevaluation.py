"""E105 / W106 see the whole settings tree (project modules it imports) in a fresh environment."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from deploytools import simulate
from deploytools.checks.registry import CATALOGUE, Context
from deploytools.checks.run import RunResult

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
FIXED_KEY = "fixed-key-3c9f1a7e5b2d8c4f6a0e9d7b5c3a1f8e2d4b6c8a0f9e7d5"


def write(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(body))


def wrapper_project(tmp_path: Path, base_body: str) -> str:
    """A settings module that only does `from <base> import *`; the base lives elsewhere."""
    write(tmp_path / "lib", "reeval_base", BASE_SETTINGS + textwrap.dedent(base_body))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    write(tmp_path / "proj", "settings", "from reeval_base import *  # noqa: F403\n")
    return "proj.settings"


def run_in_dyno(
    tmp_path: Path, module: str, config: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> RunResult:
    # The child gets the inherited PYTHONPATH: the base module is on it, not in a package.
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "lib"))
    return simulate.start_in_dyno(config, tmp_path, settings_module=module).result()


def found(result: RunResult) -> dict[str, list[str]]:
    messages: dict[str, list[str]] = {}
    for message in result.messages:
        messages.setdefault(str(message.id), []).append(str(message.msg))
    return messages


def status(result: RunResult, name: str) -> tuple[str, str]:
    check = next(check for check in result.checks if check.name == name)
    return check.status, check.detail


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    (tmp_path / "lib").mkdir()
    return tmp_path / "lib"


def test_e105_random_key_in_an_imported_base_module_fails(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = wrapper_project(
        tmp_path,
        """\
        from django.core.management.utils import get_random_secret_key
        SECRET_KEY = get_random_secret_key()
        """,
    )
    result = run_in_dyno(tmp_path, module, {}, monkeypatch)
    assert status(result, "settings_load")[0] == "passed"
    assert status(result, "secret_key_stable")[0] == "failed"
    assert "deploytools.E105" in found(result)


def test_e105_key_from_a_config_var_in_the_base_module_passes(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = wrapper_project(tmp_path, "SECRET_KEY = os.environ['REEVAL_SECRET_KEY']\n")
    result = run_in_dyno(tmp_path, module, {"REEVAL_SECRET_KEY": FIXED_KEY}, monkeypatch)
    assert status(result, "secret_key_stable") == ("passed", "same value on a second evaluation")
    assert "deploytools.E105" not in found(result)
    everything = json.dumps([found(result), [c.detail for c in result.checks]])
    assert FIXED_KEY not in everything


def test_w106_lists_a_variable_read_only_in_the_base_module(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = wrapper_project(
        tmp_path,
        """\
        SECRET_KEY = os.environ['REEVAL_SECRET_KEY']
        SENTRY_DSN = os.environ.get('REEVAL_SENTRY_DSN')
        """,
    )
    config = {"REEVAL_SECRET_KEY": FIXED_KEY}
    result = run_in_dyno(tmp_path, module, config, monkeypatch)
    assert status(result, "environment_complete")[0] == "failed"
    (message,) = found(result)["deploytools.W106"]
    assert "REEVAL_SENTRY_DSN" in message
    # Only the project's reads count: none of Python's or the libraries' own variables.
    assert message.endswith("config: REEVAL_SENTRY_DSN.")

    complete = {**config, "REEVAL_SENTRY_DSN": "https://key@sentry.example/1"}
    result = run_in_dyno(tmp_path, module, complete, monkeypatch)
    state, detail = status(result, "environment_complete")
    assert state == "passed"
    assert detail.endswith(", 0 missing")
    assert int(detail.split()[0]) >= 2  # both reads of the base module were seen
    assert "deploytools.W106" not in found(result)


def test_e105_setdefault_into_the_environment_fails(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first evaluation writes the key into os.environ; the second must not read it back.
    module = wrapper_project(
        tmp_path,
        """\
        from django.core.management.utils import get_random_secret_key
        SECRET_KEY = os.environ.setdefault('REEVAL_GENERATED_KEY', get_random_secret_key())
        """,
    )
    result = run_in_dyno(tmp_path, module, {}, monkeypatch)
    assert status(result, "secret_key_stable")[0] == "failed"
    assert "deploytools.E105" in found(result)
    # With the variable in the config the key is stable.
    result = run_in_dyno(tmp_path, module, {"REEVAL_GENERATED_KEY": FIXED_KEY}, monkeypatch)
    assert status(result, "secret_key_stable")[0] == "passed"


def test_in_process_reevaluation_uses_a_copy_of_the_environment_and_restores_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REEVAL_INPROC_KEY", raising=False)
    write(
        tmp_path,
        "reeval_inproc_base",
        """\
        import os
        import secrets
        SECRET_KEY = os.environ.setdefault('REEVAL_INPROC_KEY', secrets.token_hex(32))
        """,
    )
    write(tmp_path, "reeval_inproc_settings", "from reeval_inproc_base import *  # noqa: F403\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    # As the child records it: the environment before the first import, the project modules.
    environ_before = dict(os.environ)
    import reeval_inproc_base  # type: ignore[import-not-found]

    first_key = reeval_inproc_base.SECRET_KEY
    assert os.environ["REEVAL_INPROC_KEY"] == first_key
    recorded = Context(
        options={
            "settings_environ": environ_before,
            "settings_modules": ["reeval_inproc_base"],
            "settings_reads": ["REEVAL_INPROC_KEY"],
        }
    )
    try:
        with override_settings(SETTINGS_MODULE="reeval_inproc_settings", SECRET_KEY=first_key):
            messages = CATALOGUE["secret_key_stable"].func(context=recorded)
            assert [m.id for m in messages] == ["deploytools.E105"]
            # Without the record (in process, best effort) the base module is not run again.
            assert CATALOGUE["secret_key_stable"].func(context=Context()) == []
        # The re-evaluation wrote nothing to the real environment and left the modules as
        # they were: the same base module object, no cached settings module.
        assert os.environ["REEVAL_INPROC_KEY"] == first_key
        assert sys.modules["reeval_inproc_base"] is reeval_inproc_base
        assert "reeval_inproc_settings" not in sys.modules
        assert type(os.environ).__name__ == "_Environ"
    finally:
        sys.modules.pop("reeval_inproc_base", None)


def test_project_modules_excludes_libraries_and_deploytools(tmp_path: Path) -> None:
    root = Path(simulate.__file__).resolve().parent.parent
    names = {"json", "django.conf", "deploytools.conf", "tests.settings", "no.such.module"}
    assert simulate.project_modules(names, root) == ["tests.settings"]
    assert simulate.project_modules(names, tmp_path) == []
