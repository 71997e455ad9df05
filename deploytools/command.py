"""
What the three commands share: output options, exit codes, and one way out.

Every command ends in :meth:`DeploytoolsCommand.finish` (a :class:`~deploytools.report.Report`
rendered in the chosen format, then the exit code) or :meth:`~DeploytoolsCommand.could_not_check`
(exit 2: one line on stderr, and in JSON mode still exactly one document on stdout). Usage
errors take the second way, whether argparse or the command itself finds them.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any, NoReturn, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import capture, redact, report
from deploytools.checks.run import LEVELS, RAISE_CRASHES, RunResult
from deploytools.entry import json_requested

EXIT_OK, EXIT_FAILED, EXIT_COULD_NOT_CHECK = 0, 1, 2


class CouldNotCheck(Exception):
    """A command could not do its checks at all (bad usage, unreachable API): exit 2."""


def _language_requested(argv: list[str]) -> str | None:
    # Before argparse has parsed anything: the language --help must speak.
    for arg, nxt in zip(argv, [*argv[1:], ""], strict=False):
        if arg.startswith("--language="):
            return arg.partition("=")[2]
        if arg == "--language":
            return nxt
    return None


def report_language(requested: str | None) -> str | None:
    """
    The language of a report: ``--language``, else DEPLOYTOOLS["LANGUAGE"], else None (the
    project's LANGUAGE_CODE, as Django's own commands speak). CouldNotCheck for one Django
    does not know.
    """
    from deploytools.conf import conf, language_problem

    if requested:
        problem = language_problem(requested)
        if problem:
            raise CouldNotCheck(
                _("--language %(code)s: %(problem)s") % {"code": requested, "problem": problem}
            )
        return requested
    return conf.language


def nonempty(value: str) -> str:
    """
    argparse ``type`` of the options naming a file, an app or a URL: an empty value
    (``--config-vars ''``, an unset shell variable) is a usage error, not "none given".
    """
    if not value.strip():
        raise ArgumentTypeError(_("must not be empty"))
    return value


class DeploytoolsCommand(BaseCommand):
    # We run the checks ourselves and report them; Django's automatic pre-check would
    # stop with a bare SystemCheckError before our report.
    requires_system_checks: list[str] = []
    command_name = ""
    default_fail_level = "ERROR"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--language",
            metavar="CODE",
            help=cast(
                str,
                gettext_lazy(
                    "Language of the report, e.g. fr or en (default: DEPLOYTOOLS['LANGUAGE'], "
                    "else LANGUAGE_CODE)."
                ),
            ),
        )
        parser.add_argument(
            "--format",
            choices=list(report.FORMATS),
            default="text",
            help=cast(
                str,
                gettext_lazy(
                    "text (a line per check), json (one document on stdout), html (one "
                    "self-contained page), github (GitHub Actions annotations) or junit "
                    "(JUnit XML)."
                ),
            ),
        )
        parser.add_argument(
            "--fail-level",
            choices=list(LEVELS),
            default=self.default_fail_level,
            help=cast(
                str,
                gettext_lazy(
                    "Message level that makes the command exit 1 (like `manage.py check`)."
                ),
            ),
        )

    def help_text(self) -> str:
        """The command's --help description, in the active language."""
        return str(self.help)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``help`` is lazy (translated); argparse's description formatting needs a real str,
        # resolved in the language the command will speak, activated here.
        from deploytools.conf import conf, language_problem

        # An unknown --language is refused (exit 2) in the language the project would speak.
        for language in (_language_requested(sys.argv[2:]), conf.language):
            if language and not language_problem(language):
                translation.activate(language)
                break
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # The description is made when help is shown: heroku_release's reads the platform
        # data, which a release that prints no help need not load.
        format_help = parser.format_help

        def formatted_help() -> str:
            parser.description = self.help_text()
            return format_help()

        parser.format_help = formatted_help  # type: ignore[method-assign]
        parse_args = parser.parse_args
        argv: list[str] = []

        def parse(args: Any = None, namespace: Any = None) -> Any:
            argv[:] = [str(a) for a in (sys.argv[2:] if args is None else args)]
            return parse_args(args, namespace)

        def error(message: str) -> NoReturn:
            # One rule for usage errors: exit 2, one line, a JSON document when JSON was asked.
            # Before argparse has parsed anything: how a usage error must be reported.
            fmt = "json" if json_requested(argv) else "text"
            try:
                self.could_not_check(message, {"format": fmt})
            except CommandError:
                if not parser.called_from_command_line:
                    raise
                # Django only catches CommandError around execute(), not parse_args().
                self.stderr.write(f"{parser.prog}: error: {message}")
                sys.exit(EXIT_COULD_NOT_CHECK)

        parser.parse_args = parse  # type: ignore[method-assign]
        parser.error = error  # type: ignore[method-assign]
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        # Under manage.py's capture (deploytools.entry), even a usage error's JSON document
        # goes to the real stdout.
        captured = capture.active()
        if captured is not None:
            self.stdout = OutputWrapper(captured.report_stream())
        super().run_from_argv(argv)

    def execute(self, *args: Any, **options: Any) -> str | None:
        # --traceback: let a crashing check raise so Django prints its traceback (E002's hint).
        token = RAISE_CRASHES.set(bool(options.get("traceback")))
        # stdout belongs to the report: what the project's code prints meanwhile (migrations,
        # post-migrate commands, checks importing its modules) is captured, masked, and sent
        # to stderr when stdout holds a document (every format but text; deploytools.capture).
        # A caller's own stream (call_command with stdout=...) is left as it is.
        captured = capture.start(options.get("format", "text") != "text")
        own_stdout = self.stdout
        if captured is not None:
            captured.add_secrets(redact.process_secrets())
            if not options.get("stdout"):
                self.stdout = OutputWrapper(captured.report_stream())
                self.stdout.style_func = own_stdout.style_func
        try:
            language = report_language(options.get("language"))
        except CouldNotCheck as exc:
            self.could_not_check(str(exc), options)
        try:
            if language is None:
                return super().execute(*args, **options)
            with translation.override(language):
                return super().execute(*args, **options)
        finally:
            capture.stop()
            self.stdout = own_stdout
            RAISE_CRASHES.reset(token)

    def finish(self, outcome: report.Report, options: dict[str, Any]) -> NoReturn:
        """Print the report and exit with its code (0: nothing at --fail-level, 1: findings)."""
        self.stdout.write(report.render(outcome, options["format"], self.style), ending="")
        self.stdout.flush()
        raise SystemExit(outcome.exit_code)

    def could_not_check(self, reason: str, options: dict[str, Any]) -> NoReturn:
        """Exit 2 with one line; in JSON mode stdout still holds exactly one document."""
        if options.get("format") == "json":
            document = report.Report(
                RunResult(self.command_name), EXIT_COULD_NOT_CHECK, sections={"error": reason}
            )
            self.stdout.write(report.render(document, "json"), ending="")
            self.stdout.flush()
        raise CommandError(reason, returncode=EXIT_COULD_NOT_CHECK)
