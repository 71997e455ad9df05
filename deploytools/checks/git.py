"""4xx: git (tag preflight)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Context, Messages, Skipped, context_of, deploytools_check

TAGS = ["preflight"]
# Paths listed in a W403 message; the rest are counted.
SHOWN_PATHS = 5
# Lines of the test output quoted in E406.
SHOWN_OUTPUT_LINES = 15


def skip_on_a_dyno(reason: str | None = None) -> None:
    """
    Raise Skipped on a Heroku dyno (``manage.py check --deploy`` there): a slug has no .git, so
    questions about the checkout and what a push would ship are moot.
    """
    if os.environ.get("DYNO"):
        raise Skipped(reason or _("running on a Heroku dyno, which has no git checkout"))


def _top(context: Context) -> Path:
    """The work tree root, or Skipped when there is none (W401 reports it)."""
    from deploytools import gitutil

    skip_on_a_dyno()
    top: Path | None = context.memo("git.toplevel", lambda: gitutil.toplevel(context.base_dir))
    if top is None:
        raise Skipped(_("not a git checkout (see deploytools.W401)"))
    return top


@deploytools_check(
    name="git_checkout",
    title=gettext_lazy("The project is a git checkout"),
    ids=["W401"],
    tags=TAGS,
)
def check_git_checkout(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W401: Heroku deploys with git push; the project must be a git checkout."""
    from deploytools import gitutil

    context = context_of(kwargs)
    skip_on_a_dyno()
    if not gitutil.git_available():
        return [
            checks.Warning(
                _("git is not installed, so the release branch cannot be checked or pushed."),
                hint=_("Install git (https://git-scm.com/downloads), then run: git --version"),
                id="deploytools.W401",
            )
        ]
    if gitutil.toplevel(context.base_dir) is None:
        return [
            checks.Warning(
                _("%(path)s is not a git checkout; Heroku deploys with git push.")
                % {"path": context.base_dir},
                hint=_("Create the repository: git init && git add -A && git commit"),
                obj=str(context.base_dir),
                id="deploytools.W401",
            )
        ]
    context.evidence(str(_top(context)))
    return []


