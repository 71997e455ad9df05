"""
What this environment has installed: which distribution provides an import, what a set of
distributions pulls in, and at which version — asked of ``importlib.metadata``.

Preflight compares it with what Heroku's build installs (E203: works here, ModuleNotFoundError
there; W204: tested with another version than the one that ships).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast

from deploytools.facts.requirement_lines import canonical
from deploytools.facts.requirements_txt import heroku_marker_environment

T = TypeVar("T")


# Facts about this environment, computed once per process by the first to ask, which may be
# a background thread started early (see in_background): a later asker waits for it.
_computed: dict[object, Future[Any]] = {}
_computed_lock = threading.Lock()


def _once(key: object, compute: Callable[[], T]) -> T:
    with _computed_lock:
        future = _computed.get(key)
        owner = future is None
        if future is None:
            future = _computed[key] = Future()
    if owner:
        try:
            future.set_result(compute())
        except BaseException as exc:  # handed to whoever waits for it (a check: E002)
            future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise  # KeyboardInterrupt, SystemExit: for this thread too
    return cast("T", future.result())


def in_background(name: str, work: Callable[[], object]) -> None:
    """Run ``work`` (calls of this module's computed-once functions) in a daemon thread now."""

    def quietly() -> None:
        # A failure is kept for the check that asks (a crashed check, E002): the thread
        # itself prints nothing.
        with contextlib.suppress(Exception):
            work()

    threading.Thread(target=quietly, name=name, daemon=True).start()


def _providers() -> dict[str, frozenset[str]]:
    return {
        name: frozenset(canonical(d) for d in dists)
        for name, dists in metadata.packages_distributions().items()
    }


def import_providers() -> dict[str, frozenset[str]]:
    """
    Top-level import name -> canonical names of the installed distributions providing it
    (every distribution's RECORD is read: ~0.1 s, hence computed once and early).
    """
    return _once(import_providers, _providers)


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


def _measure(name: str) -> int:
    """The installed files' bytes: the sizes in RECORD, a stat for the files it has none for."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    record = dist.read_text("RECORD")
    if record is None:
        # An egg-info install lists its files without sizes: each is looked at.
        total = 0
        for file in dist.files or []:
            with contextlib.suppress(OSError, ValueError):
                total += file.size or Path(str(dist.locate_file(file))).stat().st_size
        return total
    import csv

    total = 0
    # ``dist.files`` would stat every file to skip missing ones: only the files RECORD has no
    # size for (the .pyc files compiled at install) are looked at here.
    for row in csv.reader(record.splitlines()):
        if len(row) < 3:
            continue
        if row[2].isdigit():
            total += int(row[2])
            continue
        with contextlib.suppress(OSError, ValueError):
            total += Path(str(dist.locate_file(row[0]))).stat().st_size
    return total


def installed_bytes(name: str) -> int:
    """What the installed distribution ``name`` takes on disk (0 when it is not installed)."""
    return _once(("bytes", name), lambda: _measure(name))


def measure_in_background(names: Iterable[str]) -> None:
    """Measure ``names`` in a thread now (thousands of stats), for a check to read later."""
    chosen = sorted(set(names))
    in_background("installed-sizes", lambda: [installed_bytes(name) for name in chosen])


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
