"""manage.py preflight: is this checkout, with Heroku's settings, ready to ship?"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from deploytools import report
from deploytools.checks.registry import Context
from deploytools.checks.run import run_checks, select
from deploytools.command import DeploytoolsCommand


class Command(DeploytoolsCommand):
    help = "Check this checkout, with the settings Heroku will give it, before pushing."
    command_name = "preflight"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--list-checks", action="store_true", help="List every check.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_checks"]:
            from deploytools.checks.registry import CATALOGUE

            self.stdout.write(report.render_catalogue(select(["deploytools"]) or CATALOGUE.values()), ending="")
            return
        context = Context(command="preflight")
        result = run_checks(context, select(["preflight"]))
        self.finish(result, options, heading="Preflight")
