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

from deploytools import platform_data
from deploytools.checks import heroku_command
from deploytools.checks.registry import check
from deploytools.conf import conf
from deploytools.context import ProductionContext, Skipped
from deploytools.facts.snapshot import (
    Snapshot,
    database_addon,
    dyno_runtime,
    dyno_size,
    name_of,
    plan_of,
    pretty_size,
    process_text,
    service_of,
    web_process,
)

JSON = dict[str, Any]

# Warn this long before a stack's or builder's end of life.
STACK_WARNING_DAYS = 180
BUILDER_IMAGES = "https://github.com/heroku/cnb-builder-images#available-images"


def _size_facts(size: str) -> platform_data.DynoSize | None:
    found = platform_data.dyno_size(size)
    return None if isinstance(found, platform_data.Unknown) else found


def smallest_professional_size(snapshot: Snapshot) -> str:
    """The smallest size the app can scale out on: Common Runtime, its space's, or Fir's."""
    return platform_data.dyno_sizes(dyno_runtime(snapshot), professional_only=True)[0].name


# --- 1 stack -----------------------------------------------------------------------------------


def _schedule(stack: platform_data.Stack) -> str:
    """Heroku's build-failure schedule of a retiring stack, as one sentence part."""
    return "; ".join(
        _("from %(day)s %(rule)s") % {"day": phase.starts.isoformat(), "rule": phase.describe()}
        for phase in stack.build_failures
    )


def _judge_stack(stack: platform_data.Stack, today: date, app: str) -> tuple[str, str, str] | None:
    """(ID, message, hint) for a stack at or near its end of life; None while it is fine."""
    recommended = platform_data.recommended_stack().name
    fix = heroku_command(f"heroku stack:set {recommended}", app) + _(", then deploy again")
    values = {
        "stack": stack.name,
        "date": stack.end_of_life.isoformat(),
        "days": (stack.end_of_life - today).days,
        "new": recommended,
        "fix": fix,
        "schedule": _schedule(stack),
    }
    if stack.end_of_life < today or not stack.builds_allowed(today):
        message = _("The app runs on %(stack)s, which reached end of life on %(date)s.") % values
        hint = _("It gets no security updates and cannot be built; move to %(new)s: %(fix)s.")
        return "deploytools.E701", message, hint % values
    if stack.build_failure_phase(today) is not None:
        message = _(
            "The app's stack %(stack)s is deprecated and Heroku fails its builds on purpose: "
            "%(schedule)s; end of life %(date)s."
        )
    elif (stack.end_of_life - today).days <= STACK_WARNING_DAYS:
        message = _("The app's stack %(stack)s reaches end of life on %(date)s (in %(days)d days).")
        if stack.build_failures:
            message += " " + _("Heroku fails its builds on purpose %(schedule)s.")
    else:
        return None
    return "deploytools.W702", message % values, _("Move to %(new)s now: %(fix)s.") % values


def _judge_builder(context: ProductionContext) -> tuple[str, str, str] | None:
    """A Fir app's OS is its builder image's, named by its OCI image's base image."""
    snapshot, today = context.snapshot, context.today
    base = str((snapshot.oci_image or {}).get("base_image_name") or "")
    match = re.search(r":(\d+)", base)
    builder = platform_data.cnb_builder(match.group(1)) if match else None
    if not isinstance(builder, platform_data.CnbBuilder):
        why = builder.message() if builder is not None else _("no OCI image names its base")
        context.evidence(_("cnb (Fir): %(why)s") % {"why": why})
        return None
    values = {
        "builder": builder.image,
        "base": base,
        "date": builder.end_of_life.isoformat(),
        "days": (builder.end_of_life - today).days,
        "new": platform_data.recommended_cnb_builder().image,
        "images": BUILDER_IMAGES,
    }
    context.evidence(_("cnb (Fir), built with %(builder)s (base %(base)s) until %(date)s") % values)
    hint = _("Build with a current builder, such as %(new)s: %(images)s") % values
    if builder.end_of_life < today:
        message = _("The app is built with %(builder)s, which reached end of life on %(date)s.")
        return "deploytools.E701", message % values, hint
    if (builder.end_of_life - today).days <= STACK_WARNING_DAYS:
        message = _(
            "The app is built with %(builder)s, which reaches end of life on %(date)s (in "
            "%(days)d days); shortly after, Heroku disables it."
        )
        return "deploytools.W702", message % values, hint
    return None


