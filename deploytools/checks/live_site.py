"""E901–W905: the live site answers as production should (tag live; `production_check --url`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import ProductionContext, Skipped, memoized

if TYPE_CHECKING:
    from deploytools.facts.http_probe import Probe, Prober

# Pages that set cookies on most Django sites: the home page and the admin's login (CSRF).
COOKIE_PATHS = ("/", "/admin/login/")
PAGE_URL_NAMES = ("ERROR_PAGE_URL", "MAINTENANCE_PAGE_URL")


def _urls(context: ProductionContext) -> list[str]:
    urls = context.urls
    if not urls:
        raise Skipped(_("no URL to check (use --url)"))
    from deploytools.redact import without_userinfo

    # A user and password in --url would be printed with every evidence line and message.
    return [without_userinfo(str(u)) or "" for u in urls]


@memoized
def _prober(context: ProductionContext) -> Prober:
    """One prober per run: several checks reading ``GET /`` cost one request."""
    from deploytools.facts.http_probe import Prober

    return Prober(context.ca_bundle)


def _reachable(context: ProductionContext, probes: list[Probe]) -> list[Probe]:
    """The probes that got an answer; Skipped when none did (the site could not be checked)."""
    answered = [p for p in probes if p.error is None]
    if not answered:
        reasons = ", ".join(f"{p.url}: {p.error}" for p in probes)
        raise Skipped(_("the site did not answer (%(reasons)s)") % {"reasons": reasons})
    for probe in probes:
        if probe.error is not None:
            context.evidence(
                _("%(url)s did not answer (%(error)s)") % {"url": probe.url, "error": probe.error}
            )
    return answered


def _https_bases(context: ProductionContext) -> list[str]:
    from deploytools.facts.http_probe import https_urls

    bases = https_urls(_urls(context))
    if not bases:
        raise Skipped(_("no https:// URL to check"))
    return bases


@check(
    name="live_https_redirect",
    title=gettext_lazy("http:// redirects to https://"),
    ids={"E901": gettext_lazy("http:// does not redirect to https://")},
    tags=["live"],
)
def check_https_redirect(context: ProductionContext) -> Messages:
    """E901: http:// answers with a redirect (301/302/307/308) to https:// on the same host."""
    from deploytools.facts import http_probe as live

    prober = _prober(context)
    messages: Messages = []
    probes = {url: prober.get(url + "/") for url in live.http_urls(_urls(context))}
    # A URL that does not answer is not one that "does not redirect": it is reported (and the
    # check skipped when nothing answered), like the other live checks.
    silent = [
        _("%(url)s did not answer (%(error)s)") % {"url": url, "error": probe.error}
        for url, probe in probes.items()
        if probe.error is not None
    ]
    if silent and len(silent) == len(probes):
        raise Skipped("; ".join(silent))
    for line in silent:
        context.evidence(line)
    for url, probe in probes.items():
        if probe.error is not None:
            continue
        if live.redirects_to_https(probe):
            context.evidence(f"{url} → {probe.status} {live.origin(probe.location or '')}")
            continue
        got = live.describe(probe)
        if probe.location:
            got += " → " + live.origin(probe.location)
        messages.append(
            checks.Error(
                _("%(url)s does not redirect to https:// (%(got)s).") % {"url": url, "got": got},
                hint=_(
                    "Redirect every plain-HTTP request behind Heroku's router: "
                    "SECURE_SSL_REDIRECT = True with SECURE_PROXY_SSL_HEADER = "
                    "('HTTP_X_FORWARDED_PROTO', 'https') in settings."
                ),
                obj=url,
                id="deploytools.E901",
            )
        )
    return messages


@check(
    name="live_hsts",
    title=gettext_lazy("HSTS for at least a year"),
    ids={"W902": gettext_lazy("HSTS missing or under a year")},
    tags=["live"],
)
def check_hsts(context: ProductionContext) -> Messages:
    """W902: the https:// home page sends Strict-Transport-Security with max-age ≥ one year."""
    from deploytools.facts import http_probe as live

    prober = _prober(context)
    probes = _reachable(context, [prober.get(live.join(b, "/")) for b in _https_bases(context)])
    messages: Messages = []
    for probe in probes:
        max_age = live.hsts_max_age(probe.headers.get("strict-transport-security"))
        if max_age is not None and max_age >= live.ONE_YEAR_SECONDS:
            context.evidence(f"{live.origin(probe.url)}: max-age={max_age}")
            continue
        found = _("missing") if max_age is None else f"max-age={max_age}"
        messages.append(
            checks.Warning(
                _("%(url)s sends no HSTS header for a year (%(found)s).")
                % {"url": live.origin(probe.url), "found": found},
                hint=_(
                    "Tell browsers to use HTTPS only: SECURE_HSTS_SECONDS = 31536000 in settings."
                ),
                obj=probe.url,
                id="deploytools.W902",
            )
        )
    return messages


