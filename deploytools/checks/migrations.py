"""3xx: migrations (tags preflight, release)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Context, Messages, Skipped, context_of, deploytools_check

if TYPE_CHECKING:
    from django.db.migrations import Migration
    from django.db.migrations.loader import MigrationLoader

TAGS = ["preflight", "release"]
MigrationKey = tuple[str, str]


def _load(context: Context) -> MigrationLoader | str:
    """The migration graph from disk (no database), or why it cannot be loaded."""

    def compute() -> MigrationLoader | str:
        from django.db.migrations.loader import MigrationLoader

        try:
            return MigrationLoader(None, ignore_no_migrations=True)
        except Exception as exc:  # noqa: BLE001 - a broken migration file is a finding
            return f"{type(exc).__name__}: {exc}"

    result: MigrationLoader | str = context.memo("migrations.loader", compute)
    return result


def _loader_or_skip(context: Context) -> MigrationLoader:
    loaded = _load(context)
    if isinstance(loaded, str):
        raise Skipped(_("the migrations cannot be loaded (see deploytools.E302)"))
    return loaded


@deploytools_check(
    name="migrations_missing",
    title=gettext_lazy("Every model change has a migration"),
    ids=["E301"],
    tags=TAGS,
)
def check_migrations_missing(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E301: the autodetector finds model changes without a migration (makemigrations --check)."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    context = context_of(kwargs)
    loader = _loader_or_skip(context)
    if loader.detect_conflicts():
        raise Skipped(_("conflicting migrations must be merged first (see deploytools.E302)"))
    # The base questioner never prompts nor exits (the non-interactive one exits on NOT NULL
    # additions); its answers only shape the migrations we do not write.
    autodetector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        MigrationQuestioner(specified_apps=set(), dry_run=True),
    )
    changes = autodetector.changes(graph=loader.graph)
    messages: Messages = []
    for app_label, migrations in sorted(changes.items()):
        described = [op.describe() for migration in migrations for op in migration.operations]
        shown = "; ".join(described[:5]) + ("; …" if len(described) > 5 else "")
        messages.append(
            checks.Error(
                _("App '%(app)s' has model changes without a migration: %(changes)s.")
                % {"app": app_label, "changes": shown},
                hint=_(
                    "Create the migration and commit it: python manage.py makemigrations %(app)s"
                )
                % {"app": app_label},
                obj=app_label,
                id="deploytools.E301",
            )
        )
    if not messages:
        context.evidence(_("%(count)d migrations on disk") % {"count": len(loader.disk_migrations)})
    return messages


@deploytools_check(
    name="migration_conflicts",
    title=gettext_lazy("No conflicting migrations"),
    ids=["E302"],
    tags=TAGS,
)
def check_migration_conflicts(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E302: an app has several leaf migrations (or the graph cannot be loaded at all)."""
    context = context_of(kwargs)
    loaded = _load(context)
    if isinstance(loaded, str):
        return [
            checks.Error(
                _("The migrations cannot be loaded: %(error)s") % {"error": loaded},
                hint=_(
                    "Fix the migration file it names, then check: python manage.py showmigrations"
                ),
                id="deploytools.E302",
            )
        ]
    conflicts = loaded.detect_conflicts()
    if not conflicts:
        apps_with_migrations = {app_label for app_label, _name in loaded.disk_migrations}
        context.evidence(
            _("one leaf in each of %(count)d apps") % {"count": len(apps_with_migrations)}
        )
    return [
        checks.Error(
            _("Conflicting migrations in '%(app)s': %(leaves)s all follow the same parent.")
            % {"app": app_label, "leaves": ", ".join(sorted(names))},
            hint=_(
                "Merge them and commit the merge: python manage.py makemigrations --merge %(app)s"
            )
            % {"app": app_label},
            obj=app_label,
            id="deploytools.E302",
        )
        for app_label, names in sorted(conflicts.items())
    ]


def _migration_file(migration: Migration) -> Path | None:
    module = sys.modules.get(type(migration).__module__)
    filename = getattr(module, "__file__", None)
    return Path(filename).resolve() if filename else None


