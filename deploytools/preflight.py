"""
``manage.py preflight``: is this checkout, with the settings Heroku will give it, ready to ship?

The settings checks run in a simulated dyno (:mod:`deploytools.simulate`) with the production
config vars, while this process runs the project, migration, git and lifecycle checks; then
the two reports are merged. ``--push`` pushes the release branch only when nothing failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.checks import WARNING
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools import redact, report
from deploytools.checks.registry import Context, project_root
from deploytools.checks.run import RunResult, catalogue_order, run_checks, select
from deploytools.checks.settings import readable_setting, settings_module_name
from deploytools.command import CouldNotCheck

if TYPE_CHECKING:
    from deploytools.gitutil import Writable


@dataclass
class ProductionConfig:
    """The config vars preflight simulates, and where they came from (never their values)."""

    config_vars: dict[str, str]
    source: str


@dataclass
class Preflight:
    """A finished preflight: the merged report and what to say above it."""

    result: RunResult
    heading: str
    base_dir: Path
    preamble: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


def load_config(config_file: str | None, app: str | None) -> ProductionConfig:
    """Config vars from ``--config-vars FILE`` or ``--app NAME``; CouldNotCheck if unreadable."""
    from deploytools import configvars

    if config_file and app:
        raise CouldNotCheck(_("use either --config-vars FILE or --app NAME, not both"))
    if config_file:
        try:
            return ProductionConfig(configvars.read_config_vars_file(config_file), config_file)
        except configvars.ConfigVarsError as exc:
            raise CouldNotCheck(str(exc)) from None
    if app:
        try:
            found = configvars.fetch_app_config_vars(app)
        except CouldNotCheck:
            raise
        except Exception as exc:  # noqa: BLE001 - API failures are "could not check", exit 2
            from deploytools.heroku import HerokuAPIError

            reason = str(exc) if isinstance(exc, HerokuAPIError) else type(exc).__name__
            raise CouldNotCheck(
                _("cannot read the config vars of %(app)s: %(reason)s")
                % {"app": app, "reason": reason}
            ) from None
        return ProductionConfig(found, _("Heroku app %(app)s") % {"app": app})
    return ProductionConfig({}, _("none (pass --config-vars FILE or --app NAME)"))


def context_options(options: dict[str, Any]) -> dict[str, Any]:
    """What the checks read from the command line; --push implies tests and collectstatic."""
    push = bool(options.get("push"))
    return {
        "run_tests": bool(options.get("run_tests")) or push,
        "collectstatic": bool(options.get("collectstatic")) or push,
        "push": push,
    }


def run_preflight(
    options: dict[str, Any],
    *,
    base_dir: Path | None = None,
    progress: Callable[[str], None] = report.progress,
) -> Preflight:
    """Run every preflight check: the simulated dyno and the local checks side by side."""
    from deploytools import simulate

    started = time.perf_counter()
    config = load_config(options.get("config_vars"), options.get("app"))
    base_dir = base_dir or project_root()
    found_module = settings_module_name()
    module = found_module or "settings.configure()"
    # The project's package (weareone.settings -> weareone) names it better than its directory.
    project = found_module.split(".")[0] if found_module else base_dir.name
    context = Context(
        command="preflight",
        base_dir=base_dir,
        config_vars=dict(config.config_vars),
        options={**context_options(options), "config_source": config.source},
    )

    progress(_("Evaluating %(module)s as a Heroku dyno…") % {"module": module})
    dyno = simulate.start_in_dyno(config.config_vars, base_dir)
    # The child needs a second or so; the local checks run meanwhile.
    local = run_checks(context, select(["preflight"], exclude=["settings"]))
    progress(_("Waiting for the settings simulation…"))
    simulated = dyno.result()

    result = RunResult("preflight")
    result.checks = catalogue_order([*simulated.checks, *local.checks])
    result.seconds = time.perf_counter() - started
    secrets = redact.secret_values(config.config_vars, str(readable_setting("SECRET_KEY", "")))
    redact.redact_result(result, secrets)
    heading = _("Preflight of %(project)s — settings %(module)s, config vars: %(source)s") % {
        "project": project,
        "module": module,
        "source": config.source,
    }
    return Preflight(result, heading, base_dir, secrets=secrets)


def push_refusal(base_dir: Path, result: RunResult | None = None) -> str | None:
    """
    Why ``--push`` must not push this checkout, as one line; None when it may.

    --push deploys only when nothing failed: a warning is a FAILED line of the report too, so
    it blocks the push whatever --fail-level says (silence an accepted one with
    SILENCED_SYSTEM_CHECKS).

    W403 is only a warning for a plain preflight, but a push deploys the release branch's
    commits: on another branch, or with uncommitted changes, the tests and checks looked at
    other code than the push would deploy. So --push refuses whatever --fail-level says. The
    state is read (read-only git) right before the push, so a change made meanwhile counts too.
    """
    from deploytools import gitutil
    from deploytools.conf import conf

    branch = conf.release_branch
    if not gitutil.is_checkout(base_dir):
        return _("Not pushing: %(dir)s is not a git checkout (W401).") % {"dir": base_dir}
    current = gitutil.current_branch(base_dir)
    if current != branch:
        return _(
            "Not pushing: HEAD is %(current)s, not the release branch '%(branch)s' (W403), so "
            "the checks looked at other code than the push would deploy; run: git switch "
            "%(branch)s"
        ) % {"current": f"'{current}'" if current else _("detached"), "branch": branch}
    dirty = gitutil.dirty_paths(base_dir)
    if dirty:
        return ngettext(
            "Not pushing: the work tree has %(count)d uncommitted change (W403), so the checks "
            "looked at other code than the push would deploy; commit or stash it: git status",
            "Not pushing: the work tree has %(count)d uncommitted changes (W403), so the checks "
            "looked at other code than the push would deploy; commit or stash them: git status",
            len(dirty),
        ) % {"count": len(dirty)}
    failed = sorted({str(m.id) for m in (result.messages if result else []) if m.level >= WARNING})
    if failed:
        return _(
            "Not pushing: %(ids)s failed; fix them, or silence an accepted warning in "
            "SILENCED_SYSTEM_CHECKS, and run preflight --push again."
        ) % {"ids": ", ".join(failed)}
    return None


def push(base_dir: Path, stream: Writable) -> int:
    """
    Push the release branch to Heroku through deploytools.gitutil, which writes exactly the
    git command it runs on ``stream``; returns git's exit code.
    """
    from deploytools.gitutil import push_release

    return push_release(base_dir, stream)
