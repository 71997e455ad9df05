"""
The packages Heroku's build installs: which package manager, which production pins.

Heroku's classic Python buildpack installs from exactly one of requirements.txt (pip),
Pipfile.lock (Pipenv), poetry.lock (Poetry) or uv.lock (uv) at the root of the pushed tree;
none, several, or a Pipfile without its lock fail the build, and so does a committed
virtualenv. An app whose heroku.yml has a ``build.docker`` section is built from its
Dockerfile instead, and none of this applies.

Source (read 2026-12-01): heroku/heroku-buildpack-python at b4e7e721dc39,
``lib/package_manager.sh`` (order, "several" and "none" errors, setup.py sunset) and
``lib/checks.sh`` ``checks::existing_venv_dir_present`` (.venv/ or venv/ with pyvenv.cfg).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deploytools.context import Context, memoized

if TYPE_CHECKING:
    from deploytools.facts.requirements_txt import Requirements

# The buildpack's order of detection, with what each file means.
MANAGER_FILES = (
    ("Pipfile.lock", "pipenv"),
    ("requirements.txt", "pip"),
    ("poetry.lock", "poetry"),
    ("uv.lock", "uv"),
)
# The command that installs what the build installs, on a developer's machine.
INSTALL_COMMANDS = {
    "pip": "pip install -r requirements.txt",
    "pipenv": "pipenv sync",
    "poetry": "poetry sync --only main",
    "uv": "uv sync --locked --no-default-groups",
}
VENV_NAMES = (".venv", "venv")
# heroku.yml: a top-level `build:` whose block has a `docker:` key.
_BUILD_KEY = re.compile(r"^build\s*:\s*(#.*)?$")
_DOCKER_KEY = re.compile(r"^\s+docker\s*:")


@dataclass(frozen=True)
class Pin:
    """A production package and the version the build installs (None: not one exact version)."""

    name: str  # canonical
    version: str | None
    source: str  # "requirements.txt:3", "poetry.lock"


@dataclass
class BuildPackages:
    """What Heroku's build would install for this tree."""

    manager: str | None  # "pip", "pipenv", "poetry", "uv"; None when the build would fail
    # The package manager files at the root, in the buildpack's order.
    files: list[str] = field(default_factory=list)
    # Why the build fails to pick one: "several", "none", "pipfile-without-lock", "setup-py-only",
    # or "configured-missing" (DEPLOYTOOLS["REQUIREMENTS_FILE"] names no file).
    problem: str = ""
    pins: dict[str, Pin] = field(default_factory=dict)
    # requirements.txt, parsed (E201 and W202 judge its lines), when pip is the manager.
    requirements: Requirements | None = None
    # Lines of lock files that could not be read: (file, problem).
    lock_problems: list[tuple[str, str]] = field(default_factory=list)
    # The Python version a Pipfile.lock asks for, if any.
    lock_python: str | None = None
    # A committed .venv/ or venv/ (a build error).
    committed_venvs: list[str] = field(default_factory=list)
    # Package manager files that exist but are no regular file (a FIFO, a device): the
    # buildpack's `[[ -f ... ]]` does not see them. (name, what it is) pairs.
    not_regular: list[tuple[str, str]] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return set(self.pins)

    @property
    def install_command(self) -> str:
        """How to install here what the build installs there."""
        return INSTALL_COMMANDS.get(self.manager or "pip", INSTALL_COMMANDS["pip"])

    def version(self, name: str) -> str | None:
        from deploytools.facts.requirement_lines import canonical

        pin = self.pins.get(canonical(name))
        return pin.version if pin else None


def is_container_app(tree: Path) -> bool:
    """Whether heroku.yml builds the app from a Dockerfile (``build: docker: ...``)."""
    from deploytools.facts.safe_read import read_text

    try:
        lines = read_text(tree / "heroku.yml", 1_000_000).splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    in_build = False
    for line in lines:
        if _BUILD_KEY.match(line):
            in_build = True
        elif line and not line[0].isspace():
            in_build = False
        elif in_build and _DOCKER_KEY.match(line):
            return True
    return False


