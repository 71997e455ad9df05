"""
E301–W304: the migrations on disk, and those a release would apply (tags preflight, release,
settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import checks
from django.core.checks import CheckMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, ReleaseContext, Skipped
from deploytools.facts.migration_plan import loader_or_error, loader_or_skip, pending_migrations

if TYPE_CHECKING:
    from django.db.migrations.loader import MigrationLoader

    from deploytools.facts.migration_safety import UnsafeOperation

# In preflight they run in the simulated dyno: the production INSTALLED_APPS, and the migration
# files of the commit to push (a migration never added to git is not there).
TAGS = ["preflight", "release", "settings"]


@check(
    name="migrations_missing",
    title=gettext_lazy("Every model change has a migration"),
    ids={"E301": gettext_lazy("model changes without migrations, or models of an app without any")},
    tags=TAGS,
)
def check_migrations_missing(context: Context) -> Messages:
    """E301: the autodetector finds model changes without a migration (makemigrations --check)."""
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    loader = loader_or_skip(context)
    if loader.detect_conflicts():
        raise Skipped(_("conflicting migrations must be merged first (see deploytools.E302)"))
    # With no language active, as makemigrations runs (@no_translations): in French a lazy
    # verbose_name would differ from the English one its migration recorded, a false change.
    with translation.override(None):
        # The base questioner never prompts nor exits (the non-interactive one exits on NOT
        # NULL additions); its answers only shape the migrations we do not write.
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
    messages += _unmigrated_models(loader)
    if not messages:
        context.evidence(_("%(count)d migrations on disk") % {"count": len(loader.disk_migrations)})
    return messages


def _unmigrated_models(loader: MigrationLoader) -> Messages:
    """
    Apps with models but no migrations package: makemigrations --check is silent about them
    (it only looks at apps that have migrations), and migrate creates no table for them.
    """
    from django.apps import apps

    found: Messages = []
    for config in apps.get_app_configs():
        if config.label not in loader.unmigrated_apps:
            continue
        models = sorted(m.__name__ for m in config.get_models() if m._meta.managed)
        if not models:
            continue
        found.append(
            checks.Error(
                _(
                    "App '%(app)s' has models (%(models)s) but no migrations package: migrate "
                    "creates no table for them, and the first query fails on Heroku."
                )
                % {"app": config.label, "models": ", ".join(models[:5])},
                hint=_(
                    "Create its first migration and commit it: "
                    "python manage.py makemigrations %(app)s"
                )
                % {"app": config.label},
                obj=config.label,
                id="deploytools.E301",
            )
        )
    return found


@check(
    name="migration_conflicts",
    title=gettext_lazy("No conflicting migrations"),
    ids={
        "E302": gettext_lazy("conflicting migrations (several leaves) or a broken migration graph")
    },
    tags=TAGS,
)
def check_migration_conflicts(context: Context) -> Messages:
    """E302: an app has several leaf migrations (or the graph cannot be loaded at all)."""
    loaded = loader_or_error(context)
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


def unsafe_message(found: UnsafeOperation, level: int, msg_id: str) -> CheckMessage:
    """
    The words for an unsafe operation, the same for W303 (preflight) and E603/W606 (the
    release phase): only the level and the ID differ.
    """
    return CheckMessage(
        level,
        _(
            "Migration %(migration)s: %(operation)s is unsafe while the previous release "
            "serves traffic: %(reason)s."
        )
        % {"migration": found.migration, "operation": found.operation, "reason": found.reason},
        hint=_(
            "Split it over two deploys (first stop using it in code, then change the schema), "
            "or allow it explicitly with deploytools_allow_unsafe = True on its Migration class "
            "or in the settings: DEPLOYTOOLS['ALLOW_UNSAFE_MIGRATIONS'] = ['%(migration)s']"
        )
        % {"migration": found.migration},
        obj=found.migration,
        id=msg_id,
    )


def pending_evidence(context: Context, count: int, scope: str, allowed: list[str]) -> None:
    context.evidence(
        _("%(count)d pending migrations (%(scope)s)") % {"count": count, "scope": scope}
    )
    if allowed:
        context.evidence(_("allowed: %(migrations)s") % {"migrations": ", ".join(allowed)})


@check(
    name="unsafe_migrations",
    title=gettext_lazy("Pending migrations are safe while the previous release serves traffic"),
    ids={
        "W303": gettext_lazy("pending migrations unsafe while the previous release serves traffic")
    },
    tags=TAGS,
)
def check_unsafe_migrations(context: Context) -> Messages:
    """W303: pending migrations drop, rename, retype or lock what the running release uses."""
    from deploytools.facts.migration_batch import judge_batch

    if isinstance(context, ReleaseContext):
        # The same judgement, on the plan read from the database, is E603/W606's.
        raise Skipped(_("judged by the release plan against the database: E603/W606"))
    pending = pending_migrations(context)
    loader = loader_or_skip(context)
    # Preflight judges for Heroku Postgres, whatever database the checkout develops on.
    judged = judge_batch(
        [migration for _key, migration in pending.migrations],
        vendor="postgresql",
        state_before=lambda m: loader.project_state((m.app_label, m.name), at_end=False),
    )
    pending_evidence(
        context,
        len(pending.migrations),
        pending.scope,
        [f"{label} ({why})" for label, why in judged.allowed],
    )
    return [unsafe_message(found, checks.WARNING, "deploytools.W303") for found in judged.unsafe]


@check(
    name="irreversible_migrations",
    title=gettext_lazy("Pending data migrations can be reversed"),
    ids={"W304": gettext_lazy("pending RunPython/RunSQL without reverse")},
    tags=TAGS,
)
def check_irreversible_migrations(context: Context) -> Messages:
    """W304: pending RunPython/RunSQL without reverse code block a rollback of the schema."""
    from deploytools.facts.migration_safety import irreversible_operations

    pending = pending_migrations(context)
    pending_evidence(context, len(pending.migrations), pending.scope, [])
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
        for (app_label, name), migration in pending.migrations
        for description in irreversible_operations(migration)
    ]
