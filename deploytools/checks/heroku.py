"""
7xx: the Heroku platform — Heroku's Production Check (tag heroku).

Every check reads the run's Heroku snapshot (``context.options["snapshot"]``, fetched once by
``production_check``) and never the network; without a snapshot (a plain ``check --deploy``)
they are skipped, so that stays offline. The first nine checks are the nine items of the
deploy guide's checklist (:data:`CHECKLIST`), which the production_check report opens with.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from django.core.checks import CheckMessage, Error, Info, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import (
    CATALOGUE,
    Context,
    Skipped,
    context_of,
    deploytools_check,
)
from deploytools.conf import conf

if TYPE_CHECKING:
    from deploytools.checks.run import RunResult
    from deploytools.heroku import Snapshot

JSON = dict[str, Any]

# Heroku stack support, from https://devcenter.heroku.com/articles/stack ("Stack Support
# Details", "Supported through"; checked 2026-11-26). A stack is retired on the last day of
# the month named there. Update this table when Heroku announces a new stack.
STACK_END_OF_LIFE: dict[str, date] = {
    "cedar-14": date(2019, 4, 30),
    "heroku-16": date(2021, 4, 30),
    "heroku-18": date(2023, 4, 30),
    "heroku-20": date(2025, 4, 30),
    "heroku-22": date(2027, 4, 30),
    "heroku-24": date(2029, 4, 30),
}
CURRENT_STACK = "heroku-24"
# Stacks whose operating system layer Heroku does not retire: Docker images (container) and
# Fir-generation apps built with Cloud Native Buildpacks (cnb).
STACKS_WITHOUT_END_OF_LIFE = frozenset({"container", "cnb"})
STACK_WARNING_DAYS = 180

# Dyno sizes without the professional features (no horizontal scaling, no metrics, sleeps).
HOBBY_DYNO_SIZES = frozenset({"eco", "basic", "free", "hobby"})
# Heroku Postgres plans that are not production tier, and plans with high availability.
HOBBY_POSTGRES_TIERS = ("essential", "mini", "basic", "hobby", "dev")
HA_POSTGRES_TIERS = ("premium", "private", "shield")
PRODUCTION_POSTGRES_PLAN = "heroku-postgresql:standard-0"
HA_POSTGRES_PLAN = "heroku-postgresql:premium-0"

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
CERT_WARNING_DAYS = 30

# The nine items of the deploy guide, in order: check name and the item's title.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("heroku_stack", "Stack"),
    ("heroku_dyno_types", "Dyno types"),
    ("heroku_dyno_redundancy", "Dyno redundancy"),
    ("heroku_postgres", "Production Postgres"),
    ("heroku_postgres_ha", "Postgres high availability"),
    ("heroku_monitoring", "Application monitoring"),
    ("heroku_logging", "Log monitoring"),
    ("heroku_error_pages", "Custom error and maintenance pages"),
    ("heroku_ssl", "SSL"),
)


# --- helpers shared by the checks ------------------------------------------------------------


def snapshot_of(context: Context) -> Snapshot:
    """The run's Heroku snapshot, or Skipped when this run has none."""
    from deploytools.heroku import Snapshot

    snapshot = context.options.get("snapshot")
    if not isinstance(snapshot, Snapshot):
        raise Skipped(_("no Heroku snapshot (run `manage.py production_check`)"))
    return snapshot


def _today(context: Context) -> date:
    today = context.options.get("today")
    return today if isinstance(today, date) else date.today()


def _name(value: object) -> str:
    return str(value.get("name") or "") if isinstance(value, dict) else ""


def is_fir(snapshot: Snapshot) -> bool:
    """Fir-generation apps have their own dyno sizes (dyno-1c-0.5gb, ...), all professional."""
    return _name(snapshot.app.get("generation")).lower() == "fir"


def dyno_size(process: JSON) -> str:
    return _name(process.get("dyno_size")) or str(process.get("size") or "")


def pretty_size(size: str) -> str:
    """standard-2x -> Standard-2X, as Heroku's dashboard shows it; Fir names stay as they are."""
    if not size or size.lower().startswith("dyno-"):
        return size
    first, *rest = size.split("-")
    return "-".join([first.capitalize(), *(part.upper() for part in rest)])