@deploytools_check(
    name="git_release_branch",
    title=gettext_lazy("The release branch exists"),
    ids=["E402"],
    tags=TAGS,
)
def check_git_release_branch(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E402: the branch that is pushed to Heroku (DEPLOYTOOLS['RELEASE_BRANCH']) exists."""
    from deploytools import gitutil
    from deploytools.conf import conf

    context = context_of(kwargs)
    top = _top(context)
    branch = conf.release_branch
    if gitutil.branch_exists(top, branch):
        context.evidence(branch)
        return []
    return [
        checks.Error(
            _("The release branch '%(branch)s' does not exist.") % {"branch": branch},
            hint=_(
                "Create it from the tested commit: git branch %(branch)s, or set "
                "DEPLOYTOOLS['RELEASE_BRANCH']"
            )
            % {"branch": branch},
            obj=branch,
            id="deploytools.E402",
        )
    ]


@deploytools_check(
    name="git_clean_release_checkout",
    title=gettext_lazy("The release branch is checked out and clean"),
    ids=["W403"],
    tags=TAGS,
)
def check_git_clean_release_checkout(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W403: HEAD is the release branch and nothing is uncommitted (what is checked is pushed)."""
    from deploytools import gitutil
    from deploytools.conf import conf

    context = context_of(kwargs)
    top = _top(context)
    branch = conf.release_branch
    messages: Messages = []
    current = gitutil.current_branch(top)
    if current != branch:
        messages.append(
            checks.Warning(
                _(
                    "HEAD is %(current)s, not the release branch '%(branch)s': these checks "
                    "looked at other code than the push would deploy."
                )
                % {
                    "current": f"'{current}'" if current else _("detached"),
                    "branch": branch,
                },
                hint=_("Check out the release branch: git switch %(branch)s") % {"branch": branch},
                obj=current or "HEAD",
                id="deploytools.W403",
            )
        )
    dirty = gitutil.dirty_paths(top)
    if dirty:
        shown = ", ".join(dirty[:SHOWN_PATHS])
        if len(dirty) > SHOWN_PATHS:
            shown += _(" and %(count)d more") % {"count": len(dirty) - SHOWN_PATHS}
        messages.append(
            checks.Warning(
                _("The work tree has uncommitted changes, which a push does not deploy: %(paths)s.")
                % {"paths": shown},
                hint=_("Commit or stash them: git status, then git commit -a or git stash -u"),
                obj=dirty[0],
                id="deploytools.W403",
            )
        )
    if not messages:
        context.evidence(_("on %(branch)s, clean") % {"branch": branch})
    return messages


@deploytools_check(
    name="git_heroku_remote",
    title=gettext_lazy("The heroku git remote is configured"),
    ids=["W405"],
    tags=TAGS,
)
def check_git_heroku_remote(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W405: a git remote named DEPLOYTOOLS['HEROKU_REMOTE'] exists to push to."""
    from deploytools import gitutil
    from deploytools.conf import conf

    context = context_of(kwargs)
    top = _top(context)
    remote = conf.heroku_remote
    if remote in gitutil.remotes(top):
        context.evidence(remote)
        return []
    return [
        checks.Warning(
            _("There is no git remote named '%(remote)s' to push the release to.")
            % {"remote": remote},
            hint=_("Add it: heroku git:remote --app APP_NAME --remote %(remote)s")
            % {"remote": remote},
            obj=remote,
            id="deploytools.W405",
        )
    ]


@deploytools_check(
    name="git_release_ahead",
    title=gettext_lazy("The release branch is ahead of what Heroku runs"),
    ids=["W404"],
    tags=TAGS,
)
def check_git_release_ahead(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W404: the push would be rejected (behind) or would deploy nothing new (equal)."""
    from deploytools import gitutil
    from deploytools.conf import conf

    context = context_of(kwargs)
    top = _top(context)
    remote, branch, deploy = conf.heroku_remote, conf.release_branch, conf.heroku_deploy_branch
    ref = f"{remote}/{deploy}"
    if remote not in gitutil.remotes(top):
        raise Skipped(_("no git remote '%(remote)s' (see deploytools.W405)") % {"remote": remote})
    if not gitutil.branch_exists(top, branch):
        raise Skipped(_("no release branch (see deploytools.E402)"))
    if not gitutil.remote_branch_exists(top, remote, deploy):
        context.evidence(_("%(ref)s not known locally: first deploy") % {"ref": ref})
        return []
    counts = gitutil.ahead_behind(top, f"refs/heads/{branch}", f"refs/remotes/{ref}")
    if counts is None:
        raise Skipped(
            _("git cannot compare %(branch)s with %(ref)s") % {"branch": branch, "ref": ref}
        )
    ahead, behind = counts
    if behind:
        return [
            checks.Warning(
                _(
                    "The release branch '%(branch)s' is %(behind)d commit(s) behind %(ref)s (as of "
                    "the last fetch): the push would be rejected or undo a deploy."
                )
                % {"branch": branch, "behind": behind, "ref": ref},
                hint=_(
                    "Bring it up to date: git fetch %(remote)s && git switch %(branch)s && "
                    "git merge %(ref)s"
                )
                % {"remote": remote, "branch": branch, "ref": ref},
                obj=branch,
                id="deploytools.W404",
            )
        ]
    if not ahead:
        return [
            checks.Warning(
                _(
                    "The release branch '%(branch)s' is the same commit as %(ref)s: nothing new "
                    "to push."
                )
                % {"branch": branch, "ref": ref},
                hint=_(
                    "Merge the changes to release into it: git switch %(branch)s && git merge main"
                )
                % {"branch": branch},
                obj=branch,
                id="deploytools.W404",
            )
        ]
    context.evidence(_("%(ahead)d commit(s) ahead of %(ref)s") % {"ahead": ahead, "ref": ref})
    return []


def command_argv(base_dir: Path) -> list[str]:
    """DEPLOYTOOLS['TEST_COMMAND'] as argv; a leading ``python`` is this interpreter."""
    import shlex
    import sys

    from deploytools.conf import conf

    raw = conf.test_command
    argv = shlex.split(raw) if isinstance(raw, str) else list(raw)
    if argv and argv[0] == "python":
        argv[0] = sys.executable
    return argv


def runner_environment() -> dict[str, str]:
    """
    The environment the test command runs in: the developer's, as `make test` would see it.

    manage.py put DJANGO_SETTINGS_MODULE (the project's runtime settings) into this process's
    environment before preflight ran. Inherited, it would override the test runner's own
    configuration (pytest-django's DJANGO_SETTINGS_MODULE in pyproject.toml or pytest.ini, e.g.
    tests.settings), so tests that pass with `make test` would fail here. Hence it is dropped.
    """
    environment = dict(os.environ)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return environment


@deploytools_check(
    name="git_tests_pass",
    title=gettext_lazy("The project's tests pass"),
    ids=["E406"],
    tags=TAGS,
)
def check_git_tests_pass(app_configs: Any = None, **kwargs: Any) -> Messages:
    """
    E406: DEPLOYTOOLS['TEST_COMMAND'] exits 0 (with --run-tests or --push).

    The tests run on the current checkout, as it is: switching to the release branch would
    rewrite the developer's work tree. When HEAD is not the release branch, the message and the
    evidence say so, and W403 warns about it.
    """
    import subprocess

    from deploytools import gitutil, redact
    from deploytools.checks.settings import readable_setting
    from deploytools.conf import conf
    from deploytools.report import progress

    context = context_of(kwargs)
    if not (context.options.get("run_tests") or context.options.get("push")):
        raise Skipped(_("run with --run-tests"))
    argv = command_argv(context.base_dir)
    if not argv:
        raise Skipped(_("DEPLOYTOOLS['TEST_COMMAND'] is empty"))
    current = gitutil.current_branch(context.base_dir)
    on = (
        conf.release_branch
        if current == conf.release_branch
        else _("the current checkout (%(branch)s), not %(release)s")
        % {"branch": current or _("detached HEAD"), "release": conf.release_branch}
    )
    secrets = redact.secret_values(context.config_vars, readable_setting("SECRET_KEY"))
    progress(
        redact.redact(_("Running the tests: %(command)s") % {"command": " ".join(argv)}, secrets)
    )
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv,
            cwd=context.base_dir,
            env=runner_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
        code, output = proc.returncode, proc.stdout
    except OSError as exc:
        code, output = 127, f"{type(exc).__name__}: {exc.strerror or exc}"
    seconds = time.monotonic() - started
    context.evidence(_("%(seconds).1f seconds on %(on)s") % {"seconds": seconds, "on": on})
    if code == 0:
        return []
    tail = "\n".join(output.rstrip().splitlines()[-SHOWN_OUTPUT_LINES:])
    command = " ".join(argv)
    return [
        checks.Error(
            redact.redact(
                _("The tests failed on %(on)s (exit code %(code)d): %(command)s\n%(tail)s")
                % {"on": on, "code": code, "command": command, "tail": tail},
                secrets,
            ),
            hint=_("Fix the failing tests, then run: python manage.py preflight --run-tests"),
            obj=redact.redact(command, secrets),
            id="deploytools.E406",
        )
    ]
