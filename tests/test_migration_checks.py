"""3xx: migration checks and the shared migration-safety analysis."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import django
import pytest
from django.db import migrations, models
from django.db.migrations.state import ModelState, ProjectState
from django.test import override_settings

from deploytools.checks.run import CheckResult
from deploytools.context import PreflightContext
from deploytools.facts.migration_safety import (
    UnsafeOperation,
    irreversible_operations,
    unsafe_operations,
)
from deploytools.facts.project import Project
from tests.helpers import EXAMPLE_CONFIG, ROOT, git, run_check, run_manage

SHOP_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "tests.migrationapps.shop"]
COMPLETE = Path(__file__).parent / "migrationapps" / "shop" / "migrations" / "0001_initial.py"


def shop_settings(migrations_module: str) -> override_settings:
    return override_settings(
        INSTALLED_APPS=SHOP_APPS, MIGRATION_MODULES={"shop": migrations_module}
    )


# --- migration_safety.unsafe_operations ------------------------------------------------------


def shop_state(**extra_fields: models.Field) -> ProjectState:  # type: ignore[type-arg]
    state = ProjectState()
    fields = {
        "id": models.BigAutoField(primary_key=True),
        "name": models.CharField(max_length=100),
        "body": models.TextField(null=True),
        "code": models.CharField(max_length=10),
        **extra_fields,
    }
    state.add_model(ModelState("blog", "Post", list(fields.items())))
    return state


def migration(*ops: object, name: str = "0005_change") -> migrations.Migration:
    m = migrations.Migration(name, "blog")
    m.operations = list(ops)
    return m


def ops_of(found: list[UnsafeOperation]) -> list[str]:
    return [f.operation for f in found]


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (migrations.RemoveField("post", "body"), "RemoveField blog.Post.body"),
        (migrations.DeleteModel("Post"), "DeleteModel blog.Post"),
        (migrations.RenameField("post", "body", "text"), "RenameField blog.Post.body -> text"),
        (migrations.RenameModel("Post", "Article"), "RenameModel blog.Post -> Article"),
        (migrations.AlterModelTable("post", "posts"), "AlterModelTable blog.Post -> posts"),
        (
            migrations.AddField("post", "slug", models.SlugField(default="x", db_index=False)),
            "AddField blog.Post.slug",
        ),
        (
            migrations.AddField(
                "post", "ref", models.CharField(max_length=5, null=True, unique=True)
            ),
            "AddField blog.Post.ref",
        ),
        (
            migrations.AlterField("post", "body", models.TextField()),
            "AlterField blog.Post.body",
        ),
        (
            migrations.AlterField("post", "code", models.IntegerField()),
            "AlterField blog.Post.code (varchar(10) -> integer)",
        ),
        (
            migrations.AlterField("post", "code", models.CharField(max_length=5)),
            "AlterField blog.Post.code (varchar(10) -> varchar(5))",
        ),
        (
            migrations.AlterField("post", "name", models.CharField(max_length=100, unique=True)),
            "AlterField blog.Post.name",
        ),
        (
            migrations.AddIndex("post", models.Index(fields=["name"], name="post_name_idx")),
            "AddIndex blog.Post post_name_idx",
        ),
        (
            migrations.AddConstraint(
                "post", models.UniqueConstraint(fields=["name"], name="post_name_uniq")
            ),
            "AddConstraint blog.Post post_name_uniq",
        ),
        (
            migrations.AlterUniqueTogether("post", {("name", "code")}),
            "AlterUniqueTogether blog.Post (name, code)",
        ),
        (migrations.RunSQL("ALTER TABLE blog_post DROP COLUMN body"), None),
        (migrations.RunSQL(["ALTER TABLE blog_post ALTER COLUMN code TYPE int"]), None),
        (migrations.RunSQL([("ALTER TABLE blog_post RENAME TO posts", None)]), None),
        (migrations.RunSQL("ALTER TABLE blog_post ALTER COLUMN code SET NOT NULL"), None),
        (migrations.RunSQL("CREATE INDEX post_idx ON blog_post (name)"), None),
    ],
)
def test_unsafe_operation_is_named_with_its_migration(
    operation: migrations.operations.base.Operation, expected: str | None
) -> None:
    found = unsafe_operations(migration(operation), state=shop_state())
    assert len(found) == 1, found
    assert found[0].migration == "blog.0005_change"
    assert found[0].reason
    if expected is None:
        assert found[0].operation.startswith("RunSQL ")
    else:
        assert found[0].operation == expected


@pytest.mark.parametrize(
    "operation",
    [
        migrations.AddField("post", "subtitle", models.CharField(max_length=50, null=True)),
        # Field.db_default exists from Django 5.0.
        *(
            [migrations.AddField("post", "views", models.IntegerField(db_default=0))]
            if django.VERSION >= (5, 0)
            else []
        ),
        migrations.AddField("post", "tags", models.ManyToManyField("auth.Group")),
        migrations.AlterField("post", "name", models.CharField(max_length=200)),
        migrations.AlterField("post", "code", models.TextField()),
        migrations.AlterField("post", "body", models.TextField(null=True, blank=True)),
        migrations.AlterField("post", "code", models.CharField(max_length=10, help_text="x")),
        migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AlterUniqueTogether("post", set()),
        migrations.AlterModelOptions("post", {"ordering": ["name"]}),
        migrations.RemoveIndex("post", "post_name_idx"),
        migrations.RunSQL("UPDATE blog_post SET body = ''", migrations.RunSQL.noop),
        migrations.RunSQL("CREATE INDEX CONCURRENTLY post_idx ON blog_post (name)"),
        migrations.RunPython(migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("post", "body")]
        ),
    ],
)
def test_safe_operation_is_not_reported(operation: migrations.operations.base.Operation) -> None:
    assert unsafe_operations(migration(operation), state=shop_state()) == []


def check_constraint(condition: models.Q, name: str) -> models.CheckConstraint:
    # CheckConstraint takes `condition` from Django 5.1 (and only it from 6.0), `check` before.
    keyword = "condition" if django.VERSION >= (5, 1) else "check"
    return models.CheckConstraint(name=name, **{keyword: condition})


def test_concurrent_index_and_not_valid_constraint_are_safe() -> None:
    from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently

    m = migration(
        AddIndexConcurrently("post", models.Index(fields=["name"], name="post_name_idx")),
        AddConstraintNotValid("post", check_constraint(models.Q(code__gt=""), "code_set")),
    )
    assert unsafe_operations(m, state=shop_state()) == []
    # The same constraint validated at once locks and scans: unsafe.
    check = check_constraint(models.Q(code__gt=""), "code_set")
    assert ops_of(unsafe_operations(migration(migrations.AddConstraint("post", check)))) == [
        "AddConstraint blog.post code_set"
    ]


def test_operations_on_a_model_created_by_the_same_migration_are_safe() -> None:
    m = migration(
        migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AddField("tag", "label", models.CharField(max_length=20, unique=True)),
        migrations.AddIndex("tag", models.Index(fields=["label"], name="tag_label_idx")),
        migrations.RemoveField("post", "body"),
    )
    assert ops_of(unsafe_operations(m, state=shop_state())) == ["RemoveField blog.Post.body"]


def test_separate_database_and_state_judges_the_database_operations() -> None:
    op = migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunSQL("ALTER TABLE blog_post DROP COLUMN body")],
        state_operations=[migrations.RemoveField("post", "body")],
    )
    assert ops_of(unsafe_operations(migration(op), state=shop_state())) == [
        "RunSQL ALTER TABLE blog_post DROP COLUMN body"
    ]


def test_each_operation_is_judged_against_the_state_just_before_it() -> None:
    # The field is added nullable, then made NOT NULL in the same migration: the AlterField sees
    # the field the AddField created, not an unknown one.
    m = migration(
        migrations.AddField("post", "slug", models.SlugField(null=True, db_index=False)),
        migrations.AlterField("post", "slug", models.SlugField(db_index=False)),
    )
    found = unsafe_operations(m, state=shop_state())
    assert ops_of(found) == ["AlterField blog.Post.slug"]
    assert "NOT NULL" in found[0].reason


def test_alter_field_without_state_is_reported_conservatively() -> None:
    found = unsafe_operations(migration(migrations.AlterField("post", "name", models.TextField())))
    assert ops_of(found) == ["AlterField blog.post.name"]
    assert "unknown" in found[0].reason


def test_varchar_widening_is_only_safe_on_postgresql() -> None:
    widen = migration(migrations.AlterField("post", "code", models.CharField(max_length=20)))
    assert unsafe_operations(widen, state=shop_state()) == []
    assert ops_of(unsafe_operations(widen, vendor="sqlite", state=shop_state())) == [
        "AlterField blog.Post.code (varchar(10) -> varchar(20))"
    ]


def test_irreversible_operations() -> None:
    def forwards(apps: object, schema_editor: object) -> None:
        pass

    m = migration(
        migrations.RunPython(forwards),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunSQL("UPDATE blog_post SET body = ''"),
        migrations.RunSQL("UPDATE blog_post SET body = ''", reverse_sql=""),
        migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("SELECT 1")]),
        migrations.AddField("post", "x", models.IntegerField(null=True)),
    )
    found = irreversible_operations(m)
    assert found == [
        "RunPython test_irreversible_operations.<locals>.forwards without reverse_code",
        "RunSQL UPDATE blog_post SET body = '' without reverse_sql",
        "RunSQL SELECT 1 without reverse_sql",
    ]
    assert irreversible_operations(migration(migrations.RunPython(forwards, forwards))) == []


# --- E301, E302 ------------------------------------------------------------------------------


def test_e301_fails_on_model_changes_without_a_migration() -> None:
    with shop_settings("tests.migrationapps.shop.migrations_missing"):
        result = run_check("migrations_missing", PreflightContext())
    assert result.status == "failed"
    assert result.ids == ["deploytools.E301"]
    (message,) = result.messages
    assert message.obj == "shop"
    assert "price" in message.msg
    assert str(message.hint).endswith("python manage.py makemigrations shop")


def test_e301_passes_when_migrations_match_the_models() -> None:
    with shop_settings("tests.migrationapps.shop.migrations"):
        result = run_check("migrations_missing", PreflightContext())
    assert (result.status, result.messages) == ("passed", [])
    assert "migrations on disk" in result.detail


def test_e302_fails_on_two_leaves() -> None:
    with shop_settings("tests.migrationapps.shop.migrations_conflict"):
        context = PreflightContext()
        result = run_check("migration_conflicts", context)
        missing = run_check("migrations_missing", context)
    assert result.ids == ["deploytools.E302"]
    assert "0002_a, 0002_b" in result.messages[0].msg
    assert str(result.messages[0].hint).endswith("python manage.py makemigrations --merge shop")
    assert missing.status == "skipped"


def test_e302_reports_a_graph_that_cannot_be_loaded_without_a_traceback() -> None:
    with shop_settings("tests.migrationapps.shop.migrations_broken"):
        context = PreflightContext()
        result = run_check("migration_conflicts", context)
        others = [run_check(n, context).status for n in ("migrations_missing", "unsafe_migrations")]
    assert result.ids == ["deploytools.E302"]
    assert "NodeNotFoundError" in result.messages[0].msg
    assert "0000_missing" in result.messages[0].msg
    assert others == ["skipped", "skipped"]


def test_e302_passes_on_a_linear_history() -> None:
    with shop_settings("tests.migrationapps.shop.migrations"):
        result = run_check("migration_conflicts", PreflightContext())
    assert (result.status, result.messages) == ("passed", [])
    assert result.detail == "one leaf in each of 3 apps"


# --- W303, W304 on a git repository with a "heroku" remote ---------------------------------

_counter = itertools.count()

REMOVE_PRICE = """
    from django.db import migrations


    class Migration(migrations.Migration):
        dependencies = [("shop", "0001_initial")]
        operations = [migrations.RemoveField("product", "price")]
