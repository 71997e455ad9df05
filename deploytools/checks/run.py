"""
Run checks and keep, for each, whether it passed, failed or was skipped.

Django's registry only returns messages; a deploy checklist also needs the ticks, so the
commands run checks through :func:`run_checks`, which calls each function itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core import checks
from django.core.checks import CheckMessage
from django.core.checks.registry import registry
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import CATALOGUE, CheckSpec, load_catalogue
from deploytools.context import Context, DynoContext, Gauge, Skipped

# Set by the commands' --traceback: a crashing check then raises instead of reporting E002.
RAISE_CRASHES: ContextVar[bool] = ContextVar("deploytools_raise_crashes", default=False)
# Set by the test suite (and inherited by the simulated dyno): a check that emits an ID its
# declaration does not name fails loudly instead of reaching a report.
ASSERT_DECLARED_IDS = "DEPLOYTOOLS_ASSERT_DECLARED_IDS"

LEVELS = {
    "CRITICAL": checks.CRITICAL,
    "ERROR": checks.ERROR,
    "WARNING": checks.WARNING,
    "INFO": checks.INFO,
    "DEBUG": checks.DEBUG,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
CRASH_ID = "deploytools.E002"
CRASH_MEANING = gettext_lazy(
    "a check crashed (a bug in deploytools or the project; run with --traceback)"
)


@dataclass
class CheckResult:
    """One line of the report."""

    name: str
    title: str
    tags: tuple[str, ...]
    status: str  # PASSED | FAILED | SKIPPED
    ids: list[str] = field(default_factory=list)
    detail: str = ""
    messages: list[CheckMessage] = field(default_factory=list)
    gauges: list[Gauge] = field(default_factory=list)

    @property
    def ours(self) -> bool:
        """A deploytools check (not Django's or another app's)."""
        return "deploytools" in self.tags


@dataclass
class RunResult:
    """Everything one command found: the checks that ran and their messages, in order."""

    command: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def messages(self) -> list[CheckMessage]:
        return [m for c in self.checks for m in c.messages]

    def exit_code(self, fail_level: str) -> int:
        threshold = LEVELS[fail_level]
        return 1 if any(m.level >= threshold for m in self.messages) else 0

    def counts(self) -> dict[str, int]:
        messages = self.messages
        return {
            "errors": sum(m.level >= checks.ERROR for m in messages),
            "warnings": sum(checks.WARNING <= m.level < checks.ERROR for m in messages),
            "infos": sum(checks.INFO <= m.level < checks.WARNING for m in messages),
            "passed": sum(c.status == PASSED for c in self.checks),
            "failed": sum(c.status == FAILED for c in self.checks),
            "skipped": sum(c.status == SKIPPED for c in self.checks),
        }


def status_of(messages: Sequence[CheckMessage]) -> str:
    # Infos are advice, not failures: a check with only infos still passed.
    return FAILED if any(m.level >= checks.WARNING for m in messages) else PASSED


def _crash(name: str, exc: Exception, context: Context) -> list[CheckMessage]:
    if RAISE_CRASHES.get():
        raise exc
    context.crashed.append(exc)
    # Only the exception's type: its text may quote a setting's value.
    return [
        checks.Error(
            _("The check %(name)s could not run (%(error)s).")
            % {"name": name, "error": type(exc).__name__},
            hint=_("Run the command with --traceback to see why, and report it."),
            id=CRASH_ID,
        )
    ]


def _missing_here(exc: BaseException, context: Context) -> str:
    """
    In the simulated dyno, why a check could not run because this machine lacks a module
    (a database driver the build installs): not a finding about the project, a line skipped.
    """
    if not isinstance(context, DynoContext):
        return ""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ImportError):
            module = getattr(current, "name", None) or _("a module")
            return _(
                "not checked here: it needs %(module)s, which this environment lacks; "
                "install the build's packages here (e.g. pip install -r requirements.txt)"
            ) % {"module": module}
        current = current.__cause__ or current.__context__
    return ""


def report_line(
    name: str,
    title: str,
    tags: Iterable[str],
    call: Callable[[], Sequence[CheckMessage]],
    context: Context,
    declared: Collection[str] | None = None,
) -> CheckResult:
    """Run one check function, turning Skipped and crashes into report lines."""
    context.current_check = name
    try:
        raw = list(call())
    except Skipped as skip:
        return CheckResult(name, title, tuple(tags), SKIPPED, detail=skip.reason)
    except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
        missing = _missing_here(exc, context)
        if missing:
            return CheckResult(name, title, tuple(tags), SKIPPED, detail=missing)
        raw = _crash(name, exc, context)
    finally:
        context.current_check = None
    if declared is not None and os.environ.get(ASSERT_DECLARED_IDS):
        undeclared = {str(m.id) for m in raw} - set(declared) - {CRASH_ID}
        if undeclared:
            raise AssertionError(f"{name} emitted undeclared IDs {sorted(undeclared)}")
    messages = [m for m in raw if not m.is_silenced()]
    silenced = sorted({str(m.id) for m in raw if m.is_silenced()})
    detail = "; ".join(context.evidence_by_check.get(name, []))
    if silenced:
        detail = "; ".join(filter(None, [detail, _("silenced: %s") % ", ".join(silenced)]))
    return CheckResult(
        name,
        title,
        tuple(tags),
        status_of(messages),
        ids=sorted({str(m.id) for m in messages if m.id}),
        detail=detail,
        messages=messages,
        gauges=list(context.gauges_by_check.get(name, [])),
    )


def run_one(spec: CheckSpec, context: Context) -> CheckResult:
    """Run one of our checks in ``context`` (skipped when it needs another context)."""
    return report_line(
        spec.name,
        str(spec.title),
        spec.tags,
        lambda: spec.func(spec.context_for(context)),
        context,
        declared=spec.ids,
    )


def select(tags: Collection[str], exclude: Collection[str] = ()) -> list[CheckSpec]:
    """Catalogued checks with any of ``tags`` and none of ``exclude``, in ID order."""
    load_catalogue(tags)
    chosen = [
        spec
        for spec in CATALOGUE.values()
        if set(spec.tags) & set(tags) and not set(spec.tags) & set(exclude)
    ]
    return sorted(chosen, key=id_order)


def not_run(specs: Iterable[CheckSpec], reason: str) -> list[CheckResult]:
    """Skipped lines for checks that could not run, so the report still lists every check."""
    return [CheckResult(s.name, str(s.title), tuple(s.tags), SKIPPED, detail=reason) for s in specs]


def id_order(spec: CheckSpec) -> tuple[str, str]:
    """Sort key of a check: the number of its first ID (001, 100, 102, ...), then its name."""
    return (spec.ids[0][13:] if spec.ids else "", spec.name)


def catalogue_order(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Our checks in catalogue-number order (0xx first), then Django's and other apps'."""

    def key(result: CheckResult) -> tuple[int, str, str]:
        spec = CATALOGUE.get(result.name)
        if spec is None or not result.ours:
            return (1, "", result.name)
        return (0, *id_order(spec))

    return sorted(results, key=key)


