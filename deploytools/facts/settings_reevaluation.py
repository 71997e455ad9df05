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
from typing import Any

from django.utils.translation import gettext as _

from deploytools.context import Context, DynoContext, SettingsRecording, Skipped, memoized
from deploytools.facts.environment_reads import RecordingEnviron
from deploytools.facts.settings_values import settings_module_name


@dataclass(frozen=True)
class Reevaluation:
    """The outcome of running the settings module once more: its namespace and the names read."""

    namespace: dict[str, Any]
    read: list[str]


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
    import runpy

    module = settings_module_name()
    if not module:
        raise Skipped(_("the settings come from settings.configure(), not a module"))
    saved = {
        name: sys.modules[name]
        for name in _modules_to_reload(module, context)
        if name in sys.modules
    }
    before = set(sys.modules)
    real_environ = os.environ
    recording = RecordingEnviron(_environment_before(context))
    os.environ = recording  # type: ignore[assignment]  # noqa: B003 - restored below
    try:
        for name in saved:
            del sys.modules[name]
        namespace = runpy.run_module(module, run_name=module)
    except Exception as exc:  # noqa: BLE001 - a settings module can raise anything
        raise Skipped(
            _("evaluating %(module)s again raised %(error)s")
            % {"module": module, "error": type(exc).__name__}
        ) from None
    finally:
        os.environ = real_environ  # noqa: B003 - the original object, restored
        for name in set(sys.modules) - before:
            del sys.modules[name]
        sys.modules.update(saved)
    first = _recording(context)
    read = [*first.reads, *recording.read] if first is not None else recording.read
    return Reevaluation(namespace, list(dict.fromkeys(read)))