"""
ADD_NULLABLE = """
    from django.db import migrations, models


    class Migration(migrations.Migration):
        dependencies = [("shop", "0001_initial")]
        operations = [
            migrations.AddField("product", "sku", models.CharField(max_length=20, null=True)),
        ]
"""
DATA_MIGRATION = """
    from django.db import migrations


    def fill(apps, schema_editor):
        pass


    class Migration(migrations.Migration):
        dependencies = [("shop", "{parent}")]
        operations = [migrations.RunPython(fill{reverse})]
"""


class ShopCheckout:
    """A git checkout under tmp_path whose migrations package is the shop app's migrations."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.package = f"w303_{os.getpid()}_{next(_counter)}"
        self.migrations = root / self.package / "migrations"
        self.migrations.mkdir(parents=True)
        for init in (root / self.package / "__init__.py", self.migrations / "__init__.py"):
            init.write_text("")
        shutil.copy(COMPLETE, self.migrations / "0001_initial.py")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial")

    def add_migration(self, name: str, source: str, commit: bool = True) -> None:
        (self.migrations / f"{name}.py").write_text(textwrap.dedent(source))
        if commit:
            git(self.root, "add", "-A")
            git(self.root, "commit", "-q", "-m", name)

    def add_heroku(self, push: bool = True) -> None:
        bare = self.root.parent / f"{self.package}.git"
        git(self.root.parent, "init", "-q", "--bare", str(bare))
        git(self.root, "remote", "add", "heroku", str(bare))
        if push:
            git(self.root, "push", "-q", "heroku", "main:master")
            git(self.root, "fetch", "-q", "heroku")

    def run(self, name: str) -> CheckResult:
        with shop_settings(f"{self.package}.migrations"):
            return run_check(name, PreflightContext(project=Project.at(self.root)))


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ShopCheckout]:
    root = tmp_path / "project"
    root.mkdir()
    sys.path.insert(0, str(root))
    proj = ShopCheckout(root)
    try:
        yield proj
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m.startswith(proj.package)]:
            del sys.modules[module]


