"""
Which migration operations are unsafe while the previous release still serves traffic.

Heroku's release phase migrates the database while the old dynos keep answering requests with the
old code, and the new dynos start only afterwards. An operation is *unsafe* here when the old code
breaks against the new schema (a dropped or renamed column or table, a NOT NULL column the old code
does not fill) or when it holds a lock that stops writes for as long as it rewrites or scans the
table (a column type change, SET NOT NULL, an index or unique constraint built non-concurrently).

Shared by preflight (W303, W304) and the release phase (E603, W606) through
:func:`deploytools.facts.migration_batch.judge_batch`, the one judgement of a release's
migrations. The analysis reads the migration only, never the database; the state before the
migration (``loader.project_state((app, name), at_end=False)``) lets it compare an
``AlterField`` with the field it replaces.

``RunSQL`` is judged best-effort, by keywords (DROP, RENAME, ALTER ... TYPE, SET NOT NULL, CREATE
INDEX without CONCURRENTLY); ``RunPython`` cannot be judged and is never reported as unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.migrations import Migration, operations
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.utils.translation import gettext as _

__all__ = [
    "UnsafeOperation",
    "irreversible_operations",
    "migration_label",
    "unsafe_operations",
]


@dataclass(frozen=True)
class UnsafeOperation:
    """One operation of a migration that is unsafe during a zero-downtime release."""

    migration: str  # "app_label.0005_name"
    operation: str  # "RemoveField blog.Post.body"
    reason: str  # why it breaks the old release still serving traffic / locks a table


# Statements that break the old code or lock a table while they run. Best-effort: SQL is not parsed.
_UNSAFE_SQL = [
    (re.compile(r"\bDROP\s+(TABLE|COLUMN|VIEW)\b", re.I), "drops a table or column"),
    (re.compile(r"\bRENAME\b", re.I), "renames a table or column"),
    (re.compile(r"\bALTER\s+(COLUMN\s+)?\S+\s+(SET\s+DATA\s+)?TYPE\b", re.I), "changes a type"),
    (re.compile(r"\bSET\s+NOT\s+NULL\b", re.I), "sets NOT NULL"),
    (
        re.compile(r"\bCREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)", re.I),
        "builds an index without CONCURRENTLY",
    ),
]


def migration_label(migration: Migration) -> str:
    """The migration's label, "app_label.name", as messages and settings name it."""
    return f"{migration.app_label}.{migration.name}"


def _model_name(state: ProjectState | None, app_label: str, model_name: str) -> str:
    """The model's name as written (Post), where the operation only knows it lowercased."""
    if state is not None:
        model_state = state.models.get((app_label, model_name.lower()))
        if model_state is not None:
            return str(model_state.name)
    return model_name


def _old_field(
    state: ProjectState | None, app_label: str, model_name: str, name: str
) -> models.Field[Any, Any] | None:
    if state is None:
        return None
    model_state = state.models.get((app_label, model_name.lower()))
    if model_state is None:
        return None
    field: models.Field[Any, Any] | None = model_state.fields.get(name)
    return field


# connection.vendor -> the module of Django's backend for it, where they differ.
_BACKEND_MODULES = {"sqlite": "sqlite3"}


