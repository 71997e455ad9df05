"""
Evaluate the settings module once more, recording the environment variables it reads.

E105 compares the SECRET_KEY of a second evaluation with the first (a key generated at boot
differs); W106 judges the names read. In the simulated dyno the first import was recorded
too (:class:`~deploytools.context.SettingsRecording`), with the project modules it
pulled in, which the second evaluation runs again.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from deploytools.context import Context, DynoContext, SettingsRecording, Skipped, memoized
from deploytools.facts.environment_reads import Read, RecordingEnviron, recorded
from deploytools.facts.settings_values import settings_module_name


@dataclass(frozen=True)
class Reevaluation:
    """The outcome of running the settings module once more: its namespace and the reads."""

    namespace: dict[str, Any]
    reads: dict[str, Read]

    @property
    def read(self) -> list[str]:
        return list(self.reads)


def _recording(context: Context) -> SettingsRecording | None:
    return context.recording if isinstance(context, DynoContext) else None


def _modules_to_reload(module: str, context: Context) -> list[str]:
    recording = _recording(context)
    if recording is not None:
        # The simulated dyno noted every project module the first import pulled in
        # (``from base import *`` from anywhere in the project): all of them run again.
        return list(dict.fromkeys([module, *recording.modules]))
    # In process the settings were imported before deploytools ran: best effort, a settings
    # package (proj/settings/{base,production}.py) whose siblings hold the env reads.
    package = module.rpartition(".")[0]
    reload = [module]
    if package.rpartition(".")[2] in {"settings", "config", "conf"}:
        reload += [name for name in list(sys.modules) if name.startswith(package + ".")]
    return list(dict.fromkeys(reload))


def _environment_before(context: Context) -> dict[str, str]:
    # A copy, never the live os.environ: the first evaluation may have written to it
    # (SECRET_KEY = os.environ.setdefault("K", random)), and a second one must not.
    recording = _recording(context)
    return dict(recording.environ_before) if recording is not None else dict(os.environ)


@memoized
def reevaluate_settings(context: Context) -> Reevaluation:
    """
    Run settings.SETTINGS_MODULE again, with its project modules, against a recording copy of
    the environment as it was before the settings first loaded.
    """
    import importlib

    module = settings_module_name()
    if not module:
        raise Skipped(_("the settings come from settings.configure(), not a module"))
    saved = {
        name: sys.modules[name]
        for name in _modules_to_reload(module, context)
        if name in sys.modules
    }
    before = set(sys.modules)
    recording = RecordingEnviron(_environment_before(context), project_dir=_project_dir(context))
    try:
        for name in saved:
            del sys.modules[name]
        with recorded(recording):
            # A fresh import, not runpy: a settings package (settings/__init__.py) runs too.
            namespace = dict(vars(importlib.import_module(module)))
    except Exception as exc:  # noqa: BLE001 - a settings module can raise anything
        raise Skipped(
            _("evaluating %(module)s again raised %(error)s")
            % {"module": module, "error": type(exc).__name__}
        ) from None
    finally:
        for name in set(sys.modules) - before:
            del sys.modules[name]
        sys.modules.update(saved)
    first = _recording(context)
    reads = {**recording.reads, **first.reads} if first is not None else recording.reads
    return Reevaluation(namespace, reads)


def _project_dir(context: Context) -> Path | None:
    """Whose reads count: the project's in the simulated dyno; in process, everyone's."""
    # In process the settings were imported before deploytools ran, by code whose files may be
    # anywhere (a slug's /app, a checkout): every read of the second evaluation counts.
    return context.project.tree if isinstance(context, DynoContext) else None