def test_w303_names_the_migration_and_operation_added_since_the_remote_branch(
    project: ShopCheckout,
) -> None:
    project.add_heroku()
    project.add_migration("0002_remove_price", REMOVE_PRICE)
    result = project.run("unsafe_migrations")
    assert result.ids == ["deploytools.W303"]
    (message,) = result.messages
    assert "shop.0002_remove_price" in message.msg
    assert "RemoveField shop.Product.price" in message.msg
    assert message.obj == "shop.0002_remove_price"
    assert str(message.hint).endswith(
        "DEPLOYTOOLS['ALLOW_UNSAFE_MIGRATIONS'] = ['shop.0002_remove_price']"
    )
    assert "1 pending migrations (added since heroku/master)" in result.detail


def test_w303_counts_uncommitted_migration_files(project: ShopCheckout) -> None:
    project.add_heroku()
    project.add_migration("0002_remove_price", REMOVE_PRICE, commit=False)
    assert project.run("unsafe_migrations").ids == ["deploytools.W303"]


def test_w303_passes_for_safe_migrations_and_ignores_deployed_ones(project: ShopCheckout) -> None:
    project.add_migration("0002_remove_price", REMOVE_PRICE)
    project.add_heroku()  # 0002 is deployed already: not pending
    project.add_migration(
        "0003_data",
        DATA_MIGRATION.format(parent="0002_remove_price", reverse=", migrations.RunPython.noop"),
    )
    result = project.run("unsafe_migrations")
    assert (result.status, result.messages) == ("passed", [])
    assert "1 pending migrations" in result.detail


