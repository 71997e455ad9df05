"""manage.py heroku_release: the Procfile's release command (see deploytools.release)."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any, NoReturn, cast

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import redact, release, report
from deploytools.checks.run import RunResult
from deploytools.command import DeploytoolsCommand


class Command(DeploytoolsCommand):
    help = cast(
        str,
        gettext_lazy(
            "Heroku's release phase: check, wait for the database, lock, migrate safely, and "
            "record the release. In text mode the logfmt progress lines go to stdout; with "
            "--format json they go to stderr, so stdout holds the JSON document only."
        ),
    )
    command_name = "heroku_release"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help=cast(
                str,
                gettext_lazy(
                    "Show the checks and the migration plan; change nothing, record nothing."
                ),
            ),
        )
        mode.add_argument(
            "--history",
            action="store_true",
            help=cast(
                str, gettext_lazy("List recorded releases with the migrations each applied.")
            ),
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help=cast(str, gettext_lazy("How many releases --history lists (default 20).")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["limit"]
        if limit is not None and not options["history"]:
            self._usage_error(_("--limit applies to --history only."))
        if limit is not None and limit < 1:
            self._usage_error(_("--limit must be 1 or more, not %d.") % limit)
        if options["history"]:
            self._history(options)
        json_mode = options["format"] == "json"
        log_stream = sys.stderr if json_mode else self.stdout
        phase = release.ReleasePhase(
            fail_level=options["fail_level"],
            dry_run=options["dry_run"],
            log_stream=log_stream,  # type: ignore[arg-type]
            show_traceback=bool(options.get("traceback")),
        )
        outcome = phase.run()
        if json_mode:
            document = report.to_json(outcome.result, outcome.exit_code)
            document["release"] = outcome.to_json()
            document = redact.redact_document(document, phase.hidden)
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            preamble = []
            if outcome.plan:
                preamble.append(_("Plan: %s") % ", ".join(outcome.plan))
            if outcome.error and outcome.dry_run:
                # A dry run changes nothing, so it fails no release: it says what would happen.
                preamble.append(
                    _("Dry run: this release would be refused: %(reason)s")
                    % {"reason": ", ".join(outcome.refused) or outcome.error}
                )
            elif outcome.error:
                preamble.append(
                    _("Release %(status)s: %(error)s")
                    % {
                        "status": outcome.status,
                        "error": outcome.error,
                    }
                )
            if outcome.not_recorded and not outcome.dry_run:
                preamble.append(
                    _("The release could not be recorded (no Release row): %(reason)s.")
                    % {"reason": outcome.not_recorded}
                )
            text = report.render_text(
                outcome.result,
                self.style,
                heading=_("Release %s") % (outcome.metadata.version or "-"),
                preamble=[redact.redact(line, phase.hidden) for line in preamble],
            )
            self.stdout.write(text, ending="")
        raise SystemExit(outcome.exit_code)

    def _usage_error(self, reason: str) -> NoReturn:
        # One line and exit 2, like argparse's own usage errors but without the usage dump.
        raise CommandError(reason, returncode=2)

    def _history(self, options: dict[str, Any]) -> None:
        try:
            rows = release.history(limit=options["limit"] or 20)
        except DatabaseError as exc:
            reason = _("cannot read the release history: %s") % release.one_line(
                exc, release.secrets()
            )
            if release.history_table_missing():
                reason += _(
                    ". The table is created by the first heroku_release (or: python manage.py "
                    "migrate deploytools)"
                )
            self.could_not_check(reason, options)
        if options["format"] == "json":
            document = report.to_json(RunResult(self.command_name), 0)
            document["releases"] = rows
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(release.render_history(rows), ending="")
        raise SystemExit(0)
