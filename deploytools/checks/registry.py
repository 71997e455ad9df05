"""
The catalogue of deploytools checks: each check's declaration, and how Django learns of them.

A check is a function of its typed context, declared with :func:`check`::

    @check(
        name="heroku_stack",
        title=gettext_lazy("Stack"),
        ids={"E701": gettext_lazy("stack end-of-life or unsupported"), ...},
        tags=["heroku"],
    )
    def check_stack(context: ProductionContext) -> Messages: ...

The declaration is the check's whole meaning: its report line's title, the IDs it may emit and
what each means (``--list-checks`` and the README table are generated from it), the commands
that run it (tags) and the context it needs (its parameter's annotation). The runner
(:mod:`deploytools.checks.run`) records whether it passed, failed or was skipped.

``DeploytoolsConfig.ready()`` registers one Django check per check module (:data:`MODULES`)
that imports the module when first run, so ``manage.py check`` and ``SILENCED_SYSTEM_CHECKS``
treat our checks like Django's own while a plain ``manage.py check`` imports none of them.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.checks import CheckMessage
from django.utils.functional import Promise

if TYPE_CHECKING:
    # Imported where used: Django's app registry imports this module in every `manage.py`
    # command, and a plain `check` needs none of the contexts.
    from deploytools.context import Context

Messages = list[CheckMessage]
PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Every check module, in ID order, and the tags its checks carry. A test keeps this table true
# to the modules' own declarations.
MODULES: dict[str, tuple[str, ...]] = {
    "deploytools.checks.core": ("preflight", "release", "heroku"),
    "deploytools.checks.settings_database": ("preflight", "release", "settings"),
    "deploytools.checks.settings_environment": ("preflight", "release", "settings"),
    "deploytools.checks.settings_serving": ("preflight", "release", "settings"),
    "deploytools.checks.settings_process": ("preflight", "release", "settings"),
    "deploytools.checks.config_use": ("preflight",),
    "deploytools.checks.requirements": ("preflight",),
    "deploytools.checks.python_runtime": ("preflight",),
    "deploytools.checks.processes": ("preflight",),
    "deploytools.checks.repository": ("preflight",),
    "deploytools.checks.migrations": ("preflight", "release", "settings"),
    "deploytools.checks.git": ("preflight",),
    "deploytools.checks.runs": ("preflight",),
    "deploytools.checks.build": ("preflight",),
    "deploytools.checks.support": ("preflight", "heroku"),
    "deploytools.checks.updates": ("preflight",),
    "deploytools.checks.release_phase": ("release",),
    "deploytools.checks.heroku_platform": ("heroku",),
    "deploytools.checks.heroku_operations": ("heroku",),
    "deploytools.checks.heroku_ssl": ("heroku",),
    "deploytools.checks.heroku_releases": ("heroku",),
    "deploytools.checks.capacity": ("heroku",),
    "deploytools.checks.live_site": ("live",),
}

LEVEL_OF_PREFIX = {"E": "ERROR", "W": "WARNING", "I": "INFO"}


@dataclass(frozen=True)
class CheckSpec:
    """One check as declared: shown by --list-checks, used in reports and JSON."""

    name: str
    title: str | Promise  # gettext_lazy titles are translated when shown
    # Short ID ("E701") -> what it means, in the order they are declared.
    meanings: Mapping[str, str | Promise]
    tags: tuple[str, ...]
    deploy: bool
    # The context class the check needs (its parameter's annotation).
    context_type: type[Context]
    func: Callable[[Any], Sequence[CheckMessage]]
    # Whether it reads the production settings, which preflight's simulated dyno gathers: such
    # checks run once the dyno is done, the others while it runs.
    production_settings: bool = False

    @property
    def ids(self) -> tuple[str, ...]:
        """Full IDs ("deploytools.E701"), as messages carry them."""
        return tuple(f"deploytools.{short}" for short in self.meanings)

    @property
    def source(self) -> str:
        """The file that declares it, relative to the package: "checks/heroku_platform.py"."""
        path = Path(self.func.__code__.co_filename).resolve()
        try:
            return path.relative_to(PACKAGE_DIR).as_posix()
        except ValueError:
            return path.name

    def context_for(self, context: Context) -> Context:
        """``context`` if this check can read it, else Skipped with what is missing."""
        from deploytools.context import Skipped

        if isinstance(context, self.context_type):
            return context
        raise Skipped(str(self.context_type.missing))


CATALOGUE: dict[str, CheckSpec] = {}


def check(
    *,
    name: str,
    title: str | Promise,
    ids: Mapping[str, str | Promise],
    tags: Sequence[str],
    deploy: bool = True,
    production_settings: bool = False,
) -> Callable[[Callable[[Any], Messages]], Callable[[Any], Messages]]:
    """
    Declare a check: ``ids`` maps each short ID it may emit ("E201") to its meaning;
    ``tags`` say which commands run it (preflight, release, heroku, live, settings: the
    simulated dyno). Every check also gets the tag "deploytools". ``deploy=True`` (the
    default) keeps it out of a plain ``manage.py check``, which imports only
    :mod:`deploytools.checks.core`: ``deploy=False`` is for its cheap checks (E001) alone.
    ``production_settings=True`` says it reads
    :func:`deploytools.facts.production_settings.production_settings`.
    """

    def decorator(func: Callable[[Any], Messages]) -> Callable[[Any], Messages]:
        from deploytools.context import Context

        hints = typing.get_type_hints(func)
        context_type = hints.get("context", Context)
        if not (isinstance(context_type, type) and issubclass(context_type, Context)):
            raise TypeError(f"{func.__qualname__}: annotate its parameter with a Context class")
        if name in CATALOGUE:
            raise ValueError(f"duplicate deploytools check name {name!r}")
        CATALOGUE[name] = CheckSpec(
            name=name,
            title=title,
            meanings=dict(ids),
            tags=("deploytools", *tags),
            deploy=deploy,
            context_type=context_type,
            func=func,
            production_settings=production_settings,
        )
        return func

    return decorator


def load_catalogue(tags: Collection[str] | None = None) -> dict[str, CheckSpec]:
    """
    Import the check modules whose checks carry any of ``tags`` (every module when None), once
    each, so that CATALOGUE holds those checks. A command imports only what it may run: the
    release phase, on every deploy, none of the preflight or Heroku API modules.
    """
    for module, module_tags in MODULES.items():
        if tags is None or set(module_tags) & set(tags):
            import_module(module)
    return CATALOGUE


def specs_of(module: str) -> list[CheckSpec]:
    return [spec for spec in CATALOGUE.values() if spec.func.__module__ == module]


def django_check(module: str, *, deploy: bool = True) -> Callable[..., Messages]:
    """
    One Django check running the checks of ``module`` declared with this ``deploy`` flag in a
    default context; it imports the module when first run. A check that needs another context,
    or that does not apply, gives no messages here: only our commands report skipped lines.
    """

    def run_module(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> Messages:
        from deploytools.context import Context, Skipped

        import_module(module)
        context = Context()
        messages: Messages = []
        for spec in specs_of(module):
            if spec.deploy != deploy:
                continue
            try:
                messages.extend(spec.func(spec.context_for(context)))
            except Skipped:
                continue
        return messages

    short = module.rsplit(".", 1)[-1] + ("" if deploy else "_plain")
    run_module.__name__ = run_module.__qualname__ = f"deploytools_{short}_checks"
    run_module.__doc__ = f"deploytools checks of {module}, imported when first run."
    run_module.deploytools_module = module  # type: ignore[attr-defined]
    return run_module