def is_hobby_size(size: str, snapshot: Snapshot) -> bool:
    return not is_fir(snapshot) and size.lower() in HOBBY_DYNO_SIZES


def _process_text(process: JSON) -> str:
    return f"{process.get('type')}: {int(process.get('quantity') or 0)} × " + pretty_size(
        dyno_size(process)
    )


def _web(snapshot: Snapshot) -> JSON | None:
    return next((p for p in snapshot.formation if p.get("type") == "web"), None)


def _service(addon: JSON) -> str:
    return _name(addon.get("addon_service")).lower()


def _plan(addon: JSON) -> str:
    return _name(addon.get("plan"))


def _tier(plan: str) -> str:
    return plan.partition(":")[2].lower() or plan.lower()


def _database_addon(snapshot: Snapshot) -> JSON | None:
    for addon in snapshot.addons:
        if (
            _service(addon) == "heroku-postgresql"
            and addon.get("state") == "provisioned"
            and "DATABASE_URL" in (addon.get("config_vars") or [])
        ):
            return addon
    return None


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _host_matches(hostname: str, pattern: str) -> bool:
    hostname, pattern = hostname.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _dot, tail = hostname.partition(".")
        return bool(head) and tail == pattern[2:]
    return hostname == pattern


def _cmd(command: str, app: str) -> str:
    return f"`{command} -a {app}`"


# --- 1 stack -----------------------------------------------------------------------------------


