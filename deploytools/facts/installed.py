"""
What this environment has installed: which distribution provides an import, what a set of
distributions pulls in, and at which version — asked of ``importlib.metadata``.

Preflight compares it with what Heroku's build installs (E203: works here, ModuleNotFoundError
there; W204: tested with another version than the one that ships).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable
from importlib import metadata

from deploytools.facts.requirements_txt import canonical, heroku_marker_environment


@functools.cache
def import_providers() -> dict[str, frozenset[str]]:
    """Top-level import name -> canonical names of the installed distributions providing it."""
    return {
        name: frozenset(canonical(d) for d in dists)
        for name, dists in metadata.packages_distributions().items()
    }


# Distributions that install the same import name: either one satisfies the import.
EQUIVALENT_DISTRIBUTIONS: tuple[frozenset[str], ...] = (
    frozenset({"psycopg2", "psycopg2-binary"}),
    frozenset({"psycopg", "psycopg-binary", "psycopg-c"}),
    frozenset({"mysqlclient"}),
    frozenset({"pillow", "pil"}),
)


def equivalents(name: str) -> frozenset[str]:
    for group in EQUIVALENT_DISTRIBUTIONS:
        if name in group:
            return group
    return frozenset({name})


@functools.cache
def _requires(name: str) -> tuple[str, ...]:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PackagingRequirement

    try:
        declared = metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return ()
    found = []
    environment = heroku_marker_environment()
    for line in declared:
        try:
            requirement = PackagingRequirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(
                {**environment, "extra": ""}
            ):
                continue
        except (InvalidRequirement, ValueError, TypeError):
            # Another package's broken metadata is not this project's problem.
            continue
        found.append(canonical(requirement.name))
    return tuple(found)


def installed_closure(names: Iterable[str]) -> set[str]:
    """``names`` plus everything they require (as installed here), canonical names."""
    todo = list(names)
    closure: set[str] = set()
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        todo.extend(_requires(name))
    return closure


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def is_stdlib(module: str) -> bool:
    return module in sys.stdlib_module_names or module in sys.builtin_module_names


def provider_of(module: str) -> str | None:
    """The installed distribution that provides the top-level import ``module``, if one does."""
    found = sorted(import_providers().get(module, ()))
    return found[0] if found else None


def installed_from_index(name: str) -> bool:
    """
    Whether ``name`` was installed from a package index (so ``name==version`` can be installed
    on Heroku too), not from a local path, a VCS URL or an archive (PEP 610 direct_url.json).
    """
    try:
        text = metadata.distribution(name).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return False
    if not text:
        return True
    try:
        direct = json.loads(text)
    except ValueError:
        return False
    return not isinstance(direct, dict) or not direct


# Import names whose distribution is named otherwise, for packages that are NOT installed here
# (installed ones are found in their metadata): the common ones of Django projects on Heroku.
KNOWN_PROVIDERS: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow",),
    "allauth": ("django-allauth",),
    "corsheaders": ("django-cors-headers",),
    "crispy_forms": ("django-crispy-forms",),
    "debug_toolbar": ("django-debug-toolbar",),
    "decouple": ("python-decouple",),
    "dj_database_url": ("dj-database-url",),
    "dotenv": ("python-dotenv",),
    "environ": ("django-environ",),
    "jwt": ("pyjwt",),
    "psycopg": ("psycopg", "psycopg-binary"),
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "rest_framework": ("djangorestframework",),
    "sentry_sdk": ("sentry-sdk",),
    "split_settings": ("django-split-settings",),
    "storages": ("django-storages",),
    "yaml": ("pyyaml",),
}


def distribution_candidates(module: str) -> tuple[str, ...]:
    """Distributions that may provide the top-level import ``module`` (canonical names)."""
    top = module.split(".")[0]
    installed = import_providers().get(top)
    if installed:
        return tuple(sorted(installed))
    return KNOWN_PROVIDERS.get(top, (canonical(top), canonical(f"django-{top}")))
