"""
The git questions deploytools asks, answered by the ``git`` command.

Every helper reads; none changes the repository, except :func:`push_release`, which pushes the
release branch to Heroku when ``preflight --push`` found nothing wrong. Nothing here fetches:
the remote branch is known as of the last ``git fetch``/``git push``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from deploytools.conf import conf

# A command that cannot start gets this exit status, like a shell does.
GIT_MISSING = 127


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def run_git(args: list[str], cwd: Path | str) -> subprocess.CompletedProcess[str]:
    """
    Run ``git ARGS`` in ``cwd`` and capture its output; never raises for git's errors.

    A missing git or directory gives exit status 127 with the reason on stderr. Prompts are
    disabled, so a remote asking for credentials fails instead of hanging.
    """
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
        )
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        return subprocess.CompletedProcess(["git", *args], GIT_MISSING, "", str(exc))


def _out(args: list[str], cwd: Path | str) -> str | None:
    proc = run_git(args, cwd)
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_available() -> bool:
    """Whether a git executable can be run at all."""
    return run_git(["--version"], Path.cwd()).returncode != GIT_MISSING


def toplevel(cwd: Path | str) -> Path | None:
    """The root of the git work tree containing ``cwd``, or None outside a checkout."""
    out = _out(["rev-parse", "--show-toplevel"], cwd)
    return Path(out) if out else None


def is_checkout(cwd: Path | str) -> bool:
    return toplevel(cwd) is not None


def branch_exists(cwd: Path | str, branch: str) -> bool:
    """Whether the local branch ``branch`` exists."""
    return (
        run_git(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd).returncode == 0
    )


def remote_branch_exists(cwd: Path | str, remote: str, branch: str) -> bool:
    """Whether ``remote/branch`` is known locally (as of the last fetch or push)."""
    ref = f"refs/remotes/{remote}/{branch}"
    return run_git(["rev-parse", "--verify", "--quiet", ref], cwd).returncode == 0


def current_branch(cwd: Path | str) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    return _out(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd) or None


def dirty_paths(cwd: Path | str) -> list[str]:
    """Paths modified, staged, deleted or untracked (not ignored) in the work tree, sorted."""
    # Every untracked file, not its folder: an untracked config/.env must be named as such.
    proc = run_git(["status", "--porcelain=v1", "-z", "--untracked-files=all"], cwd)
    if proc.returncode != 0:
        return []
    paths: list[str] = []
    entries = iter(proc.stdout.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        paths.append(path)
        if "R" in status or "C" in status:
            next(entries, None)  # -z puts a rename's source path in the next entry
    return sorted(paths)


def remotes(cwd: Path | str) -> list[str]:
    """The names of the configured remotes."""
    out = _out(["remote"], cwd)
    return out.split() if out else []


def ahead_behind(cwd: Path | str, local: str, upstream: str) -> tuple[int, int] | None:
    """(commits in ``local`` not in ``upstream``, commits in ``upstream`` not in ``local``)."""
    out = _out(["rev-list", "--left-right", "--count", f"{local}...{upstream}"], cwd)
    if out is None:
        return None
    ahead, behind = out.split()
    return int(ahead), int(behind)


def merge_base(cwd: Path | str, first: str, second: str) -> str | None:
    return _out(["merge-base", first, second], cwd) or None


def added_paths(cwd: Path | str, base: str) -> list[str] | None:
    """
    Files added since commit ``base``: committed, staged or still untracked, relative to the
    top of the work tree. None if git cannot tell.
    """
    proc = run_git(["diff", "--name-only", "--diff-filter=A", "-z", base], cwd)
    untracked = run_git(["ls-files", "--others", "--exclude-standard", "-z", "--full-name"], cwd)
    if proc.returncode != 0 or untracked.returncode != 0:
        return None
    names = proc.stdout.split("\0") + untracked.stdout.split("\0")
    return sorted({name for name in names if name})


def tracked(cwd: Path | str, paths: list[str]) -> set[str] | None:
    """Which of ``paths`` (relative to ``cwd``) git tracks; None outside a checkout."""
    proc = run_git(["ls-files", "-z", "--", *paths], cwd)
    if proc.returncode != 0:
        return None
    return {name for name in proc.stdout.split("\0") if name}


def all_paths(cwd: Path | str) -> list[str] | None:
    """Every tracked and untracked (not ignored) file, relative to the top of the work tree."""
    proc = run_git(
        ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--full-name"], cwd
    )
    if proc.returncode != 0:
        return None
    return sorted({name for name in proc.stdout.split("\0") if name})


def push_command(base_dir: Path) -> list[str]:
    """The command that deploys: push the release branch to the Heroku remote's deploy branch."""
    return [
        "git",
        "push",
        conf.heroku_remote,
        f"{conf.release_branch}:{conf.heroku_deploy_branch}",
    ]


def push_release(base_dir: Path, stdout: Writable) -> int:
    """
    Print the push command as one line on ``stdout``, run it in ``base_dir``, return its status.

    git's own output goes to stderr, so ``stdout`` keeps only the command line (and stays valid
    for ``--format json`` callers that print the JSON document after it).
    """
    command = push_command(base_dir)
    stdout.write(shlex.join(command) + "\n")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        proc = subprocess.run(
            command, cwd=base_dir, capture_output=True, text=True, env=env, check=False
        )
    except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        sys.stderr.write(f"{exc}\n")
        return GIT_MISSING
    sys.stderr.write(proc.stdout + proc.stderr)
    return proc.returncode
