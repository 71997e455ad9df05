"""manage.py heroku_release: the Procfile's release command (see deploytools.release_phase)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any, NoReturn, cast

from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import redact
from deploytools.checks.run import RunResult
from deploytools.command import DeploytoolsCommand
from deploytools.i18n import gettext_noop
from deploytools.release_phase.history import status_label
from deploytools.release_phase.steps import ReleaseOutcome
from deploytools.report import Report

HELP = gettext_lazy(
    "Heroku's release phase: check, wait for the database, check its PostgreSQL version, lock, "
    "migrate safely, and record the release. Heroku runs it after %(triggers)s, and stops it "
    "after %(minutes)d minutes (not extendable). In text mode the logfmt progress lines go to "
    "stdout; with any other --format they go to stderr, so stdout holds the document only."
)
# What triggers the release phase, as platform.json words it (release_phase.triggers), marked
# for the catalogue: the help shows each translated, and one the catalogue lacks as it is.
TRIGGERS = (
    gettext_noop("a successful app build"),
    gettext_noop("a change to the value of a config var (unless it belongs to an add-on)"),
    gettext_noop("a pipeline promotion"),
    gettext_noop("a rollback"),
    gettext_noop("a release via the Platform API"),
    gettext_noop("provisioning a new add-on"),
)


class Command(DeploytoolsCommand):
    help = cast(str, HELP)
    command_name = "heroku_release"

    def help_text(self) -> str:
        # What triggers the phase and its time limit are platform data (release-phase page).
        from deploytools import platform_data

        phase = platform_data.release_phase()
        return str(HELP) % {
            "triggers": _("; ").join(_(trigger) for trigger in phase.triggers),
            "minutes": phase.timeout_seconds // 60,
        }

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
        from deploytools.release_phase.phase import ReleasePhase

        limit = options["limit"]
        if limit is not None and not options["history"]:
            self.could_not_check(_("--limit applies to --history only."), options)
        if limit is not None and limit < 1:
            self.could_not_check(_("--limit must be 1 or more, not %d.") % limit, options)
        if options["history"]:
            if options["format"] in ("github", "junit"):
                # The history holds releases, not findings: nothing for CI to annotate.
                self.could_not_check(_("--history prints text, json or html."), options)
            self._history(options)
        # Only the text report shares stdout with the logfmt lines; a document stands alone.
        text_mode = options["format"] == "text"
        phase = ReleasePhase(
            fail_level=options["fail_level"],
            dry_run=options["dry_run"],
            log_stream=self.stdout if text_mode else sys.stderr,  # type: ignore[arg-type]
            show_traceback=bool(options.get("traceback")),
        )
        outcome = phase.run()
        self.finish(
            Report(
                outcome.result,
                outcome.exit_code,
                heading=_("Release %s") % (outcome.version or "-"),
                preamble=_preamble(outcome),
                sections={"release": outcome.to_json()},
                secrets=phase.hidden,
            ),
            options,
        )

    def _history(self, options: dict[str, Any]) -> NoReturn:
        from deploytools.release_phase import history
        from deploytools.release_phase.announce import one_line
        from deploytools.report.text import render_history

        try:
            rows = history.history(limit=options["limit"] or 20)
        except DatabaseError as exc:
            reason = _("cannot read the release history: %s") % one_line(
                exc, redact.process_secrets()
            )
            if history.history_table_missing():
                reason += _(
                    ". The table is created by the first heroku_release (or: python manage.py "
                    "migrate deploytools)"
                )
            self.could_not_check(reason, options)
        self.finish(
            Report(
                RunResult(self.command_name),
                0,
                sections={"releases": rows},
                body=render_history(rows),
                secrets=redact.process_secrets(),
            ),
            options,
        )


def _preamble(outcome: ReleaseOutcome) -> list[str]:
    """What the text report says above the checks: the plan, why it failed or was refused."""
    lines = []
    if outcome.plan:
        lines.append(_("Plan: %s") % ", ".join(outcome.plan))
    if outcome.error and outcome.dry_run:
        # A dry run changes nothing, so it fails no release: it says what would happen.
        lines.append(
            _("Dry run: this release would be refused: %(reason)s")
            % {"reason": ", ".join(outcome.refused) or outcome.error}
        )
    elif outcome.error:
        lines.append(
            _("Release %(status)s: %(error)s")
            % {"status": status_label(outcome.status), "error": outcome.error}
        )
    if outcome.not_recorded and not outcome.dry_run:
        lines.append(
            _("The release could not be recorded (no Release row): %(reason)s.")
            % {"reason": outcome.not_recorded}
        )
    return lines
