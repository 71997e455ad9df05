"""
The one judgement of the migrations a release applies, shared by preflight (W303) and the
release phase (E603, W606).

Each migration's unsafe operations (:mod:`deploytools.facts.migration_safety`) are judged in
the order the release applies them: a table created earlier in the same batch has no old code
reading it, and a migration the project allows (:func:`is_allowed`) is listed, not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.migrations import Migration, operations
from django.db.migrations.state import ProjectState

from deploytools.facts.migration_safety import UnsafeOperation, migration_label, unsafe_operations

__all__ = ["BatchJudgement", "created_models", "is_allowed", "judge_batch"]


def created_models(migration: Migration) -> set[tuple[str, str]]:
    """(app_label, model_name_lower) of the tables ``migration`` creates (or renames into)."""
    found: set[tuple[str, str]] = set()
    for op in migration.operations:
        if isinstance(op, operations.CreateModel):
            found.add((migration.app_label, op.name_lower))
        elif isinstance(op, operations.RenameModel):
            found.add((migration.app_label, op.new_name_lower))
    return found


def is_allowed(migration: Migration) -> str:
    """
    Why ``migration`` may run although unsafe ("" when it may not): listed in
    ``DEPLOYTOOLS["ALLOW_UNSAFE_MIGRATIONS"]`` as "app_label.name", or marked on its class with
    ``deploytools_allow_unsafe = True``.
    """
    from deploytools.conf import conf

    if migration_label(migration) in conf.allow_unsafe_migrations:
        return 'DEPLOYTOOLS["ALLOW_UNSAFE_MIGRATIONS"]'
    if getattr(migration, "deploytools_allow_unsafe", False) is True:
        return "deploytools_allow_unsafe = True"
    return ""


@dataclass(frozen=True)
class BatchJudgement:
    """What :func:`judge_batch` found: the unsafe operations, and the migrations allowed."""

    unsafe: list[UnsafeOperation]
    allowed: list[tuple[str, str]]  # (migration label, why it is allowed)


def judge_batch(
    batch: Iterable[Migration],
    *,
    vendor: str,
    state_before: Callable[[Migration], ProjectState | None],
) -> BatchJudgement:
    """
    The one judgement of the migrations a release applies (``batch``, in the order it applies
    them), shared by preflight (W303) and the release phase (E603/W606): each migration's unsafe
    operations, except on tables created earlier in the same batch, and except for the
    migrations that are allowed (:func:`is_allowed`). ``state_before(migration)`` is the project
    state right before it.
    """
    unsafe: list[UnsafeOperation] = []
    allowed: list[tuple[str, str]] = []
    created: set[tuple[str, str]] = set()
    for migration in batch:
        found = unsafe_operations(
            migration, vendor=vendor, state=state_before(migration), created=created
        )
        created |= created_models(migration)
        if not found:
            continue
        why = is_allowed(migration)
        if why:
            allowed.append((migration_label(migration), why))
        else:
            unsafe.extend(found)
    return BatchJudgement(unsafe, allowed)
