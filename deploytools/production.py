"""
``manage.py production_check``: is the running Heroku app set up for production?

One snapshot of the app (live from the Platform API, or a saved file) feeds every check tagged
``heroku`` or ``live``; meanwhile the settings are evaluated in a simulated dyno with the app's
config vars. The text report opens with the nine items of Heroku's Production Check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from deploytools import heroku
from deploytools.checks.heroku import order_for_report
from deploytools.checks.registry import Context, project_root
from deploytools.checks.run import CheckResult, RunResult, run_checks, select


@dataclass
class ProductionCheck:
    result: RunResult
    heading: str


def run_production_check(options: dict[str, Any]) -> ProductionCheck:
    """Take (or load) the snapshot and run every production check; API errors propagate."""
    base_dir = project_root()
    if options.get("snapshot"):
        snapshot = heroku.load_snapshot(options["snapshot"])
    else:
        snapshot = heroku.take_snapshot(heroku.resolve_app(options.get("app"), base_dir))
    if options.get("save_snapshot"):
        heroku.save_snapshot(snapshot, options["save_snapshot"])
    urls = list(options.get("url") or [])
    context = Context(
        command="production_check",
        base_dir=base_dir,
        config_vars=snapshot.known_config_vars(),
        options={
            "snapshot": snapshot,
            # A saved snapshot is an offline run: the site is visited only when asked.
            "urls": urls or ([] if options.get("snapshot") else default_urls(snapshot)),
            "app": snapshot.app_name,
            # Live checks may visit the network only when asked: --url, or the API read live.
            "live": bool(urls) or not options.get("snapshot"),
        },
    )
    dyno = start_settings_run(snapshot, context)
    result = run_checks(context, select(["heroku", "live"]))
    result.checks.extend(settings_checks(dyno))
    return ProductionCheck(
        order_for_report(result, numbered=options.get("format", "text") == "text"),
        _("Production check of %(app)s") % {"app": snapshot.app_name},
    )


def default_urls(snapshot: heroku.Snapshot) -> list[str]:
    """The app's web URL and its custom domains, for the live-site checks."""
    urls = [str(snapshot.app["web_url"])] if snapshot.app.get("web_url") else []
    urls += [
        f"https://{d['hostname']}/"
        for d in snapshot.domains
        if d.get("kind") == "custom" and not str(d.get("hostname") or "*").startswith("*")
    ]
    return urls


def start_settings_run(snapshot: heroku.Snapshot, context: Context) -> Any:
    """Start evaluating the settings with the app's config vars in a simulated dyno."""
    from deploytools.simulate import start_in_dyno

    if not snapshot.has_config_values:
        return _(
            "a saved snapshot keeps only non-secret config var values, and the settings need "
            "them all; run with a Heroku API token (--app) to check them"
        )
    config_vars = snapshot.known_config_vars()
    return start_in_dyno(
        config_vars, context.base_dir, settings_module=dyno_settings_module(config_vars)
    )


def dyno_settings_module(config_vars: dict[str, str]) -> str | None:
    """
    The settings module the dynos load: the DJANGO_SETTINGS_MODULE config var, else the default
    the WSGI module sets — never this process's own (a test or local settings module).
    """
    from django.conf import settings

    from deploytools.capacity import settings_module_for

    wsgi = getattr(settings, "WSGI_APPLICATION", None)
    if not wsgi:
        return config_vars.get("DJANGO_SETTINGS_MODULE") or None
    return settings_module_for(str(wsgi), config_vars)


def settings_checks(dyno: Any) -> list[CheckResult]:
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