@deploytools_check(
    name="heroku_stack",
    title=gettext_lazy("Stack"),
    ids=["E701", "W702", "W703"],
    tags=["heroku"],
)
def check_stack(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """The app's stack is supported and not near its end of life; builds use the same stack."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
    stack = _name(snapshot.app.get("stack"))
    build_stack = _name(snapshot.app.get("build_stack")) or stack
    fix = _cmd(f"heroku stack:set {CURRENT_STACK}", app) + _(", then deploy again")
    messages: list[CheckMessage] = []
    end = STACK_END_OF_LIFE.get(stack)
    today = _today(context)
    if stack in STACKS_WITHOUT_END_OF_LIFE:
        context.evidence(_("%(stack)s (no Heroku end of life)") % {"stack": stack})
    elif end is not None and end < today:
        messages.append(
            Error(
                _("The app runs on %(stack)s, which reached end of life on %(date)s.")
                % {"stack": stack, "date": end.isoformat()},
                hint=_("It gets no security updates and cannot be built; move to %(new)s: %(fix)s.")
                % {"new": CURRENT_STACK, "fix": fix},
                obj=app,
                id="deploytools.E701",
            )
        )
    elif end is not None and (end - today).days <= STACK_WARNING_DAYS:
        messages.append(
            Warning(
                _("The app's stack %(stack)s reaches end of life on %(date)s (in %(days)d days).")
                % {"stack": stack, "date": end.isoformat(), "days": (end - today).days},
                hint=_("Move to %(new)s before then: %(fix)s.")
                % {"new": CURRENT_STACK, "fix": fix},
                obj=app,
                id="deploytools.W702",
            )
        )
    elif end is not None:
        context.evidence(
            _("%(stack)s (supported until %(date)s)") % {"stack": stack, "date": end.isoformat()}
        )
    elif re.fullmatch(r"heroku-(\d+)", stack) and int(stack.split("-")[1]) > 24:
        context.evidence(_("%(stack)s (newer than deploytools' stack table)") % {"stack": stack})
    else:
        messages.append(
            Error(
                _("The app's stack %(stack)r is not a supported Heroku stack.")
                % {"stack": stack or "?"},
                hint=_("Move to %(new)s: %(fix)s.") % {"new": CURRENT_STACK, "fix": fix},
                obj=app,
                id="deploytools.E701",
            )
        )
    if build_stack != stack:
        push = f"`git push {conf.heroku_remote} {conf.release_branch}:{conf.heroku_deploy_branch}`"
        messages.append(
            Warning(
                _("The next build will use %(build)s but the app still runs on %(stack)s.")
                % {"build": build_stack, "stack": stack},
                hint=_("Deploy to move the running app to %(build)s: %(push)s.")
                % {"build": build_stack, "push": push},
                obj=app,
                id="deploytools.W703",
            )
        )
    return messages


# --- 2 dyno types, 3 dyno redundancy ---------------------------------------------------------


@deploytools_check(
    name="heroku_dyno_types",
    title=gettext_lazy("Dyno types"),
    ids=["E704", "W705"],
    tags=["heroku"],
)
def check_dyno_types(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """Web dynos (and other running processes) use professional dyno types."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
    messages: list[CheckMessage] = []
    running = [p for p in snapshot.formation if p.get("type") == "web" or p.get("quantity")]
    if not running:
        raise Skipped(_("the app has no process types"))
    for process in running:
        kind, size = str(process.get("type")), dyno_size(process)
        context.evidence(_process_text(process))
        if not is_hobby_size(size, snapshot):
            continue
        count = max(2, int(process.get("quantity") or 0)) if kind == "web" else process["quantity"]
        fix = _cmd(f"heroku ps:scale {kind}={count}:standard-1x", app)
        if kind == "web":
            messages.append(
                Error(
                    _("Web dynos are %(size)s, not a professional dyno type.")
                    % {"size": pretty_size(size)},
                    hint=_(
                        "Eco and Basic dynos cannot scale out, have no metrics and may sleep; "
                        "use Standard or Performance dynos: %(fix)s."
                    )
                    % {"fix": fix},
                    obj=f"{app}:web",
                    id="deploytools.E704",
                )
            )
        else:
            messages.append(
                Warning(
                    _("The %(kind)s process runs on %(size)s dynos, not a professional type.")
                    % {"kind": kind, "size": pretty_size(size)},
                    hint=_("Use Standard or Performance dynos: %(fix)s.") % {"fix": fix},
                    obj=f"{app}:{kind}",
                    id="deploytools.W705",
                )
            )
    return messages


@deploytools_check(
    name="heroku_dyno_redundancy",
    title=gettext_lazy("Dyno redundancy"),
    ids=["E706"],
    tags=["heroku"],
)
def check_dyno_redundancy(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """At least two web dynos, so one restarting dyno does not take the site down."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
    web = _web(snapshot)
    quantity = int(web.get("quantity") or 0) if web else 0
    size = dyno_size(web) if web else ""
    if web:
        context.evidence(_process_text(web))
    if quantity >= 2:
        return []
    target = size if size and not is_hobby_size(size, snapshot) else "standard-1x"
    fix = _cmd(f"heroku ps:scale web=2:{target.lower()}", app)
    if quantity == 0:
        msg = _("No web dynos are running: the app serves no requests.")
    else:
        msg = _("Only one web dyno: every restart or dyno failure is downtime.")
    return [
        Error(
            msg,
            hint=_("Run at least two web dynos: %(fix)s.") % {"fix": fix},
            obj=f"{app}:web",
            id="deploytools.E706",
        )
    ]


# --- 4 production Postgres, 5 high availability ----------------------------------------------


@deploytools_check(
    name="heroku_postgres",
    title=gettext_lazy("Production Postgres"),
    ids=["E707", "E708"],
    tags=["heroku"],
)
def check_postgres(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """A provisioned Heroku Postgres on a production plan is attached as DATABASE_URL."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
    addon = _database_addon(snapshot)
    if addon is None:
        others = [a for a in snapshot.addons if _service(a) == "heroku-postgresql"]
        if others and others[0].get("state") == "provisioning":
            reason, fix = _("is still provisioning"), f"heroku addons:wait {others[0]['name']}"
        elif others:
            attachment = next(
                (v.removesuffix("_URL") for v in others[0].get("config_vars") or []), "DATABASE"
            )
            reason = _("is not attached as DATABASE_URL")
            fix = f"heroku pg:promote {attachment}"
        else:
            reason, fix = _("is missing"), f"heroku addons:create {PRODUCTION_POSTGRES_PLAN}"
        return [
            Error(
                _("A provisioned Heroku Postgres database %(reason)s.") % {"reason": reason},
                hint=_("The app needs its database as DATABASE_URL: %(fix)s.")
                % {"fix": _cmd(fix, app)},
                obj=app,
                id="deploytools.E707",
            )
        ]
    plan = _plan(addon)
    context.evidence(f"{addon.get('name')} ({plan})")
    if _tier(plan).startswith(HOBBY_POSTGRES_TIERS):
        fix = _cmd(f"heroku addons:upgrade {addon.get('name')} {PRODUCTION_POSTGRES_PLAN}", app)
        return [
            Error(
                _("The database plan %(plan)s is not a production tier.") % {"plan": plan},
                hint=_(
                    "Essential and Mini plans have row or connection limits, no followers and "
                    "no point-in-time rollback; use Standard or above: %(fix)s."
                )
                % {"fix": fix},
                obj=str(addon.get("name")),
                id="deploytools.E708",
            )
        ]
    return []


@deploytools_check(
    name="heroku_postgres_ha",
    title=gettext_lazy("Postgres high availability"),
    ids=["W709"],
    tags=["heroku"],
)
def check_postgres_ha(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """The DATABASE_URL Postgres has a high-availability standby (Premium, Private, Shield)."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    addon = _database_addon(snapshot)
    if addon is None:
        raise Skipped(_("no Heroku Postgres attached as DATABASE_URL"))
    plan = _plan(addon)
    context.evidence(plan)
    if _tier(plan).startswith(HA_POSTGRES_TIERS):
        return []
    fix = _cmd(f"heroku addons:upgrade {addon.get('name')} {HA_POSTGRES_PLAN}", snapshot.app_name)
    return [
        Warning(
            _("The database plan %(plan)s has no high-availability standby.") % {"plan": plan},
            hint=_("A Premium, Private or Shield plan fails over automatically: %(fix)s.")
            % {"fix": fix},
            obj=str(addon.get("name")),
            id="deploytools.W709",
        )
    ]


# --- 6 application monitoring, 7 log monitoring ----------------------------------------------


@deploytools_check(
    name="heroku_monitoring",
    title=gettext_lazy("Application monitoring"),
    ids=["W710"],
    tags=["heroku"],
)
def check_monitoring(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """An APM or error-tracking add-on, a telemetry drain, or an error-tracking DSN is set up."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    found = [
        _("%(service)s add-on") % {"service": _service(a)}
        for a in snapshot.addons
        if _service(a) in MONITORING_ADDONS and a.get("state") != "deprovisioned"
    ]
    found += [
        _("telemetry drain (%(signals)s)") % {"signals": ", ".join(d.get("signals") or [])}
        for d in snapshot.telemetry_drains
        if {"traces", "metrics"} & set(d.get("signals") or [])
    ]
    found += sorted(name for name in snapshot.config_vars if name in MONITORING_CONFIG_VARS)
    if found:
        context.evidence(", ".join(found))
        return []
    app = snapshot.app_name
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
            % {
                "addon": _cmd("heroku addons:create rollbar", app),
                "dsn": _cmd("heroku config:set SENTRY_DSN=…", app),
            },
            obj=app,
            id="deploytools.W710",
        )
    ]


