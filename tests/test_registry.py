"""The catalogue of checks: declarations, registration with Django, the contexts checks need."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.checks import Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE, MODULES, CheckSpec, check, load_catalogue
from deploytools.checks.run import run_one
from deploytools.context import Context, PreflightContext, ProductionContext, ReleaseContext
from tests.helpers import ROOT, run_manage


def test_checks_are_registered_with_django() -> None:
    # A plain `manage.py check` runs E001 (deploy=False) and fails on it like on Django's own.
    with override_settings(DEPLOYTOOLS={"NOPE": 1}), pytest.raises(SystemCheckError) as exc:
        call_command("check")
    assert "deploytools.E001" in str(exc.value)


def test_a_plain_check_runs_only_the_checks_declared_for_it() -> None:
    # W003 is a deploy check of the same module as E001: `check --deploy` runs it, a plain
    # `manage.py check` does not (nor does it read the platform data W003 needs).
    from django.core.checks import run_checks

    long_waits = {"DATABASE_WAIT_SECONDS": 3000, "MIGRATION_LOCK_TIMEOUT_SECONDS": 3000}
    with override_settings(DEPLOYTOOLS=long_waits):
        plain = {m.id for m in run_checks(tags=["deploytools"])}
        deploy = {m.id for m in run_checks(tags=["deploytools"], include_deployment_checks=True)}
    assert "deploytools.W003" not in plain
    assert "deploytools.W003" in deploy
    # Only checks.core is imported by a plain check: a deploy=False check lives there.
    assert {s.func.__module__ for s in load_catalogue().values() if not s.deploy} == {
        "deploytools.checks.core"
    }


def test_silenced_system_checks_silence_our_ids() -> None:
    with override_settings(DEPLOYTOOLS={"NOPE": 1}, SILENCED_SYSTEM_CHECKS=["deploytools.E001"]):
        call_command("check")  # does not raise
        result = run_one(CATALOGUE["deploytools_setting"], Context())
    assert result.status == "passed"
    assert result.messages == []
    assert "silenced: deploytools.E001" in result.detail


def test_every_check_declares_its_ids_meanings_title_tags_and_context() -> None:
    for spec in load_catalogue().values():
        assert spec.ids, spec.name
        assert str(spec.title), spec.name
        assert "deploytools" in spec.tags
        assert issubclass(spec.context_type, Context), spec.name
        for short, meaning in spec.meanings.items():
            assert short[0] in "EWI" and short[1:].isdigit() and len(short) == 4, short
            assert str(meaning).strip(), short
    numbers = [i[13:] for spec in CATALOGUE.values() for i in spec.ids]
    assert len(numbers) == len(set(numbers)), "check numbers must be unique across letters"


def test_each_module_covers_one_id_range_and_says_so_first() -> None:
    for module, _tags in MODULES.items():
        specs = [spec for spec in CATALOGUE.values() if spec.func.__module__ == module]
        assert specs, module
        first_line = (sys.modules[module].__doc__ or "").strip().splitlines()[0]
        numbers = sorted(int(i[13:]) for spec in specs for i in spec.ids)
        shown = {f"{i[12:]}" for spec in specs for i in spec.ids}
        # The first line names the range: its lowest and highest ID (or each ID).
        assert any(short in first_line for short in shown), (module, first_line)
        assert numbers[-1] - numbers[0] < 100 or module.endswith("runs"), module


def test_modules_table_matches_each_modules_declarations() -> None:
    for spec in load_catalogue().values():
        module = spec.func.__module__
        # The lazy Django registration claims these tags for the whole module.
        assert spec.tags == ("deploytools", *MODULES[module]), spec.name
        assert spec.deploy or module == "deploytools.checks.core", spec.name


def test_a_check_names_the_file_that_declares_it() -> None:
    assert CATALOGUE["heroku_stack"].source == "checks/heroku_platform.py"
    assert CATALOGUE["deploytools_setting"].source == "checks/core.py"
    for spec in CATALOGUE.values():
        assert (ROOT / "deploytools" / spec.source).is_file(), spec.name


def test_a_check_that_needs_another_context_is_skipped_with_the_reason() -> None:
    line = run_one(CATALOGUE["heroku_stack"], Context())
    assert (line.status, line.detail) == (
        "skipped",
        "no Heroku snapshot (run manage.py production_check)",
    )
    line = run_one(CATALOGUE["release_migrate"], PreflightContext())
    assert (line.status, line.detail) == ("skipped", "runs in manage.py heroku_release only")
    assert CATALOGUE["heroku_stack"].context_type is ProductionContext
    assert CATALOGUE["release_migrate"].context_type is ReleaseContext


def test_a_check_emitting_an_undeclared_id_fails_loudly_in_tests() -> None:
    # conftest sets DEPLOYTOOLS_ASSERT_DECLARED_IDS for the whole suite.
    assert os.environ.get("DEPLOYTOOLS_ASSERT_DECLARED_IDS") == "1"

    def stray(context: Context) -> list[Warning]:
        return [Warning("x", id="deploytools.W999")]

    spec = CheckSpec(
        name="stray",
        title="Stray",
        meanings={"W998": "declared"},
        tags=("deploytools",),
        deploy=True,
        context_type=Context,
        func=stray,
    )
    with pytest.raises(AssertionError, match="W999"):
        run_one(spec, Context())


def test_declaring_a_check_reads_its_context_from_the_signature() -> None:
    with pytest.raises(TypeError, match="annotate its parameter"):

        @check(name="untyped_demo", title="Demo", ids={"W997": "demo"}, tags=["preflight"])
        def untyped(context: int) -> list[Warning]:  # not a Context
            return []

    assert "untyped_demo" not in CATALOGUE


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
    # `check --deploy` imports the modules and runs their checks: on a dev checkout the
    # settings checks report (E102: SQLite).
    deploy = run_manage("check", "--deploy", "--tag", "settings")
    assert "deploytools.E102" in deploy.stderr
