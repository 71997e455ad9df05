"""
The simulated dyno's side: ``python -m deploytools.facts.dyno_child`` (started by
:mod:`deploytools.facts.dyno`).

It imports the settings with the environment recorded, sets Django up, runs Django's deploy
checks and the deploytools checks tagged "settings", and prints one JSON report on its real
stdout, every secret scrubbed out. Whatever the project prints goes to stderr: file
descriptor 1 itself points at stderr while project code runs, so C extensions and child
processes cannot write into the report either. Once the report is written the process exits
at once: a thread the settings started (a non-daemon one would otherwise keep the interpreter
alive) has nothing left to contribute.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from deploytools.facts.environment_reads import load_settings_recorded
from deploytools.facts.stand_ins import install as install_stand_ins


def _child(args: argparse.Namespace) -> int:
    """Load the settings, run the checks, print the JSON report on the real stdout."""
    # Settings or checks that print must not corrupt the one JSON document on stdout: the
    # report keeps a copy of the real stdout, and descriptor 1 becomes stderr (for C code and
    # child processes), as does sys.stdout (for Python code).
    sys.stdout.flush()
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    names = [name for name in args.config_names.split(",") if name]
    config = {name: os.environ[name] for name in names if name in os.environ}
    try:
        document = _child_document(args, config)
    finally:
        sys.stdout = real_stdout
    from deploytools import redact

    secrets = redact.secret_values(config) | _settings_secrets()
    document = redact.redact_document(document, secrets)
    report.write(json.dumps(document, ensure_ascii=False))
    report.close()
    return 0


def _settings_secrets() -> set[str]:
    from deploytools import redact

    with contextlib.suppress(Exception):
        # A literal SECRET_KEY in the settings is as secret as a config var.
        return redact.settings_secrets()
    return set()


def _child_document(args: argparse.Namespace, config: dict[str, str]) -> dict[str, Any]:
    import django

    from deploytools.context import DynoContext, SettingsRecording
    from deploytools.facts.project import Project

    app_dir = Path.cwd()
    stand_ins = install_stand_ins([n for n in args.build_packages.split(",") if n])
    try:
        recorded = load_settings_recorded(Path(args.tree))
        django.setup()
    except Exception as exc:  # noqa: BLE001 - any failure to load settings is the finding
        return _load_failure(args, config, exc)
    _speak(args.language)

    from deploytools.checks.run import run_checks, select
    from deploytools.facts.production_settings import gather
    from deploytools.report import document

    every_read = recorded.pop("every_read")
    config.setdefault("DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    context = DynoContext(
        command=args.command,
        project=Project(root=Path(args.root), tree=Path(args.tree), app_dir=app_dir),
        config_vars=config,
        recording=SettingsRecording(**recorded),
    )
    result = run_checks(context, select(["settings"]), include_django=True)
    report = document.to_json(result, result.exit_code("ERROR"))
    report["production_settings"] = gather(every_read).to_json()
    report["stand_ins"] = list(stand_ins.used)
    return report


def _load_failure(
    args: argparse.Namespace, config: dict[str, str], exc: Exception
) -> dict[str, Any]:
    import django
    from django.apps import apps
    from django.conf import settings

    # Translation needs settings and a ready app registry: the project's are broken, so the
    # report speaks through a minimal configuration (English when even that is impossible).
    with contextlib.suppress(Exception):
        if not settings.configured:
            settings.configure(INSTALLED_APPS=["deploytools"], USE_I18N=True)
            django.setup()
        if apps.ready:
            _speak(args.language)
        else:
            settings.USE_I18N = False
    from deploytools import redact
    from deploytools.checks.settings_database import settings_load_failed
    from deploytools.report import document

    text = redact.redact(str(exc), redact.secret_values(config)).splitlines()
    reason = f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
    report = document.to_json(settings_load_failed(reason, args.command), 1)
    missing = _missing_module(exc)
    if missing:
        report["import_error"] = {"module": missing}
    return report


def _speak(language: str) -> None:
    """Speak the parent's language, so the two halves of one report agree."""
    if language:
        from django.utils import translation

        translation.activate(language)


def _missing_module(exc: BaseException) -> str | None:
    """The module whose import failed, if the settings failed because one is missing."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            return current.name
        current = current.__cause__ or current.__context__
    return None


def _await_project(args: argparse.Namespace) -> bool:
    """
    Import what every run needs, then wait for the project (one JSON line on stdin, from
    DynoRun.begin) and become a dyno of it: its folder, its Python path, its settings module.
    False when the parent gave up (the commit could not be exported).
    """
    import importlib

    # Django's own modules do not read the settings on import: they load while the parent
    # exports the commit.
    import django.core.checks
    import django.core.management
    import django.db.models  # noqa: F401

    from deploytools.checks.registry import load_catalogue

    load_catalogue(["settings"])

    line = sys.stdin.buffer.readline()
    # The project's code never reads this pipe: stdin is /dev/null, as on a dyno's process.
    with open(os.devnull, "rb") as null:
        os.dup2(null.fileno(), 0)
    if not line.strip():
        return False
    message = json.loads(line)
    spawned = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    for entry in spawned:
        if entry in sys.path:
            sys.path.remove(entry)
    sys.path[0:0] = [p for p in message["pythonpath"].split(os.pathsep) if p]
    # The project's folders did not exist (or were not the project) when imports began.
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    os.environ["PYTHONPATH"] = message["pythonpath"]
    os.environ["HOME"] = message["home"]
    # No git repository above the export, bytecode beside it (dyno.export_isolation).
    os.environ.update(message["isolation"])
    sys.pycache_prefix = os.environ.get("PYTHONPYCACHEPREFIX") or None
    # The app's config vars: the dyno's environment, as Heroku sets it before any process
    # (over the variables above, as they were when the process started with them).
    os.environ.update(message["config"])
    args.config_names = ",".join(message["config"])
    args.language = message["language"]
    if message["settings_module"]:
        # A DJANGO_SETTINGS_MODULE config var wins, as on Heroku.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", message["settings_module"])
    os.chdir(message["app_dir"])
    args.root, args.tree = message["root"], message["tree"]
    args.build_packages = ",".join(message["build_packages"])
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deploytools.facts.dyno_child")
    parser.add_argument("--command", default="preflight")
    parser.add_argument("--config-names", default="")
    parser.add_argument("--root", default=".")
    parser.add_argument("--tree", default=".")
    # Canonical names of the packages the build installs (their modules may stand in).
    parser.add_argument("--build-packages", default="")
    # The language of the report (the parent's active language).
    parser.add_argument("--language", default="")
    # Wait for the project on stdin (deploytools.facts.dyno.spawn_dyno).
    parser.add_argument("--wait", action="store_true")
    args = parser.parse_args(argv)
    if args.wait and not _await_project(args):
        return 0
    return _child(args)


def run_and_exit() -> None:
    """main(), then exit at once: without waiting for threads the project started."""
    try:
        code = main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - said on stderr, as the interpreter would
        import traceback

        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
