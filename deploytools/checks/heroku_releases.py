"""
W716–I718: the app's releases (tag heroku): the app serves and its latest release succeeded,
the commit it runs against the local release branch, and what Heroku tells a release about
itself.

``heroku_release`` records each release with its version and commit, which a dyno knows only
from the dyno metadata (HEROKU_RELEASE_VERSION, HEROKU_SLUG_COMMIT), and those exist only with
the labs feature ``runtime-dyno-metadata`` (platform data, releases). Like the other 7xx
checks these read the run's snapshot and never the network.
"""

from __future__ import annotations

from django.core.checks import CheckMessage, Info, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks import heroku_command
from deploytools.checks.registry import check
from deploytools.conf import conf
from deploytools.context import Context, ProductionContext, Skipped
from deploytools.facts.snapshot import Snapshot, deployed_commit, rollback_target
from deploytools.i18n import gettext_noop

# When the labs feature takes effect, as platform.json words it (dyno_metadata.takes_effect),
# marked for the catalogue: the hint shows it translated, or as it is if the data changed.
TAKES_EFFECT = gettext_noop("the next deploy")
# The Platform API's release statuses as a person reads them (evidence of W716); an unknown
# one is shown as the API wrote it.
RELEASE_STATUSES = {
    "succeeded": gettext_lazy("succeeded"),
    "failed": gettext_lazy("failed"),
    "pending": gettext_lazy("pending"),
    "expired": gettext_lazy("expired"),
}


@check(
    name="heroku_release_state",
    title=gettext_lazy("App serving and latest release succeeded"),
    ids={"W716": gettext_lazy("app in maintenance mode or the latest release failed")},
    tags=["heroku"],
)
def check_release_state(context: ProductionContext) -> list[CheckMessage]:
    """The app is not in maintenance mode and its latest release did not fail."""
    snapshot = context.snapshot
    app = snapshot.app_name
    messages: list[CheckMessage] = []
    if snapshot.app.get("maintenance"):
        messages.append(
            Warning(
                _("The app is in maintenance mode: every request gets the maintenance page."),
                hint=_("When the work is done: %(fix)s.")
                % {"fix": heroku_command("heroku maintenance:off", app)},
                obj=app,
                id="deploytools.W716",
            )
        )
    latest = snapshot.releases[0] if snapshot.releases else None
    if latest is not None and latest.get("status") == "failed":
        version = latest.get("version")
        messages.append(
            Warning(
                _("The latest release v%(version)s failed: the app still runs an older release.")
                % {"version": version},
                hint=_("See why, fix it and deploy again: %(fix)s.")
                % {"fix": heroku_command(f"heroku releases:output {version}", app)},
                obj=app,
                id="deploytools.W716",
            )
        )
    if latest is not None:
        context.evidence(
            _("v%(version)s %(status)s")
            % {
                "version": latest.get("version"),
                "status": RELEASE_STATUSES.get(str(latest.get("status")), latest.get("status")),
            }
        )
        context.evidence(_rollback_text(snapshot))
    return messages


def _rollback_text(snapshot: Snapshot) -> str:
    target, expired = rollback_target(snapshot)
    text = (
        _("rollback target v%(version)s") % {"version": target.get("version")}
        if target is not None
        else _("no release to roll back to among the latest %(n)d") % {"n": len(snapshot.releases)}
    )
    if expired:
        text += _(" (%(n)d expired: their artifacts are destroyed, no rollback to them)") % {
            "n": expired
        }
    return text


def _local_commit(context: Context, branch: str) -> str:
    from deploytools.facts.git_repository import run_git

    inside = run_git(["rev-parse", "--is-inside-work-tree"], context.project.root)
    if inside.returncode != 0:
        raise Skipped(_("not a git checkout"))
    head = run_git(
        ["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"],
        context.project.root,
    )
    if head.returncode != 0:
        raise Skipped(_("no local branch %(branch)s") % {"branch": branch})
    return head.stdout.strip()


def _artifact(snapshot: Snapshot) -> str:
    """What told the commit: the slug (Cedar), the OCI image (Fir), or the release's text."""
    if (snapshot.slug or {}).get("commit"):
        return _("its slug's commit")
    if (snapshot.oci_image or {}).get("commit"):
        return _("its OCI image's commit")
    return _("the release description")


@check(
    name="heroku_deployed_commit",
    title=gettext_lazy("Deployed commit"),
    ids={"I717": gettext_lazy("deployed commit vs the local release branch")},
    tags=["heroku"],
)
def check_deployed_commit(context: ProductionContext) -> list[CheckMessage]:
    """Compare the commit Heroku runs with the local release branch's head."""
    snapshot = context.snapshot
    deployed = deployed_commit(snapshot)
    if deployed is None:
        raise Skipped(_("the latest releases name no commit"))
    branch = conf.release_branch
    local = _local_commit(context, branch)
    if local.startswith(deployed) or deployed.startswith(local):
        context.evidence(
            _("Heroku runs %(sha)s (%(artifact)s), the head of %(branch)s")
            % {"sha": deployed[:7], "branch": branch, "artifact": _artifact(snapshot)}
        )
        return []
    push = f"`git push {conf.heroku_remote} {branch}:{conf.heroku_deploy_branch}`"
    return [
        Info(
            _("Heroku runs %(deployed)s; the local %(branch)s is at %(local)s.")
            % {"deployed": deployed[:7], "branch": branch, "local": local[:7]},
            hint=_("If %(branch)s holds the tested release, deploy it: %(push)s.")
            % {"branch": branch, "push": push},
            obj=snapshot.app_name,
            id="deploytools.I717",
        )
    ]


@check(
    name="heroku_dyno_metadata",
    title=gettext_lazy("Dynos know their release (dyno metadata)"),
    ids={
        "I718": gettext_lazy(
            "labs feature runtime-dyno-metadata off: no HEROKU_RELEASE_VERSION or "
            "HEROKU_SLUG_COMMIT for the records heroku_release keeps"
        )
    },
    tags=["heroku"],
)
def check_dyno_metadata(context: ProductionContext) -> list[CheckMessage]:
    """I718: HEROKU_RELEASE_VERSION and HEROKU_SLUG_COMMIT exist only with the labs feature."""
    snapshot = context.snapshot
    metadata = platform_data.dyno_metadata()
    enabled = any(
        f.get("name") == metadata.labs_feature and f.get("enabled") for f in snapshot.features
    )
    if enabled:
        context.evidence(_("%(feature)s enabled") % {"feature": metadata.labs_feature})
        return []
    return [
        Info(
            _(
                "The labs feature %(feature)s is off: dynos get no HEROKU_RELEASE_VERSION or "
                "HEROKU_SLUG_COMMIT, so heroku_release records releases without their version "
                "and commit, and its history cannot be paired with `heroku releases`."
            )
            % {"feature": metadata.labs_feature},
            hint=_("Turn it on (it takes effect from %(when)s): `%(fix)s`.")
            % {
                "when": _(metadata.takes_effect),
                "fix": metadata.enable_command_for(snapshot.app_name),
            },
            obj=snapshot.app_name,
            id="deploytools.I718",
        )
    ]
