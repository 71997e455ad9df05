"""
``manage.py production_check``: is the running Heroku app set up for production?

One snapshot of the app (live from the Platform API, or a saved file) feeds every check tagged
``heroku`` or ``live``; meanwhile the settings are evaluated in a simulated dyno with the app's
config vars. The text report opens with the nine items of Heroku's Production Check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import CheckResult, RunResult, run_checks, select
from deploytools.context import ProductionContext
from deploytools.facts import platform_api, snapshot
from deploytools.facts.dyno import DynoRun
from deploytools.facts.project import Project

# The nine items of the deploy guide, in order: the checks that judge them.
CHECKLIST: tuple[str, ...] = (
    "heroku_stack",
    "heroku_dyno_types",
    "heroku_dyno_redundancy",
    "heroku_postgres",
    "heroku_postgres_ha",
    "heroku_monitoring",
    "heroku_logging",
    "heroku_error_pages",
    "heroku_ssl",
)


@dataclass
class ProductionCheck:
    result: RunResult
    heading: str
    # The JSON document's "snapshot" section: which app, when the API was read, from where.
    snapshot: dict[str, str]
    # Endpoints that failed (snapshot field -> one-line reason); their checks were skipped.
    unavailable: dict[str, str] = field(default_factory=dict)


def run_production_check(options: dict[str, Any]) -> ProductionCheck:
    """Take (or load) the snapshot and run every production check; API errors propagate."""
    project = Project.at(Project.here().app_dir)
    if options.get("snapshot"):
        found = snapshot.load_snapshot(options["snapshot"])
    else:
        found = platform_api.take_snapshot(
            platform_api.resolve_app(options.get("app"), project.root)
        )
    if options.get("save_snapshot"):
        snapshot.save_snapshot(found, options["save_snapshot"])
    urls = list(options.get("url") or [])
    context = ProductionContext(
        project=project,
        config_vars=found.known_config_vars() if found.available("config_vars") else {},
        snapshot=found,
        # A saved snapshot is an offline run: the site is visited only when asked.
        urls=urls or ([] if options.get("snapshot") else default_urls(found)),
        # Live checks may visit the network only when asked: --url, or the API read live.
        live=bool(urls) or not options.get("snapshot"),
        ca_bundle=options.get("ca_bundle"),
        measure_memory=options.get("measure_memory", True) is not False,
    )
    dyno = start_settings_run(found, project)
    result = run_checks(context, select(["heroku", "live"]))
    result.checks.extend(settings_checks(dyno))
    return ProductionCheck(
        order_for_report(result, numbered=options.get("format", "text") == "text"),
        _("Production check of %(app)s") % {"app": found.app_name},
        {
            "app": found.app_name,
            "fetched_at": found.fetched_at,
            "source": str(options["snapshot"]) if options.get("snapshot") else "platform-api",
        },
        dict(found.unavailable),
    )


def default_urls(found: snapshot.Snapshot) -> list[str]:
    """The app's web URL and its custom domains, for the live-site checks."""
    urls = [str(found.app["web_url"])] if found.app.get("web_url") else []
    if not found.available("domains"):
        return urls
    urls += [
        f"https://{d['hostname']}/"
        for d in found.domains
        if d.get("kind") == "custom" and not str(d.get("hostname") or "*").startswith("*")
    ]
    return urls


def start_settings_run(found: snapshot.Snapshot, project: Project) -> DynoRun | str:
    """Start evaluating the settings with the app's config vars in a simulated dyno."""
    from deploytools.facts.dyno import start_in_dyno
    from deploytools.facts.settings_module import dyno_settings_module

    if not found.available("config_vars"):
        return found.unavailable["config_vars"]
    if not found.has_config_values:
        return _(
            "a saved snapshot keeps only non-secret config var values, and the settings need "
            "them all; run with a Heroku API token (--app) to check them"
        )
    config_vars = found.known_config_vars()
    # The dynos' module, never this process's own (a test or local settings module).
    module = dyno_settings_module(config_vars, project)
    return start_in_dyno(config_vars, project, command="production_check", settings_module=module)


def settings_checks(dyno: DynoRun | str) -> list[CheckResult]:
    """The simulated dyno's check results, or one skipped line saying why there are none."""
    if isinstance(dyno, str):
        return [
            CheckResult(
                "dyno_settings",
                _("Settings as the dynos have them"),
                ("deploytools", "settings"),
                "skipped",
                detail=dyno,
            )
        ]
    return list(dyno.result().checks)


def order_for_report(result: RunResult, *, numbered: bool) -> RunResult:
    """
    The production_check order: the nine checklist items first (numbered in text reports),
    then the other Heroku checks, support dates, capacity (8xx), settings and the live site.
    """
    positions = {name: index for index, name in enumerate(CHECKLIST)}

    def section(line: CheckResult) -> tuple[int, int]:
        if line.name in positions:
            return (0, positions[line.name])
        spec = CATALOGUE.get(line.name)
        hundreds = spec.ids[0].split(".")[-1][1] if spec and spec.ids else ""
        # Django's own checks and the simulated dyno's settings checks count as "settings".
        return ({"7": 1, "5": 2, "8": 3, "9": 5}.get(hundreds, 4), 0)

    ordered = sorted(result.checks, key=section)  # stable: keeps ID order inside a section
    if numbered:
        ordered = [
            replace(c, title=f"{positions[c.name] + 1}. {c.title}") if c.name in positions else c
            for c in ordered
        ]
    return RunResult(result.command, ordered, result.seconds)
