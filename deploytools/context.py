"""
What a command hands to its checks: one typed context per command.

A check names the context it needs in its signature (``def check_stack(context:
ProductionContext)``); the runner skips it, with the context's reason, when the run has
another one. So mypy tells a reader exactly what a check may read, and a plain
``manage.py check --deploy`` (which has only the base :class:`Context`) skips the checks
that need a Heroku snapshot or a release in progress, saying why.

Facts computed once per run and shared by several checks are cached on the context by
:func:`memoized`, keyed by the function that computes them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from deploytools.facts.dyno import DynoRun
    from deploytools.facts.environment_reads import Read
    from deploytools.facts.project import Project
    from deploytools.facts.snapshot import Snapshot
    from deploytools.release_phase.steps import ReleaseSteps


def _running_project() -> Project:
    # Imported when a context is made: a plain `manage.py check` imports this module but
    # makes none.
    from deploytools.facts.project import Project

    return Project.here()


class Skipped(Exception):
    """Raised by a check that does not apply here; the reason is shown in the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def skip_on_a_dyno(reason: str | None = None) -> None:
    """
    Raise Skipped on a Heroku dyno (``manage.py check --deploy`` there): a slug has no .git, so
    questions about the checkout and what a push would ship are moot.
    """
    if os.environ.get("DYNO"):
        raise Skipped(reason or _("running on a Heroku dyno, which has no git checkout"))


@dataclass(frozen=True)
class Gauge:
    """
    A quantity a check measured against its limit (database connections against the plan's,
    workers' memory against the dyno's): the HTML report draws it as a bar, the JSON gives the
    numbers, so neither has to read them back out of the evidence text.
    """

    label: str
    used: float
    limit: float
    unit: str
    # The share of ``limit`` above which the check fails (1.0: the limit itself).
    fails_above: float = 1.0


@dataclass(kw_only=True)
class Context:
    """
    What every check may read: the project as Heroku builds it, the production config, today.

    Django's own ``manage.py check`` gets this base context: the running project, and this
    process's environment as the production config.
    """

    # Why a check that needs a more specific context is skipped in this one.
    missing: ClassVar[str | Promise] = ""

    command: str = "check"
    project: Project = field(default_factory=lambda: _running_project())
    # The production config vars (name -> value). None: this process's environment is the
    # production environment (release phase, manage.py check --deploy on a dyno).
    config_vars: dict[str, str] | None = None
    # The day support windows are judged at (tests move it).
    today: date = field(default_factory=date.today)

    # Set by the runner while a check runs; evidence() attaches text to that check's line.
    current_check: str | None = None
    evidence_by_check: dict[str, list[str]] = field(default_factory=dict)
    gauges_by_check: dict[str, list[Gauge]] = field(default_factory=dict)
    # Exceptions of checks that crashed (E002), for --traceback and the tests.
    crashed: list[BaseException] = field(default_factory=list)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def evidence(self, text: str) -> None:
        """Say what a check saw (e.g. "web: 2 × Standard-2X"); shown on its report line."""
        if self.current_check is not None:
            self.evidence_by_check.setdefault(self.current_check, []).append(text)

    def gauge(self, gauge: Gauge) -> None:
        """Attach a measured quantity and its limit to the running check's line."""
        if self.current_check is not None:
            self.gauges_by_check.setdefault(self.current_check, []).append(gauge)

    @property
    def environ(self) -> dict[str, str]:
        """The production environment as known to this run."""
        return dict(os.environ) if self.config_vars is None else dict(self.config_vars)

    def remember(self, fact: Callable[..., Any], value: Any) -> None:
        """Give a :func:`memoized` fact its value for this run (a measurement made earlier)."""
        self._memo[_memo_key(fact)] = value

    def known(self, fact: Callable[..., Any]) -> Any:
        """The value a :func:`memoized` fact has in this run, None until it was computed."""
        return self._memo.get(_memo_key(fact))


@dataclass(kw_only=True)
class PreflightContext(Context):
    """``manage.py preflight`` in a checkout: what to run besides reading files."""

    missing: ClassVar[str | Promise] = gettext_lazy("runs in manage.py preflight only")

    command: str = "preflight"
    run_tests: bool = False
    collectstatic: bool = False
    push: bool = False
    # Where the config vars came from, for the heading (a file name, "Heroku app NAME").
    config_source: str = ""
    # The simulated dyno evaluating the production settings meanwhile (None: not started).
    dyno: DynoRun | None = None
    # The app's generation as the Heroku API gave it (--app); None: DEPLOYTOOLS says.
    generation: str | None = None


@dataclass(frozen=True)
class SettingsRecording:
    """What the simulated dyno saw while importing the settings for the first time."""

    # The environment before the import (settings may write to it, e.g. setdefault).
    environ_before: dict[str, str]
    # How the project's own code read each variable (and its default), in order.
    reads: dict[str, Read]
    # The project modules the import pulled in (``from .base import *``).
    modules: list[str]


@dataclass(kw_only=True)
class DynoContext(Context):
    """The settings checks inside a simulated dyno (preflight's and production_check's child)."""

    missing: ClassVar[str | Promise] = gettext_lazy("runs in a simulated dyno only")

    command: str = "preflight"
    recording: SettingsRecording | None = None


@dataclass(kw_only=True)
class ProductionContext(Context):
    """``manage.py production_check``: one snapshot of the Heroku app, and the live site."""

    missing: ClassVar[str | Promise] = gettext_lazy(
        "no Heroku snapshot (run manage.py production_check)"
    )

    command: str = "production_check"
    snapshot: Snapshot
    # Base URLs of the live site; visited only when ``live`` (asked for, or read live).
    urls: list[str] = field(default_factory=list)
    live: bool = False
    ca_bundle: str | None = None
    measure_memory: bool = True

    @property
    def app(self) -> str:
        return self.snapshot.app_name


@dataclass(kw_only=True)
class ReleaseContext(Context):
    """``manage.py heroku_release``: what each step of the release phase found."""

    missing: ClassVar[str | Promise] = gettext_lazy("runs in manage.py heroku_release only")

    command: str = "heroku_release"
    steps: ReleaseSteps


C = TypeVar("C", bound=Context)
T = TypeVar("T")


def _memo_key(func: Callable[..., Any]) -> str:
    inner = getattr(func, "__wrapped__", func)
    return f"{inner.__module__}.{inner.__qualname__}"


def memoized(func: Callable[[C], T]) -> Callable[[C], T]:
    """
    Compute ``func(context)`` once per run, for every check that asks; a Skipped it raises
    is remembered and raised again, so a missing file is reported once and skipped after.
    """
    key = _memo_key(func)

    @functools.wraps(func)
    def wrapper(context: C) -> T:
        if key not in context._memo:
            try:
                context._memo[key] = func(context)
            except Skipped as skip:
                context._memo[key] = skip
        value = context._memo[key]
        if isinstance(value, Skipped):
            raise Skipped(value.reason)
        return value  # type: ignore[no-any-return]

    return wrapper