def pending_migrations(context: Context) -> list[tuple[MigrationKey, Migration]]:
    """
    The migrations this checkout would deploy: migration files added since the heroku remote's
    deploy branch (``git diff REMOTE/BRANCH...HEAD`` plus uncommitted new files), or every
    migration file of the checkout when that branch is unknown (nothing deployed yet).

    Raises Skipped when it cannot tell: no git checkout, or no heroku remote.

    In ``heroku_release`` git plays no part (a slug has no .git): the release plan, read from
    the database, stores the migrations it applies under the ``migrations.pending`` cache key
    before running W304 again; before the plan these checks are skipped.
    """
    from deploytools import gitutil
    from deploytools.conf import conf

    if context.command == "heroku_release" and "migrations.pending" not in context.cache:
        raise Skipped(_("judged by the release plan against the database: E603/W606/W304"))

    def compute() -> list[tuple[MigrationKey, Migration]] | str:
        loader = _loader_or_skip(context)
        top = gitutil.toplevel(context.base_dir)
        if top is None:
            return _("not a git checkout: the deployed migrations are unknown")
        remote, branch = conf.heroku_remote, conf.heroku_deploy_branch
        if remote not in gitutil.remotes(top):
            return _("no git remote '%(remote)s': the deployed migrations are unknown") % {
                "remote": remote
            }
        if gitutil.remote_branch_exists(top, remote, branch):
            base = gitutil.merge_base(top, f"{remote}/{branch}", "HEAD")
            paths = gitutil.added_paths(top, base) if base else None
            scope = _("added since %(ref)s") % {"ref": f"{remote}/{branch}"}
        else:
            paths = gitutil.all_paths(top)
            scope = _("all: %(ref)s is not known locally") % {"ref": f"{remote}/{branch}"}
        if paths is None:
            return _("git cannot compare this checkout with %(ref)s") % {
                "ref": f"{remote}/{branch}"
            }
        new_files = {(top / p).resolve() for p in paths if p.endswith(".py")}
        found = [
            (key, migration)
            for key, migration in sorted(loader.disk_migrations.items())
            if _migration_file(migration) in new_files
        ]
        context.cache["migrations.pending_scope"] = scope
        return found

    result = context.memo("migrations.pending", compute)
    if isinstance(result, str):
        raise Skipped(result)
    pending: list[tuple[MigrationKey, Migration]] = result
    return pending


def _pending_evidence(context: Context, pending: list[tuple[MigrationKey, Migration]]) -> None:
    scope = context.cache.get("migrations.pending_scope", "")
    context.evidence(
        _("%(count)d pending migrations (%(scope)s)") % {"count": len(pending), "scope": scope}
    )


@deploytools_check(
    name="unsafe_migrations",
    title=gettext_lazy("Pending migrations are safe while the previous release serves traffic"),
    ids=["W303"],
    tags=TAGS,
)
def check_unsafe_migrations(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W303: pending migrations drop, rename, retype or lock what the running release uses."""
    from django.db import connection

    from deploytools.conf import conf
    from deploytools.migration_safety import unsafe_operations

    context = context_of(kwargs)
    pending = pending_migrations(context)
    loader = _loader_or_skip(context)
    _pending_evidence(context, pending)
    # Preflight judges for Heroku Postgres, whatever database the checkout develops on.
    vendor = connection.vendor if context.command == "heroku_release" else "postgresql"
    messages: Messages = []
    for key, migration in pending:
        if f"{key[0]}.{key[1]}" in conf.allow_unsafe_migrations:
            context.evidence(_("%(migration)s allowed by setting") % {"migration": ".".join(key)})
            continue
        state = loader.project_state(key, at_end=False)
        for found in unsafe_operations(migration, vendor=vendor, state=state):
            messages.append(
                checks.Warning(
                    _(
                        "Migration %(migration)s: %(operation)s is unsafe while the previous "
                        "release serves traffic: %(reason)s."
                    )
                    % {
                        "migration": found.migration,
                        "operation": found.operation,
                        "reason": found.reason,
                    },
                    hint=_(
                        "Split it over two deploys (first stop using it in code, then change "
                        "the schema), or allow it explicitly: "
                        "DEPLOYTOOLS['ALLOW_UNSAFE_MIGRATIONS'] = ['%(migration)s']"
                    )
                    % {"migration": found.migration},
                    obj=found.migration,
                    id="deploytools.W303",
                )
            )
    return messages


@deploytools_check(
    name="irreversible_migrations",
    title=gettext_lazy("Pending data migrations can be reversed"),
    ids=["W304"],
    tags=TAGS,
)
def check_irreversible_migrations(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W304: pending RunPython/RunSQL without reverse code block a rollback of the schema."""
    from deploytools.migration_safety import irreversible_operations

    context = context_of(kwargs)
    pending = pending_migrations(context)
    _pending_evidence(context, pending)
    return [
        checks.Warning(
            _("Migration %(migration)s: %(operation)s, so it cannot be unapplied.")
            % {"migration": f"{app_label}.{name}", "operation": description},
            hint=_(
                "Give it a reverse (reverse_code=migrations.RunPython.noop, or "
                "reverse_sql=migrations.RunSQL.noop) so 'python manage.py migrate %(app)s "
                "<previous>' can roll back"
            )
            % {"app": app_label},
            obj=f"{app_label}.{name}",
            id="deploytools.W304",
        )
        for (app_label, name), migration in pending
        for description in irreversible_operations(migration)
    ]
