"""manage.py production_check: is the running Heroku app set up for production?"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any, cast

from django.utils.translation import gettext_lazy

from deploytools.command import DeploytoolsCommand, nonempty
from deploytools.facts.heroku_client import HerokuAPIError
from deploytools.facts.snapshot import SnapshotError
from deploytools.report import Report


class Command(DeploytoolsCommand):
    help = cast(
        str,
        gettext_lazy(
            "Heroku's Production Check for a running app (Platform API, or a saved --snapshot), "
            "plus capacity, the settings the dynos have and the live site."
        ),
    )
    command_name = "production_check"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--app",
            type=nonempty,
            help=cast(str, gettext_lazy("Heroku app name (default: setting, env, git remote).")),
        )
        parser.add_argument(
            "--url",
            action="append",
            type=nonempty,
            default=[],
            help=cast(str, gettext_lazy("URL of the live site (repeatable).")),
        )
        parser.add_argument(
            "--snapshot",
            metavar="FILE",
            type=nonempty,
            help=cast(str, gettext_lazy("Check a saved snapshot offline.")),
        )
        parser.add_argument(
            "--save-snapshot",
            metavar="FILE",
            type=nonempty,
            help=cast(str, gettext_lazy("Also save the snapshot (no secret values).")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from deploytools import production_check

        try:
            outcome = production_check.run_production_check(options)
        except (HerokuAPIError, SnapshotError) as exc:
            self.could_not_check(str(exc), options)
        code = outcome.result.exit_code(options["fail_level"])
        sections: dict[str, object] = {"snapshot": outcome.snapshot}
        if outcome.unavailable:
            sections["unavailable"] = outcome.unavailable
        self.finish(
            Report(outcome.result, code, heading=outcome.heading, sections=sections), options
        )