def test_w303_passes_with_a_safe_migration(project: ShopCheckout) -> None:
    project.add_heroku()
    project.add_migration("0002_add_sku", ADD_NULLABLE)
    assert project.run("unsafe_migrations").status == "passed"


def test_w303_respects_the_per_migration_opt_in(project: ShopCheckout) -> None:
    project.add_heroku()
    project.add_migration("0002_remove_price", REMOVE_PRICE)
    with override_settings(DEPLOYTOOLS={"ALLOW_UNSAFE_MIGRATIONS": ["shop.0002_remove_price"]}):
        result = project.run("unsafe_migrations")
    assert result.status == "passed"
    assert 'allowed: shop.0002_remove_price (DEPLOYTOOLS["ALLOW_UNSAFE_MIGRATIONS"])' in (
        result.detail
    )


def test_w303_without_the_remote_branch_judges_every_migration_as_one_release(
    project: ShopCheckout,
) -> None:
    # Nothing deployed yet: 0001 creates the table that 0002 changes, so no old code reads it
    # (the release phase judges a first release the same way: E603 stays quiet).
    project.add_heroku(push=False)
    project.add_migration("0002_remove_price", REMOVE_PRICE)
    result = project.run("unsafe_migrations")
    assert (result.status, result.ids) == ("passed", [])
    assert "2 pending migrations (all: heroku/master is not known locally)" in result.detail


