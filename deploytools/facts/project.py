"""
The project as Heroku builds it: where its root is and which files are judged.

Heroku builds the root of the git repository that ``git push`` sends, whatever folder
``manage.py`` lives in: the Procfile, app.json, heroku.yml, the Python version files and the
package manager's files are read there. And it builds the commit that is pushed, not the
working tree: an untracked settings file, an ignored .env or a migration that was never added
do not reach the dyno. :func:`exported` gives preflight that commit, checked out apart from
the work tree, to judge.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from django.utils.translation import gettext as _

MANAGE_PY = "manage.py"


@dataclass(frozen=True)
class Project:
    """The files a check reads, and where the project sits in them."""

    # The git top level (what a push sends); the project folder outside a checkout.
    root: Path
    # The folder whose files are judged: ``root`` itself, or an export of the commit to push.
    tree: Path
    # The folder of manage.py (the Python path of the release and one-off processes) in ``tree``.
    app_dir: Path
    # What ``tree`` holds, for the report's heading: "local/production at 1a2b3c4", ...
    label: str = ""
    # The commit ``tree`` was exported from ("" for a working tree).
    commit: str = ""

    @classmethod
    def at(cls, folder: Path, *, label: str = "") -> Project:
        """The project whose manage.py folder is ``folder``, judged on its working tree."""
        from deploytools.facts.git_repository import toplevel

        folder = folder.resolve()
        # A slug has no .git: on a dyno the project folder is all there is.
        root = folder if os.environ.get("DYNO") else toplevel(folder) or folder
        return cls(root=root, tree=root, app_dir=folder, label=label)

    @classmethod
    def here(cls) -> Project:
        """
        The running project as Django's own ``manage.py check`` sees it: settings.BASE_DIR by
        convention, else the working directory. No git is asked (on a dyno there is none, and
        a plain ``check`` stays fast); preflight finds the git root with :func:`checkout`.
        """
        from django.conf import settings

        base_dir = getattr(settings, "BASE_DIR", None)
        folder = Path(base_dir) if base_dir else Path.cwd()
        return cls(root=folder, tree=folder, app_dir=folder)

    @property
    def app_path(self) -> str:
        """manage.py's folder relative to the tree ("." at the root), as the report says it."""
        return self.relative(self.app_dir) or "."

    def relative(self, path: Path) -> str:
        """``path`` as the report shows it: relative to the tree, in posix form."""
        try:
            relative = path.relative_to(self.tree).as_posix()
        except ValueError:
            return str(path)
        return "" if relative == "." else relative

    def in_checkout(self, path: Path) -> Path:
        """Where ``path`` of the tree is in the working checkout (itself when not exported)."""
        try:
            return self.root / path.relative_to(self.tree)
        except ValueError:
            return path


def running_manage_py() -> Path | None:
    """The manage.py this process was started as (``python manage.py preflight``), resolved."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == MANAGE_PY and script.exists():
        # Python puts the folder of the script's real path on sys.path: a symlinked manage.py
        # runs the project in the folder it points into.
        return script.resolve()
    return None


def checkout() -> Project:
    """
    The project in this checkout: manage.py's folder (the script that runs, else
    settings.BASE_DIR), and the git top level above it as the root.
    """
    manage_py = running_manage_py()
    folder = manage_py.parent if manage_py is not None else Project.here().app_dir
    return Project.at(folder)


def push_ref(project: Project) -> str | None:
    """What a push sends: the release branch when it exists, else HEAD; None without commits."""
    from deploytools.conf import conf
    from deploytools.facts.git_repository import branch_exists, run_git

    if run_git(["rev-parse", "--git-dir"], project.root).returncode != 0:
        return None
    if branch_exists(project.root, conf.release_branch):
        return conf.release_branch
    head = run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], project.root)
    return "HEAD" if head.returncode == 0 else None


class ExportFailed(Exception):
    """git could not check the commit out apart from the work tree; the text is one line."""


# The export is the commit's files and nothing else: no submodule of the developer's is
# touched, no sparse-checkout pattern or file-system monitor of theirs applies.
_EXPORT_CONFIG = [
    "-c",
    "submodule.recurse=false",
    "-c",
    "core.sparseCheckout=false",
    "-c",
    "core.fsmonitor=false",
]


def _git(args: list[str], root: Path, index: Path, work_tree: Path | None = None) -> str:
    """Run git on ``root``'s repository with its own index file; ExportFailed on an error."""
    environment = {**os.environ, "GIT_INDEX_FILE": str(index), "GIT_TERMINAL_PROMPT": "0"}
    prefix = [*_EXPORT_CONFIG]
    if work_tree is not None:
        prefix += ["--work-tree", str(work_tree)]
    proc = subprocess.run(
        ["git", *prefix, *args], cwd=root, env=environment, capture_output=True, check=False
    )
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        raise ExportFailed(
            _("git %(command)s failed: %(error)s") % {"command": args[0], "error": last}
        )
    return proc.stdout.decode("utf-8", "surrogateescape")


