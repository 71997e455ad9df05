"""
W710–W712: Heroku's Production Check, items 6–8: application and log monitoring, custom error
pages (tag heroku).

Like :mod:`.heroku_platform`, these read the run's snapshot and never the network. What a Fir
app lacks (log drains and the add-ons built on them, custom error pages) is platform data
(table ``generations``): there logs leave through telemetry drains, and the pages' item is
skipped, not failed.
"""

from __future__ import annotations

from django.core.checks import CheckMessage, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks import heroku_command
from deploytools.checks.registry import check
from deploytools.context import ProductionContext, Skipped
from deploytools.facts.snapshot import JSON, Snapshot, name_of, service_of

# Add-on services (addon_service.name) that watch the application or its logs.
MONITORING_ADDONS = frozenset(
    {
        "airbrake",
        "appsignal",
        "atatus",
        "bugsnag",
        "honeybadger",
        "newrelic",
        "raygun",
        "rollbar",
        "scout",
        "sentry",
        "solarwinds-apm",
    }
)
LOGGING_ADDONS = frozenset(
    {
        "coralogix",
        "logdna",
        "logentries",
        "loggly",
        "logtail",
        "mezmo",
        "papertrail",
        "sematext-logsene",
        "solarwinds",
        "sumologic",
    }
)
# Config vars (by name only) that show an error-tracking client is configured.
MONITORING_CONFIG_VARS = frozenset(
    {
        "AIRBRAKE_API_KEY",
        "APPSIGNAL_PUSH_API_KEY",
        "BUGSNAG_API_KEY",
        "DD_API_KEY",
        "HONEYBADGER_API_KEY",
        "NEW_RELIC_LICENSE_KEY",
        "RAYGUN_APIKEY",
        "ROLLBAR_ACCESS_TOKEN",
        "SCOUT_KEY",
        "SENTRY_DSN",
    }
)
PAGE_CONFIG_VARS = ("ERROR_PAGE_URL", "MAINTENANCE_PAGE_URL")
FIR_NO_PAGES = gettext_lazy(
    "custom error and maintenance pages are not available on Fir "
    "(devcenter.heroku.com/articles/error-pages)"
)


def _generation(snapshot: Snapshot) -> platform_data.Generation:
    return platform_data.generation(name_of(snapshot.app.get("generation")))


def _telemetry(generation: platform_data.Generation, app: str, signals: str) -> str:
    command = generation.telemetry_command or ""
    return f"`{command.replace('APP', app).replace('SIGNALS', signals)}`"


def _drain_text(drain: JSON) -> str:
    owner = (drain.get("owner") or {}).get("type")
    signals = ", ".join(drain.get("signals") or [])
    if owner == "space":
        return _("the space's telemetry drain (%(signals)s)") % {"signals": signals}
    return _("telemetry drain (%(signals)s)") % {"signals": signals}


# --- 6 application monitoring, 7 log monitoring ----------------------------------------------


@check(
    name="heroku_monitoring",
    title=gettext_lazy("Application monitoring"),
    ids={
        "W710": gettext_lazy(
            "no application monitoring (APM/error tracking add-on, telemetry drain or DSN)"
        )
    },
    tags=["heroku"],
)
def check_monitoring(context: ProductionContext) -> list[CheckMessage]:
    """An APM or error-tracking add-on, a telemetry drain, or an error-tracking DSN is set up."""
    snapshot = context.snapshot
    found = [
        _("%(service)s add-on") % {"service": service_of(a)}
        for a in snapshot.addons
        if service_of(a) in MONITORING_ADDONS and a.get("state") != "deprovisioned"
    ]
    found += [
        _drain_text(d)
        for d in snapshot.telemetry_drains
        if {"traces", "metrics"} & set(d.get("signals") or [])
    ]
    found += sorted(name for name in snapshot.config_vars if name in MONITORING_CONFIG_VARS)
    if found:
        context.evidence(", ".join(found))
        return []
    app = snapshot.app_name
    generation = _generation(snapshot)
    add = (
        _telemetry(generation, app, "traces,metrics")
        if generation.logs == "telemetry-drains"
        else heroku_command("heroku addons:create rollbar", app)
    )
    return [
        Warning(
            _(
                "No application monitoring: no APM or error-tracking add-on, telemetry drain "
                "or DSN."
            ),
            hint=_(
                "Errors and slow requests go unnoticed; add one, e.g. %(addon)s, or set your "
                "error tracker's DSN: %(dsn)s."
            )
            % {"addon": add, "dsn": heroku_command("heroku config:set SENTRY_DSN=…", app)},
            obj=app,
            id="deploytools.W710",
        )
    ]


