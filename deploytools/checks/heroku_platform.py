"""
E701–W709: Heroku's Production Check, items 1–5: stack, dyno types, dyno redundancy,
production Postgres and its high availability (tag heroku).

Every check reads the run's snapshot of the app (:class:`~deploytools.context.ProductionContext`,
fetched once by ``production_check``) and never the network; without one (a plain
``check --deploy``) they are skipped, so that stays offline.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.checks import CheckMessage, Error, Warning
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import check
from deploytools.conf import conf
from deploytools.context import ProductionContext, Skipped
from deploytools.facts.snapshot import (
    Snapshot,
    database_addon,
    dyno_size,
    is_fir,
    name_of,
    plan_of,
    pretty_size,
    process_text,
    service_of,
    tier_of,
    web_process,
)

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


def is_hobby_size(size: str, snapshot: Snapshot) -> bool:
    return not is_fir(snapshot) and size.lower() in HOBBY_DYNO_SIZES


def _cmd(command: str, app: str) -> str:
    return f"`{command} -a {app}`"


# --- 1 stack -----------------------------------------------------------------------------------


@check(
    name="heroku_stack",
    title=gettext_lazy("Stack"),
    ids={
        "E701": gettext_lazy("stack end-of-life or unsupported"),
        "W702": gettext_lazy("stack within 180 days of end of life"),
        "W703": gettext_lazy("build stack differs from stack"),
    },
    tags=["heroku"],
)
def check_stack(context: ProductionContext) -> list[CheckMessage]:
    """The app's stack is supported and not near its end of life; builds use the same stack."""
    snapshot = context.snapshot
    app = snapshot.app_name
    stack = name_of(snapshot.app.get("stack"))
    build_stack = name_of(snapshot.app.get("build_stack")) or stack
    fix = _cmd(f"heroku stack:set {CURRENT_STACK}", app) + _(", then deploy again")
    messages: list[CheckMessage] = []
    end = STACK_END_OF_LIFE.get(stack)
    today = context.today
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


@check(
    name="heroku_dyno_types",
    title=gettext_lazy("Dyno types"),
    ids={
        "E704": gettext_lazy("web dynos not a professional tier (eco, basic, free, hobby)"),
        "W705": gettext_lazy("other process types not professional"),
    },
    tags=["heroku"],
)
def check_dyno_types(context: ProductionContext) -> list[CheckMessage]:
    """Web dynos (and other running processes) use professional dyno types."""
    snapshot = context.snapshot
    app = snapshot.app_name
    messages: list[CheckMessage] = []
    running = [p for p in snapshot.formation if p.get("type") == "web" or p.get("quantity")]
    if not running:
        raise Skipped(_("the app has no process types"))
    for process in running:
        kind, size = str(process.get("type")), dyno_size(process)
        context.evidence(process_text(process))
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


@check(
    name="heroku_dyno_redundancy",
    title=gettext_lazy("Dyno redundancy"),
    ids={"E706": gettext_lazy("fewer than 2 web dynos")},
    tags=["heroku"],
)
def check_dyno_redundancy(context: ProductionContext) -> list[CheckMessage]:
    """At least two web dynos, so one restarting dyno does not take the site down."""
    snapshot = context.snapshot
    app = snapshot.app_name
    web = web_process(snapshot)
    quantity = int(web.get("quantity") or 0) if web else 0
    size = dyno_size(web) if web else ""
    if web:
        context.evidence(process_text(web))
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


@check(
    name="heroku_postgres",
    title=gettext_lazy("Production Postgres"),
    ids={
        "E707": gettext_lazy("no provisioned Heroku Postgres attached as DATABASE_URL"),
        "E708": gettext_lazy("Postgres plan not production tier (essential/mini/basic/hobby)"),
    },
    tags=["heroku"],
)
def check_postgres(context: ProductionContext) -> list[CheckMessage]:
    """A provisioned Heroku Postgres on a production plan is attached as DATABASE_URL."""
    snapshot = context.snapshot
    app = snapshot.app_name
    addon = database_addon(snapshot)
    if addon is None:
        others = [a for a in snapshot.addons if service_of(a) == "heroku-postgresql"]
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
    plan = plan_of(addon)
    context.evidence(f"{addon.get('name')} ({plan})")
    if tier_of(plan).startswith(HOBBY_POSTGRES_TIERS):
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


@check(
    name="heroku_postgres_ha",
    title=gettext_lazy("Postgres high availability"),
    ids={"W709": gettext_lazy("Postgres without high availability (not premium/private/shield)")},
    tags=["heroku"],
)
def check_postgres_ha(context: ProductionContext) -> list[CheckMessage]:
    """The DATABASE_URL Postgres has a high-availability standby (Premium, Private, Shield)."""
    snapshot = context.snapshot
    addon = database_addon(snapshot)
    if addon is None:
        raise Skipped(_("no Heroku Postgres attached as DATABASE_URL"))
    plan = plan_of(addon)
    context.evidence(plan)
    if tier_of(plan).startswith(HA_POSTGRES_TIERS):
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
