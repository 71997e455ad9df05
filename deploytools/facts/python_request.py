"""
The Python version Heroku's build picks for the pushed tree, and the file it comes from.

The classic Python buildpack reads, in order: runtime.txt (deprecated, but it wins), then
.python-version, then Pipfile.lock's ``_meta.requires.python_full_version`` or
``python_version``; else a new app gets the buildpack's default (an existing one keeps the
major version of its cache, which only Heroku knows). A misspelled .python-version fails the
build.

Source (read 2026-12-01): heroku/heroku-buildpack-python at b4e7e721dc39 (v351),
``lib/python_version.sh`` ``python_version::read_requested_python_version`` and
``DEFAULT_PYTHON_FULL_VERSION`` (3.14.7, so a default request is "3.14").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deploytools.context import Context, memoized
from deploytools.facts.build_files import (
    PythonVersionFile,
    parse_python_version,
    parse_runtime_txt,
)

DEFAULT_PYTHON = "3.14"
# The misspellings the buildpack refuses (its MISSPELLED_PYTHON_VERSION_FILE_NAMES).
MISSPELLED_PYTHON_VERSION_FILES = (
    " .python-version",
    ". python-version",
    ".python_version.txt",
    ".python_version",
    ".python-version ",
    ",python-version",
    ".python-version.",
    ".python-version.py",
    ".python-version.rtf",
    ".python-version.txt",
    ".python-version.TXT",
    ".Python-version",
    ".python.version",
    ".pythonversion",
    "'.python-version'",
    "python_version.txt",
    "python_version",
    "python-version.",
    "python-version.txt",
    "python-version",
)


@dataclass(frozen=True)
class PythonRequest:
    """What the build asks for: a version ("3.13" or "3.13.1") and where it comes from."""

    version: str | None  # None when the file that wins holds no valid version
    origin: str  # "runtime.txt", ".python-version", "Pipfile.lock" or "default"
    runtime_txt: PythonVersionFile = field(default_factory=lambda: PythonVersionFile(False))
    python_version_file: PythonVersionFile = field(default_factory=lambda: PythonVersionFile(False))
    misspelled: tuple[str, ...] = ()

    @property
    def major_minor(self) -> str | None:
        return None if self.version is None else ".".join(self.version.split(".")[:2])


def requested_python_of(tree: Path) -> PythonRequest:
    """The Python version the buildpack would pick for the files of ``tree``."""
    runtime = parse_runtime_txt(tree / "runtime.txt")
    python_version = parse_python_version(tree / ".python-version")
    misspelled = tuple(name for name in MISSPELLED_PYTHON_VERSION_FILES if (tree / name).is_file())

    def request(version: str | None, origin: str) -> PythonRequest:
        return PythonRequest(version, origin, runtime, python_version, misspelled)

    if runtime.exists:
        return request(runtime.version, "runtime.txt")
    if python_version.exists:
        return request(python_version.version, ".python-version")
    if (tree / "Pipfile.lock").is_file() and not (tree / "requirements.txt").is_file():
        from deploytools.facts.lockfiles import read_pipfile_lock

        lock_python = read_pipfile_lock(tree / "Pipfile.lock").python
        if lock_python:
            return request(lock_python, "Pipfile.lock")
    return request(DEFAULT_PYTHON, "default")


@memoized
def requested_python(context: Context) -> PythonRequest:
    """The Python version the build picks for this run's tree (memoised per run)."""
    return requested_python_of(context.project.tree)
