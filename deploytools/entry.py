"""
``manage.py``'s entry point for the deploytools commands: settings that cannot be imported are
E100 and exit 2, never a traceback.

Django imports the settings module before it looks for the command to run, and before any app
(deploytools included) is loaded: when the import raises — a missing DJANGO_SECRET_KEY, a
DATABASE_URL whose password holds an unescaped ``#`` — ``manage.py heroku_release`` ends in
Django's traceback with exit 1, and the traceback's last line may quote a config var. No
``AppConfig``, management command or ``ManagementUtility`` hook of ours runs that early, so the
one place to catch it is the entry point itself: in ``manage.py``,

    from deploytools.entry import execute_from_command_line

instead of Django's. For every other command it is Django's, unchanged. For ours (and
``migrate``, which deploytools overrides) it imports the settings first; when that raises, it
reports E100 — the exception's type and the settings file:line it came from, and the message
only for the exceptions whose message is written for people (ImproperlyConfigured, a missing
key or module), with every secret of the environment masked — and exits 2. In JSON mode that
is one document on stdout. It also starts capturing the output of our commands
(:mod:`deploytools.capture`) before the import, so settings that print cannot write before the
report either.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from pathlib import Path

# The commands whose promises (one document, exit codes, no traceback) start before Django.
GUARDED = frozenset({"heroku_release", "preflight", "production_check", "migrate"})
# Of those, the ones whose output deploytools captures (migrate is Django's own output).
CAPTURED = frozenset({"heroku_release", "preflight", "production_check"})
# Exceptions whose message is written for the user, not built from the values that failed.
READABLE = ("ImproperlyConfigured", "KeyError", "ModuleNotFoundError", "ImportError")
EXIT_COULD_NOT_CHECK = 2


def requested_format(argv: list[str]) -> str:
    """The ``--format`` that ``argv`` (a command's own arguments) asks for; "text" by default."""
    found = "text"
    for arg, nxt in zip(argv, [*argv[1:], ""], strict=False):
        if arg.startswith("--format="):
            found = arg.partition("=")[2]
        elif arg == "--format":
            found = nxt
    return found


def json_requested(argv: list[str]) -> bool:
    """Whether ``argv`` asks for ``--format json`` (a usage error must then be a document)."""
    return requested_format(argv) == "json"


def execute_from_command_line(argv: list[str] | None = None) -> None:
    """
    Django's ``execute_from_command_line``, with the settings import guarded for ours. It is
    the last thing a ``manage.py`` process does: after one of our commands, the objects left
    are frozen for a quick exit (do not call it from a process that goes on).
    """
    from django.core.management import execute_from_command_line as django_execute

    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else ""
    if command not in GUARDED:
        django_execute(argv)
        return
    from deploytools import capture

    json_mode = json_requested(argv[2:])
    if command == "preflight" and not {"--help", "-h", "--list-checks"} & set(argv):
        # Its simulated dyno's process starts now, importing Django while this one sets up.
        from deploytools.facts import dyno

        dyno.spawn_early("preflight")
    if command in CAPTURED:
        # Every format but text is one document on stdout: what the project prints goes aside.
        capture.start(requested_format(argv[2:]) != "text")
    try:
        failure = _import_settings(argv)
        if failure is not None:
            capture.stop()
            _report_settings_failure(command, failure, json_mode)
        django_execute(argv)
    finally:
        # Our commands stop it themselves; this covers an exit before they ran.
        capture.stop()
        # The interpreter's last garbage collections walk every object Django and the
        # migrations made (0.1-0.2 s on a release): frozen, they are skipped. Exit still runs
        # atexit, joins threads and frees what refcounts free.
        gc.freeze()


def _import_settings(argv: list[str]) -> Exception | None:
    """Import the settings as Django is about to (``--settings``/``--pythonpath`` honoured)."""
    from django.core.management.base import CommandError, CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    parser.add_argument("args", nargs="*")
    try:
        options, _rest = parser.parse_known_args(argv[2:])
        handle_default_options(options)
    except CommandError:
        pass  # Django reports bad options itself
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it imports the settings module
    except Exception as exc:  # noqa: BLE001 - whatever it is, the settings cannot load
        return exc
    return None


def _where(exc: BaseException) -> str:
    """``file:line`` of the project's frame closest to the error (the settings line)."""
    here = Path.cwd().resolve()
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        try:
            relative = path.resolve().relative_to(here)
        except (OSError, ValueError):
            continue
        if "site-packages" not in path.parts and relative.parts[:1] != ("deploytools",):
            found = f"{relative.as_posix()}:{frame.lineno}"
    return found


def describe_failure(exc: BaseException, secrets: set[str]) -> str:
    """
    One line on why the settings did not import, never quoting a value: the exception's
    type, where in the project it was raised, and its message only when it is one of
    :data:`READABLE` (still masked): a ValueError from a URL parser quotes the broken part,
    which may be a piece of a password that no mask can recognise.
    """
    from django.utils.translation import gettext as _

    from deploytools import redact

    name = type(exc).__name__
    where = _where(exc)
    if name in READABLE or isinstance(exc, ImportError):
        lines = str(exc).strip().splitlines()
        text = f"{name}: {redact.redact(lines[0], secrets)}" if lines else name
        return f"{text} ({where})" if where else text
    if where:
        return _("%(type)s at %(where)s (its message is not shown: it may quote a config var)") % {
            "type": name,
            "where": where,
        }
    return _("%(type)s (its message is not shown: it may quote a config var)") % {"type": name}


def _report_settings_failure(command: str, exc: Exception, json_mode: bool) -> None:
    """E100, exit 2: one JSON document on stdout, or one line on stderr."""
    from django.conf import settings

    # Translation needs settings; these are the bare minimum, as in the simulated dyno.
    if not settings.configured:
        settings.configure(USE_I18N=False)
    from deploytools import redact, report
    from deploytools.checks.settings_database import settings_load_failed

    secrets = redact.secret_values(dict(os.environ))
    reason = describe_failure(exc, secrets)
    result = settings_load_failed(reason, command)
    (message,) = result.messages
    if json_mode:
        document = report.Report(
            result, EXIT_COULD_NOT_CHECK, sections={"error": str(message.msg)}, secrets=secrets
        )
        sys.stdout.write(report.render(document, "json"))
        sys.stdout.flush()
    line = f"{message.id}: {message.msg} {message.hint}"
    sys.stderr.write(redact.redact(line, secrets) + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_COULD_NOT_CHECK)