@check(
    name="heroku_logging",
    title=gettext_lazy("Log monitoring"),
    ids={
        "W711": gettext_lazy("no log drain or logging add-on (on Fir: no telemetry drain of logs)")
    },
    tags=["heroku"],
)
def check_logging(context: ProductionContext) -> list[CheckMessage]:
    """Logs leave Heroku: a log drain or logging add-on (Cedar), a telemetry drain of logs."""
    snapshot = context.snapshot
    generation = _generation(snapshot)
    found = [
        _drain_text(d) for d in snapshot.telemetry_drains if "logs" in (d.get("signals") or [])
    ]
    if generation.offers("log-drains"):
        found += [
            _("%(service)s add-on") % {"service": service_of(a)}
            for a in snapshot.addons
            if service_of(a) in LOGGING_ADDONS and a.get("state") != "deprovisioned"
        ]
        # Drains created by an add-on are already counted as that add-on.
        drains = [d for d in snapshot.log_drains if not d.get("addon")]
        if drains:
            hosts = ", ".join(sorted({_drain_host(d.get("url")) for d in drains}))
            found.append(_("%(n)d log drain(s) to %(hosts)s") % {"n": len(drains), "hosts": hosts})
    if found:
        context.evidence(", ".join(found))
        return []
    app = snapshot.app_name
    if not generation.offers("log-drains"):
        return [
            Warning(
                _("No telemetry drain carries the app's logs: Fir keeps no log history."),
                hint=_("Send them somewhere searchable (log drains do not exist on Fir): %(fix)s.")
                % {"fix": _telemetry(generation, app, "logs")},
                obj=app,
                id="deploytools.W711",
            )
        ]
    return [
        Warning(
            _("No log drain or logging add-on: Heroku keeps only the last 1500 log lines."),
            hint=_("Send logs somewhere searchable: %(addon)s or %(drain)s.")
            % {
                "addon": heroku_command("heroku addons:create papertrail", app),
                "drain": heroku_command("heroku drains:add syslog+tls://HOST:PORT", app),
            },
            obj=app,
            id="deploytools.W711",
        )
    ]


def _drain_host(url: object) -> str:
    from urllib.parse import urlsplit

    # Only the host: a drain URL's userinfo, path or query may hold a token.
    return urlsplit(str(url or "")).hostname or "?"


# --- 8 custom error and maintenance pages ----------------------------------------------------


@check(
    name="heroku_error_pages",
    title=gettext_lazy("Custom error and maintenance pages"),
    ids={"W712": gettext_lazy("ERROR_PAGE_URL/MAINTENANCE_PAGE_URL unset or not https")},
    tags=["heroku"],
)
def check_error_pages(context: ProductionContext) -> list[CheckMessage]:
    """ERROR_PAGE_URL and MAINTENANCE_PAGE_URL are set to https:// pages (not on Fir)."""
    snapshot = context.snapshot
    app = snapshot.app_name
    if not _generation(snapshot).offers("custom-error-pages"):
        raise Skipped(str(FIR_NO_PAGES))
    messages: list[CheckMessage] = []
    for name in PAGE_CONFIG_VARS:
        fix = heroku_command(
            f"heroku config:set {name}=https://…/{name.split('_')[0].lower()}.html", app
        )
        if name not in snapshot.config_vars:
            problem = _("%(name)s is not set: visitors see Heroku's generic page.")
        else:
            value = snapshot.config_vars[name]
            if value is None or value.lower().startswith("https://"):
                context.evidence(_("%(name)s set") % {"name": name})
                continue
            problem = _("%(name)s is not an https:// URL: browsers block or warn about it.")
        messages.append(
            Warning(
                problem % {"name": name},
                hint=_("Serve the page over HTTPS (e.g. from S3) and set it: %(fix)s.")
                % {"fix": fix},
                obj=name,
                id="deploytools.W712",
            )
        )
    return messages
