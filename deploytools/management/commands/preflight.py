"""manage.py preflight: is this checkout, with Heroku's settings, ready to ship?"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import TYPE_CHECKING, Any, NoReturn, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import report
from deploytools.checks.registry import CATALOGUE
from deploytools.command import EXIT_FAILED, CouldNotCheck, DeploytoolsCommand

if TYPE_CHECKING:
    from deploytools.preflight import Preflight


class Command(DeploytoolsCommand):
    help = cast(
        str,
        gettext_lazy("Check this checkout, with the settings Heroku will give it, before pushing."),
    )
    command_name = "preflight"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--config-vars",
            metavar="FILE",
            help=cast(
                str,
                gettext_lazy("Production config vars in `heroku config --shell` (dotenv) format."),
            ),
        )
        parser.add_argument(
            "--app",
            metavar="NAME",
            help=cast(str, gettext_lazy("Read the config vars of this Heroku app (API token).")),
        )
        parser.add_argument(
            "--run-tests",
            action="store_true",
            help=cast(str, gettext_lazy("Run the project's tests (E406).")),
        )
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help=cast(str, gettext_lazy("Run collectstatic with the production settings (E215).")),
        )
        parser.add_argument(
            "--push",
            action="store_true",
            help=cast(
                str,
                gettext_lazy(
                    "Run everything, tests included, and push the release branch if nothing fails."
                ),
            ),
        )
        parser.add_argument(
            "--list-checks",
            action="store_true",
            help=cast(str, gettext_lazy("List every check and exit.")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from deploytools import preflight

        if options["list_checks"]:
            specs = sorted(CATALOGUE.values(), key=lambda s: (s.ids[0] if s.ids else "", s.name))
            if options["format"] == "json":
                document = report.catalogue_to_json(specs)
                self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
            else:
                self.stdout.write(report.render_catalogue(specs), ending="")
            return
        try:
            outcome = preflight.run_preflight(options)
        except CouldNotCheck as exc:
            self.could_not_check(str(exc), options)
        result = outcome.result
        if not options["push"] or result.exit_code(options["fail_level"]) != 0:
            self.finish(result, options, heading=outcome.heading)
        self._finish_with_push(outcome, options)

    def _finish_with_push(self, outcome: Preflight, options: dict[str, Any]) -> NoReturn:
        from deploytools import preflight

        result = outcome.result
        refusal = preflight.push_refusal(outcome.base_dir, result)
        if refusal is not None:
            self._refuse_push(outcome, refusal, options)
        if options["format"] == "json":
            # stdout holds only the JSON document: the git command line goes to stderr.
            pushed = preflight.push(outcome.base_dir, self.stderr)
            document = report.to_json(result, EXIT_FAILED if pushed else 0)
            document["push"] = {"exit_code": pushed}
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(
                report.render_text(result, self.style, heading=outcome.heading), ending=""
            )
            self.stdout.flush()
            pushed = preflight.push(outcome.base_dir, self.stdout)
            if pushed:
                self.stderr.write(_("The push failed (git exit code %d).") % pushed)
        raise SystemExit(EXIT_FAILED if pushed else 0)

    def _refuse_push(self, outcome: Preflight, reason: str, options: dict[str, Any]) -> NoReturn:
        """The report, then one line on stderr saying why nothing was pushed; exit 1."""
        if options["format"] == "json":
            document = report.to_json(outcome.result, EXIT_FAILED)
            document["push"] = {"refused": reason}
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(
                report.render_text(outcome.result, self.style, heading=outcome.heading), ending=""
            )
            self.stdout.flush()
        self.stderr.write(reason)
        raise SystemExit(EXIT_FAILED)