def _connection(vendor: str) -> Any:
    """A connection object of ``vendor`` for computing column types; never connects."""
    from django.db import connections
    from django.db.utils import load_backend

    for alias in connections:
        if connections[alias].vendor == vendor:
            return connections[alias]
    engine = f"django.db.backends.{_BACKEND_MODULES.get(vendor, vendor)}"
    try:
        backend = load_backend(engine)
    except Exception:  # noqa: BLE001 - a missing driver only weakens the type comparison
        return None
    settings_dict: dict[str, Any] = {
        "ENGINE": engine,
        "NAME": "",
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {},
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    return backend.DatabaseWrapper(settings_dict, alias="__deploytools_types__")


def _column_type(field: models.Field[Any, Any], connection: Any) -> str | None:
    if connection is None:
        kwargs = field.deconstruct()[3]
        # Without a backend, the class and its size parameters stand in for the column type.
        sizes = ", ".join(
            f"{k}={kwargs[k]}"
            for k in ("max_length", "max_digits", "decimal_places")
            if k in kwargs
        )
        return f"{type(field).__name__}({sizes})"
    try:
        db_type = field.db_type(connection)
    except Exception:  # noqa: BLE001 - unbound relations cannot tell; treat as unknown
        return None
    return None if db_type is None else str(db_type).lower()


_VARCHAR = re.compile(r"^varchar\((\d+)\)$")


def _type_change_is_safe(old: str, new: str, vendor: str) -> bool:
    """PostgreSQL widens varchar, or turns it into text, without rewriting the table."""
    if vendor != "postgresql":
        return False
    old_match, new_match = _VARCHAR.match(old), _VARCHAR.match(new)
    if old_match and new == "text":
        return True
    return bool(old_match and new_match and int(new_match[1]) >= int(old_match[1]))


def _is_postgres_op(op: Operation, name: str) -> bool:
    """Whether ``op`` is django.contrib.postgres's operation ``name`` (absent without a driver)."""
    try:
        from django.contrib.postgres import operations as pg_operations
    except ImportError:
        return False
    cls = getattr(pg_operations, name, None)
    return cls is not None and isinstance(op, cls)


def _sql_statements(sql: Any) -> Iterator[str]:
    if isinstance(sql, str):
        yield sql
    elif isinstance(sql, list | tuple):
        for item in sql:
            # RunSQL accepts (sql, params) pairs among its statements.
            yield item[0] if isinstance(item, list | tuple) and item else str(item)


def _has_db_default(field: models.Field[Any, Any]) -> bool:
    # Field.db_default exists from Django 5.0; on 4.2 no field has one.
    return getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED


def _builds_index(field: models.Field[Any, Any]) -> bool:
    # Field.db_index is set by __init__ but missing from django-stubs.
    db_index = bool(getattr(field, "db_index", False))
    return bool(field.unique or db_index) and not field.many_to_many


def _together(value: Any) -> set[tuple[str, ...]]:
    return {tuple(item) for item in (value or ())}


class _Analyser:
    def __init__(self, migration: Migration, vendor: str, state: ProjectState | None) -> None:
        self.migration = migration
        self.label = migration_label(migration)
        self.app_label = migration.app_label
        self.vendor = vendor
        # Mutated operation by operation, so each one is judged against the state right before it.
        self.state = state.clone() if state is not None else None
        self.created: set[str] = set()  # models created by this migration: new, empty tables
        self.found: list[UnsafeOperation] = []
        self._connection: Any = ...

    @property
    def connection(self) -> Any:
        if self._connection is ...:
            self._connection = _connection(self.vendor)
        return self._connection

    def report(self, operation: str, reason: str) -> None:
        self.found.append(UnsafeOperation(self.label, operation, reason))

    def model(self, model_name: str) -> str:
        return f"{self.app_label}.{_model_name(self.state, self.app_label, model_name)}"

    def run(self, ops: Iterable[Operation]) -> None:
        for op in ops:
            self.judge(op)
            if self.state is not None:
                try:
                    op.state_forwards(self.app_label, self.state)
                except Exception:  # noqa: BLE001 - an odd state must not hide later findings
                    self.state = None

    def judge(self, op: Operation) -> None:  # noqa: C901 - one branch per operation type
        if isinstance(op, operations.SeparateDatabaseAndState):
            # Only the database operations touch the schema; the state ones are bookkeeping.
            sub = _Analyser(self.migration, self.vendor, self.state)
            sub.created = set(self.created)
            sub._connection = self._connection
            sub.run(op.database_operations)
            self.found.extend(sub.found)
            return
        if isinstance(op, operations.CreateModel):
            self.created.add(op.name_lower)
            return
        model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
        if isinstance(model_name, str) and model_name.lower() in self.created:
            return  # a table created by this very migration has no old code reading it
        if isinstance(op, operations.RemoveField):
            self.report(
                f"RemoveField {self.model(op.model_name)}.{op.name}",
                _("the previous release still selects and inserts this column"),
            )
        elif isinstance(op, operations.DeleteModel):
            self.report(
                f"DeleteModel {self.model(op.name)}",
                _("the previous release still reads and writes this table"),
            )
        elif isinstance(op, operations.RenameField):
            self.report(
                f"RenameField {self.model(op.model_name)}.{op.old_name} -> {op.new_name}",
                _("the previous release still uses the old column name"),
            )
        elif isinstance(op, operations.RenameModel):
            self.report(
                f"RenameModel {self.app_label}.{op.old_name} -> {op.new_name}",
                _("the previous release still uses the old table name"),
            )
        elif isinstance(op, operations.AlterModelTable):
            self.judge_alter_table(op)
        elif isinstance(op, operations.AddField):
            self.judge_add_field(op)
        elif isinstance(op, operations.AlterField):
            self.judge_alter_field(op)
        elif _is_postgres_op(op, "AddIndexConcurrently"):
            return
        elif isinstance(op, operations.AddIndex):
            self.report(
                f"AddIndex {self.model(op.model_name)} {op.index.name}",
                _(
                    "CREATE INDEX blocks writes to the table while it builds; use "
                    "AddIndexConcurrently in a non-atomic migration"
                ),
            )
        elif isinstance(op, operations.AddConstraint):
            self.judge_add_constraint(op)
        elif isinstance(op, operations.AlterUniqueTogether | operations.AlterIndexTogether):
            self.judge_together(op)
        elif isinstance(op, operations.RunSQL):
            self.judge_sql(op)

    def judge_alter_table(self, op: operations.AlterModelTable) -> None:
        old = None
        if self.state is not None:
            model_state = self.state.models.get((self.app_label, op.name_lower))
            old = model_state.options.get("db_table") if model_state is not None else None
        if old is not None and old == op.table:
            return
        self.report(
            f"AlterModelTable {self.model(op.name)} -> {op.table}",
            _("renames the table the previous release still uses"),
        )

    def judge_add_field(self, op: operations.AddField) -> None:
        field = op.field
        name = f"AddField {self.model(op.model_name)}.{op.name}"
        if field.many_to_many:
            return  # a new join table: nothing old reads it
        if not field.null and not _has_db_default(field):
            self.report(
                name,
                _(
                    "NOT NULL without a db_default: the previous release inserts rows without "
                    "this column and fails (a Python-side default is not in the database)"
                ),
            )
        elif _builds_index(field):
            self.report(
                name, _("builds an index (unique or db_index) that blocks writes to the table")
            )

    def judge_alter_field(self, op: operations.AlterField) -> None:
        new = op.field
        name = f"AlterField {self.model(op.model_name)}.{op.name}"
        old = _old_field(self.state, self.app_label, op.model_name, op.name)
        if old is None:
            self.report(
                name,
                _(
                    "the previous definition of the field is unknown, so a type or NULL change "
                    "cannot be ruled out"
                ),
            )
            return
        if old.null and not new.null:
            self.report(
                name,
                _(
                    "SET NOT NULL scans the table under an exclusive lock, and the previous "
                    "release may still write NULLs"
                ),
            )
            return
        if not (old.is_relation or new.is_relation):
            old_type, new_type = (_column_type(f, self.connection) for f in (old, new))
            if (
                old_type is not None
                and new_type is not None
                and old_type != new_type
                and not _type_change_is_safe(old_type, new_type, self.vendor)
            ):
                self.report(
                    f"{name} ({old_type} -> {new_type})",
                    _("changing the column type rewrites the table under an exclusive lock"),
                )
                return
        if _builds_index(new) and not _builds_index(old):
            self.report(
                name, _("builds an index (unique or db_index) that blocks writes to the table")
            )

    def judge_add_constraint(self, op: operations.AddConstraint) -> None:
        constraint = op.constraint
        name = f"AddConstraint {self.model(op.model_name)} {constraint.name}"
        if _is_postgres_op(op, "AddConstraintNotValid"):
            return  # NOT VALID skips the scan; ValidateConstraint later takes a weaker lock
        if isinstance(constraint, models.UniqueConstraint):
            self.report(
                name, _("builds a unique index that blocks writes to the table while it builds")
            )
        elif isinstance(constraint, models.CheckConstraint):
            self.report(
                name,
                _(
                    "validates every row under an exclusive lock, and the previous release may "
                    "still write rows that violate it"
                ),
            )
        else:
            self.report(name, _("builds an index that blocks writes to the table"))

    def judge_together(
        self, op: operations.AlterUniqueTogether | operations.AlterIndexTogether
    ) -> None:
        new = _together(op.option_value)
        old: set[tuple[str, ...]] = set()
        if self.state is not None:
            model_state = self.state.models.get((self.app_label, op.name_lower))
            if model_state is not None:
                old = _together(model_state.options.get(op.option_name))
        added = sorted(new - old)
        if added:
            columns = "; ".join(", ".join(fields) for fields in added)
            self.report(
                f"{type(op).__name__} {self.model(op.name)} ({columns})",
                _("builds an index that blocks writes to the table while it builds"),
            )

    def judge_sql(self, op: operations.RunSQL) -> None:
        for statement in _sql_statements(op.sql):
            for pattern, what in _UNSAFE_SQL:
                if pattern.search(statement):
                    self.report(
                        f"RunSQL {_shorten(statement)}",
                        _("the SQL %(what)s (judged by keywords only)") % {"what": what},
                    )
                    return


def _shorten(text: str, limit: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def unsafe_operations(
    migration: Migration,
    *,
    vendor: str = "postgresql",
    state: ProjectState | None = None,
    created: Iterable[tuple[str, str]] = (),
) -> list[UnsafeOperation]:
    """
    The operations of ``migration`` that are unsafe while the previous release serves traffic.

    ``state`` is the project state right before the migration (from
    ``MigrationLoader.project_state((app, name), at_end=False)``); without it an ``AlterField`` is
    reported, since its previous definition cannot be compared. ``vendor`` is the database
    (``connection.vendor``): on PostgreSQL, widening a varchar is a safe type change.
    Operations on a model created in the same migration, or in ``created`` ((app_label,
    model_name_lower) pairs made earlier in the same release), are always safe: a new table has
    no old code reading it.
    """
    analyser = _Analyser(migration, vendor, state)
    analyser.created.update(model for app, model in created if app == migration.app_label)
    analyser.run(migration.operations)
    return analyser.found


def _describe_irreversible(op: Operation) -> str:
    if isinstance(op, operations.RunPython):
        code = getattr(op.code, "__qualname__", None) or repr(op.code)
        return f"RunPython {code} without reverse_code"
    if isinstance(op, operations.RunSQL):
        statements = list(_sql_statements(op.sql))
        return f"RunSQL {_shorten(statements[0] if statements else '')} without reverse_sql"
    return f"{type(op).__name__} (irreversible)"


def irreversible_operations(migration: Migration) -> list[str]:
    """Descriptions of the operations of ``migration`` that cannot be unapplied (W304)."""
    found: list[str] = []

    def visit(ops: Iterable[Operation]) -> None:
        for op in ops:
            if isinstance(op, operations.SeparateDatabaseAndState):
                visit(op.database_operations)
            elif not op.reversible:
                found.append(_describe_irreversible(op))

    visit(migration.operations)
    return found