@deploytools_check(
    name="heroku_logging",
    title=gettext_lazy("Log monitoring"),
    ids=["W711"],
    tags=["heroku"],
)
def check_logging(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """Logs leave Heroku's 1500-line buffer: a log drain, logging add-on or logs telemetry."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    found = [
        _("%(service)s add-on") % {"service": _service(a)}
        for a in snapshot.addons
        if _service(a) in LOGGING_ADDONS and a.get("state") != "deprovisioned"
    ]
    # Drains created by an add-on are already counted as that add-on.
    drains = [d for d in snapshot.log_drains if not d.get("addon")]
    if drains:
        found.append(
            _("%(n)d log drain(s) to %(hosts)s")
            % {
                "n": len(drains),
                "hosts": ", ".join(sorted({_drain_host(d.get("url")) for d in drains})),
            }
        )
    found += [
        _("telemetry drain (logs)")
        for d in snapshot.telemetry_drains
        if "logs" in (d.get("signals") or [])
    ]
    if found:
        context.evidence(", ".join(found))
        return []
    app = snapshot.app_name
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


@deploytools_check(
    name="heroku_error_pages",
    title=gettext_lazy("Custom error and maintenance pages"),
    ids=["W712"],
    tags=["heroku"],
)
def check_error_pages(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """ERROR_PAGE_URL and MAINTENANCE_PAGE_URL are set to https:// pages."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
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
    linked = _name(domain.get("sni_endpoint"))
    found = []
    for endpoint in snapshot.sni_endpoints:
        cert = endpoint.get("ssl_cert") or {}
        if (
            domain.get("id") in (endpoint.get("domains") or [])
            or (linked and linked == endpoint.get("name"))
            or any(_host_matches(hostname, str(p)) for p in cert.get("cert_domains") or [])
        ):
            found.append(endpoint)
    return found


@deploytools_check(
    name="heroku_ssl",
    title=gettext_lazy("SSL"),
    ids=["E713", "W714", "W715"],
    tags=["heroku"],
)
def check_ssl(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """Every custom domain has a valid certificate (ACM or SNI) and a herokudns DNS target."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    app = snapshot.app_name
    now = datetime.combine(_today(context), datetime.min.time(), tzinfo=UTC)
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
            if (expiry := _parse_time((e.get("ssl_cert") or {}).get("expires_at"))) and expiry > now
        ]
        if acm and status == "cert issued":
            context.evidence(_("%(host)s: ACM") % {"host": host})
        elif valid:
            cert = valid[0].get("ssl_cert") or {}
            expiry = _parse_time(cert.get("expires_at"))
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


@deploytools_check(
    name="heroku_release_state",
    title=gettext_lazy("App serving and latest release succeeded"),
    ids=["W716"],
    tags=["heroku"],
)
def check_release_state(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """The app is not in maintenance mode and its latest release did not fail."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
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
            % {"version": latest.get("version"), "status": latest.get("status")}
        )
    return messages


_DEPLOY_DESCRIPTION = re.compile(r"^Deploy ([0-9a-f]{7,40})\b")


def deployed_commit(snapshot: Snapshot) -> str | None:
    """The commit the app runs: the latest release's slug commit, else its "Deploy SHA" text."""
    commit = (snapshot.slug or {}).get("commit")
    if isinstance(commit, str) and commit:
        return commit
    for release in snapshot.releases:
        match = _DEPLOY_DESCRIPTION.match(str(release.get("description") or ""))
        if match and release.get("status") != "failed":
            return match.group(1)
    return None


def _local_commit(context: Context, branch: str) -> str:
    from deploytools.gitutil import run_git

    inside = run_git(["rev-parse", "--is-inside-work-tree"], context.base_dir)
    if inside.returncode != 0:
        raise Skipped(_("not a git checkout"))
    head = run_git(
        ["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"], context.base_dir
    )
    if head.returncode != 0:
        raise Skipped(_("no local branch %(branch)s") % {"branch": branch})
    return head.stdout.strip()


@deploytools_check(
    name="heroku_deployed_commit",
    title=gettext_lazy("Deployed commit"),
    ids=["I717"],
    tags=["heroku"],
)
def check_deployed_commit(app_configs: object = None, **kwargs: Any) -> list[CheckMessage]:
    """Compare the commit Heroku runs with the local release branch's head."""
    context = context_of(kwargs)
    snapshot = snapshot_of(context)
    deployed = deployed_commit(snapshot)
    if deployed is None:
        raise Skipped(_("the latest releases name no commit"))
    branch = conf.release_branch
    local = _local_commit(context, branch)
    if local.startswith(deployed) or deployed.startswith(local):
        context.evidence(
            _("Heroku runs %(sha)s, the head of %(branch)s")
            % {"sha": deployed[:7], "branch": branch}
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


# --- the report's checklist ------------------------------------------------------------------


def order_for_report(result: RunResult, *, numbered: bool) -> RunResult:
    """
    The production_check order: the nine checklist items first (numbered in text reports),
    then the other Heroku checks, lifecycle, capacity (8xx), settings and the live site (9xx).
    """
    from deploytools.checks.run import RunResult

    positions = {name: index for index, (name, _title) in enumerate(CHECKLIST)}

    def section(check: Any) -> tuple[int, int]:
        if check.name in positions:
            return (0, positions[check.name])
        spec = CATALOGUE.get(check.name)
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
