"""
E601–E608: the steps of the release phase, judged (tag release).

``manage.py heroku_release`` (:mod:`deploytools.release_phase`) runs each step and records what
it found in :class:`~deploytools.release_phase.steps.ReleaseSteps`; these checks turn each
result into a report line, and the release goes on only while none fails. Anywhere else
(``manage.py check --deploy``, preflight) they are skipped. Registering them keeps them in the
catalogue (``--list-checks``, the README table) and lets ``SILENCED_SYSTEM_CHECKS`` hide the
warnings; it cannot make a failed step pass.
"""

from __future__ import annotations

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.migrations import unsafe_message
from deploytools.checks.registry import Messages, check
from deploytools.context import ReleaseContext, Skipped
from deploytools.release_phase.steps import (
    DatabaseServer,
    DatabaseWait,
    LockOutcome,
    MigrateOutcome,
    Plan,
    PostOutcome,
)

TAGS = ["release"]
NOT_REACHED = gettext_lazy("not reached: an earlier step of the release failed")

# In the order heroku_release runs them; excluded from its pre-migration checks.
STEP_CHECKS = (
    "release_database_reachable",
    "release_database_version",
    "release_migration_lock",
    "release_unknown_migrations",
    "release_unsafe_migrations",
    "release_migrate",
    "release_post_migrate",
)


def _reached(
    step: DatabaseWait | DatabaseServer | LockOutcome | Plan | MigrateOutcome | PostOutcome | None,
) -> None:
    if step is None:
        raise Skipped(str(NOT_REACHED))
    skipped = getattr(step, "skipped", "")
    if skipped:
        raise Skipped(skipped)


PERMANENT_HINTS = {
    "credentials": gettext_lazy(
        "The user or password in DATABASE_URL is wrong (stale credentials?): compare it with "
        "heroku pg:credentials:url"
    ),
    "database": gettext_lazy(
        "The database name in DATABASE_URL does not exist on that server: compare it with "
        "heroku pg:credentials:url"
    ),
    "ssl": gettext_lazy(
        "The settings require SSL (sslmode=require) and the server does not offer it: Heroku "
        "Postgres always does, so DATABASE_URL points at another server; compare it with "
        "heroku pg:credentials:url"
    ),
    "pg_hba": gettext_lazy(
        "The server accepts no connection from this host and user (pg_hba.conf), or requires "
        "SSL: check DATABASE_URL and its sslmode against heroku pg:credentials:url"
    ),
    "version": gettext_lazy(
        "Django refuses this PostgreSQL version: upgrade the database (heroku pg:upgrade:run), "
        "or deploy a Django that supports it"
    ),
}


@check(
    name="release_database_reachable",
    title=gettext_lazy("Database reachable"),
    ids={"E601": gettext_lazy("database unreachable after the retry budget")},
    tags=TAGS,
)
def check_release_database_reachable(context: ReleaseContext) -> Messages:
    """E601: the database answered within DEPLOYTOOLS["DATABASE_WAIT_SECONDS"]."""
    wait = context.steps.database
    _reached(wait)
    assert wait is not None
    if wait.reachable:
        context.evidence(
            _("%(address)s, %(attempts)d attempt(s)")
            % {"address": wait.address, "attempts": wait.attempts}
        )
        return []
    if wait.permanent:
        text = _(
            "The database at %(address)s refused the connection, which retrying cannot fix: "
            "%(reason)s"
        ) % {"address": wait.address, "reason": wait.error}
        hint = str(PERMANENT_HINTS[wait.permanent])
    else:
        text = _(
            "The database at %(address)s did not answer within %(budget).0fs (%(attempts)d "
            "attempts): %(reason)s"
        ) % {
            "address": wait.address,
            "budget": wait.budget,
            "attempts": wait.attempts,
            "reason": wait.error,
        }
        hint = _(
            "Check that the database is up and that DATABASE_URL points at it "
            '(or raise DEPLOYTOOLS["DATABASE_WAIT_SECONDS"]): heroku pg:info'
        )
    return [checks.Error(text, hint=hint, obj=wait.address, id="deploytools.E601")]


def _upgrade_path(minimum: int) -> str:
    """
    How to move a Heroku Postgres database to PostgreSQL ``minimum`` (heroku/cli
    src/commands/pg/upgrade/{prepare,run}.ts @ c5fbf4b, read 2026-12-01: prepare schedules
    the upgrade of a Standard-tier or higher leader, run starts it, or upgrades an
    Essential-tier database at once; legacy plans need an Essential plan first).
    """
    import os

    app = os.environ.get("HEROKU_APP_NAME") or "APP"
    return _(
        "Upgrade the database before deploying this release (the current release keeps "
        "serving): Standard tier and up: heroku pg:upgrade:prepare DATABASE_URL --version "
        "%(v)d -a %(app)s, then heroku pg:upgrade:run DATABASE_URL -a %(app)s; Essential "
        "tier: heroku pg:upgrade:run DATABASE_URL --version %(v)d -a %(app)s; a legacy "
        "mini/basic/hobby plan: heroku addons:upgrade DATABASE_URL heroku-postgresql:essential-0 "
        "-a %(app)s first"
    ) % {"v": minimum, "app": app}


