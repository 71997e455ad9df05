"""
Which environment variables the settings read, and what they fall back to without them.

``os.environ`` is replaced by a :class:`RecordingEnviron` while the settings load: every
lookup is recorded with how it was made (``get`` with a default, ``[...]``, ``in``) and the
default given. Reads made through the config libraries Django projects use (django-environ,
python-decouple, dj-database-url, environs) count as the project's own, wherever the library
makes them; a library reading its own variables (requests, zoneinfo) does not. The defaults of
django-environ's ``Env.get_value`` and decouple's ``Config.get`` are recorded too, since those
libraries only show ``[...]`` or ``in`` to ``os.environ``.

The simulated dyno records the first import of the settings; a second evaluation
(:mod:`deploytools.facts.settings_reevaluation`) records again.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Modules that read the environment on the project's behalf (their top-level package names).
CONFIG_LIBRARIES = frozenset({"environ", "decouple", "dj_database_url", "environs", "envparse"})


class _Unknown:
    """The default of a read that gave none (``os.environ[NAME]``, ``"NAME" in os.environ``)."""

    def __repr__(self) -> str:
        return "<no default>"


NO_DEFAULT: Any = _Unknown()


@dataclass
class Read:
    """How the project read one variable: "get", "item", "contains" or "setdefault"."""

    name: str
    how: str
    default: Any = NO_DEFAULT

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT


class RecordingEnviron(MutableMapping[str, str]):
    """
    ``os.environ`` stand-in that records each name looked up (``os.getenv`` goes through it).

    Writes go to the wrapped mapping: the real environment while the settings first load in
    the child, a copy of it when they are evaluated again. With ``project_dir``, only the reads
    of the project's own code (directly or through a config library) are kept in ``reads``;
    ``every_read`` keeps all names.
    """

    def __init__(self, environ: MutableMapping[str, str], project_dir: Path | None = None) -> None:
        self._environ = environ
        self.project_dir = project_dir
        self.reads: dict[str, Read] = {}
        self.every_read: dict[str, None] = {}

    def record(self, key: str, how: str, default: Any = NO_DEFAULT) -> None:
        self.every_read.setdefault(key)
        if self.project_dir is not None and not _project_reads(self.project_dir):
            return
        known = self.reads.get(key)
        # The most telling read wins: one that names its default over a bare lookup.
        if known is None or (default is not NO_DEFAULT and not known.has_default):
            self.reads[key] = Read(key, how, default)

    def get(self, key: str, default: Any = None) -> Any:
        self.record(key, "get", default)
        return self._environ.get(key, default)

    def __getitem__(self, key: str) -> str:
        self.record(key, "item")
        return self._environ[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.record(key, "contains")
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
        self.record(key, "setdefault", default)
        return self._environ.setdefault(key, default)

    def copy(self) -> dict[str, str]:
        return dict(self._environ)

    @property
    def names(self) -> list[str]:
        return list(self.reads)


_SKIPPED_FILES = {__file__, os.__file__}


def _frames() -> Iterator[str]:
    frame: Any = sys._getframe(1)
    while frame is not None:
        yield frame.f_code.co_filename
        frame = frame.f_back


def _library_of(filename: str) -> str | None:
    """The top-level package a file of site-packages belongs to, else None."""
    parts = Path(filename).parts
    if "site-packages" in parts:
        index = parts.index("site-packages")
        if index + 1 < len(parts):
            return parts[index + 1].removesuffix(".py")
    return None


def _project_reads(project_dir: Path) -> bool:
    """
    Whether the code reading the environment now is the project's: its own file, or a config
    library called by it. Frames of os, collections.abc and this module are passed over.
    """
    collections_abc = getattr(sys.modules.get("_collections_abc"), "__file__", "")
    for filename in _frames():
        if filename in _SKIPPED_FILES or filename == collections_abc:
            continue
        if filename.startswith("<frozen "):
            continue
        if _project_file(filename, project_dir):
            return True
        if _library_of(filename) in CONFIG_LIBRARIES:
            continue
        # Any other library reading (requests, zoneinfo) reads for itself.
        return False
    return False


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


def _wrap(
    owner: Any, attribute: str, record: Callable[[tuple[Any, ...], dict[str, Any]], None]
) -> Callable[[], None]:
    original = getattr(owner, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        record(args, kwargs)
        return original(*args, **kwargs)

    setattr(owner, attribute, wrapper)
    return lambda: setattr(owner, attribute, original)


@contextlib.contextmanager
def recorded(recording: RecordingEnviron) -> Iterator[RecordingEnviron]:
    """
    Replace ``os.environ`` by ``recording`` (restored on exit), and record the defaults of the
    config libraries' own lookups.
    """
    import importlib.util

    restore: list[Callable[[], None]] = []
    real_environ = os.environ
    os.environ = recording  # type: ignore[assignment]  # noqa: B003 - restored below
    try:
        if importlib.util.find_spec("environ") is not None:
            with contextlib.suppress(Exception):
                import environ

                def env_read(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
                    var = kwargs.get("var", args[1] if len(args) > 1 else None)
                    default = kwargs.get("default", args[3] if len(args) > 3 else NO_DEFAULT)
                    if isinstance(default, environ.NoValue):
                        default = NO_DEFAULT
                    if isinstance(var, str):
                        recording.record(var, "get", default)

                restore.append(_wrap(environ.Env, "get_value", env_read))
                # Env.ENVIRON is os.environ as it was when django-environ was imported.
                previous = environ.Env.ENVIRON
                environ.Env.ENVIRON = recording
                restore.append(lambda: setattr(environ.Env, "ENVIRON", previous))
        if importlib.util.find_spec("decouple") is not None:
            with contextlib.suppress(Exception):
                import decouple

                def decouple_read(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
                    option = kwargs.get("option", args[1] if len(args) > 1 else None)
                    default = kwargs.get("default", args[2] if len(args) > 2 else NO_DEFAULT)
                    if isinstance(default, decouple.Undefined):
                        default = NO_DEFAULT
                    if isinstance(option, str):
                        recording.record(option, "get", default)

                restore.append(_wrap(decouple.Config, "get", decouple_read))
        yield recording
    finally:
        for undo in reversed(restore):
            undo()
        os.environ = real_environ  # noqa: B003 - the original object, restored


def load_settings_recorded(base_dir: Path) -> dict[str, Any]:
    """
    Import the settings for the first time with ``os.environ`` recorded.

    Returns the fields of :class:`~deploytools.context.SettingsRecording`: the environment as it
    was before the import (settings may write to it, e.g. with ``os.environ.setdefault``), the
    project's reads, the project modules the import pulled in (``from base import *`` and the
    like, which a second evaluation must run again), and every name read by anyone.
    """
    from django.conf import settings

    environ_before = dict(os.environ)
    modules_before = set(sys.modules)
    with recorded(RecordingEnviron(os.environ, project_dir=base_dir)) as recording:
        # The first attribute read imports the settings module.
        settings.INSTALLED_APPS  # noqa: B018
    return {
        "environ_before": environ_before,
        "reads": dict(recording.reads),
        "modules": project_modules(set(sys.modules) - modules_before, base_dir),
        "every_read": list(recording.every_read),
    }
