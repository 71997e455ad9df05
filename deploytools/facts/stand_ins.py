"""
Stand-ins for packages the build installs but this machine lacks, so the settings still load.

A developer's virtualenv often lacks a production-only package (sentry-sdk imported only on a
dyno). Heroku installs it, so the settings load there; without it here, the simulated dyno
would see an ImportError and judge nothing. In the simulated dyno, an import of a missing
module that a package of the build provides gets a permissive stand-in module instead, and
the report says which modules stood in, so what they compute is known not to be checked.

Database drivers never get a stand-in: Django's backends inspect them, and a check that needs
one is skipped with the reason instead.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# Never stood in for: Django reads their versions and capabilities.
DRIVERS = frozenset({"psycopg", "psycopg2", "MySQLdb", "oracledb", "cx_Oracle"})


class StandIn:
    """Whatever the settings do with it gives another stand-in, or nothing."""

    def __call__(self, *args: Any, **kwargs: Any) -> StandIn:
        return StandIn()

    def __getattr__(self, name: str) -> StandIn:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return StandIn()

    def __getitem__(self, key: object) -> StandIn:
        return StandIn()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "<deploytools stand-in>"

    def __mro_entries__(self, bases: tuple[object, ...]) -> tuple[type, ...]:
        # ``class Storage(S3Storage)`` with S3Storage a stand-in: a plain class.
        return (object,)


class StandInModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return StandIn()


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The last finder on sys.meta_path: only what no real finder found reaches it."""

    def __init__(self, allowed: Iterable[str]) -> None:
        # Top-level import names a package of the build provides.
        self.allowed = frozenset(allowed) - DRIVERS
        self.used: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.split(".")[0]
        if top not in self.allowed:
            return None
        loaded = sys.modules.get(top)
        if loaded is not None and not isinstance(loaded, StandInModule):
            # A real package lacks this submodule: the ImportError is the truth.
            return None
        if top not in self.used:
            self.used.append(top)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install(build_packages: Iterable[str]) -> StandInFinder:
    """Let the modules of ``build_packages`` (canonical names) that are missing here stand in."""
    from deploytools.facts.installed import KNOWN_PROVIDERS
    from deploytools.facts.requirement_lines import canonical

    packages = set(build_packages)
    allowed = {module for module, providers in KNOWN_PROVIDERS.items() if packages & set(providers)}
    # A distribution usually installs the module of its name (sentry-sdk: sentry_sdk).
    allowed |= {name.replace("-", "_") for name in packages}
    allowed |= {name.removeprefix("django-").replace("-", "_") for name in packages}
    allowed = {m for m in allowed if m.isidentifier() and canonical(m) != "django"}
    finder = StandInFinder(allowed)
    sys.meta_path.append(finder)
    return finder