def _stack_finding(context: ProductionContext, stack: str) -> tuple[str, str, str] | None:
    app = context.snapshot.app_name
    if stack == "cnb":
        return _judge_builder(context)
    if stack == "container":
        context.evidence(_("%(stack)s (no Heroku end of life)") % {"stack": stack})
        return None
    found = platform_data.stack(stack)
    recommended = platform_data.recommended_stack().name
    if isinstance(found, platform_data.Unknown) and found.newer:
        context.evidence(f"{stack} ({found.message()})")
        return None
    if isinstance(found, platform_data.Unknown):
        fix = heroku_command(f"heroku stack:set {recommended}", app) + _(", then deploy again")
        return (
            "deploytools.E701",
            _("The app's stack %(stack)r is not a supported Heroku stack.")
            % {"stack": stack or "?"},
            _("Move to %(new)s: %(fix)s.") % {"new": recommended, "fix": fix},
        )
    judged = _judge_stack(found, context.today, app)
    if judged is None:
        context.evidence(
            _("%(stack)s (supported until %(date)s; %(new)s recommended)")
            % {"stack": stack, "date": found.end_of_life.isoformat(), "new": recommended}
            if stack != recommended
            else _("%(stack)s (recommended, supported until %(date)s)")
            % {"stack": stack, "date": found.end_of_life.isoformat()}
        )
    return judged


@check(
    name="heroku_stack",
    title=gettext_lazy("Stack"),
    ids={
        "E701": gettext_lazy("stack (or Fir builder image) end-of-life or unsupported"),
        "W702": gettext_lazy(
            "stack or builder within 180 days of end of life, or its builds failing on "
            "Heroku's schedule"
        ),
        "W703": gettext_lazy("build stack differs from stack"),
    },
    tags=["heroku"],
)
def check_stack(context: ProductionContext) -> list[CheckMessage]:
    """The app's stack (a Fir app's builder) is supported and not retiring; builds use it."""
    snapshot = context.snapshot
    app = snapshot.app_name
    stack = name_of(snapshot.app.get("stack"))
    build_stack = name_of(snapshot.app.get("build_stack")) or stack
    messages: list[CheckMessage] = []
    finding = _stack_finding(context, stack)
    if finding is not None:
        ident, message, hint = finding
        level = Error if ident.startswith("deploytools.E") else Warning
        messages.append(level(message, hint=hint, obj=app, id=ident))
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