def test_w303_and_w304_skip_without_a_heroku_remote(project: ShopCheckout) -> None:
    project.add_migration("0002_remove_price", REMOVE_PRICE)
    for name in ("unsafe_migrations", "irreversible_migrations"):
        result = project.run(name)
        assert result.status == "skipped"
        assert result.detail == "no git remote 'heroku': the deployed migrations are unknown"


def test_w303_skips_outside_a_git_checkout(tmp_path: Path) -> None:
    with shop_settings("tests.migrationapps.shop.migrations"):
        result = run_check("unsafe_migrations", PreflightContext(project=Project.at(tmp_path)))
    assert (result.status, result.detail) == (
        "skipped",
        "not a git checkout: the deployed migrations are unknown",
    )


def test_w304_names_a_pending_run_python_without_reverse(project: ShopCheckout) -> None:
    project.add_heroku()
    project.add_migration("0002_data", DATA_MIGRATION.format(parent="0001_initial", reverse=""))
    result = project.run("irreversible_migrations")
    assert result.ids == ["deploytools.W304"]
    (message,) = result.messages
    assert message.msg == (
        "Migration shop.0002_data: RunPython fill without reverse_code, so it cannot be unapplied."
    )
    assert message.obj == "shop.0002_data"


def test_w304_passes_with_a_reverse(project: ShopCheckout) -> None:
    project.add_heroku()
    project.add_migration(
        "0002_data",
        DATA_MIGRATION.format(parent="0001_initial", reverse=", migrations.RunPython.noop"),
    )
    assert project.run("irreversible_migrations").status == "passed"


# --- the real project -----------------------------------------------------------------------


def test_weareone_passes_the_migration_checks() -> None:
    context = PreflightContext(project=Project.at(ROOT))
    results = {
        name: run_check(name, context) for name in ("migrations_missing", "migration_conflicts")
    }
    assert {name: (r.status, r.messages) for name, r in results.items()} == {
        "migrations_missing": ("passed", []),
        "migration_conflicts": ("passed", []),
    }
    # W303/W304 never fail on this checkout: they pass, or skip when there is no heroku remote.
    for name in ("unsafe_migrations", "irreversible_migrations"):
        assert run_check(name, context).status in {"passed", "skipped"}


def test_weareone_preflight_json_has_3xx_and_5xx_passing() -> None:
    # The migration checks run with the production settings, hence the production config.
    result = run_manage("preflight", "--format", "json", "--config-vars", str(EXAMPLE_CONFIG))
    document = json.loads(result.stdout)
    ours = {
        c["name"]: c["status"]
        for c in document["checks"]
        if c["name"]
        in {"migrations_missing", "migration_conflicts", "django_support", "python_support"}
    }
    assert ours == dict.fromkeys(ours, "passed")
    assert len(ours) == 4
    assert not [
        m
        for m in document["messages"]
        if m["id"].startswith("deploytools.") and m["id"][-3] in "35"
    ]
