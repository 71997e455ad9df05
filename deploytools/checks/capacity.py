"""
E801–I803: capacity — how big must the apps be (tag heroku): connections, memory, sizing.

Connection limits, dyno sizes and the buildpack's default concurrency are platform data
(:mod:`deploytools.platform_data`); a recommendation names only sizes the app can use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools import platform_data
from deploytools.checks.registry import Messages, check
from deploytools.context import Gauge, ProductionContext, Skipped, memoized
from deploytools.facts import safe_read

if TYPE_CHECKING:
    from deploytools.facts.sizing import GunicornSettings
    from deploytools.facts.worker_memory import MemoryMeasurement

CHILD_TIMEOUT_SECONDS = 120


def _config_vars(context: ProductionContext) -> dict[str, str | None]:
    return dict(context.snapshot.config_vars)


def _formation(context: ProductionContext, process_type: str) -> dict[str, Any] | None:
    for entry in context.snapshot.formation:
        if isinstance(entry, dict) and entry.get("type") == process_type:
            return entry
    return None


def _size_of(entry: dict[str, Any]) -> str:
    dyno_size = entry.get("dyno_size")
    if isinstance(dyno_size, dict) and isinstance(dyno_size.get("name"), str):
        return str(dyno_size["name"])
    return str(entry.get("size") or "")


def _quantity(entry: dict[str, Any]) -> int:
    quantity = entry.get("quantity")
    return quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 0


def _web(context: ProductionContext) -> tuple[dict[str, Any], str]:
    web = _formation(context, "web")
    if web is None:
        raise Skipped(_("the app has no web process type"))
    size = _size_of(web)
    if not size:
        raise Skipped(_("the web formation has no dyno size"))
    return web, size


def _app_flag(context: ProductionContext) -> str:
    return f" --app {context.app}" if context.app else ""


def _web_command(context: ProductionContext, web: dict[str, Any]) -> str | None:
    command = web.get("command")
    if isinstance(command, str) and command.strip():
        return command
    procfile = context.project.tree / "Procfile"
    try:
        for line in safe_read.read_text(procfile).splitlines():
            name, _sep, rest = line.partition(":")
            if name.strip() == "web":
                return rest.strip()
    except (OSError, UnicodeDecodeError):
        pass
    return None


@memoized
def gunicorn_settings(context: ProductionContext) -> GunicornSettings:
    """Workers and threads of one web dyno, evaluated once per run (a child process)."""
    import tempfile
    from pathlib import Path

    from deploytools.facts import sizing

    web, size = _web(context)
    config_vars = _config_vars(context)
    with tempfile.TemporaryDirectory(prefix="deploytools-gunicorn-") as tmp:
        env = sizing.safe_environment(config_vars, Path(tmp))
        # Heroku's Python buildpack sets WEB_CONCURRENCY at boot when the app has none.
        default = sizing.default_web_concurrency(size)
        if "WEB_CONCURRENCY" not in config_vars and default is not None:
            env["WEB_CONCURRENCY"] = str(default)
        try:
            return sizing.gunicorn_settings(
                context.project.tree, env, _web_command(context, web), CHILD_TIMEOUT_SECONDS
            )
        except sizing.ChildFailed as exc:
            raise Skipped(
                _("could not evaluate the gunicorn settings (%(why)s)") % {"why": exc}
            ) from None


@memoized
def worker_memory(context: ProductionContext) -> MemoryMeasurement:
    """One web worker's memory, measured once per run; the command may turn it off."""
    from django.conf import settings

    from deploytools.conf import conf
    from deploytools.facts import worker_memory as memory

    if not context.measure_memory:
        raise Skipped(_("memory measurement turned off"))
    wsgi = getattr(settings, "WSGI_APPLICATION", None)
    why = _("settings.WSGI_APPLICATION is not set")
    if wsgi:
        try:
            return memory.measure_worker_memory(
                context.project,
                _config_vars(context),
                str(wsgi),
                conf.memory_probe_urls,
                CHILD_TIMEOUT_SECONDS,
            )
        except memory.ChildFailed as exc:
            why = str(exc)
    raise Skipped(_("could not measure the app's memory (%(why)s)") % {"why": why})


