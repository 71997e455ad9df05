"""manage.py preflight: is this checkout, with Heroku's settings, ready to ship?"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import TYPE_CHECKING, Any, NoReturn, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.command import EXIT_FAILED, CouldNotCheck, DeploytoolsCommand, nonempty
from deploytools.report import Report, render, render_checklist
from deploytools.report.html import source_url

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
            type=nonempty,
            help=cast(
                str,
                gettext_lazy("Production config vars in `heroku config --shell` (dotenv) format."),
            ),
        )
        parser.add_argument(
            "--app",
            metavar="NAME",
            type=nonempty,
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
            if options["format"] not in ("text", "json"):
                self.could_not_check(_("--list-checks prints text or json only."), options)
            self.stdout.write(render_checklist(options["format"]), ending="")
            return
        try:
            outcome = preflight.run_preflight(options)
        except CouldNotCheck as exc:
            self.could_not_check(str(exc), options)
        code = outcome.result.exit_code(options["fail_level"])
        found = Report(
            outcome.result,
            code,
            heading=outcome.heading,
            secrets=outcome.secrets,
            links=source_url(outcome.project.root),
        )
        if not options["push"] or code != 0:
            self.finish(found, options)
        self._finish_with_push(outcome, found, options)

    def _finish_with_push(
        self, outcome: Preflight, found: Report, options: dict[str, Any]
    ) -> NoReturn:
        from deploytools import preflight

        refusal = preflight.push_refusal(outcome.project, outcome.result)
        if refusal is not None:
            # The report, then one line on stderr saying why nothing was pushed; exit 1.
            found.exit_code = EXIT_FAILED
            found.sections["push"] = {"refused": refusal}
            self.stdout.write(render(found, options["format"], self.style), ending="")
            self.stdout.flush()
            self.stderr.write(refusal)
            raise SystemExit(EXIT_FAILED)
        if options["format"] != "text":
            # stdout holds only the document (JSON, HTML, ...): the git command line goes to
            # stderr.
            pushed = preflight.push(outcome.project, self.stderr)
            found.exit_code = EXIT_FAILED if pushed else 0
            found.sections["push"] = {"exit_code": pushed}
            self.finish(found, options)
        self.stdout.write(render(found, "text", self.style), ending="")
        self.stdout.flush()
        pushed = preflight.push(outcome.project, self.stdout)
        if pushed:
            self.stderr.write(_("The push failed (git exit code %d).") % pushed)
        raise SystemExit(EXIT_FAILED if pushed else 0)
