"""
The catalogue of deploytools checks and how each one is registered with Django.

A check is a plain Django check function decorated with :func:`deploytools_check`, which
records its name, title, IDs and tags in :data:`CATALOGUE`. ``DeploytoolsConfig.ready()``
registers every catalogued check with Django's registry, so ``manage.py check`` and
``SILENCED_SYSTEM_CHECKS`` treat them like Django's own. Our commands run the same functions
through :mod:`deploytools.checks.run`, which also records whether each passed, failed or
was skipped (a check raises :class:`Skipped` when it cannot apply, e.g. no git checkout).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.checks import CheckMessage
from django.utils.functional import Promise

Messages = list[CheckMessage]


class CheckFunction(Protocol):
    def __call__(
        self, app_configs: Sequence[Any] | None = None, **kwargs: Any
    ) -> Sequence[CheckMessage]: ...


class Skipped(Exception):
    """Raised by a check that does not apply here; the reason is shown in the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Context:
    """
    What a command knows beyond Django's settings, shared by the checks of one run.

    Checks called by Django's own ``manage.py check`` get a default context: the project
    directory and this process's environment as the production config.
    """

    command: str = "check"
    base_dir: Path = field(default_factory=lambda: project_root())
    # The production config vars (name -> value). None: this process's environment is the
    # production environment (release phase, manage.py check --deploy on a dyno).
    config_vars: dict[str, str] | None = None
    # Anything a command passes to its checks: the Heroku snapshot, --run-tests, --url, ...
    options: dict[str, Any] = field(default_factory=dict)
    # Shared, lazily computed results (parsed requirements, git state) keyed by name.
    cache: dict[str, Any] = field(default_factory=dict)

    # Set by the runner while a check runs; evidence() attaches text to that check's line.
    current_check: str | None = None
    evidence_by_check: dict[str, list[str]] = field(default_factory=dict)

    def evidence(self, text: str) -> None:
        """Say what a check saw (e.g. "web: 2 × Standard-2X"); shown on its report line."""
        if self.current_check is not None:
            self.evidence_by_check.setdefault(self.current_check, []).append(text)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    @property
    def environ(self) -> dict[str, str]:
        """The production environment as known to this run."""
        return dict(os.environ) if self.config_vars is None else dict(self.config_vars)


def project_root() -> Path:
    """The project directory: settings.BASE_DIR by convention, else the working directory."""
    base_dir = getattr(settings, "BASE_DIR", None)
    return Path(base_dir) if base_dir else Path.cwd()


@dataclass(frozen=True)
class CheckSpec:
    """Metadata of one check: shown by --list-checks, used in reports and JSON."""

    name: str
    title: str | Promise  # gettext_lazy titles are translated when shown
    ids: tuple[str, ...]
    tags: tuple[str, ...]
    deploy: bool
    # The function as written, called by our runner (it may raise Skipped) ...
    func: Callable[..., Sequence[CheckMessage]]
    # ... and the wrapper registered with Django, which treats Skipped as "no messages".
    check: CheckFunction


CATALOGUE: dict[str, CheckSpec] = {}


def deploytools_check(
    *, name: str, title: str | Promise, ids: Sequence[str], tags: Sequence[str], deploy: bool = True
) -> Callable[[Callable[..., Messages]], CheckFunction]:
    """
    Register a check in the catalogue.

    ``ids`` are the short IDs it may emit ("E201"); ``tags`` say which commands run it
    (preflight, release, heroku, live, settings). Every check also gets the tag
    "deploytools". ``deploy=True`` (the default) keeps it out of a plain ``manage.py check``.
    """

    def decorator(func: Callable[..., Messages]) -> CheckFunction:
        @functools.wraps(func)
        def check(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
            try:
                return func(app_configs=app_configs, **kwargs)
            except Skipped:
                return []

        spec = CheckSpec(
            name=name,
            title=title,
            ids=tuple(f"deploytools.{i}" for i in ids),
            tags=("deploytools", *tags),
            deploy=deploy,
            func=func,
            check=check,
        )
        if name in CATALOGUE:
            raise ValueError(f"duplicate deploytools check name {name!r}")
        CATALOGUE[name] = spec
        check.deploytools_spec = spec  # type: ignore[attr-defined]
        return check

    return decorator


def context_of(kwargs: dict[str, Any]) -> Context:
    """The run's context, or a default one when Django's own ``check`` calls us."""
    context = kwargs.get("context")
    return context if isinstance(context, Context) else Context()


# Every area module and the tags its checks carry. Django's registry gets one check per area
# that imports the module on its first call, so a plain `manage.py check` (and runserver)
# never imports them: deploytools costs those commands next to nothing. A test keeps this
# table true to the modules' own decorators.
AREAS: dict[str, tuple[str, ...]] = {
    "deploytools.checks.settings": ("preflight", "release", "settings"),
    "deploytools.checks.project": ("preflight",),
    "deploytools.checks.migrations": ("preflight", "release"),
    "deploytools.checks.git": ("preflight",),
    "deploytools.checks.lifecycle": ("preflight", "heroku"),
    "deploytools.checks.release": ("release",),
    "deploytools.checks.heroku": ("heroku",),
    "deploytools.checks.capacity": ("heroku",),
    "deploytools.checks.live": ("live",),
}


def load_catalogue() -> dict[str, CheckSpec]:
    """Import every check module (once), so that CATALOGUE holds every check."""
    import_module("deploytools.checks.core")
    for module in AREAS:
        import_module(module)
    return CATALOGUE


def area_check(module: str) -> CheckFunction:
    """One Django check running every check of ``module``, which it imports when first run."""

    def check(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
        import_module(module)
        messages: Messages = []
        for spec in list(CATALOGUE.values()):
            if spec.func.__module__ == module:
                messages.extend(spec.check(app_configs=app_configs, **kwargs))
        return messages

    check.__name__ = check.__qualname__ = f"deploytools_{module.rsplit('.', 1)[-1]}_checks"
    check.__doc__ = f"deploytools checks of {module}, imported when first run."
    check.deploytools_area = module  # type: ignore[attr-defined]
    return check
