"""
Run checks and keep, for each, whether it passed, failed or was skipped.

Django's registry only returns messages; a deploy checklist also needs the ticks, so the
commands run checks through :func:`run_checks`, which calls each function itself.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core import checks
from django.core.checks import CheckMessage
from django.core.checks.registry import registry
from django.utils.translation import gettext as _

from deploytools.checks.registry import CATALOGUE, CheckSpec, Context, Skipped, load_catalogue

# Our commands select checks by tag from the whole catalogue.
load_catalogue()

# Set by the commands' --traceback: a crashing check then raises instead of reporting E002.
RAISE_CRASHES: ContextVar[bool] = ContextVar("deploytools_raise_crashes", default=False)

LEVELS = {
    "CRITICAL": checks.CRITICAL,
    "ERROR": checks.ERROR,
    "WARNING": checks.WARNING,
    "INFO": checks.INFO,
    "DEBUG": checks.DEBUG,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}


@dataclass
class CheckResult:
    """One line of the report."""

    name: str
    title: str
    tags: tuple[str, ...]
    status: str  # "passed" | "failed" | "skipped"
    ids: list[str] = field(default_factory=list)
    detail: str = ""
    messages: list[CheckMessage] = field(default_factory=list)


@dataclass
class RunResult:
    """Everything one command found: the checks that ran and their messages, in order."""

    command: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def messages(self) -> list[CheckMessage]:
        return [m for c in self.checks for m in c.messages]

    def extend(self, other: RunResult) -> None:
        self.checks.extend(other.checks)

    def exit_code(self, fail_level: str) -> int:
        threshold = LEVELS[fail_level]
        return 1 if any(m.level >= threshold for m in self.messages) else 0

    def counts(self) -> dict[str, int]:
        messages = self.messages
        return {
            "errors": sum(m.level >= checks.ERROR for m in messages),
            "warnings": sum(checks.WARNING <= m.level < checks.ERROR for m in messages),
            "infos": sum(checks.INFO <= m.level < checks.WARNING for m in messages),
            "passed": sum(c.status == "passed" for c in self.checks),
            "failed": sum(c.status == "failed" for c in self.checks),
            "skipped": sum(c.status == "skipped" for c in self.checks),
        }


def _status(messages: Sequence[CheckMessage]) -> str:
    # Infos are advice, not failures: a check with only infos still passed.
    return "failed" if any(m.level >= checks.WARNING for m in messages) else "passed"


def run_one(
    name: str,
    title: str,
    tags: Iterable[str],
    call: Callable[[], Sequence[CheckMessage]],
    context: Context,
) -> CheckResult:
    """Run one check function, turning Skipped and crashes into report lines."""
    context.current_check = name
    try:
        raw = list(call())
    except Skipped as skip:
        return CheckResult(name, title, tuple(tags), "skipped", detail=skip.reason)
    except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
        if RAISE_CRASHES.get():
            raise
        # Only the exception's type: its text may quote a setting's value.
        raw = [
            checks.Error(
                _("The check %(name)s could not run (%(error)s).")
                % {"name": name, "error": type(exc).__name__},
                hint=_("Run the command with --traceback to see why, and report it."),
                id="deploytools.E002",
            )
        ]
        context.cache.setdefault("crashed", []).append(exc)
    finally:
        context.current_check = None
    messages = [m for m in raw if not m.is_silenced()]
    silenced = sorted({str(m.id) for m in raw if m.is_silenced()})
    detail = "; ".join(context.evidence_by_check.get(name, []))
    if silenced:
        detail = "; ".join(filter(None, [detail, _("silenced: %s") % ", ".join(silenced)]))
    return CheckResult(
        name,
        title,
        tuple(tags),
        _status(messages),
        ids=sorted({str(m.id) for m in messages if m.id}),
        detail=detail,
        messages=messages,
    )


def select(tags: Collection[str], exclude: Collection[str] = ()) -> list[CheckSpec]:
    """Catalogued checks with any of ``tags`` and none of ``exclude``, in ID order."""
    chosen = [
        spec
        for spec in CATALOGUE.values()
        if set(spec.tags) & set(tags) and not set(spec.tags) & set(exclude)
    ]
    return sorted(chosen, key=lambda spec: (spec.ids[0] if spec.ids else "", spec.name))


def catalogue_order(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Our checks in catalogue-number order (0xx first), then Django's and other apps'."""

    def key(result: CheckResult) -> tuple[int, str, str]:
        spec = CATALOGUE.get(result.name)
        if spec is None or "deploytools" not in result.tags or not spec.ids:
            return (1, "", result.name)
        return (0, spec.ids[0][13:], result.name)

    return sorted(results, key=key)


def _django_checks(include_deployment_checks: bool) -> list[Any]:
    """Checks registered by Django and other apps (not ours), minus database checks."""
    found = [
        check
        for check in registry.get_checks(include_deployment_checks)
        if not hasattr(check, "deploytools_spec")
        and not hasattr(check, "deploytools_area")
        and checks.Tags.database not in getattr(check, "tags", ())
    ]
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def run_checks(
    context: Context,
    specs: Iterable[CheckSpec],
    *,
    include_django: bool = False,
    app_configs: Sequence[Any] | None = None,
) -> RunResult:
    """Run our ``specs`` (and, if asked, every other app's deploy checks) in ``context``."""
    started = time.perf_counter()
    result = RunResult(context.command)
    if include_django:
        for check in _django_checks(include_deployment_checks=True):
            doc = (check.__doc__ or "").strip().splitlines()
            result.checks.append(
                run_one(
                    check.__name__,
                    doc[0] if doc else check.__name__.replace("_", " "),
                    getattr(check, "tags", ()),
                    functools.partial(check, app_configs=app_configs, databases=None),
                    context,
                )
            )
    for spec in specs:
        result.checks.append(
            run_one(
                spec.name,
                str(spec.title),
                spec.tags,
                functools.partial(spec.func, app_configs=app_configs, context=context),
                context,
            )
        )
    result.seconds = time.perf_counter() - started
    return result