@check(
    name="release_database_version",
    title=gettext_lazy("PostgreSQL version supported by this Django"),
    ids={"E608": gettext_lazy("PostgreSQL server older than the running Django supports")},
    tags=TAGS,
)
def check_release_database_version(context: ReleaseContext) -> Messages:
    """E608: the server's version is one the running Django supports (platform data)."""
    server = context.steps.server
    _reached(server)
    assert server is not None
    if server.error:
        raise Skipped(_("could not read the server's version: %(error)s") % {"error": server.error})
    values = {"server": server.display, "django": server.django, "min": server.minimum}
    if server.supported:
        context.evidence(_("PostgreSQL %(server)s; Django %(django)s needs %(min)s+") % values)
        return []
    assert server.minimum is not None
    wait = context.steps.database
    return [
        checks.Error(
            _(
                "The PostgreSQL server at %(address)s runs %(server)s, older than Django "
                "%(django)s supports (%(min)s or later)."
            )
            % {**values, "address": wait.address if wait else "?"},
            hint=_upgrade_path(server.minimum),
            obj=wait.address if wait else "DATABASE_URL",
            id="deploytools.E608",
        )
    ]


@check(
    name="release_migration_lock",
    title=gettext_lazy("Migration lock taken"),
    ids={"E602": gettext_lazy("migration lock held by another release past the timeout")},
    tags=TAGS,
)
def check_release_migration_lock(context: ReleaseContext) -> Messages:
    """E602: no other release held the advisory lock past the timeout."""
    lock = context.steps.lock
    _reached(lock)
    assert lock is not None
    if lock.held:
        context.evidence(_("held after %(waited).1fs") % {"waited": lock.waited})
        return []
    if lock.error:
        return [
            checks.Error(
                _("The migration lock could not be taken: %(error)s.") % {"error": lock.error},
                hint=_("Check the database, then retry: heroku pg:info"),
                obj=f"pg_advisory_lock({lock.key})",
                id="deploytools.E602",
            )
        ]
    return [
        checks.Error(
            _(
                "The migration lock was held by %(holder)s for more than %(timeout).0fs: "
                "another release is still migrating."
            )
            % {"holder": lock.holder or _("another session"), "timeout": lock.timeout},
            hint=_(
                "Wait for the other release to finish (heroku releases), then retry it, or "
                'raise DEPLOYTOOLS["MIGRATION_LOCK_TIMEOUT_SECONDS"]'
            ),
            obj=f"pg_advisory_lock({lock.key})",
            id="deploytools.E602",
        )
    ]


@check(
    name="release_unknown_migrations",
    title=gettext_lazy("Database has no migrations this code does not know"),
    ids={
        "W604": gettext_lazy(
            "the database has applied migrations this code does not know (a rollback)"
        )
    },
    tags=TAGS,
)
def check_release_unknown_migrations(context: ReleaseContext) -> Messages:
    """W604: migrations applied in the database but unknown to this code (a rollback)."""
    plan = context.steps.plan
    _reached(plan)
    assert plan is not None
    if not plan.unknown:
        context.evidence(_("none"))
        return []
    app, target = plan.unknown_app_leaf
    return [
        checks.Warning(
            _(
                "The database has %(count)d migration(s) this code does not know (%(labels)s): "
                "the code was rolled back; nothing is unapplied."
            )
            % {"count": len(plan.unknown), "labels": ", ".join(plan.unknown)},
            hint=_(
                "If the schema must follow the code, unapply them with the newer release's "
                "code, which has their files (this code cannot: Django only unapplies "
                "migrations it has), before rolling back to this one: heroku run python "
                "manage.py migrate %(app)s %(target)s"
            )
            % {"app": app, "target": target},
            obj=plan.unknown[0],
            id="deploytools.W604",
        )
    ]


