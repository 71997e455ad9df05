"""
The migrations on disk, and which of them a release would apply.

In a checkout (preflight) git tells: the migration files added since the Heroku remote's
deploy branch, or all of them when nothing was deployed yet. In the release phase git plays no
part (a slug has no .git): the plan read from the database says, and
:class:`~deploytools.release_phase.steps.ReleaseSteps` carries it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from deploytools.context import Context, ReleaseContext, Skipped, memoized

if TYPE_CHECKING:
    from django.db.migrations import Migration
    from django.db.migrations.loader import MigrationLoader

MigrationKey = tuple[str, str]


@dataclass(frozen=True)
class Pending:
    """The migrations a release applies, in the order it applies them, and how we know."""

    migrations: list[tuple[MigrationKey, Migration]]
    scope: str  # "added since heroku/master", "planned against the database", ...


@memoized
def loader_or_error(context: Context) -> MigrationLoader | str:
    """The migration graph from disk (no database), or why it cannot be loaded."""
    from django.db.migrations.loader import MigrationLoader

    try:
        return MigrationLoader(None, ignore_no_migrations=True)
    except Exception as exc:  # noqa: BLE001 - a broken migration file is a finding
        return f"{type(exc).__name__}: {exc}"


def loader_or_skip(context: Context) -> MigrationLoader:
    loaded = loader_or_error(context)
    if isinstance(loaded, str):
        raise Skipped(_("the migrations cannot be loaded (see deploytools.E302)"))
    return loaded


def _migration_file(migration: Migration) -> Path | None:
    module = sys.modules.get(type(migration).__module__)
    filename = getattr(module, "__file__", None)
    return Path(filename).resolve() if filename else None


def _relative(path: Path | None, tree: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(tree).as_posix()
    except ValueError:
        return None


def in_plan_order(loader: MigrationLoader, keys: set[MigrationKey]) -> list[MigrationKey]:
    """``keys`` in the order ``migrate`` applies them (dependencies first)."""
    order: list[MigrationKey] = []
    seen: set[MigrationKey] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                order.append(key)
    return [key for key in order if key in keys]


def pending_migrations(context: Context) -> Pending:
    """
    The migrations this release would apply, in plan order. In a checkout: the migration
    files added since the heroku remote's deploy branch (``git diff REMOTE/BRANCH...HEAD`` plus
    new files), or every migration when that branch is unknown (nothing deployed yet); Skipped
    when git cannot tell. In the release phase: the plan, once the database was read.
    """
    if isinstance(context, ReleaseContext):
        plan = context.steps.plan
        if plan is None:
            raise Skipped(_("judged by the release plan against the database: E603/W606/W304"))
        return Pending(plan.forward, _("planned against the database"))
    return _pending_in_checkout(context)


@memoized
def _pending_in_checkout(context: Context) -> Pending:
    from deploytools.conf import conf
    from deploytools.facts import git_repository as git

    loader = loader_or_skip(context)
    top = git.toplevel(context.project.root)
    if top is None:
        raise Skipped(_("not a git checkout: the deployed migrations are unknown"))
    remote, branch = conf.heroku_remote, conf.heroku_deploy_branch
    ref = f"{remote}/{branch}"
    if remote not in git.remotes(top):
        raise Skipped(
            _("no git remote '%(remote)s': the deployed migrations are unknown")
            % {"remote": remote}
        )
    if git.remote_branch_exists(top, remote, branch):
        base = git.merge_base(top, ref, "HEAD")
        paths = git.added_paths(top, base) if base else None
        scope = _("added since %(ref)s") % {"ref": ref}
    else:
        paths = git.all_paths(top)
        scope = _("all: %(ref)s is not known locally") % {"ref": ref}
    if paths is None:
        raise Skipped(_("git cannot compare this checkout with %(ref)s") % {"ref": ref})
    # The migration files are read from the tree judged (an export of the commit to push, in
    # the simulated dyno): compare paths relative to it, as git gives them.
    new_files = {p for p in paths if p.endswith(".py")}
    tree = context.project.tree.resolve()
    keys = {
        key
        for key, migration in loader.disk_migrations.items()
        if _relative(_migration_file(migration), tree) in new_files
    }
    ordered = in_plan_order(loader, keys)
    return Pending([(key, loader.disk_migrations[key]) for key in ordered], scope)
