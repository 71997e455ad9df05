"""
6xx: release phase (tag release).

These checks are steps of ``manage.py heroku_release`` (wait for the database, take the
migration lock, plan, migrate): only that command knows their outcome, so it stores each
step's messages in the run's :class:`Context` and then runs these functions to turn them into
report lines. Anywhere else (``manage.py check --deploy``, preflight) they are skipped.
Registering them keeps them in the catalogue (``--list-checks``, the README table) and lets
``SILENCED_SYSTEM_CHECKS`` hide the warnings; it cannot make a failed step pass.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, Skipped, context_of, deploytools_check

# Key of Context.options under which heroku_release stores {check name: messages, or the
# reason the step did not apply}.
STEP_MESSAGES = "release_steps"


def _step(name: str, kwargs: dict[str, Any]) -> Messages:
    steps = context_of(kwargs).options.get(STEP_MESSAGES)
    if not isinstance(steps, dict):
        raise Skipped(_("runs in manage.py heroku_release only"))
    if name not in steps:
        raise Skipped(_("not reached: an earlier step of the release failed"))
    outcome = steps[name]
    # A step that did not apply (nothing pending, dry run) stores the reason.
    if isinstance(outcome, str):
        raise Skipped(outcome)
    return list(outcome)


@deploytools_check(
    name="release_database_reachable",
    title=gettext_lazy("Database reachable"),
    ids=["E601"],
    tags=["release"],
)
def check_release_database_reachable(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E601: the database answered within DEPLOYTOOLS["DATABASE_WAIT_SECONDS"]."""
    return _step("release_database_reachable", kwargs)


@deploytools_check(
    name="release_migration_lock",
    title=gettext_lazy("Migration lock taken"),
    ids=["E602"],
    tags=["release"],
)
def check_release_migration_lock(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E602: no other release held the advisory lock past the timeout."""
    return _step("release_migration_lock", kwargs)


@deploytools_check(
    name="release_unsafe_migrations",
    title=gettext_lazy("Pending migrations are safe while the old release serves"),
    ids=["E603", "W606"],
    tags=["release"],
)
def check_release_unsafe_migrations(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E603 (policy "fail") / W606 (policy "warn"): unsafe operations in pending migrations."""
    return _step("release_unsafe_migrations", kwargs)


@deploytools_check(
    name="release_unknown_migrations",
    title=gettext_lazy("Database has no migrations this code does not know"),
    ids=["W604"],
    tags=["release"],
)
def check_release_unknown_migrations(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W604: migrations applied in the database but unknown to this code (a rollback)."""
    return _step("release_unknown_migrations", kwargs)


@deploytools_check(
    name="release_migrate",
    title=gettext_lazy("Migrations applied"),
    ids=["E605"],
    tags=["release"],
)
def check_release_migrate(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E605: a migration failed; the database is as it was before that migration."""
    return _step("release_migrate", kwargs)


@deploytools_check(
    name="release_post_migrate",
    title=gettext_lazy("Post-migrate commands ran"),
    ids=["E607"],
    tags=["release"],
)
def check_release_post_migrate(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E607: a command of DEPLOYTOOLS["POST_MIGRATE_COMMANDS"] failed."""
    return _step("release_post_migrate", kwargs)


# In the order heroku_release runs them; excluded from its pre-migration checks.
STEP_CHECKS = (
    "release_database_reachable",
    "release_migration_lock",
    "release_unknown_migrations",
    "release_unsafe_migrations",
    "release_migrate",
    "release_post_migrate",
)