def _postgres_addon(context: ProductionContext) -> tuple[str, dict[str, Any]]:
    """(plan name, add-on) of the database the app uses: the one attached as DATABASE_URL."""
    candidates: list[tuple[bool, str, dict[str, Any]]] = []
    for addon in context.snapshot.addons:
        if not isinstance(addon, dict):
            continue
        plan = addon.get("plan") if isinstance(addon.get("plan"), dict) else {}
        service = addon.get("addon_service") if isinstance(addon.get("addon_service"), dict) else {}
        plan_name = str((plan or {}).get("name") or "")
        if (service or {}).get("name") == "heroku-postgresql" or plan_name.startswith(
            "heroku-postgresql:"
        ):
            attached = "DATABASE_URL" in (addon.get("config_vars") or [])
            candidates.append((attached, plan_name, addon))
    if not candidates:
        raise Skipped(_("no Heroku Postgres add-on (see E707)"))
    candidates.sort(key=lambda c: not c[0])
    return candidates[0][1], candidates[0][2]


def connection_limit(context: ProductionContext) -> tuple[int, str]:
    """
    (limit, what it is): the plan's connection limit (platform data, postgres), for Postgres
    Advanced its compute level's (the add-on's config); Skipped for a plan the data lacks.
    """
    plan_name, addon = _postgres_addon(context)
    plan = platform_data.postgres_plan(plan_name)
    read = next(t.read for t in platform_data.tables() if t.name == "postgres").isoformat()
    if isinstance(plan, platform_data.Unknown):
        raise Skipped(_("connection limit of %(plan)s unknown") % {"plan": plan_name})
    if not plan.advanced:
        assert plan.connection_limit is not None
        return plan.connection_limit, _("%(plan)s, Heroku's limits read %(read)s") % {
            "plan": plan_name,
            "read": read,
        }
    level = context.snapshot.addon_configs.get(str(addon.get("id")), {}).get("level")
    limit = plan.connection_limit_for(level) if level else None
    if limit is not None:
        return limit, _("%(plan)s at level %(level)s, Heroku's limits read %(read)s") % {
            "plan": plan_name,
            "level": level,
            "read": read,
        }
    # No level in the add-on's config: only what no level allows is certain; the evidence
    # names the smallest level that fits (see :func:`_smallest_level`).
    why = (
        _("level %(level)s unknown to this deploytools") % {"level": level}
        if level
        else _("level unknown (the add-on's config names none)")
    )
    return max(plan.connection_limit_by_level.values()), _(
        "%(plan)s, %(why)s, Heroku's limits read %(read)s"
    ) % {"plan": plan_name, "why": why, "read": read}


def _smallest_level(context: ProductionContext, needed: int) -> str:
    """For Postgres Advanced without a known level: the smallest level that allows ``needed``."""
    plan_name, addon = _postgres_addon(context)
    plan = platform_data.postgres_plan(plan_name)
    if not isinstance(plan, platform_data.PostgresPlan) or not plan.advanced:
        return ""
    level = context.snapshot.addon_configs.get(str(addon.get("id")), {}).get("level")
    if level and plan.connection_limit_for(level) is not None:
        return ""
    fitting = sorted(
        (limit, name) for name, limit in plan.connection_limit_by_level.items() if limit >= needed
    )
    if not fitting:
        return ""
    return _(
        "; it needs level %(level)s (%(limit)d connections) or larger: heroku data:pg:info"
    ) % {
        "level": fitting[0][1],
        "limit": fitting[0][0],
    }


def _preboot(context: ProductionContext) -> bool:
    for feature in context.snapshot.features:
        if isinstance(feature, dict) and feature.get("name") == "preboot":
            return bool(feature.get("enabled"))
    return False


def _other_dynos_connections(context: ProductionContext) -> tuple[int, list[str]]:
    """
    The connections the running dynos other than web (and the release phase's) hold, and one
    arithmetic part per process type ("worker 2 × 4 = 8").
    """
    from deploytools.facts import sizing

    total = 0
    parts: list[str] = []
    for entry in context.snapshot.formation:
        if not isinstance(entry, dict) or entry.get("type") in ("web", "release"):
            continue
        quantity = _quantity(entry)
        if quantity <= 0:
            continue
        per_dyno = sizing.worker_concurrency(entry.get("command"))
        total += quantity * per_dyno
        parts.append(
            _("%(type)s %(n)d × %(c)d = %(total)d")
            % {
                "type": entry.get("type"),
                "n": quantity,
                "c": per_dyno,
                "total": quantity * per_dyno,
            }
        )
    return total, parts


E801_MSG = gettext_lazy(
    "The app may need %(needed)d database connections; its Postgres plan %(plan)s allows %(limit)d."
)