def _limits(facts: platform_data.DynoSize) -> str:
    """What a non-professional size lacks, from its tier's facts (platform data, dyno tiers)."""
    parts = []
    if facts.sleeps:
        parts.append(_("sleep when idle"))
    if not facts.metrics:
        parts.append(_("have no metrics"))
    if not facts.horizontal_scaling:
        parts.append(_("cannot scale beyond one dyno"))
    if facts.retired:
        parts.append(_("are retired"))
    return _(", ").join(parts)


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
    target = smallest_professional_size(snapshot)
    for process in running:
        kind, size = str(process.get("type")), dyno_size(process)
        facts = _size_facts(size)
        context.evidence(
            process_text(process)
            + ("" if facts else _(" (a size unknown to this deploytools)") if size else "")
        )
        if facts is None or facts.professional:
            continue
        count = max(2, int(process.get("quantity") or 0)) if kind == "web" else process["quantity"]
        values = {
            "size": pretty_size(size),
            "kind": kind,
            "limits": _limits(facts),
            "fix": heroku_command(f"heroku ps:scale {kind}={count}:{target}", app),
        }
        if kind == "web":
            messages.append(
                Error(
                    _("Web dynos are %(size)s, not a professional dyno type.") % values,
                    hint=_(
                        "%(size)s dynos %(limits)s; only Standard dynos and up scale out: %(fix)s."
                    )
                    % values,
                    obj=f"{app}:web",
                    id="deploytools.E704",
                )
            )
        else:
            messages.append(
                Warning(
                    _("The %(kind)s process runs on %(size)s dynos, not a professional type.")
                    % values,
                    hint=_("%(size)s dynos %(limits)s; use a professional size: %(fix)s.") % values,
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
    facts = _size_facts(size) if size else None
    target = size if facts is not None and facts.professional else None
    fix = heroku_command(
        f"heroku ps:scale web=2:{(target or smallest_professional_size(snapshot)).lower()}", app
    )
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


def _network(snapshot: Snapshot) -> str:
    """The Postgres network an app can attach: Private and Shield Spaces (and Fir) need theirs."""
    return {"private-space": "private", "shield-space": "shield", "fir": "private"}.get(
        dyno_runtime(snapshot), "common"
    )


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
    production = platform_data.smallest_postgres_plan(_network(snapshot), high_availability=False)
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
            reason, fix = _("is missing"), f"heroku addons:create {production}"
        return [
            Error(
                _("A provisioned Heroku Postgres database %(reason)s.") % {"reason": reason},
                hint=_("The app needs its database as DATABASE_URL: %(fix)s.")
                % {"fix": heroku_command(fix, app)},
                obj=app,
                id="deploytools.E707",
            )
        ]
    plan = plan_of(addon)
    found = platform_data.postgres_plan(plan)
    if isinstance(found, platform_data.Unknown):
        context.evidence(f"{addon.get('name')} ({plan}: {found.message()})")
        return []
    context.evidence(f"{addon.get('name')} ({plan})")
    if not found.production:
        fix = heroku_command(f"heroku addons:upgrade {addon.get('name')} {production}", app)
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


def _standby_off(snapshot: Snapshot, addon: JSON) -> bool:
    """A Postgres Advanced database whose standby was turned off (high-availability false)."""
    config = snapshot.addon_configs.get(str(addon.get("id")), {})
    return config.get("high-availability", "").strip().lower() == "false"


@check(
    name="heroku_postgres_ha",
    title=gettext_lazy("Postgres high availability"),
    ids={
        "W709": gettext_lazy(
            "Postgres without a high-availability standby (not premium/private/shield, or "
            "Advanced with its standby off)"
        )
    },
    tags=["heroku"],
)
def check_postgres_ha(context: ProductionContext) -> list[CheckMessage]:
    """The DATABASE_URL Postgres has a standby: Premium, Private, Shield, Advanced by default."""
    snapshot = context.snapshot
    addon = database_addon(snapshot)
    if addon is None:
        raise Skipped(_("no Heroku Postgres attached as DATABASE_URL"))
    plan, name = plan_of(addon), str(addon.get("name"))
    found = platform_data.postgres_plan(plan)
    if isinstance(found, platform_data.Unknown):
        raise Skipped(found.message())
    app = snapshot.app_name
    if found.advanced and _standby_off(snapshot, addon):
        return [
            Warning(
                _("The database %(name)s (%(plan)s) runs without its standby.")
                % {"name": name, "plan": plan},
                hint=_(
                    "Postgres Advanced provisions a standby unless turned off; turn it on: %(fix)s."
                )
                % {"fix": heroku_command(f"heroku data:pg:update {name}", app)},
                obj=name,
                id="deploytools.W709",
            )
        ]
    if found.high_availability:
        context.evidence(
            _("%(plan)s (standby by default)") % {"plan": plan} if found.advanced else plan
        )
        return []
    context.evidence(plan)
    target = platform_data.smallest_postgres_plan(_network(snapshot), high_availability=True)
    return [
        Warning(
            _("The database plan %(plan)s has no high-availability standby.") % {"plan": plan},
            hint=_("A Premium, Private, Shield or Advanced plan fails over automatically: %(fix)s.")
            % {"fix": heroku_command(f"heroku addons:upgrade {name} {target}", app)},
            obj=name,
            id="deploytools.W709",
        )
    ]