def _resolve(root: Path, ref: str) -> str:
    from deploytools.facts.git_repository import run_git

    sha = run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if sha.returncode != 0:
        raise ExportFailed(_("git cannot resolve %(ref)s") % {"ref": ref})
    return sha.stdout.strip()


def _export(root: Path, sha: str, target: Path, index: Path) -> None:
    """Check ``sha`` out into ``target`` without touching the repository's index."""
    _git(["read-tree", sha], root, index)
    _git(["checkout-index", "--all", "--force", f"--prefix={target}{os.sep}"], root, index)


def _refresh(root: Path, sha: str, tree: Path, index: Path) -> None:
    """
    Bring a kept export to ``sha``: only the files that changed are written. Whatever the
    last run left there (a file a settings module wrote, a modified tracked file, a folder
    whose files a later commit deleted) goes. The simulated dyno writes its bytecode beside
    the tree (:func:`bytecode_folder`), never in it.
    """
    _git(["read-tree", "--reset", "-u", "--no-recurse-submodules", sha], root, index, tree)
    changed = _git(["diff-files", "--name-only", "-z"], root, index, tree)
    if changed:
        names = [name for name in changed.split("\0") if name]
        _git(["checkout-index", "--force", "--", *names], root, index, tree)
    _clean(root, tree, index)


def _clean(root: Path, tree: Path, index: Path) -> None:
    """Remove what is not in the commit from a kept export."""
    _git(["clean", "-ffdxq"], root, index, tree)


def bytecode_folder(tree: Path) -> Path:
    """
    Where the processes that run an export's code keep its bytecode (``sys.pycache_prefix``):
    beside the tree, so that no ``__pycache__`` folder outlives the files it was compiled from
    (a folder left with only one would import as a namespace package, which Heroku's slug
    would not have).
    """
    return tree.parent / "pycache"


@contextlib.contextmanager
def _kept_export_place(root: Path) -> Iterator[Path | None]:
    """
    The folder in the repository's git directory where the export is kept between runs,
    locked for this run; None when it cannot be had (another preflight holds it, a read-only
    checkout, no POSIX locks): the export then goes to a temporary folder.
    """
    from deploytools.facts.git_repository import run_git

    found = run_git(["rev-parse", "--absolute-git-dir"], root)
    if found.returncode != 0 or not found.stdout.strip():
        yield None
        return
    try:
        import fcntl

        place = Path(found.stdout.strip()) / "deploytools-export"
        place.mkdir(exist_ok=True)
        handle = (place / "lock").open("a")
    except (ImportError, OSError, ValueError):
        yield None
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None
            return
        yield place
    finally:
        handle.close()


def _bring_up_to_date(root: Path, sha: str, place: Path) -> bool:
    """The kept export at ``sha``; False when it cannot be (the caller exports afresh)."""
    tree, index = place / "tree", place / "index"
    try:
        _refresh(root, sha, tree, index)
        return True
    except ExportFailed:
        # A first run, or an export left broken: start it again from nothing.
        shutil.rmtree(tree, ignore_errors=True)
        index.unlink(missing_ok=True)
    if tree.exists():
        return False  # what is left cannot be removed (files of another user)
    try:
        _export(root, sha, tree, index)
    except ExportFailed:
        shutil.rmtree(tree, ignore_errors=True)
        return False
    return True


@contextlib.contextmanager
def exported(project: Project) -> Iterator[Project]:
    """
    ``project`` as the commit a push would send, checked out apart from the work tree;
    ``project`` itself when there is no commit to send (not a checkout, no commit yet).

    The export is kept in the git directory (``.git/deploytools-export``) and brought up to
    date at each run, writing only what changed since the last, and cleaned of whatever the
    run wrote into it on exit; when that place is busy (another preflight), unusable (a
    read-only repository, no file locks) or cannot be brought up to date, a temporary folder
    holds a fresh export, removed on exit.
    """
    ref = push_ref(project)
    if ref is None:
        yield replace(project, label=_("the working tree (no commit to push)"))
        return
    sha = _resolve(project.root, ref)
    label = _("%(ref)s at %(sha)s") % {"ref": ref, "sha": sha[:7]}
    relative = project.app_dir.relative_to(project.root)
    with _kept_export_place(project.root) as place:
        if place is not None and _bring_up_to_date(project.root, sha, place):
            tree, index = place / "tree", place / "index"
            try:
                yield Project(
                    root=project.root, tree=tree, app_dir=tree / relative, label=label, commit=sha
                )
            finally:
                # What the settings or collectstatic wrote (a credentials file made from a
                # config var) does not wait for the next run.
                with contextlib.suppress(ExportFailed):
                    _clean(project.root, tree, index)
            return
    work = Path(tempfile.mkdtemp(prefix="deploytools-export-"))
    try:
        tree = work / "tree"
        _export(project.root, sha, tree, work / "export.index")
        yield Project(
            root=project.root, tree=tree, app_dir=tree / relative, label=label, commit=sha
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
