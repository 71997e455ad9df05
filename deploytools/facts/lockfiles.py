"""
The production packages of a locked project: Pipfile.lock (Pipenv), poetry.lock (Poetry) and
uv.lock (uv), read as Heroku's Python buildpack installs them.

Source (read 2026-12-01): heroku/heroku-buildpack-python at b4e7e721dc39 —
``lib/pipenv.sh`` runs ``pipenv install --deploy`` (the lock's "default" packages; "develop"
only on Heroku CI), ``lib/poetry.sh`` ``poetry sync --only main``, ``lib/uv.sh``
``uv sync --locked --no-default-groups`` (the project's dependencies, no dependency group).
Every reader returns what it understood and a list of problems; none raises on bad input.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from deploytools.facts.requirement_lines import canonical

MAX_LOCK_BYTES = 20_000_000


@dataclass(frozen=True)
class LockedPackage:
    """One package a lock file installs in production."""

    name: str  # canonical
    version: str | None
    source: str  # the lock file it comes from


@dataclass
class Lock:
    """What a lock file says the build installs, and what could not be read."""

    file: str
    packages: dict[str, LockedPackage] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # The Python version the lock asks for (Pipfile.lock's _meta.requires), if any.
    python: str | None = None


def _load(path: Path, lock: Lock, parse: Any) -> Any:
    from deploytools.facts.safe_read import FileTooLarge, read_bytes

    try:
        data = read_bytes(path, MAX_LOCK_BYTES)
    except FileTooLarge:
        lock.problems.append(_("is larger than %(size)d bytes") % {"size": MAX_LOCK_BYTES})
        return None
    except OSError as exc:
        lock.problems.append(_("cannot be read (%(reason)s)") % {"reason": exc.strerror or exc})
        return None
    try:
        return parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        lock.problems.append(_("cannot be parsed (%(error)s)") % {"error": type(exc).__name__})
        return None


def read_pipfile_lock(path: Path) -> Lock:
    """Pipfile.lock: the "default" section (``pipenv install --deploy``)."""
    lock = Lock(path.name)
    document = _load(path, lock, json.loads)
    if document is None:
        return lock
    if not isinstance(document, dict) or not isinstance(document.get("default", {}), dict):
        lock.problems.append(_('has no "default" section of packages'))
        return lock
    for name, spec in document.get("default", {}).items():
        version = spec.get("version") if isinstance(spec, dict) else None
        pinned = version.removeprefix("==") if isinstance(version, str) else None
        key = canonical(str(name))
        lock.packages[key] = LockedPackage(key, pinned, lock.file)
    requires = (document.get("_meta") or {}).get("requires") or {}
    if isinstance(requires, dict):
        found = requires.get("python_full_version") or requires.get("python_version")
        lock.python = str(found) if found else None
    return lock


def _closure(start: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    todo, seen = list(start), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges.get(name, ()))
    return seen


def _toml_packages(document: Any, lock: Lock) -> list[dict[str, Any]]:
    packages = document.get("package", []) if isinstance(document, dict) else []
    if not isinstance(packages, list):
        lock.problems.append(_('has no list of "package" entries'))
        return []
    return [p for p in packages if isinstance(p, dict) and isinstance(p.get("name"), str)]


def _dependency_names(entries: Any) -> list[str]:
    if isinstance(entries, dict):  # poetry.lock: {name = "constraint", ...}
        return [canonical(str(name)) for name in entries]
    if isinstance(entries, list):  # uv.lock: [{name = "...", marker = ...}, ...]
        return [canonical(str(e["name"])) for e in entries if isinstance(e, dict) and "name" in e]
    return []


def _poetry_main(pyproject: Path) -> list[str] | None:
    """The main group's dependencies declared in pyproject.toml (Poetry 1 or PEP 621)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    names: list[str] = []
    for line in (document.get("project") or {}).get("dependencies") or []:
        try:
            names.append(canonical(Requirement(str(line)).name))
        except InvalidRequirement:
            continue
    poetry = (document.get("tool") or {}).get("poetry") or {}
    names += [canonical(str(n)) for n in (poetry.get("dependencies") or {}) if n != "python"]
    return names


def read_poetry_lock(path: Path) -> Lock:
    """poetry.lock: the packages of the main group (``poetry sync --only main``)."""
    lock = Lock(path.name)
    packages = _toml_packages(_load(path, lock, tomllib.loads), lock)
    if any("groups" in p for p in packages):
        # Lock format 2.1 (Poetry 2) says which groups need each package.
        main = {canonical(p["name"]) for p in packages if "main" in (p.get("groups") or [])}
    elif any("category" in p for p in packages):
        main = {canonical(p["name"]) for p in packages if p.get("category", "main") == "main"}
    else:
        # Format 2.0 records neither: walk the lock from the main dependencies of pyproject.
        edges = {canonical(p["name"]): _dependency_names(p.get("dependencies")) for p in packages}
        declared = _poetry_main(path.parent / "pyproject.toml")
        main = _closure(declared, edges) if declared is not None else set(edges)
    for package in packages:
        key = canonical(package["name"])
        if key in main:
            version = package.get("version")
            lock.packages[key] = LockedPackage(key, str(version) if version else None, lock.file)
    return lock


def read_uv_lock(path: Path) -> Lock:
    """uv.lock: the project's dependencies and theirs, no group (``--no-default-groups``)."""
    lock = Lock(path.name)
    packages = _toml_packages(_load(path, lock, tomllib.loads), lock)
    roots = [
        p
        for p in packages
        if isinstance(p.get("source"), dict)
        and {"editable", "virtual"} & set(p["source"])
        and str(p["source"].get("editable") or p["source"].get("virtual")) == "."
    ]
    edges = {canonical(p["name"]): _dependency_names(p.get("dependencies")) for p in packages}
    if roots:
        start = [n for root in roots for n in _dependency_names(root.get("dependencies"))]
        production = _closure(start, edges)
    else:
        lock.problems.append(_('names no project package (source = { editable = "." })'))
        production = set(edges)
    for package in packages:
        key = canonical(package["name"])
        if key in production:
            version = package.get("version")
            lock.packages[key] = LockedPackage(key, str(version) if version else None, lock.file)
    return lock