@check(
    name="database_connections",
    title=gettext_lazy("Database connections fit the Postgres plan"),
    ids={"E801": gettext_lazy("database connections needed exceed the Postgres plan's limit")},
    tags=["heroku"],
)
def check_database_connections(context: ProductionContext) -> Messages:
    """E801: web dynos × workers × threads + other dynos + margin ≤ the plan's connection limit."""
    from deploytools.facts import sizing

    plan, _addon = _postgres_addon(context)
    limit, source = connection_limit(context)
    web, _size = _web(context)
    gunicorn = gunicorn_settings(context)
    web_quantity = _quantity(web)
    web_total = web_quantity * gunicorn.workers * gunicorn.threads
    preboot = _preboot(context)
    # With preboot, the old and the new web dynos both hold connections during a deploy.
    web_peak = web_total * 2 if preboot else web_total
    parts = [
        _("web %(n)d × %(w)d workers × %(t)d threads = %(total)d")
        % {"n": web_quantity, "w": gunicorn.workers, "t": gunicorn.threads, "total": web_total}
        + (_(" (×2 during preboot)") if preboot else "")
    ]
    others, other_parts = _other_dynos_connections(context)
    parts += other_parts
    margin = sizing.RELEASE_AND_ONE_OFF_MARGIN
    parts.append(_("%(margin)d release phase and one-off") % {"margin": margin})
    needed = web_peak + others + margin
    arithmetic = " + ".join(parts) + _(" = %(needed)d of %(limit)d (%(source)s)") % {
        "needed": needed,
        "limit": limit,
        "source": source,
    }
    context.evidence(arithmetic + _smallest_level(context, needed))
    context.gauge(Gauge(_("Database connections"), needed, limit, _("connections")))
    if needed <= limit:
        return []
    app = _app_flag(context)
    return [
        checks.Error(
            E801_MSG % {"needed": needed, "plan": plan, "limit": limit},
            hint=_(
                "%(arithmetic)s. Lower the threads or workers, add a connection pooler, or "
                "upgrade the plan: heroku config:set GUNICORN_THREADS=%(threads)d%(app)s"
            )
            % {
                "arithmetic": arithmetic,
                "threads": max(
                    1,
                    (limit - others - margin)
                    // max(1, web_quantity * gunicorn.workers * (2 if preboot else 1)),
                ),
                "app": app,
            },
            obj="DATABASE_URL",
            id="deploytools.E801",
        )
    ]


def _web_memory(context: ProductionContext) -> tuple[dict[str, Any], str, float, MemoryMeasurement]:
    from deploytools.facts import sizing

    web, size = _web(context)
    memory_mb = sizing.dyno_memory_mb(size, context.snapshot.dyno_sizes)
    if memory_mb is None:
        raise Skipped(_("memory of dyno size %(size)s unknown") % {"size": size})
    return web, size, memory_mb, worker_memory(context)


@check(
    name="web_memory",
    title=gettext_lazy("Web workers fit the dyno's memory"),
    ids={
        "W802": gettext_lazy(
            # A plain text, never %-formatted: "80% o" is not a placeholder.
            # xgettext:no-python-format
            "WEB_CONCURRENCY × measured worker memory over 80% of the dyno's memory"
        )
    },
    tags=["heroku"],
)
def check_web_memory(context: ProductionContext) -> Messages:
    """W802: master + WEB_CONCURRENCY × one worker's memory stays under 80% of the dyno's."""
    from deploytools.facts import sizing

    _web_entry, size, memory_mb, measured = _web_memory(context)
    workers = gunicorn_settings(context).workers
    used = measured.baseline_mb + workers * measured.worker_mb
    share = used / memory_mb
    arithmetic = _(
        "%(w)d workers × %(worker)s + %(master)s master = %(used)s of %(size)s's %(memory)s "
        "(%(share).0f%%)"
    ) % {
        "w": workers,
        "worker": sizing.format_mb(measured.worker_mb),
        "master": sizing.format_mb(measured.baseline_mb),
        "used": sizing.format_mb(used),
        "size": size,
        "memory": sizing.format_mb(memory_mb),
        "share": share * 100,
    }
    failing = sorted(url for url, status in measured.statuses.items() if status >= 500)
    if failing:
        arithmetic += _("; probe URLs answering 5xx: %(urls)s") % {"urls": ", ".join(failing)}
    context.evidence(arithmetic)
    context.gauge(
        Gauge(_("Web dyno memory"), used, memory_mb, "MB", fails_above=sizing.MEMORY_HEADROOM)
    )
    if share <= sizing.MEMORY_HEADROOM:
        return []
    fit = sizing.fitting_workers(memory_mb, measured.worker_mb, measured.baseline_mb)
    return [
        checks.Warning(
            _(
                "WEB_CONCURRENCY=%(w)d workers need about %(used)s, %(share).0f%% of a "
                "%(size)s dyno's %(memory)s: expect R14 memory errors."
            )
            % {
                "w": workers,
                "used": sizing.format_mb(used),
                "share": share * 100,
                "size": size,
                "memory": sizing.format_mb(memory_mb),
            },
            hint=_(
                "%(arithmetic)s. Run fewer workers or a larger dyno: heroku config:set "
                "WEB_CONCURRENCY=%(fit)d%(app)s"
            )
            % {"arithmetic": arithmetic, "fit": max(fit, 1), "app": _app_flag(context)},
            obj="WEB_CONCURRENCY",
            id="deploytools.W802",
        )
    ]


