"""W401–W405: the git checks and the git plumbing of --push (temporary repositories only)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, run_one
from deploytools.context import PreflightContext
from deploytools.facts import git_repository as gitutil
from deploytools.facts.project import Project
from tests.helpers import (
    RELEASE,
    git,
)


def add_heroku(repo: Path, push: bool = True) -> Path:
    bare = repo.parent / "heroku.git"
    git(repo.parent, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "heroku", str(bare))
    if push:
        git(repo, "push", "-q", "heroku", f"{RELEASE}:master")
        git(repo, "fetch", "-q", "heroku")
    return bare


def commit(repo: Path, text: str) -> None:
    (repo / "app.py").write_text(f"print({text!r})\n")
    git(repo, "commit", "-q", "-am", text)


# --- gitutil ----------------------------------------------------------------------------------


def test_run_git_never_raises_when_git_is_missing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(repo))
    proc = gitutil.run_git(["status"], repo)
    assert proc.returncode == gitutil.GIT_MISSING
    assert proc.stdout == ""
    assert not gitutil.git_available()


def test_run_git_reports_git_errors_as_exit_codes(tmp_path: Path) -> None:
    proc = gitutil.run_git(["rev-parse", "--verify", "nope"], tmp_path)
    assert proc.returncode != 0
    assert gitutil.run_git(["status"], tmp_path / "missing").returncode == gitutil.GIT_MISSING


def test_helpers_read_the_repository(repo: Path) -> None:
    add_heroku(repo)
    assert gitutil.toplevel(repo / ".") == repo.resolve()
    assert gitutil.current_branch(repo) == RELEASE
    assert gitutil.branch_exists(repo, RELEASE) and not gitutil.branch_exists(repo, "nope")
    assert gitutil.remotes(repo) == ["heroku"]
    assert gitutil.remote_branch_exists(repo, "heroku", "master")
    commit(repo, "v2")
    assert gitutil.ahead_behind(repo, RELEASE, "heroku/master") == (1, 0)
    (repo / "app.py").write_text("changed\n")
    (repo / "new file.txt").write_text("x\n")
    git(repo, "mv", "app.py", "moved.py")
    assert gitutil.dirty_paths(repo) == ["moved.py", "new file.txt"]
    git(repo, "switch", "-q", "--detach")
    assert gitutil.current_branch(repo) is None


def test_push_release_prints_exactly_the_command_and_pushes(repo: Path) -> None:
    bare = add_heroku(repo, push=False)
    stdout = io.StringIO()
    assert gitutil.push_command(repo) == ["git", "push", "heroku", f"{RELEASE}:master"]
    assert gitutil.push_release(repo, stdout) == 0
    assert stdout.getvalue() == "git push heroku local/production:master\n"
    assert git(bare, "rev-parse", "master") == git(repo, "rev-parse", RELEASE)


def test_push_release_follows_the_settings_and_returns_git_s_failure(repo: Path) -> None:
    add_heroku(repo, push=False)
    stdout = io.StringIO()
    settings = {
        "HEROKU_REMOTE": "prod",
        # Valid for git, and needs quoting in the printed command.
        "RELEASE_BRANCH": "rel&ease",
        "HEROKU_DEPLOY_BRANCH": "main",
    }
    with override_settings(DEPLOYTOOLS=settings):
        code = gitutil.push_release(repo, stdout)
    assert stdout.getvalue() == "git push prod 'rel&ease:main'\n"
    assert code != 0


# --- W401 -------------------------------------------------------------------------------------


def test_w401_not_a_checkout_and_other_git_checks_skip(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_check_in("git_checkout", plain)
    assert result.ids == ["deploytools.W401"]
    assert str(result.messages[0].hint).endswith("git init && git add -A && git commit")
    for name in ("git_release_branch", "git_clean_release_checkout", "git_release_ahead"):
        assert run_check_in(name, plain).detail == "not a git checkout (see deploytools.W401)"


def test_w401_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))
    result = run_check_in("git_checkout", repo)
    assert result.ids == ["deploytools.W401"]
    assert "git is not installed" in result.messages[0].msg


def test_w401_passes_in_a_checkout(repo: Path) -> None:
    result = run_check_in("git_checkout", repo / ".")
    assert (result.status, result.detail) == ("passed", str(repo.resolve()))


# --- E402 -------------------------------------------------------------------------------------


def test_e402_release_branch_missing(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    git(repo, "branch", "-q", "-D", RELEASE)
    result = run_check_in("git_release_branch", repo)
    assert result.ids == ["deploytools.E402"]
    assert result.messages[0].obj == RELEASE


def test_e402_follows_the_setting(repo: Path) -> None:
    assert run_check_in("git_release_branch", repo).status == "passed"
    with override_settings(DEPLOYTOOLS={"RELEASE_BRANCH": "release"}):
        assert run_check_in("git_release_branch", repo).ids == ["deploytools.E402"]


# --- W403 -------------------------------------------------------------------------------------


def test_w403_head_is_not_the_release_branch(repo: Path) -> None:
    git(repo, "switch", "-q", "main")
    result = run_check_in("git_clean_release_checkout", repo)
    assert result.ids == ["deploytools.W403"]
    assert result.messages[0].msg.startswith("HEAD is 'main', not the release branch")
    assert str(result.messages[0].hint).endswith(f"git switch {RELEASE}")


def test_w403_dirty_tree_lists_a_few_paths(repo: Path) -> None:
    for i in range(7):
        (repo / f"f{i}.txt").write_text("x")
    result = run_check_in("git_clean_release_checkout", repo)
    (message,) = result.messages
    assert message.id == "deploytools.W403"
    assert "f0.txt, f1.txt, f2.txt, f3.txt, f4.txt and 2 more" in message.msg


def test_w403_never_hints_at_committing_an_env_file(repo: Path) -> None:
    (repo / ".env").write_text("DJANGO_SECRET_KEY=local\n")
    (repo / "config").mkdir()
    (repo / "config" / ".env.local").write_text("DEBUG=1\n")
    (repo / "app.py").write_text("print('v2')\n")
    # An ignored file is no uncommitted change.
    (repo / ".git" / "info" / "exclude").write_text("*.log\n")
    (repo / "debug.log").write_text("x")
    (message,) = run_check_in("git_clean_release_checkout", repo).messages
    assert message.msg.endswith("does not deploy: .env, app.py, config/.env.local.")
    assert str(message.hint) == (
        "Never commit .env, config/.env.local (env files hold secrets): ignore them, "
        "echo .env >> .gitignore && echo config/.env.local >> .gitignore; then commit or stash "
        "the rest: git commit -a or git stash"
    )
    assert "git add" not in str(message.hint)


def test_w403_passes_on_a_clean_release_branch(repo: Path) -> None:
    result = run_check_in("git_clean_release_checkout", repo)
    assert (result.status, result.detail) == ("passed", f"on {RELEASE}, clean")


# --- W404, W405 -------------------------------------------------------------------------------


def test_w405_no_heroku_remote_and_w404_skips(repo: Path) -> None:
    result = run_check_in("git_heroku_remote", repo)
    assert result.ids == ["deploytools.W405"]
    assert str(result.messages[0].hint).endswith("--remote heroku")
    assert run_check_in("git_release_ahead", repo).detail == (
        "no git remote 'heroku' (see deploytools.W405)"
    )


def test_w405_passes_with_the_remote(repo: Path) -> None:
    add_heroku(repo, push=False)
    assert run_check_in("git_heroku_remote", repo).status == "passed"


def test_w404_nothing_new_to_push(repo: Path) -> None:
    add_heroku(repo)
    result = run_check_in("git_release_ahead", repo)
    assert result.ids == ["deploytools.W404"]
    assert "nothing new to push" in result.messages[0].msg


def test_w404_release_branch_behind_the_remote(repo: Path, tmp_path: Path) -> None:
    bare = add_heroku(repo)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "master", str(bare), str(other))
    commit(other, "hotfix")
    git(other, "push", "-q", "origin", "master")
    git(repo, "fetch", "-q", "heroku")
    commit(repo, "v2")  # diverged: ahead 1, behind 1
    result = run_check_in("git_release_ahead", repo)
    assert result.ids == ["deploytools.W404"]
    assert "1 commit(s) behind heroku/master" in result.messages[0].msg


def test_w404_passes_when_ahead(repo: Path) -> None:
    add_heroku(repo)
    commit(repo, "v2")
    result = run_check_in("git_release_ahead", repo)
    assert (result.status, result.detail) == ("passed", "1 commit(s) ahead of heroku/master")


def test_w404_passes_on_a_first_deploy(repo: Path) -> None:
    add_heroku(repo, push=False)
    result = run_check_in("git_release_ahead", repo)
    assert (result.status, result.detail) == (
        "passed",
        "heroku/master not known locally: first deploy",
    )


# --- E406 -------------------------------------------------------------------------------------


def test_git_checks_skip_on_a_heroku_dyno(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNO", "release.1")
    for name in ("git_checkout", "git_release_branch", "git_heroku_remote"):
        result = run_check_in(name, tmp_path)
        assert (result.status, result.detail) == (
            "skipped",
            "running on a Heroku dyno, which has no git checkout",
        )


def run_check_in(name: str, root: Path, **fields: object) -> CheckResult:
    """One check of preflight run on the checkout ``root``."""
    return run_one(CATALOGUE[name], PreflightContext(project=Project.at(root), **fields))  # type: ignore[arg-type]
