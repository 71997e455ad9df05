"""
E201–I205: the packages Heroku's build installs (tag preflight): a package manager file it can
read, pinned versions, everything the app imports, the versions tested here, no dev tools.

Whatever the package manager — requirements.txt, Pipfile.lock, poetry.lock or uv.lock — the
checks judge the production packages the build installs from it
(:mod:`deploytools.facts.package_manager`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.context import Context, Skipped
from deploytools.facts.package_manager import BuildPackages, build_packages, skip_container_app
from deploytools.location import FileLine

TAGS = ["preflight"]

# Test and development tools that a production slug does not need (I205). Names are canonical
# (PEP 503); prefixes catch plugin families.
DEV_ONLY_PACKAGES = frozenset(
    {
        "autopep8",
        "bandit",
        "black",
        "coverage",
        "django-debug-toolbar",
        "django-stubs",
        "factory-boy",
        "faker",
        "flake8",
        "freezegun",
        "hypothesis",
        "ipdb",
        "ipython",
        "isort",
        "model-bakery",
        "mypy",
        "nox",
        "pdbpp",
        "pip-tools",
        "pre-commit",
        "pylint",
        "pyright",
        "pytest",
        "responses",
        "ruff",
        "time-machine",
        "tox",
        "trustme",
        "vcrpy",
        "yapf",
    }
)
DEV_ONLY_PREFIXES = ("pytest-", "flake8-", "types-", "mypy-", "django-stubs-")

NOT_PINNED_HINT = gettext_lazy(
    "Pin the exact version that you tested, e.g. with: pip freeze | grep -i '^%(name)s=='"
)
MANAGER_NAMES = {"pip": "pip", "pipenv": "Pipenv", "poetry": "Poetry", "uv": "uv"}
# How each package manager adds a package (E203's hint).
ADD_COMMANDS = {
    "pip": "echo '%(pin)s' >> %(file)s",
    "pipenv": "pipenv install '%(pin)s'",
    "poetry": "poetry add '%(pin)s'",
    "uv": "uv add '%(pin)s'",
}


def _packages(context: Context) -> BuildPackages:
    skip_container_app(context)
    return build_packages(context)


def _missing_file(packages: BuildPackages) -> Messages:
    problem = packages.problem
    if problem == "configured-missing":
        from deploytools.conf import conf

        text = _("%(file)s (DEPLOYTOOLS['REQUIREMENTS_FILE']) is missing.") % {
            "file": conf.requirements_file
        }
        hint = _("Create it, or remove REQUIREMENTS_FILE from settings.DEPLOYTOOLS")
        obj = conf.requirements_file
    elif problem == "pipfile-without-lock":
        text = _("Pipfile has no Pipfile.lock: Heroku's build refuses to install it unlocked.")
        hint = _("Lock it and commit the lock: pipenv lock && git add Pipfile.lock")
        obj = "Pipfile"
    elif problem == "setup-py-only":
        text = _("Only a setup.py and no package manager file: Heroku's build fails.")
        hint = _("Install the project from it: echo '--editable .' > requirements.txt")
        obj = "setup.py"
    else:
        text = _(
            "No requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the root of the "
            "repository: Heroku's build fails."
        )
        hint = _("Create one from your environment and commit it: pip freeze > requirements.txt")
        obj = "requirements.txt"
        for name, kind in packages.not_regular:
            text += " " + _(
                "%(file)s exists but is not a regular file (%(kind)s): the build does not read it."
            ) % {"file": name, "kind": kind}
            obj = name
    return [checks.Error(text, hint=hint, obj=obj, id="deploytools.E201")]


@check(
    name="requirements_file",
    title=gettext_lazy("The build's package manager file exists and reads"),
    ids={
        "E201": gettext_lazy(
            "no package manager file the build can install from, or one that does not read "
            "(file:line)"
        )
    },
    tags=TAGS,
)
def check_requirements_file(context: Context) -> Messages:
    """E201: requirements.txt (every line and include) or the lock file can be read."""
    packages = _packages(context)
    if packages.problem == "several":
        raise Skipped(_("several package manager files (E216)"))
    if not packages.files:
        return _missing_file(packages)
    file = packages.files[0]
    context.evidence(
        _("%(count)d packages from %(file)s (%(manager)s)")
        % {
            "count": len(packages.pins),
            "file": ", ".join(packages.requirements.files) if packages.requirements else file,
            "manager": MANAGER_NAMES.get(packages.manager or "", "pip"),
        }
    )
    if packages.requirements is not None:
        return [
            checks.Error(
                _("%(obj)s %(problem)s.") % {"obj": problem.obj, "problem": problem.problem},
                hint=_("Fix the line so that it installs: pip install -r %(file)s")
                % {"file": file},
                obj=problem.obj,
                id="deploytools.E201",
            )
            for problem in packages.requirements.problems
        ]
    regenerate = {"pipenv": "pipenv lock", "poetry": "poetry lock", "uv": "uv lock"}
    return [
        checks.Error(
            _("%(file)s %(problem)s: Heroku's build cannot install from it.")
            % {"file": lock, "problem": problem},
            hint=_("Regenerate it and commit it: %(command)s")
            % {"command": regenerate.get(packages.manager or "", "pip freeze")},
            obj=FileLine(lock),
            id="deploytools.E201",
        )
        for lock, problem in packages.lock_problems
    ]


@check(
    name="requirements_pinned",
    title=gettext_lazy("Every requirement is pinned with =="),
    ids={"W202": gettext_lazy("requirement not pinned with `==`")},
    tags=TAGS,
)
def check_requirements_pinned(context: Context) -> Messages:
    """W202: each requirement names one exact version (==, a VCS commit, a versioned archive)."""
    packages = _packages(context)
    found = packages.requirements
    if found is None:
        raise Skipped(
            _("%(file)s pins every package it installs") % {"file": packages.files[0]}
            if packages.files
            else _("no package manager file (E201)")
        )
    messages: Messages = []
    for requirement in found.requirements:
        if requirement.pinned:
            continue
        if requirement.name and found.constraint_pin(requirement.name):
            continue
        label = requirement.name or requirement.text[:80]
        if requirement.kind in ("vcs", "url"):
            msg = _(
                "%(obj)s %(name)s is a %(kind)s requirement that names no commit or version: "
                "each build may install different code."
            )
            hint = _(
                "Point it at a commit or a version tag, e.g. git+https://…/repo.git@<commit>#egg="
                "%(name)s, in %(file)s"
            )
        else:
            msg = _("%(obj)s %(name)s is not pinned with == (%(kind)s): each build may differ.")
            hint = str(NOT_PINNED_HINT)
        messages.append(
            checks.Warning(
                msg
                % {
                    "obj": requirement.obj,
                    "name": label,
                    "kind": requirement.specifier or requirement.kind,
                },
                hint=hint % {"name": label, "file": packages.files[0]},
                obj=requirement.obj,
                id="deploytools.W202",
            )
        )
    return messages


def _add_hint(packages: BuildPackages, distribution: str, module: str) -> str:
    """A command that adds the package; with a version only when that version is installable."""
    from deploytools.facts.installed import installed_from_index, installed_version

    file = packages.files[0] if packages.files else "requirements.txt"
    version = installed_version(distribution)
    if version and installed_from_index(distribution):
        command = ADD_COMMANDS.get(packages.manager or "pip", ADD_COMMANDS["pip"])
        return _("Add it, at the version tested here: %(command)s") % {
            "command": command % {"pin": f"{distribution}=={version}", "file": file}
        }
    return _(
        "Add the package that provides %(module)s to %(file)s, at the version you tested "
        "(it is not installed here from a package index, so no version can be suggested)"
    ) % {"module": module, "file": file}


@check(
    name="requirements_complete",
    title=gettext_lazy("Everything the production app imports is installed by the build"),
    ids={
        "E203": gettext_lazy(
            "a package the production settings, apps, middleware, database or Procfile need "
            "is not installed by the build"
        )
    },
    tags=TAGS,
    production_settings=True,
)
def check_requirements_complete(context: Context) -> Messages:
    """E203: nothing the dyno imports at boot is missing from what the build installs."""
    packages = _packages(context)
    if not packages.pins and not packages.files:
        raise Skipped(_("no package manager file (E201)"))
    missing = _missing_distributions(context, packages)
    file = packages.files[0] if packages.files else "requirements.txt"
    return [
        checks.Error(
            _(
                "%(dist)s (used by %(where)s) is not among the packages %(file)s installs: "
                "the dyno fails with ModuleNotFoundError."
            )
            % {"dist": label, "where": ", ".join(wheres[:3]), "file": file},
            hint=_add_hint(packages, label.split(" or ")[0], module),
            obj=wheres[0],
            id="deploytools.E203",
        )
        for label, (module, wheres) in sorted(missing.items())
    ]


def _missing_distributions(
    context: Context, packages: BuildPackages
) -> dict[str, tuple[str, list[str]]]:
    """
    What the dyno imports that the build does not install: "dist or equivalent" -> (the
    module imported, where the project names it).
    """
    from deploytools.facts.build_files import console_scripts
    from deploytools.facts.installed import (
        distribution_candidates,
        equivalents,
        installed_closure,
        is_stdlib,
    )
    from deploytools.facts.needed_imports import (
        DATABASE_DRIVERS,
        needed_imports,
        production_engines,
    )
    from deploytools.facts.project_files import is_local

    available = installed_closure(packages.names) | packages.names
    scripts = console_scripts()
    missing: dict[str, tuple[str, list[str]]] = {}

    def need(distributions: Iterable[str], module: str, where: str) -> None:
        choices = {e for d in distributions for e in equivalents(d)}
        if not available & choices:
            label = " or ".join(sorted(set(distributions)))
            wheres = missing.setdefault(label, (module, []))[1]
            if where not in wheres:
                wheres.append(where)

    project = context.project
    for needed in needed_imports(context):
        name, where = needed.name, needed.where
        if name.startswith("script:"):
            script = name.removeprefix("script:")
            if script in scripts:
                need([scripts[script]], script, where)
            continue
        if name == "__future__" or is_stdlib(name):
            continue
        if is_local(project.app_dir, name) or is_local(project.tree, name):
            continue
        need(distribution_candidates(name), name, where)
    for vendor, where in production_engines(context).items():
        need(DATABASE_DRIVERS[vendor], DATABASE_DRIVERS[vendor][0], where)
    context.evidence(_("%(count)d packages installed by the build") % {"count": len(available)})
    return missing


@check(
    name="requirements_installed",
    title=gettext_lazy("Installed versions match the build's"),
    ids={"W204": gettext_lazy("installed version differs from the one the build installs")},
    tags=TAGS,
)
def check_requirements_installed(context: Context) -> Messages:
    """W204: what you tested (installed here) is what Heroku will install (the pin)."""
    from packaging.version import InvalidVersion, Version

    from deploytools.facts.installed import installed_version

    packages = _packages(context)
    messages: Messages = []
    compared = 0
    for pin in packages.pins.values():
        if pin.version is None:
            continue
        compared += 1
        installed = installed_version(pin.name)
        try:
            same = installed is not None and Version(installed) == Version(pin.version)
        except InvalidVersion:
            same = installed == pin.version
        if same:
            continue
        messages.append(
            checks.Warning(
                _("%(obj)s installs %(name)s==%(pin)s but %(installed)s is installed here.")
                % {
                    "obj": pin.source,
                    "name": pin.name,
                    "pin": pin.version,
                    "installed": installed or _("nothing"),
                },
                hint=_(
                    "Test what you ship: %(command)s (or change the version to the one you tested)"
                )
                % {"command": packages.install_command},
                obj=pin.source,
                id="deploytools.W204",
            )
        )
    context.evidence(_("%(count)d pins compared") % {"count": compared})
    return messages


def is_dev_only(name: str) -> bool:
    """Whether ``name`` (canonical) is a test or development tool (I205's documented list)."""
    return name in DEV_ONLY_PACKAGES or name.startswith(DEV_ONLY_PREFIXES)


@check(
    name="requirements_dev_only",
    title=gettext_lazy("No test or development tools among the production packages"),
    ids={"I205": gettext_lazy("test/dev-only packages among the production packages")},
    tags=TAGS,
)
def check_requirements_dev_only(context: Context) -> Messages:
    """I205: test/dev tools (pytest, ruff, ...) belong in a dev file or group."""
    packages = _packages(context)
    where = {
        "pip": _("requirements-dev.txt (which starts with -r requirements.txt)"),
        "pipenv": _("[dev-packages] of the Pipfile"),
        "poetry": _("a dev group (poetry add --group dev)"),
        "uv": _("a dev dependency group (uv add --dev)"),
    }.get(packages.manager or "pip", "")
    return [
        checks.Info(
            _("%(obj)s %(name)s is a test/development tool among the production packages.")
            % {"obj": pin.source, "name": pin.name},
            hint=_("Move it to %(where)s to keep the slug small") % {"where": where},
            obj=pin.source,
            id="deploytools.I205",
        )
        for pin in packages.pins.values()
        if is_dev_only(pin.name)
    ]
