"""
W710–I717: Heroku's Production Check, items 6–9 (application and log monitoring, error
pages, SSL), and the state of the latest release (tag heroku).

Like :mod:`.heroku_platform`, these read the run's snapshot and never the network. What a Fir
app lacks (log drains and the add-ons built on them, custom error pages) is platform data
(table ``generations``): there logs leave through telemetry drains, and the pages' item is
skipped, not failed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.checks import CheckMessage, Error, Info, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import check
from deploytools.conf import conf
from deploytools.context import Context, ProductionContext, Skipped
from deploytools.facts.snapshot import (
    JSON,
    Snapshot,
    deployed_commit,
    host_matches,
    name_of,
    parse_time,
    rollback_target,
    service_of,
)

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
CERT_WARNING_DAYS = 30
# The Platform API's release statuses as a person reads them (evidence of W716); an unknown
# one is shown as the API wrote it.
RELEASE_STATUSES = {
    "succeeded": gettext_lazy("succeeded"),
    "failed": gettext_lazy("failed"),
    "pending": gettext_lazy("pending"),
    "expired": gettext_lazy("expired"),
}


def _cmd(command: str, app: str) -> str:
    return f"`{command} -a {app}`"


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
        else _cmd("heroku addons:create rollbar", app)
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
            % {"addon": add, "dsn": _cmd("heroku config:set SENTRY_DSN=…", app)},
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
                "addon": _cmd("heroku addons:create papertrail", app),
                "drain": _cmd("heroku drains:add syslog+tls://HOST:PORT", app),
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
        fix = _cmd(f"heroku config:set {name}=https://…/{name.split('_')[0].lower()}.html", app)
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


# --- 9 SSL -------------------------------------------------------------------------------------


def _sni_for(domain: JSON, snapshot: Snapshot) -> list[JSON]:
    """The SNI endpoints whose certificate covers ``domain``."""
    hostname = str(domain.get("hostname") or "")
    linked = name_of(domain.get("sni_endpoint"))
    found = []
    for endpoint in snapshot.sni_endpoints:
        cert = endpoint.get("ssl_cert") or {}
        if (
            domain.get("id") in (endpoint.get("domains") or [])
            or (linked and linked == endpoint.get("name"))
            or any(host_matches(hostname, str(p)) for p in cert.get("cert_domains") or [])
        ):
            found.append(endpoint)
    return found


@check(
    name="heroku_ssl",
    title=gettext_lazy("SSL"),
    ids={
        "E713": gettext_lazy("a custom domain without a valid certificate"),
        "W714": gettext_lazy("certificate expires within 30 days"),
        "W715": gettext_lazy(
            "a custom domain's DNS target is herokuapp.com, not its herokudns target"
        ),
    },
    tags=["heroku"],
)
def check_ssl(context: ProductionContext) -> list[CheckMessage]:
    """Every custom domain has a valid certificate (ACM or SNI) and a herokudns DNS target."""
    snapshot = context.snapshot
    app = snapshot.app_name
    now = datetime.combine(context.today, datetime.min.time(), tzinfo=UTC)
    acm = bool(snapshot.app.get("acm"))
    custom = [d for d in snapshot.domains if d.get("kind") == "custom"]
    if not custom:
        context.evidence(_("no custom domains; *.herokuapp.com has Heroku's certificate"))
        return []
    messages: list[CheckMessage] = []
    for domain in custom:
        host = str(domain.get("hostname") or "")
        status = str(domain.get("acm_status") or "").lower()
        endpoints = _sni_for(domain, snapshot)
        valid = [
            e
            for e in endpoints
            if (expiry := parse_time((e.get("ssl_cert") or {}).get("expires_at"))) and expiry > now
        ]
        if acm and status == "cert issued":
            context.evidence(_("%(host)s: ACM") % {"host": host})
        elif valid:
            cert = valid[0].get("ssl_cert") or {}
            expiry = parse_time(cert.get("expires_at"))
            assert expiry is not None  # filtered above
            context.evidence(
                _("%(host)s: certificate until %(date)s")
                % {"host": host, "date": expiry.date().isoformat()}
            )
            if (expiry - now).days < CERT_WARNING_DAYS:
                messages.append(
                    Warning(
                        _("The certificate for %(host)s expires on %(date)s.")
                        % {"host": host, "date": expiry.date().isoformat()},
                        hint=_("Renew it, or let Heroku manage it: %(fix)s.")
                        % {"fix": _cmd("heroku certs:auto:enable", app)},
                        obj=host,
                        id="deploytools.W714",
                    )
                )
        else:
            if acm:
                reason = _("ACM status %(status)s%(why)s") % {
                    "status": status or _("none"),
                    "why": f" ({domain['acm_status_reason']})"
                    if domain.get("acm_status_reason")
                    else "",
                }
                hint = _("Point the domain's DNS at %(target)s, then retry: %(fix)s.") % {
                    "target": domain.get("cname") or _("its DNS target"),
                    "fix": _cmd("heroku certs:auto:refresh", app),
                }
            else:
                reason = (
                    _("its certificate has expired")
                    if endpoints
                    else _("ACM is off and no SNI certificate covers it")
                )
                hint = _("Let Heroku issue and renew certificates: %(fix)s.") % {
                    "fix": _cmd("heroku certs:auto:enable", app)
                }
            messages.append(
                Error(
                    _("The custom domain %(host)s has no valid certificate: %(reason)s.")
                    % {"host": host, "reason": reason},
                    hint=hint,
                    obj=host,
                    id="deploytools.E713",
                )
            )
        cname = str(domain.get("cname") or "").lower().rstrip(".")
        if cname.endswith(".herokuapp.com"):
            fix = f"`heroku domains:remove {host} -a {app} && heroku domains:add {host} -a {app}`"
            messages.append(
                Warning(
                    _("The custom domain %(host)s points at %(cname)s, not a herokudns.com target.")
                    % {"host": host, "cname": cname},
                    hint=_(
                        "Legacy herokuapp.com targets do not support ACM or the current router; "
                        "re-add the domain and point DNS at the target it prints: %(fix)s."
                    )
                    % {"fix": fix},
                    obj=host,
                    id="deploytools.W715",
                )
            )
    return messages


# --- releases --------------------------------------------------------------------------------


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
                % {"fix": _cmd("heroku maintenance:off", app)},
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
                % {"fix": _cmd(f"heroku releases:output {version}", app)},
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
