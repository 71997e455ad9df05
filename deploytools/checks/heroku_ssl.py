"""
E713–W715: Heroku's Production Check, item 9: SSL — every custom domain has a valid
certificate and a herokudns DNS target (tag heroku).

Like :mod:`.heroku_platform`, these read the run's snapshot and never the network: the
certificates are ACM's (``acm_status``) or the SNI endpoints' (``ssl_cert``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.checks import CheckMessage, Error, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks import heroku_command
from deploytools.checks.registry import check
from deploytools.context import ProductionContext
from deploytools.facts.snapshot import JSON, Snapshot, host_matches, name_of, parse_time

CERT_WARNING_DAYS = 30


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


def _certificate_messages(
    context: ProductionContext, domain: JSON, acm: bool, now: datetime
) -> list[CheckMessage]:
    """
    E713/W714 for one custom domain: ACM issued its certificate, else an SNI endpoint's covers
    it and is still valid (W714 when it expires within CERT_WARNING_DAYS), else E713.
    """
    snapshot = context.snapshot
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
        return []
    if not valid:
        return [_no_valid_certificate(domain, acm, bool(endpoints), snapshot.app_name)]
    cert = valid[0].get("ssl_cert") or {}
    expiry = parse_time(cert.get("expires_at"))
    assert expiry is not None  # filtered above
    context.evidence(
        _("%(host)s: certificate until %(date)s")
        % {"host": host, "date": expiry.date().isoformat()}
    )
    if (expiry - now).days >= CERT_WARNING_DAYS:
        return []
    return [
        Warning(
            _("The certificate for %(host)s expires on %(date)s.")
            % {"host": host, "date": expiry.date().isoformat()},
            hint=_("Renew it, or let Heroku manage it: %(fix)s.")
            % {"fix": heroku_command("heroku certs:auto:enable", snapshot.app_name)},
            obj=host,
            id="deploytools.W714",
        )
    ]


def _no_valid_certificate(domain: JSON, acm: bool, has_sni: bool, app: str) -> CheckMessage:
    """
    E713 for a custom domain without a valid certificate: with ACM on, its ACM status and how to
    retry; with ACM off, whether its SNI certificate expired or none covers it.
    """
    host = str(domain.get("hostname") or "")
    status = str(domain.get("acm_status") or "").lower()
    if acm:
        reason = _("ACM status %(status)s%(why)s") % {
            "status": status or _("none"),
            "why": f" ({domain['acm_status_reason']})" if domain.get("acm_status_reason") else "",
        }
        hint = _("Point the domain's DNS at %(target)s, then retry: %(fix)s.") % {
            "target": domain.get("cname") or _("its DNS target"),
            "fix": heroku_command("heroku certs:auto:refresh", app),
        }
    else:
        reason = (
            _("its certificate has expired")
            if has_sni
            else _("ACM is off and no SNI certificate covers it")
        )
        hint = _("Let Heroku issue and renew certificates: %(fix)s.") % {
            "fix": heroku_command("heroku certs:auto:enable", app)
        }
    return Error(
        _("The custom domain %(host)s has no valid certificate: %(reason)s.")
        % {"host": host, "reason": reason},
        hint=hint,
        obj=host,
        id="deploytools.E713",
    )


def _dns_target_messages(domain: JSON, app: str) -> list[CheckMessage]:
    """W715 when a custom domain's DNS target is a legacy herokuapp.com one, not herokudns."""
    host = str(domain.get("hostname") or "")
    cname = str(domain.get("cname") or "").lower().rstrip(".")
    if not cname.endswith(".herokuapp.com"):
        return []
    fix = f"`heroku domains:remove {host} -a {app} && heroku domains:add {host} -a {app}`"
    return [
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
    ]


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
    now = datetime.combine(context.today, datetime.min.time(), tzinfo=UTC)
    acm = bool(snapshot.app.get("acm"))
    custom = [d for d in snapshot.domains if d.get("kind") == "custom"]
    if not custom:
        context.evidence(_("no custom domains; *.herokuapp.com has Heroku's certificate"))
        return []
    messages: list[CheckMessage] = []
    for domain in custom:
        messages += _certificate_messages(context, domain, acm, now)
        messages += _dns_target_messages(domain, snapshot.app_name)
    return messages