@check(
    name="live_debug_page",
    title=gettext_lazy("Error pages do not show Django's debug page"),
    ids={"E903": gettext_lazy("an error page shows Django's debug page")},
    tags=["live"],
)
def check_debug_page(context: ProductionContext) -> Messages:
    """E903: a random missing path answers without Django's DEBUG = True technical page."""
    from deploytools.facts import http_probe as live

    prober = _prober(context)
    path = live.random_missing_path()
    probes = _reachable(context, [prober.get(live.join(b, path)) for b in _https_bases(context)])
    messages: Messages = []
    for probe in probes:
        if not live.is_debug_page(probe.body):
            context.evidence(
                _("%(url)s: HTTP %(status)d, no debug page")
                % {"url": live.origin(probe.url), "status": probe.status}
            )
            continue
        messages.append(
            checks.Error(
                _("%(url)s shows Django's debug page (settings, URLconf and more) to anyone.")
                % {"url": probe.url},
                hint=_(
                    "Turn DEBUG off in production: heroku config:unset DJANGO_DEBUG, DEBUG = False."
                ),
                obj=live.origin(probe.url),
                id="deploytools.E903",
            )
        )
    return messages


@check(
    name="live_secure_cookies",
    title=gettext_lazy("Cookies are Secure"),
    ids={"W904": gettext_lazy("cookies without Secure")},
    tags=["live"],
)
def check_secure_cookies(context: ProductionContext) -> Messages:
    """W904: every Set-Cookie on the home and admin login pages carries the Secure flag."""
    from deploytools.facts import http_probe as live

    prober = _prober(context)
    urls = [live.join(b, p) for b in _https_bases(context) for p in COOKIE_PATHS]
    probes = _reachable(context, [prober.get(u) for u in urls])
    messages: Messages = []
    seen = 0
    for probe in probes:
        for header in probe.set_cookies:
            name, flags = live.cookie_name_and_flags(header)
            seen += 1
            if "secure" in flags:
                continue
            messages.append(
                checks.Warning(
                    # The cookie's name only: its value may be a session.
                    _("%(url)s sets the cookie %(name)s without Secure.")
                    % {"url": probe.url, "name": name},
                    hint=_(
                        "Send cookies over HTTPS only: SESSION_COOKIE_SECURE = True and "
                        "CSRF_COOKIE_SECURE = True in settings."
                    ),
                    obj=name,
                    id="deploytools.W904",
                )
            )
    if not messages:
        context.evidence(
            _("%(n)d cookies, all Secure") % {"n": seen} if seen else _("no cookies set")
        )
    return messages


def _live_requested(context: ProductionContext) -> bool:
    """True when this run may visit the network: URLs were given or the API is read live."""
    return context.live or bool(context.urls)


def _config_vars(context: ProductionContext) -> dict[str, str | None]:
    return dict(context.snapshot.config_vars)


@check(
    name="live_error_pages",
    title=gettext_lazy("Custom error and maintenance pages are reachable"),
    ids={"W905": gettext_lazy("ERROR_PAGE_URL/MAINTENANCE_PAGE_URL not reachable")},
    tags=["live"],
)
def check_error_pages(context: ProductionContext) -> Messages:
    """W905: ERROR_PAGE_URL and MAINTENANCE_PAGE_URL answer 2xx (Heroku serves them itself)."""
    from deploytools.facts import http_probe as live

    if not _live_requested(context):
        # An offline run (a saved --snapshot without --url) promises no network access at all.
        raise Skipped(_("offline run: the page URLs are not visited (use --url to check the site)"))
    from deploytools.checks.heroku_operations import FIR_NO_PAGES
    from deploytools.facts.generation import app_generation

    if not app_generation(context).offers("custom-error-pages"):
        # Heroku does not serve such pages for a Fir app: whether they load is moot.
        raise Skipped(str(FIR_NO_PAGES))
    pages = live.page_urls(_config_vars(context), PAGE_URL_NAMES)
    if not pages:
        raise Skipped(_("neither ERROR_PAGE_URL nor MAINTENANCE_PAGE_URL is set (see W712)"))
    prober = _prober(context)
    messages: Messages = []
    for name, url in pages.items():
        probe = prober.get(url, follow=True)
        # The config var's name only, never its value.
        if live.status_ok(probe):
            context.evidence(f"{name}: HTTP {probe.status}")
            continue
        messages.append(
            checks.Warning(
                _("%(name)s is not reachable (%(got)s): Heroku shows its own page instead.")
                % {"name": name, "got": live.describe(probe)},
                hint=_(
                    "Heroku fetches the page itself: host it where it answers 200 (e.g. S3) "
                    "and set its URL: `heroku config:set %(name)s=https://…%(app)s`."
                )
                % {
                    "name": name,
                    "app": f" -a {context.app}" if context.app else "",
                },
                obj=name,
                id="deploytools.W905",
            )
        )
    return messages
