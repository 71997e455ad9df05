"""
Which environment variables the settings read: ``os.environ`` replaced by a recording mapping.

The simulated dyno records the first import of the settings (the names the project's own
files read, and the project modules the import pulled in); a second evaluation
(:mod:`deploytools.facts.settings_reevaluation`) records again.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any


class RecordingEnviron(MutableMapping[str, str]):
    """
    ``os.environ`` stand-in that records each name looked up (``os.getenv`` goes through it).

    Writes go to the wrapped mapping: the real environment while the settings first load in
    the child, a copy of it when :mod:`deploytools.checks.settings` evaluates them again.
    """

    def __init__(self, environ: MutableMapping[str, str], *, callers: bool = False) -> None:
        self._environ = environ
        self.read: dict[str, None] = {}
        # With callers=True: for each name, the files of the code that read it.
        self.callers: dict[str, set[str]] | None = {} if callers else None

    def _record(self, key: str) -> None:
        self.read.setdefault(key)
        if self.callers is not None:
            self.callers.setdefault(key, set()).add(_caller_file())

    def __getitem__(self, key: str) -> str:
        self._record(key)
        return self._environ[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._record(key)
        return key in self._environ

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)

    def __setitem__(self, key: str, value: str) -> None:
        self._environ[key] = value

    def __delitem__(self, key: str) -> None:
        del self._environ[key]

    def setdefault(self, key: str, default: str = "") -> str:
        self._record(key)
        return self._environ.setdefault(key, default)

    def copy(self) -> dict[str, str]:
        return dict(self._environ)


def _caller_file() -> str:
    # The first frame outside os, collections.abc and this module: the code that read.
    skip = {__file__, os.__file__, getattr(sys.modules.get("_collections_abc"), "__file__", "")}
    frame = sys._getframe(1)
    while frame.f_back is not None and (
        frame.f_code.co_filename in skip or frame.f_code.co_filename.startswith("<frozen ")
    ):
        frame = frame.f_back
    return frame.f_code.co_filename


def _project_file(filename: str, base_dir: Path) -> bool:
    """True for a file of the project: under ``base_dir``, not in a virtualenv or deploytools."""
    if not os.path.isabs(filename):
        return False  # <frozen os>, <string>: not a file of the project
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    if not path.is_relative_to(base_dir.resolve()) or "site-packages" in path.parts:
        return False
    # deploytools itself is the tool, not the project.
    if path.is_relative_to(Path(__file__).resolve().parents[1]):
        return False
    installed = {Path(p).resolve() for p in sysconfig.get_paths().values()}
    return not any(path.is_relative_to(prefix) for prefix in installed)


def project_modules(names: set[str], base_dir: Path) -> list[str]:
    """The modules among ``names`` loaded from files of the project at ``base_dir``."""
    local = []
    for name in sorted(names):
        filename = getattr(sys.modules.get(name), "__file__", None)
        if filename and _project_file(filename, base_dir):
            local.append(name)
    return local


def load_settings_recorded(base_dir: Path) -> dict[str, Any]:
    """
    Import the settings for the first time with ``os.environ`` recorded.

    Returns the fields of :class:`~deploytools.context.SettingsRecording`: the
    environment as it was before the import (settings may write to it, e.g. with
    ``os.environ.setdefault``), the names read, and the project modules the import pulled in
    (``from base import *`` and the like), which a second evaluation must run again.
    """
    from django.conf import settings

    environ_before = dict(os.environ)
    modules_before = set(sys.modules)
    real_environ = os.environ
    recording = RecordingEnviron(real_environ, callers=True)
    os.environ = recording  # type: ignore[assignment]  # noqa: B003 - restored below
    try:
        # The first attribute read imports the settings module.
        settings.INSTALLED_APPS  # noqa: B018
    finally:
        os.environ = real_environ  # noqa: B003 - the original object, restored
    # Only the project's own reads: the libraries it imports (zoneinfo, sysconfig) read
    # variables of their own that no config needs.
    callers = recording.callers or {}
    reads = [
        name
        for name in recording.read
        if any(_project_file(filename, base_dir) for filename in callers.get(name, ()))
    ]
    return {
        "environ_before": environ_before,
        "reads": reads,
        "modules": project_modules(set(sys.modules) - modules_before, base_dir),
    }
