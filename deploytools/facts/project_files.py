"""
The project files several checks read, parsed once per run: the requirements, the Procfile,
the files git tracks. Each reader never raises on bad input: problems come back as data.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from deploytools.conf import conf
from deploytools.context import Context, Skipped, memoized

if TYPE_CHECKING:
    from deploytools.facts.build_files import Procfile
    from deploytools.facts.requirements_txt import Requirements


@memoized
def requirements(context: Context) -> Requirements:
    """The requirements file (DEPLOYTOOLS["REQUIREMENTS_FILE"]) and its includes, parsed."""
    from deploytools.facts.requirements_txt import parse_requirements

    tree = context.project.tree
    return parse_requirements(tree / conf.requirements_file, tree)


def requirements_or_skip(context: Context) -> Requirements:
    found = requirements(context)
    if not found.exists:
        raise Skipped(_("%(file)s is missing (E201)") % {"file": conf.requirements_file})
    return found


@memoized
def procfile(context: Context) -> Procfile:
    """The Procfile at the root of what is pushed, as Heroku reads it."""
    from deploytools.facts.build_files import parse_procfile

    return parse_procfile(context.project.tree / "Procfile")


@memoized
def tracked_files(context: Context) -> list[str] | None:
    """Files git tracks (posix paths relative to the root), or None outside a checkout."""
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--cached"],
            cwd=context.project.root,
            capture_output=True,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return [os.fsdecode(entry) for entry in proc.stdout.split(b"\0") if entry]


def is_local(folder: Path, top: str) -> bool:
    """Whether the import name ``top`` is a package or module of the project in ``folder``."""
    return (folder / top).is_dir() or (folder / f"{top}.py").is_file()