@check(
    name="release_unsafe_migrations",
    title=gettext_lazy("Pending migrations are safe while the old release serves"),
    ids={
        "E603": gettext_lazy("unsafe migration refused by policy"),
        "W606": gettext_lazy("unsafe migration applied under the `warn` policy"),
    },
    tags=TAGS,
)
def check_release_unsafe_migrations(context: ReleaseContext) -> Messages:
    """
    E603 (UNSAFE_MIGRATIONS "fail") / W606 ("warn"): the one judgement of unsafe migrations
    (W303's in preflight) on the plan read from the database.
    """
    plan = context.steps.plan
    _reached(plan)
    assert plan is not None
    if not plan.forward:
        context.evidence(_("nothing pending"))
        return []
    judgement = plan.judgement
    if judgement is None:
        return []
    if judgement.allowed:
        allowed = ", ".join(f"{label} ({why})" for label, why in judgement.allowed)
        context.evidence(_("allowed: %s") % allowed)
    level, msg_id = (
        (checks.ERROR, "deploytools.E603")
        if plan.policy == "fail"
        else (checks.WARNING, "deploytools.W606")
    )
    return [unsafe_message(found, level, msg_id) for found in judgement.unsafe]


def _failed_migration(outcome: MigrateOutcome, applied: int) -> str:
    counts = {
        "error": outcome.error,
        "count": applied,
        "migration": outcome.failed,
        "operation": outcome.failed_operation,
    }
    if outcome.stage == "plan":
        return _("The migrations could not be planned or applied: %(error)s.") % counts
    if not outcome.failed:
        return _("migrate failed before applying a migration: %(error)s.") % counts
    at = _(" at operation %(operation)s") % counts if outcome.failed_operation else ""
    if outcome.atomic:
        return _(
            "Migration %(migration)s failed%(at)s and was rolled back: %(error)s. "
            "%(count)d earlier migration(s) of this release were kept."
        ) % {**counts, "at": at}
    if outcome.operations_done:
        left = _(
            "these operations ran before the failure and were NOT rolled back: %(done)s; the "
            "failing one may have partly run"
        ) % {"done": "; ".join(outcome.operations_done)}
    else:
        left = _(
            "no operation completed before the failure, but the failing one may have partly run"
        )
    return _(
        "Migration %(migration)s failed%(at)s: %(error)s. It is not atomic (atomic = "
        "False), so what it did was not rolled back: %(left)s. Django did not record it "
        "as applied; the next release runs it again from its first operation. "
        "%(count)d earlier migration(s) of this release were kept."
    ) % {**counts, "at": at, "left": left}


@check(
    name="release_migrate",
    title=gettext_lazy("Migrations applied"),
    ids={"E605": gettext_lazy("a migration failed (which, why, and what was left behind)")},
    tags=TAGS,
)
def check_release_migrate(context: ReleaseContext) -> Messages:
    """
    E605: a migration failed; an atomic one was rolled back, a non-atomic one left the
    operations that completed before the failure in the database (named in the message).
    """
    outcome = context.steps.migrate
    _reached(outcome)
    assert outcome is not None
    if not outcome.error:
        if outcome.applied:
            context.evidence(
                _("%(count)d applied in %(elapsed).2fs")
                % {"count": len(outcome.applied), "elapsed": outcome.elapsed}
            )
        else:
            context.evidence(_("nothing to migrate"))
        return []
    if outcome.stage == "plan":
        hint = _(
            "Fix it and release again; to see where it fails: heroku run python manage.py "
            "heroku_release --dry-run --traceback"
        )
    else:
        app = [outcome.failed.split(".")[0]] if outcome.failed else []
        hint = _(
            "Fix the migration and release again; to try it by hand: heroku run python "
            "manage.py %(command)s"
        ) % {"command": " ".join(["migrate", *app])}
        if not outcome.atomic:
            hint = _(
                "Undo or finish by hand what it left behind (heroku pg:psql), or make its "
                "operations safe to run twice, then release again; to try it by hand: heroku "
                "run python manage.py %(command)s"
            ) % {"command": " ".join(["migrate", *app])}
    return [
        checks.Error(
            _failed_migration(outcome, len(outcome.applied)),
            hint=hint,
            obj=outcome.failed or "migrate",
            id="deploytools.E605",
        )
    ]


@check(
    name="release_post_migrate",
    title=gettext_lazy("Post-migrate commands ran"),
    ids={"E607": gettext_lazy("a post-migrate command failed")},
    tags=TAGS,
)
def check_release_post_migrate(context: ReleaseContext) -> Messages:
    """E607: a command of DEPLOYTOOLS["POST_MIGRATE_COMMANDS"] failed."""
    post = context.steps.post
    _reached(post)
    assert post is not None
    if not post.failed:
        context.evidence(", ".join(post.commands) if post.commands else _("none"))
        return []
    return [
        checks.Error(
            _("The post-migrate command %(command)r failed: %(error)s.")
            % {"command": post.failed, "error": post.error},
            hint=_(
                'Fix it or remove it from DEPLOYTOOLS["POST_MIGRATE_COMMANDS"]; to try it: '
                "heroku run python manage.py %(command)s"
            )
            % {"command": post.failed},
            obj=post.failed,
            id="deploytools.E607",
        )
    ]