def _requirement_pins(found: Requirements) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    for requirement in found.requirements:
        if requirement.name and requirement.applies:
            version = requirement.pinned_version or found.constraint_pin(requirement.name)
            pins.setdefault(requirement.name, Pin(requirement.name, version, requirement.obj))
    return pins


def _not_regular(tree: Path, names: list[str]) -> list[tuple[str, str]]:
    import stat

    from deploytools.facts.safe_read import file_kind

    found = []
    for name in names:
        try:
            mode = (tree / name).stat().st_mode
        except OSError:
            continue  # absent, or a dangling symlink: not there for the build either
        if not stat.S_ISREG(mode):
            found.append((name, file_kind(mode)))
    return found


def build_packages_of(tree: Path, requirements_file: str, python: str | None) -> BuildPackages:
    """The build's packages for the tree at ``tree``; markers evaluated for ``python``."""
    from deploytools.facts import lockfiles
    from deploytools.facts.requirements_txt import parse_requirements

    files = [name for name, _manager in MANAGER_FILES if (tree / name).is_file()]
    if requirements_file != "requirements.txt":
        # DEPLOYTOOLS["REQUIREMENTS_FILE"] names the file the project's build installs from.
        try:
            configured = (tree / requirements_file).is_file()
        except (OSError, ValueError):
            configured = False
        if not configured:
            return BuildPackages(None, [], problem="configured-missing")
        files = [f for f in files if f != "requirements.txt"]
        files.insert(0, requirements_file)
    found = BuildPackages(None, files)
    found.committed_venvs = [v for v in VENV_NAMES if (tree / v / "pyvenv.cfg").is_file()]
    found.not_regular = _not_regular(tree, [name for name, _manager in MANAGER_FILES])
    if len(files) > 1:
        found.problem = "several"
    elif not files:
        found.problem = (
            "pipfile-without-lock"
            if (tree / "Pipfile").is_file()
            else "setup-py-only"
            if (tree / "setup.py").is_file()
            else "none"
        )
    managers = dict(MANAGER_FILES)
    # With several files the build fails; still read the first, as the checks have to judge
    # something (the buildpack used to pick the first one).
    chosen = files[0] if files else None
    if chosen is None:
        return found
    manager = managers.get(chosen, "pip")
    found.manager = manager if not found.problem else None
    if manager == "pip":
        found.requirements = parse_requirements(tree / chosen, tree, python=python)
        found.pins = _requirement_pins(found.requirements)
        return found
    reader = {
        "pipenv": lockfiles.read_pipfile_lock,
        "poetry": lockfiles.read_poetry_lock,
        "uv": lockfiles.read_uv_lock,
    }[manager]
    lock = reader(tree / chosen)
    found.pins = {
        name: Pin(name, package.version, package.source) for name, package in lock.packages.items()
    }
    found.lock_problems = [(lock.file, problem) for problem in lock.problems]
    found.lock_python = lock.python
    return found


@memoized
def build_packages(context: Context) -> BuildPackages:
    """The packages the build installs for this run's tree (memoised per run)."""
    from deploytools.conf import conf
    from deploytools.facts.python_request import requested_python

    project = context.project
    request = requested_python(context)
    found = build_packages_of(
        project.tree, conf.requirements_file, request.version if request else None
    )
    if found.committed_venvs and not project.commit:
        # A working tree (manage.py check --deploy here) holds the usual ignored .venv/: only
        # a tracked one is pushed. An exported commit holds nothing untracked.
        from deploytools.facts.git_repository import tracked

        marked = tracked(project.tree, [f"{venv}/pyvenv.cfg" for venv in found.committed_venvs])
        if marked is not None:
            found.committed_venvs = [
                v for v in found.committed_venvs if f"{v}/pyvenv.cfg" in marked
            ]
    return found


def skip_container_app(context: Context) -> None:
    """Skipped for an app built from its Dockerfile: Heroku's Python buildpack does not run."""
    from django.utils.translation import gettext as _

    from deploytools.context import Skipped

    if is_container_app(context.project.tree):
        raise Skipped(
            _("a container app: heroku.yml builds the Dockerfile, not the Python buildpack")
        )
