"""
Which production config vars something reads: the platform and Heroku's build, the production
settings as the simulated dyno loaded them (every read, the libraries' included), the files of
the commit to push (Procfile, gunicorn.conf.py, scripts, the apps' code) and the source of the
packages the build installs (a library that reads its variable at run time, e.g. an agent).

A config var none of them mentions is a leftover: a setting renamed in the code while the old
name stays set in production, where it silently does nothing (I117).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from deploytools.facts.safe_read import read_bytes

# Read by Heroku itself, not by the app's code. Sources (read 2026-12-01):
# heroku/heroku-buildpack-python at b4e7e721dc39 -- bin/steps/collectstatic
# (DISABLE_COLLECTSTATIC, DEBUG_COLLECTSTATIC), bin/compile (BUILDPACK_XTRACE),
# vendor/WEB_CONCURRENCY.sh and lib/*.sh (WEB_CONCURRENCY, GUNICORN_CMD_ARGS,
# FORWARDED_ALLOW_IPS, PYTHONPATH); devcenter.heroku.com/articles/error-pages (ERROR_PAGE_URL,
# MAINTENANCE_PAGE_URL, read by the router); devcenter.heroku.com/articles/heroku-postgresql
# (DATABASE_URL, set by the add-on).
PLATFORM_NAMES = frozenset(
    {
        "BUILDPACK_XTRACE",
        "DATABASE_URL",
        "DEBUG_COLLECTSTATIC",
        "DISABLE_COLLECTSTATIC",
        "DYNO",
        "ERROR_PAGE_URL",
        "FORWARDED_ALLOW_IPS",
        "LANG",
        "LD_LIBRARY_PATH",
        "MAINTENANCE_PAGE_URL",
        "PATH",
        "PORT",
        "TZ",
        "WEB_CONCURRENCY",
    }
)
# Families read by the platform (HEROKU_ dyno metadata and Postgres attachments), by Python,
# by the build's installers (pip, uv, Poetry and Pipenv read their own settings from the
# environment, e.g. PIP_EXTRA_INDEX_URL for a private index) and by libpq, compiled code
# that no .py file shows (PGSSLMODE, PGCONNECT_TIMEOUT:
# https://www.postgresql.org/docs/current/libpq-envars.html).
PLATFORM_PREFIXES = (
    "HEROKU_",
    "PYTHON",
    "PIP_",
    "UV_",
    "POETRY_",
    "PIPENV_",
    "GUNICORN_",
    "LC_",
    "PG",
)

# A file larger than this is data, not code that reads a variable.
SOURCE_CAP = 1_000_000
TEXT_SUFFIXES = frozenset(
    {"", ".py", ".cfg", ".conf", ".ini", ".json", ".sh", ".toml", ".txt", ".yaml", ".yml"}
)


def read_by_the_platform(name: str) -> bool:
    return name in PLATFORM_NAMES or name.startswith(PLATFORM_PREFIXES)


def _mentioned(names: set[str], texts: Iterable[bytes]) -> set[str]:
    """The ``names`` that occur as a whole word in any of ``texts``."""
    if not names:
        return set()
    pattern = re.compile(
        rb"(?<![A-Za-z0-9_])("
        + b"|".join(map(re.escape, map(str.encode, sorted(names))))
        + rb")(?![A-Za-z0-9_])"
    )
    found: set[str] = set()
    for text in texts:
        found.update(match.decode() for match in pattern.findall(text))
        if found == names:
            break
    return found


def _read_all(paths: Iterable[Path]) -> Iterator[bytes]:
    for path in paths:
        try:
            yield read_bytes(path, SOURCE_CAP)
        except OSError:
            continue  # a socket, a huge file, a broken symlink: not source that reads a config var


def tree_sources(tree: Path, files: Iterable[str]) -> Iterator[Path]:
    """The text files among ``files`` (paths relative to ``tree``) that may read a variable."""
    for name in files:
        path = tree / name
        if path.suffix in TEXT_SUFFIXES or name.startswith("bin/"):
            yield path


def distribution_sources(names: Iterable[str]) -> Iterator[Path]:
    """The Python files of the installed distributions ``names`` (those installed here)."""
    for name in sorted(set(names)):
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in distribution.files or ():
            if file.suffix == ".py":
                yield Path(str(distribution.locate_file(file)))


def unread(
    config_names: Iterable[str],
    settings_reads: Iterable[str],
    tree: Path,
    tree_files: Iterable[str],
    distributions: Iterable[str],
) -> list[str]:
    """The config vars nothing reads, in name order; the cheap sources are asked first."""
    left = {name for name in config_names if not read_by_the_platform(name)}
    left -= set(settings_reads)
    left -= _mentioned(left, _read_all(tree_sources(tree, tree_files)))
    left -= _mentioned(left, _read_all(distribution_sources(distributions)))
    return sorted(left)


def walk_files(tree: Path) -> list[str]:
    """Every file under ``tree`` (outside a git checkout), skipping .git and virtualenvs."""
    found: list[str] = []
    for folder, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git" and not (Path(folder, d) / "pyvenv.cfg").exists()]
        found.extend(Path(folder, f).relative_to(tree).as_posix() for f in files)
    return found
