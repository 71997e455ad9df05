"""
E105–W106: a second evaluation of the whole settings tree (the project modules it imports), in
this process and in the simulated dyno: a SECRET_KEY generated at boot, variables read but unset.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import RunResult
from deploytools.context import Context, DynoContext, SettingsRecording, Skipped
from deploytools.facts import dyno
from deploytools.facts.environment_reads import Read, project_modules
from tests.helpers import DYNO_BASE_SETTINGS, ROOT, messages_by_id, project_at, settings_module


def ids(name: str, context: Context | None = None) -> list[str]:
    """The message IDs of one check, run as our commands run it."""
    messages = CATALOGUE[name].func(context=context or Context(project=project_at(Path.cwd())))
    return [str(m.id) for m in messages]


def _settings_module(tmp_path: Path, name: str, body: str, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_e105_secret_key_differs_from_a_second_evaluation() -> None:
    # tests.settings evaluated again gives the key it gave at startup...
    assert ids("secret_key_stable") == []
    # ... and a key that is not what the module gives is caught.
    with override_settings(SECRET_KEY="not-what-the-module-says-" + "x" * 40):
        assert ids("secret_key_stable") == ["deploytools.E105"]


def test_w106_lists_unset_variables_whose_fallback_breaks_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _settings_module(
        tmp_path,
        "w106_inprocess_settings",
        "import os\n"
        "SECRET_KEY = 'fixed'\n"
        "A = os.environ.get('W106_CACHE_URL', 'redis://localhost:6379/0')\n"
        "B = os.getenv('W106_FEATURE', 'off')\n"
        "C = 'W106_OPTIONAL' in os.environ\n"
        "D = os.environ.get('PORT'), os.environ.get('DYNO')\n"
        "E = os.environ.get('W106_SENTRY_DSN')\n"
        "F = os.environ.get('W106_DEBUG', 'True')\n"
        "G = os.environ.get('W106_API_TOKEN', 'django-insecure-abc')\n",
        monkeypatch,
    )
    context = Context(config_vars={})
    with override_settings(
        SETTINGS_MODULE=module, DEPLOYTOOLS={"OPTIONAL_ENV_VARS": ["W106_OPTIONAL"]}
    ):
        messages = CATALOGUE["environment_complete"].func(context=context)
        assert [m.id for m in messages] == ["deploytools.W106"]
        assert messages[0].msg.endswith(
            "breaks production: W106_CACHE_URL (a local service), W106_DEBUG (DEBUG on), "
            "W106_API_TOKEN (a key written in the code or generated at each boot)."
        )
        # An "off" default, a presence test, a lookup without default: nothing breaks.
        for quiet in ("W106_FEATURE", "W106_OPTIONAL", "W106_SENTRY_DSN", "PORT", "DYNO"):
            assert quiet not in messages[0].msg
        complete = Context(
            config_vars={"W106_CACHE_URL": "x", "W106_DEBUG": "0", "W106_API_TOKEN": "y"}
        )
        assert ids("environment_complete", complete) == []
    # The evaluation left no trace: os.environ is the real one, the module is not cached.
    assert type(__import__("os").environ).__name__ == "_Environ"
    assert module not in sys.modules


def test_w106_and_e105_skip_without_a_settings_module() -> None:
    with override_settings(SETTINGS_MODULE=None):
        for name in ("environment_complete", "secret_key_stable"):
            with pytest.raises(Skipped):
                ids(name)


def test_w106_skips_when_the_second_evaluation_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _settings_module(
        tmp_path, "w106_raising_settings", "raise RuntimeError('boom')\n", monkeypatch
    )
    with override_settings(SETTINGS_MODULE=module), pytest.raises(Skipped, match="RuntimeError"):
        ids("environment_complete")


FIXED_KEY = "fixed-key-3c9f1a7e5b2d8c4f6a0e9d7b5c3a1f8e2d4b6c8a0f9e7d5"


def write(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(body))


def wrapper_project(tmp_path: Path, base_body: str) -> str:
    """A settings module that only does `from <base> import *`; the base lives elsewhere."""
    write(tmp_path / "lib", "reeval_base", DYNO_BASE_SETTINGS + textwrap.dedent(base_body))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    write(tmp_path / "proj", "settings", "from reeval_base import *  # noqa: F403\n")
    return "proj.settings"


def run_in_dyno(
    tmp_path: Path, module: str, config: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> RunResult:
    # The child gets the inherited PYTHONPATH: the base module is on it, not in a package.
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "lib"))
    return dyno.start_in_dyno(config, project_at(tmp_path), settings_module=module).result()


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
    assert "deploytools.E105" in messages_by_id(result)


def test_e105_key_from_a_config_var_in_the_base_module_passes(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = wrapper_project(tmp_path, "SECRET_KEY = os.environ['REEVAL_SECRET_KEY']\n")
    result = run_in_dyno(tmp_path, module, {"REEVAL_SECRET_KEY": FIXED_KEY}, monkeypatch)
    assert status(result, "secret_key_stable") == ("passed", "same value on a second evaluation")
    assert "deploytools.E105" not in messages_by_id(result)
    everything = json.dumps([messages_by_id(result), [c.detail for c in result.checks]])
    assert FIXED_KEY not in everything


def test_w106_lists_a_variable_read_only_in_the_base_module(
    tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = wrapper_project(
        tmp_path,
        """\
        SECRET_KEY = os.environ['REEVAL_SECRET_KEY']
        SENTRY_DSN = os.environ.get('REEVAL_SENTRY_DSN')
        FLAVOUR = os.environ.get('REEVAL_ENVIRONMENT', 'development')
        """,
    )
    config = {"REEVAL_SECRET_KEY": FIXED_KEY}
    result = run_in_dyno(tmp_path, module, config, monkeypatch)
    assert status(result, "environment_complete")[0] == "failed"
    (message,) = messages_by_id(result)["deploytools.W106"]
    # Only the project's reads count: none of Python's or the libraries' own variables.
    assert message.endswith("breaks production: REEVAL_ENVIRONMENT (the development settings).")

    complete = {**config, "REEVAL_ENVIRONMENT": "production"}
    result = run_in_dyno(tmp_path, module, complete, monkeypatch)
    state, detail = status(result, "environment_complete")
    assert state == "passed"
    assert "1 not in the config" in detail
    assert "unset, falling back safely: REEVAL_SENTRY_DSN" in detail
    assert int(detail.split()[0]) >= 3  # every read of the base module was seen
    assert "deploytools.W106" not in messages_by_id(result)


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
    assert "deploytools.E105" in messages_by_id(result)
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
    recorded = DynoContext(
        recording=SettingsRecording(
            environ_before=environ_before,
            modules=["reeval_inproc_base"],
            reads={"REEVAL_INPROC_KEY": Read("REEVAL_INPROC_KEY", "setdefault")},
        )
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
    names = {"json", "django.conf", "deploytools.conf", "tests.settings", "no.such.module"}
    assert project_modules(names, ROOT) == ["tests.settings"]
    assert project_modules(names, tmp_path) == []


def test_e105_random_secret_key_per_boot(tmp_path: Path) -> None:
    module = settings_module(
        tmp_path,
        "sim_random_key",
        """\
        from django.core.management.utils import get_random_secret_key
        SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
        """,
    )
    result = dyno.start_in_dyno({}, project_at(tmp_path), settings_module=module).result()
    assert "deploytools.E105" in messages_by_id(result)
    fixed = dyno.start_in_dyno(
        {"DJANGO_SECRET_KEY": "f" * 60}, project_at(tmp_path), settings_module=module
    )
    assert "deploytools.E105" not in messages_by_id(fixed.result())


def test_w106_missing_config_vars_in_a_settings_package(tmp_path: Path) -> None:
    package = tmp_path / "simconf" / "settings"
    package.mkdir(parents=True)
    (tmp_path / "simconf" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        DYNO_BASE_SETTINGS
        + "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n"
        + "SENTRY_DSN = os.getenv('SENTRY_DSN')\n"
        + "FEATURE = 'SIM_FEATURE_FLAG' in os.environ\n"
        + "LEVEL = os.environ.get('SIM_LOG_LEVEL', 'INFO')\n"
        + "CACHE = os.environ.get('SIM_CACHE_URL', 'redis://127.0.0.1:6379/1')\n"
        + "DEPLOYTOOLS = {'OPTIONAL_ENV_VARS': ['SIM_LOG_LEVEL']}\n"
    )
    (package / "production.py").write_text("from .base import *  # noqa\n")
    config = {"DJANGO_SECRET_KEY": "p" * 60}
    result = dyno.start_in_dyno(
        config, project_at(tmp_path), settings_module="simconf.settings.production"
    ).result()
    [text] = messages_by_id(result)["deploytools.W106"]
    assert "SIM_CACHE_URL (a local service)" in text
    quiet = ("SENTRY_DSN", "SIM_FEATURE_FLAG", "SIM_LOG_LEVEL", "DJANGO_SECRET_KEY", "DYNO")
    for name in (*quiet, "PORT", "DATABASE_URL", "HOME"):
        assert name not in text
    complete = {**config, "SIM_CACHE_URL": "redis://cache.example:6379/1"}
    result = dyno.start_in_dyno(
        complete, project_at(tmp_path), settings_module="simconf.settings.production"
    ).result()
    assert "deploytools.W106" not in messages_by_id(result)