def _django_checks() -> list[Any]:
    """Deploy checks registered by Django and other apps (not ours), minus database checks."""
    found = [
        check
        for check in registry.get_checks(include_deployment_checks=True)
        if not hasattr(check, "deploytools_module")
        and checks.Tags.database not in getattr(check, "tags", ())
    ]
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def run_django_checks(context: Context, app_configs: Sequence[Any] | None = None) -> RunResult:
    """Django's own checks and other apps', at deploy level, a line each."""
    result = RunResult(context.command)
    for django_check in _django_checks():
        doc = (django_check.__doc__ or "").strip().splitlines()

        def call(found: Any = django_check) -> Sequence[CheckMessage]:
            messages: Sequence[CheckMessage] = found(app_configs=app_configs, databases=None)
            return messages

        result.checks.append(
            report_line(
                django_check.__name__,
                doc[0] if doc else django_check.__name__.replace("_", " "),
                getattr(django_check, "tags", ()),
                call,
                context,
            )
        )
    return result


def run_checks(
    context: Context, specs: Iterable[CheckSpec], *, include_django: bool = False
) -> RunResult:
    """Run our ``specs`` (and, if asked, every other app's deploy checks) in ``context``."""
    started = time.perf_counter()
    result = run_django_checks(context) if include_django else RunResult(context.command)
    result.checks.extend(run_one(spec, context) for spec in specs)
    result.seconds = time.perf_counter() - started
    return result
