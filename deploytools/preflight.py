"""
``manage.py preflight``: is this checkout, with the settings Heroku will give it, ready to ship?

The settings checks run in a simulated dyno (:mod:`deploytools.facts.dyno`) with the production
config vars, while this process runs the project, migration, git and lifecycle checks; then
the two reports are merged. ``--push`` pushes the release branch only when nothing failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.checks import WARNING
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools import redact, report
from deploytools.checks.run import RunResult, catalogue_order, not_run, run_checks, select
from deploytools.command import CouldNotCheck
from deploytools.context import PreflightContext
from deploytools.facts.project import ExportFailed, Project, checkout, exported
from deploytools.facts.settings_module import dyno_settings_module

if TYPE_CHECKING:
    from deploytools.facts.git_repository import Writable


@dataclass
class ProductionConfig:
    """The config vars preflight simulates, and where they came from (never their values)."""

    config_vars: dict[str, str]
    source: str
    # The app's generation when the Heroku API gave it (--app); None: DEPLOYTOOLS says.
    generation: str | None = None


@dataclass
class Preflight:
    """A finished preflight: the merged report and what to say above it."""

    result: RunResult
    heading: str
    project: Project
    secrets: set[str] = field(default_factory=set)


def load_config(config_file: str | None, app: str | None) -> ProductionConfig:
    """Config vars from ``--config-vars FILE`` or ``--app NAME``; CouldNotCheck if unreadable."""
    from deploytools.facts import config_vars as configvars

    if config_file and app:
        raise CouldNotCheck(_("use either --config-vars FILE or --app NAME, not both"))
    if config_file:
        try:
            return ProductionConfig(configvars.read_config_vars_file(config_file), config_file)
        except configvars.ConfigVarsError as exc:
            raise CouldNotCheck(str(exc)) from None
    if app:
        try:
            found, generation = configvars.fetch_app_config_vars(app)
        except CouldNotCheck:
            raise
        except Exception as exc:  # noqa: BLE001 - API failures are "could not check", exit 2
            from deploytools.facts.heroku_client import HerokuAPIError

            reason = str(exc) if isinstance(exc, HerokuAPIError) else type(exc).__name__
            raise CouldNotCheck(
                _("cannot read the config vars of %(app)s: %(reason)s")
                % {"app": app, "reason": reason}
            ) from None
        return ProductionConfig(found, _("Heroku app %(app)s") % {"app": app}, generation)
    return ProductionConfig({}, _("none (pass --config-vars FILE or --app NAME)"))


def context_for(
    options: dict[str, Any], project: Project, config: ProductionConfig
) -> PreflightContext:
    """What the checks read from the command line; --push implies tests and collectstatic."""
    push = bool(options.get("push"))
    return PreflightContext(
        project=project,
        config_vars=dict(config.config_vars),
        run_tests=bool(options.get("run_tests")) or push,
        collectstatic=bool(options.get("collectstatic")) or push,
        push=push,
        config_source=config.source,
        generation=config.generation,
    )


def run_preflight(
    options: dict[str, Any],
    *,
    project: Project | None = None,
    progress: Callable[[str], None] = report.progress,
) -> Preflight:
    """
    Run every preflight check on the commit a push would send: the simulated dyno, and the
    checks that need no production settings meanwhile, then those that read them.
    """
    from deploytools.facts import dyno
    from deploytools.facts.installed import import_providers, in_background

    started = time.perf_counter()
    config = load_config(options.get("config_vars"), options.get("app"))
    working = project or checkout()
    # The dyno's process starts first: it imports Django while the commit is exported. What
    # the checks after it read about this environment's packages is read meanwhile too.
    simulation = dyno.spawn_dyno()
    in_background("import-providers", import_providers)
    try:
        with exported(working) as judged:
            context = context_for(options, judged, config)
            context.dyno = simulation
            result, module = _judge(context, progress)
    except BaseException as exc:
        # No report will be read: the waiting (or running) dyno's process is stopped now.
        simulation.abandon()
        if not isinstance(exc, ExportFailed):
            raise
        raise CouldNotCheck(
            _("cannot read the commit to push from %(root)s: %(error)s")
            % {"root": working.root, "error": exc}
        ) from None
    result.seconds = time.perf_counter() - started
    secrets = redact.secret_values(config.config_vars) | redact.settings_secrets()
    redact.redact_result(result, secrets)
    # The project's package (weareone.settings -> weareone) names it better than its directory.
    name = module.split(".")[0] if "." in module else working.root.name
    heading = _(
        "Preflight of %(project)s (%(tree)s) — settings %(module)s, config vars: %(source)s"
    ) % {"project": name, "tree": judged.label, "module": module, "source": config.source}
    return Preflight(result, heading, working, secrets=secrets)


def _judge(context: PreflightContext, progress: Callable[[str], None]) -> tuple[RunResult, str]:
    """
    The checks of one preflight on ``context.project`` (an exported tree, or the checkout),
    ``context.dyno`` being the simulated dyno's process, waiting for the project to load.
    """
    from deploytools.checks.settings_database import explain_missing_module, note_stand_ins
    from deploytools.facts.installed import installed_closure, measure_in_background
    from deploytools.facts.package_manager import build_packages
    from deploytools.facts.package_updates import start_index_wave

    project = context.project
    config = context.config_vars or {}
    module = dyno_settings_module(config, project)
    progress(_("Evaluating %(module)s as a Heroku dyno…") % {"module": module or "?"})
    packages = build_packages(context)
    simulation = context.dyno
    assert simulation is not None
    simulation.begin(project, config, module, packages.names)
    # Meanwhile, in the background: the package index (its answers come while the dyno runs)
    # and the size of the packages the slug holds (W214).
    start_index_wave(context)
    measure_in_background(installed_closure(packages.names))
    specs = select(["preflight"], exclude=["settings"])
    # Meanwhile, everything that needs no production setting; the rest once the dyno is done.
    first = run_checks(context, [s for s in specs if not s.production_settings])
    progress(_("Waiting for the settings simulation…"))
    simulated = simulation.result()
    missing = simulation.missing_module()
    if missing:
        explain_missing_module(simulated, missing, project, packages)
    note_stand_ins(simulated, simulation.stand_ins(), packages)
    reported = {line.name for line in simulated.checks}
    unreported = [
        s for s in select(["settings"]) if "preflight" in s.tags and s.name not in reported
    ]
    simulated.checks.extend(
        not_run(unreported, _("the production settings could not be loaded (see E100)"))
    )
    second = run_checks(context, [s for s in specs if s.production_settings])
    result = RunResult("preflight")
    result.checks = catalogue_order([*simulated.checks, *first.checks, *second.checks])
    return result, module or _("settings.configure()")


def push_refusal(project: Project, result: RunResult | None = None) -> str | None:
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
    from deploytools.conf import conf
    from deploytools.facts import git_repository as git

    branch = conf.release_branch
    root = project.root
    if not git.is_checkout(root):
        return _("Not pushing: %(dir)s is not a git checkout (W401).") % {"dir": root}
    current = git.current_branch(root)
    if current != branch:
        return _(
            "Not pushing: HEAD is %(current)s, not the release branch '%(branch)s' (W403), so "
            "the checks looked at other code than the push would deploy; run: git switch "
            "%(branch)s"
        ) % {"current": f"'{current}'" if current else _("detached"), "branch": branch}
    dirty = git.dirty_paths(root)
    if dirty:
        return ngettext(
            "Not pushing: the work tree has %(count)d uncommitted change (W403), so the checks "
            "looked at other code than the push would deploy; W403's hint says what to do",
            "Not pushing: the work tree has %(count)d uncommitted changes (W403), so the checks "
            "looked at other code than the push would deploy; W403's hint says what to do",
            len(dirty),
        ) % {"count": len(dirty)}
    failed = sorted({str(m.id) for m in (result.messages if result else []) if m.level >= WARNING})
    if failed:
        return _(
            "Not pushing: %(ids)s failed; fix them, or silence an accepted warning in "
            "SILENCED_SYSTEM_CHECKS, and run preflight --push again."
        ) % {"ids": ", ".join(failed)}
    return None


def push(project: Project, stream: Writable) -> int:
    """
    Push the release branch to Heroku (:func:`~deploytools.facts.git_repository.push_release`
    writes exactly the git command it runs on ``stream``); returns git's exit code.
    """
    from deploytools.facts.git_repository import push_release

    return push_release(project.root, stream)
