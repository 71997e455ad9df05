"""W401–W405: the git checkout and the branch that is pushed to Heroku (tag preflight)."""

from __future__ import annotations

from pathlib import Path

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped, memoized, skip_on_a_dyno

TAGS = ["preflight"]
# Paths listed in a W403 message; the rest are counted.
SHOWN_PATHS = 5


@memoized
def _top(context: Context) -> Path:
    """The work tree root, or Skipped when there is none (W401 reports it)."""
    from deploytools.facts import git_repository as git

    skip_on_a_dyno()
    top = git.toplevel(context.project.root)
    if top is None:
        raise Skipped(_("not a git checkout (see deploytools.W401)"))
    return top


@check(
    name="git_checkout",
    title=gettext_lazy("The project is a git checkout"),
    ids={"W401": gettext_lazy("not a git checkout")},
    tags=TAGS,
)
def check_git_checkout(context: Context) -> Messages:
    """W401: Heroku deploys with git push; the project must be a git checkout."""
    from deploytools.facts import git_repository as gitutil

    skip_on_a_dyno()
    if not gitutil.git_available():
        return [
            checks.Warning(
                _("git is not installed, so the release branch cannot be checked or pushed."),
                hint=_("Install git (https://git-scm.com/downloads), then run: git --version"),
                id="deploytools.W401",
            )
        ]
    if gitutil.toplevel(context.project.root) is None:
        return [
            checks.Warning(
                _("%(path)s is not a git checkout; Heroku deploys with git push.")
                % {"path": context.project.root},
                hint=_("Create the repository: git init && git add -A && git commit"),
                obj=str(context.project.root),
                id="deploytools.W401",
            )
        ]
    context.evidence(str(_top(context)))
    return []


@check(
    name="git_release_branch",
    title=gettext_lazy("The release branch exists"),
    ids={"E402": gettext_lazy("release branch missing")},
    tags=TAGS,
)
def check_git_release_branch(context: Context) -> Messages:
    """E402: the branch that is pushed to Heroku (DEPLOYTOOLS['RELEASE_BRANCH']) exists."""
    from deploytools.conf import conf
    from deploytools.facts import git_repository as gitutil

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


@check(
    name="git_clean_release_checkout",
    title=gettext_lazy("The release branch is checked out and clean"),
    ids={"W403": gettext_lazy("HEAD is not the release branch, or the tree is dirty")},
    tags=TAGS,
)
def check_git_clean_release_checkout(context: Context) -> Messages:
    """W403: HEAD is the release branch and nothing is uncommitted (what is checked is pushed)."""
    from deploytools.conf import conf
    from deploytools.facts import git_repository as gitutil

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
                hint=_dirty_hint(dirty),
                obj=dirty[0],
                id="deploytools.W403",
            )
        )
    if not messages:
        context.evidence(_("on %(branch)s, clean") % {"branch": branch})
    return messages


def _dirty_hint(dirty: list[str]) -> str:
    """Commit or stash the changes; an env file is never committed but ignored."""
    import shlex

    from deploytools.checks.repository import is_env_file

    envs = [path for path in dirty if is_env_file(path)]
    if not envs:
        return _("Commit or stash them: git status, then git commit -a or git stash -u")
    ignore = " && ".join(f"echo {shlex.quote(path)} >> .gitignore" for path in envs)
    return _(
        "Never commit %(envs)s (env files hold secrets): ignore them, %(ignore)s; then commit "
        "or stash the rest: git commit -a or git stash"
    ) % {"envs": ", ".join(envs), "ignore": ignore}


@check(
    name="git_heroku_remote",
    title=gettext_lazy("The heroku git remote is configured"),
    ids={"W405": gettext_lazy("no `heroku` git remote")},
    tags=TAGS,
)
def check_git_heroku_remote(context: Context) -> Messages:
    """W405: a git remote named DEPLOYTOOLS['HEROKU_REMOTE'] exists to push to."""
    from deploytools.conf import conf
    from deploytools.facts import git_repository as gitutil

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


@check(
    name="git_release_ahead",
    title=gettext_lazy("The release branch is ahead of what Heroku runs"),
    ids={
        "W404": gettext_lazy(
            "release branch behind the Heroku remote's branch, or nothing new to push"
        )
    },
    tags=TAGS,
)
def check_git_release_ahead(context: Context) -> Messages:
    """W404: the push would be rejected (behind) or would deploy nothing new (equal)."""
    from deploytools.conf import conf
    from deploytools.facts import git_repository as gitutil

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
