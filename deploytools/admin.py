"""
The release history in Django's admin: what each ``heroku_release`` applied and how to undo it.

Read-only for everyone, superusers included: a row is the record of what happened in a release
phase, written by ``heroku_release`` alone, so the admin neither adds, changes nor deletes one
(not even in bulk). Only staff with ``deploytools.view_release`` see it; Django's default would
also let ``change_release`` in, a permission that means nothing here.
"""

from __future__ import annotations

import os
import shlex
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deploytools.models import Release

if TYPE_CHECKING:
    ReleaseAdminBase = admin.ModelAdmin[Release]
else:  # ModelAdmin is generic only for the type checker.
    ReleaseAdminBase = admin.ModelAdmin

# The labels of the counts heroku_release records in checks_summary (CheckResult.counts()).
SUMMARY_LABELS = {
    "errors": _("errors"),
    "warnings": _("warnings"),
    "infos": _("infos"),
    "passed": _("checks passed"),
    "failed": _("checks failed"),
    "skipped": _("checks skipped"),
}


def undo_commands(release: Release) -> list[str]:
    """
    The ``python manage.py migrate APP TARGET`` commands that undo ``release``'s migrations.

    The same commands as ``heroku_release --history`` prints, from the same function.
    """
    from django.db.migrations.loader import MigrationLoader

    from deploytools.release_phase.history import rollback_commands

    # No connection: the graph comes from the migration files alone, as --history builds it.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = [str(label) for label in release.migrations_applied or []]
    return rollback_commands(applied, loader, dict(release.undo_targets or {}))


def heroku_app() -> str | None:
    """The Heroku app to name in ``heroku run -a``, as production_check finds it without git."""
    from deploytools.conf import conf

    for candidate in (conf.heroku_app, os.environ.get("HEROKU_APP_NAME")):
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def heroku_run(command: str, app: str | None) -> str:
    # Without a known app the Heroku CLI takes it from the checkout's heroku git remote.
    prefix = f"heroku run -a {shlex.quote(app)}" if app else "heroku run"
    return f"{prefix} {command}"


def _code_block(lines: list[str], label: str) -> SafeString:
    # One command per line in one <pre>: selecting the block copies commands a shell runs as is.
    return format_html(
        '<pre class="deploytools-commands" aria-label="{}"><code>{}</code></pre>',
        label,
        "\n".join(lines),
    )


# The detail page's sections: the release, what it migrated, what its checks said.
RELEASE_FIELDS = ("version", "commit", "status", "started_at", "finished_at", "duration")
MIGRATION_FIELDS = ("migrations_list", "undo")
CHECK_FIELDS = ("error", "summary", "message_list")


@admin.register(Release)
class ReleaseAdmin(ReleaseAdminBase):
    list_display = [
        "version",
        "short_commit",
        "status",
        "started_at",
        "duration",
        "migration_count",
    ]
    list_display_links = ["version"]
    list_filter = ["status"]
    search_fields = ["version", "commit"]
    search_help_text = _("Version (v42) or commit (full or its first characters).")
    date_hierarchy = "started_at"
    # No bulk actions at all: Django hides delete_selected without the delete permission, but
    # an empty action list also drops the checkboxes and the action bar.
    actions = None
    fieldsets = [
        (None, {"fields": RELEASE_FIELDS}),
        (_("Migrations"), {"fields": MIGRATION_FIELDS}),
        (_("Checks"), {"fields": CHECK_FIELDS}),
    ]
    # Every field shown is read-only: a release is a record, not something to edit.
    readonly_fields = [*RELEASE_FIELDS, *MIGRATION_FIELDS, *CHECK_FIELDS]

    # -- permissions: view only, and only with view_release ---------------------------------

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Superusers have every permission; staff need exactly this one (not change_release).
        return request.user.has_perm("deploytools.view_release")

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Releases are this app's only model: no view permission, no "Deploy tools" section.
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # -- list columns -----------------------------------------------------------------------

    @admin.display(description=_("commit"), ordering="commit")
    def short_commit(self, obj: Release) -> SafeString | str:
        if not obj.commit:
            return self.get_empty_value_display()
        # The 7 characters git and Heroku show; the full SHA on hover and on the detail page.
        return format_html('<code title="{}">{}</code>', obj.commit, obj.commit[:7])

    @admin.display(description=_("duration"), ordering="duration_seconds")
    def duration(self, obj: Release) -> str:
        return gettext("%(seconds)s s") % {"seconds": number_format(obj.duration_seconds, 1)}

    @admin.display(description=_("migrations"))
    def migration_count(self, obj: Release) -> int:
        return len(obj.migrations_applied or [])

    # -- detail page ------------------------------------------------------------------------

    @admin.display(description=_("migrations applied"))
    def migrations_list(self, obj: Release) -> SafeString | str:
        applied = [str(label) for label in obj.migrations_applied or []]
        if not applied:
            return gettext("None")
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li><code>{}</code></li>", ((a,) for a in applied))
        )

    @admin.display(description=_("undo"))
    def undo(self, obj: Release) -> SafeString | str:
        commands = undo_commands(obj)
        if not commands:
            return gettext("Nothing to undo: this release applied no migration.")
        app = heroku_app()
        return format_html(
            "<p>{}</p>{}<p>{}</p>{}",
            gettext(
                "Reversing a migration needs its file: run these while this release's code "
                "is deployed, before heroku rollback. On a dyno:"
            ),
            _code_block(commands, gettext("undo commands")),
            gettext("From your checkout:"),
            _code_block(
                [heroku_run(c, app) for c in commands], gettext("undo commands with heroku run")
            ),
        )

    @admin.display(description=_("check summary"))
    def summary(self, obj: Release) -> str:
        counts = dict(obj.checks_summary or {})
        if not counts:
            return self.get_empty_value_display()
        # Known counts in the report's order with translated labels, then any others as stored.
        keys = [k for k in SUMMARY_LABELS if k in counts] + sorted(
            k for k in counts if k not in SUMMARY_LABELS
        )
        return ", ".join(f"{SUMMARY_LABELS.get(k, k)}: {counts[k]}" for k in keys)

    @admin.display(description=_("message IDs"))
    def message_list(self, obj: Release) -> SafeString | str:
        ids = [str(i) for i in obj.message_ids or []]
        if not ids:
            return self.get_empty_value_display()
        return format_html_join(", ", "<code>{}</code>", ((i,) for i in ids))
