"""manage.py production_check: is the running Heroku app set up for production?"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from deploytools import heroku
from deploytools.checks.heroku import order_for_report
from deploytools.checks.registry import Context, project_root
from deploytools.checks.run import CheckResult, run_checks, select
from deploytools.command import DeploytoolsCommand


class Command(DeploytoolsCommand):
    help = (
        "Heroku's Production Check for a running app (Platform API, or a saved --snapshot), "
        "plus capacity, the settings the dynos have and the live site."
    )
    command_name = "production_check"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--app", help="Heroku app name (default: setting, env, git remote).")
        parser.add_argument(
            "--url", action="append", default=[], help="URL of the live site (repeatable)."
        )
        parser.add_argument("--snapshot", metavar="FILE", help="Check a saved snapshot offline.")
        parser.add_argument(
            "--save-snapshot", metavar="FILE", help="Also save the snapshot (no secret values)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_dir = project_root()
        try:
            if options["snapshot"]:
                snapshot = heroku.load_snapshot(options["snapshot"])
            else:
                app = heroku.resolve_app(options["app"], base_dir)
                snapshot = heroku.take_snapshot(app)
            if options["save_snapshot"]:
                heroku.save_snapshot(snapshot, options["save_snapshot"])
        except (heroku.HerokuAPIError, heroku.SnapshotError) as exc:
            self.could_not_check(str(exc), options)
        context = Context(
            command=self.command_name,
            base_dir=base_dir,
            config_vars=snapshot.known_config_vars(),
            options={
                "snapshot": snapshot,
                # A saved snapshot is an offline run: the site is visited only when asked.
                "urls": options["url"] or ([] if options["snapshot"] else default_urls(snapshot)),
                "app": snapshot.app_name,
                # Live checks may visit the network only when asked: --url, or the API read live.
                "live": bool(options["url"]) or not options["snapshot"],
            },
        )
        dyno = start_settings_run(snapshot, context)
        result = run_checks(context, select(["heroku", "live"]))
        result.checks.extend(settings_checks(dyno))
        text = options["format"] == "text"
        self.finish(
            order_for_report(result, numbered=text),
            options,
            heading=_("Production check of %(app)s") % {"app": snapshot.app_name},
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
    """Start evaluating the settings with the app's config vars (engineer A's simulation)."""
    if not snapshot.has_config_values:
        return _(
            "the snapshot holds no config var values (saved snapshots never do); "
            "run with a Heroku API token to check them"
        )
    try:
        from deploytools.simulate import start_in_dyno  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _("this version of deploytools cannot simulate a dyno")
    return start_in_dyno(snapshot.known_config_vars(), context.base_dir)


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
