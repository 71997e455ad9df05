"""The commit preflight judges: exported apart from the work tree, kept up to date between runs."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

from deploytools.facts.dyno import export_isolation
from deploytools.facts.project import Project, bytecode_folder, exported
from tests.helpers import commit_all, git


def files_of(tree: Path) -> set[str]:
    return {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}


def test_the_export_holds_the_commit_and_follows_it_run_after_run(repo: Path) -> None:
    (repo / "oldapp").mkdir()
    (repo / "oldapp" / "__init__.py").write_text("")
    commit_all(repo, "oldapp")
    (repo / "untracked_settings.py").write_text("SECRET = 1\n")
    with exported(Project.at(repo)) as judged:
        tree = judged.tree
        assert tree.is_relative_to(repo / ".git")
        assert files_of(tree) == {"app.py", "oldapp/__init__.py"}
        # What a run writes there (a settings module's log, bytecode by mistake) ...
        (tree / "written-by-settings.log").write_text("x")
        (tree / "oldapp" / "__pycache__").mkdir()
        (tree / "oldapp" / "__pycache__" / "__init__.cpython-313.pyc").write_bytes(b"")
    # ... is gone once the run ends.
    assert files_of(tree) == {"app.py", "oldapp/__init__.py"}

    (tree / "oldapp" / "__pycache__").mkdir()
    (tree / "oldapp" / "__pycache__" / "__init__.cpython-313.pyc").write_bytes(b"")
    git(repo, "rm", "-q", "-r", "oldapp")
    (repo / "app.py").write_text("print('v2')\n")
    commit_all(repo, "v2")
    with exported(Project.at(repo)) as judged:
        assert judged.tree == tree
        # A folder whose files the commit deleted is not left behind with its bytecode:
        # it would import as a namespace package, which the slug would not have.
        assert not (tree / "oldapp").exists()
        assert (tree / "app.py").read_text() == "print('v2')\n"
        assert judged.commit == git(repo, "rev-parse", "HEAD")
    assert bytecode_folder(tree) == tree.parent / "pycache"


def test_processes_running_the_export_find_no_git_repository_above_it(repo: Path) -> None:
    # A slug has no .git: settings that ask git for the commit fail on Heroku, and must here.
    with exported(Project.at(repo)) as judged:
        isolation = export_isolation(judged)
        asked = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=judged.tree,
            env={**os.environ, **isolation},
            capture_output=True,
            text=True,
        )
    assert asked.returncode != 0
    assert "not a git repository" in asked.stderr
    assert isolation["PYTHONPYCACHEPREFIX"] == str(bytecode_folder(judged.tree))
    # The working tree itself (no commit to export) is judged as it is.
    assert export_isolation(Project.at(repo)) == {}


def test_a_sparse_checkout_does_not_thin_the_export(repo: Path) -> None:
    (repo / "a").mkdir()
    (repo / "a" / "x.py").write_text("")
    (repo / "b").mkdir()
    (repo / "b" / "y.py").write_text("")
    commit_all(repo, "a and b")
    git(repo, "sparse-checkout", "set", "a")
    assert not (repo / "b").exists()
    for _run in range(2):  # the first export, then the kept one brought up to date
        with exported(Project.at(repo)) as judged:
            assert {"a/x.py", "b/y.py"} <= files_of(judged.tree)


def test_a_busy_export_place_gives_a_temporary_export(repo: Path) -> None:
    with exported(Project.at(repo)):
        pass  # creates the kept place
    lock = (repo / ".git" / "deploytools-export" / "lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another preflight holds it
        with exported(Project.at(repo)) as judged:
            assert not judged.tree.is_relative_to(repo / ".git")
            assert files_of(judged.tree) == {"app.py"}
            temporary = judged.tree
        assert not temporary.exists()
    finally:
        lock.close()