def recommend(
    size: str,
    quantity: int,
    measured: MemoryMeasurement,
    dyno_sizes: list[dict[str, Any]],
    runtime: platform_data.Runtime = "common",
) -> tuple[str, int, int, float]:
    """
    (size, count, WEB_CONCURRENCY, dyno memory MB) for the web process.

    Keep the current size if two workers fit in 80% of it, else the smallest professional size
    of the app's runtime (Common Runtime, its Private or Shield Space, Fir) where they do;
    concurrency is what fits, capped at Heroku's CPU-based default for the size; at least two
    dynos, so one can restart while the other serves.
    """
    from deploytools.facts import sizing

    offered = [s.name for s in platform_data.dyno_sizes(runtime, professional_only=True)]
    current = sizing.normalize_size(size)
    facts = platform_data.dyno_size(current)
    keep = isinstance(facts, platform_data.Unknown) or (
        facts.professional and facts.runtime == runtime
    )
    candidates = ([current] if keep else []) + [s for s in offered if s != current]
    chosen = candidates[-1]
    for candidate in candidates:
        memory = sizing.dyno_memory_mb(candidate, dyno_sizes)
        if memory is None:
            continue
        if sizing.fitting_workers(memory, measured.worker_mb, measured.baseline_mb) >= 2:
            chosen = candidate
            break
    memory_mb = sizing.dyno_memory_mb(chosen, dyno_sizes) or 0.0
    fit = max(sizing.fitting_workers(memory_mb, measured.worker_mb, measured.baseline_mb), 1)
    cap = sizing.default_web_concurrency(chosen)
    concurrency = min(fit, cap) if cap else fit
    return chosen, max(quantity, 2), concurrency, memory_mb


@check(
    name="web_sizing",
    title=gettext_lazy("Recommended web dyno size, count and concurrency"),
    ids={"I803": gettext_lazy("recommended dyno size, count and concurrency")},
    tags=["heroku"],
)
def check_web_sizing(context: ProductionContext) -> Messages:
    """I803: the dyno size, count and WEB_CONCURRENCY the measured memory calls for."""
    from deploytools.facts import sizing
    from deploytools.facts.snapshot import dyno_runtime

    web, size, _memory, measured = _web_memory(context)
    dyno_sizes = list(context.snapshot.dyno_sizes)
    chosen, count, concurrency, memory_mb = recommend(
        size, _quantity(web), measured, dyno_sizes, dyno_runtime(context.snapshot)
    )
    text = _(
        "web: %(count)d × %(size)s, WEB_CONCURRENCY=%(c)d "
        "(≈ %(worker)s per worker, %(memory)s dyno)"
    ) % {
        "count": count,
        "size": chosen,
        "c": concurrency,
        "worker": sizing.format_mb(measured.worker_mb),
        "memory": sizing.format_mb(memory_mb),
    }
    context.evidence(text)
    app = _app_flag(context)
    return [
        checks.Info(
            _("Recommended %(text)s.") % {"text": text},
            hint=_(
                "heroku ps:scale web=%(count)d:%(size)s%(app)s && heroku config:set "
                "WEB_CONCURRENCY=%(c)d%(app)s"
            )
            % {"count": count, "size": chosen, "c": concurrency, "app": app},
            obj="web",
            id="deploytools.I803",
        )
    ]
