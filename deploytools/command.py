"""What the three commands share: output options, exit codes, rendering."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any, NoReturn, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy

from deploytools import report
from deploytools.checks.run import LEVELS, RAISE_CRASHES, RunResult

EXIT_OK, EXIT_FAILED, EXIT_COULD_NOT_CHECK = 0, 1, 2


class CouldNotCheck(Exception):
    """A command could not do its checks at all (bad usage, unreachable API): exit 2."""


class DeploytoolsCommand(BaseCommand):
    # We run the checks ourselves and report them; Django's automatic pre-check would
    # stop with a bare SystemCheckError before our report.
    requires_system_checks: list[str] = []
    command_name = ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help=cast(
                str, gettext_lazy("text (a line per check) or json (one document on stdout).")
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

    default_fail_level = "ERROR"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # ``help`` is lazy (translated); argparse's description formatting needs a real str,
        # resolved now in the active language.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        # --traceback: let a crashing check raise so Django prints its traceback (E002's hint).
        token = RAISE_CRASHES.set(bool(options.get("traceback")))
        try:
            return super().execute(*args, **options)
        finally:
            RAISE_CRASHES.reset(token)

    def finish(
        self,
        result: RunResult,
        options: dict[str, Any],
        *,
        heading: str = "",
        preamble: list[str] | None = None,
    ) -> NoReturn:
        """Print the report and exit 0 (nothing at --fail-level) or 1."""
        code = result.exit_code(options["fail_level"])
        if options["format"] == "json":
            self.stdout.write(report.render_json(result, code), ending="")
        else:
            self.stdout.write(
                report.render_text(result, self.style, heading=heading, preamble=preamble or []),
                ending="",
            )
        raise SystemExit(code)

    def could_not_check(self, reason: str, options: dict[str, Any]) -> NoReturn:
        """Exit 2 with one line; in JSON mode stdout still holds exactly one document."""
        if options.get("format") == "json":
            document = report.to_json(RunResult(self.command_name), EXIT_COULD_NOT_CHECK)
            document["error"] = reason
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        raise CommandError(reason, returncode=EXIT_COULD_NOT_CHECK)
