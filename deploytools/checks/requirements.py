"""
E201–I205: the production requirements (tag preflight): readable, pinned, complete, as tested.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.registry import Messages, check
from deploytools.conf import conf
from deploytools.context import Context
from deploytools.facts.build_files import command_tokens, console_scripts, executables
from deploytools.facts.project_files import is_local, procfile, requirements, requirements_or_skip
from deploytools.facts.settings_source import settings_source

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

# What the production database ENGINE needs installed; any one of each group will do.
DATABASE_DRIVERS: dict[str, tuple[str, ...]] = {
    "postgresql": ("psycopg2-binary", "psycopg2", "psycopg", "psycopg-binary"),
    "postgis": ("psycopg2-binary", "psycopg2", "psycopg", "psycopg-binary"),
    "mysql": ("mysqlclient",),
    "oracle": ("oracledb",),
}
URL_SCHEME_ENGINES = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "postgis": "postgis",
    "mysql": "mysql",
    "mysql2": "mysql",
    "mysqlgis": "mysql",
    "oracle": "oracle",
}
NOT_PINNED_HINT = gettext_lazy(
    "Pin the exact version that you tested, e.g. with: pip freeze | grep -i '^%(name)s=='"
)


# ---------------------------------------------------------------------------------------------
# E201 .. I205: requirements


@check(
    name="requirements_file",
    title=gettext_lazy("requirements.txt exists and every line parses"),
    ids={"E201": gettext_lazy("requirements.txt missing or a line unparseable (file:line)")},
    tags=TAGS,
)
def check_requirements_file(context: Context) -> Messages:
    """E201: the requirements file exists and pip can read every line of it and its includes."""
    found = requirements(context)
    name = conf.requirements_file
    if not found.exists:
        return [
            checks.Error(
                _("%(file)s is missing: Heroku's Python build needs it.") % {"file": name},
                hint=_("Create it from your environment: pip freeze > %(file)s") % {"file": name},
                obj=name,
                id="deploytools.E201",
            )
        ]
    context.evidence(
        _("%(count)d requirements in %(files)s")
        % {"count": len(found.requirements), "files": ", ".join(found.files)}
    )
    return [
        checks.Error(
            _("%(obj)s %(problem)s.") % {"obj": problem.obj, "problem": problem.problem},
            hint=_("Fix the line so that it installs: pip install -r %(file)s") % {"file": name},
            obj=problem.obj,
            id="deploytools.E201",
        )
        for problem in found.problems
    ]


@check(
    name="requirements_pinned",
    title=gettext_lazy("Every requirement is pinned with =="),
    ids={"W202": gettext_lazy("requirement not pinned with `==`")},
    tags=TAGS,
)
def check_requirements_pinned(context: Context) -> Messages:
    """W202: each requirement names one exact version (==, a VCS commit, a versioned archive)."""
    found = requirements_or_skip(context)
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
                hint=hint % {"name": label, "file": conf.requirements_file},
                obj=requirement.obj,
                id="deploytools.W202",
            )
        )
    return messages


def _needed_imports(context: Context) -> list[tuple[str, str]]:
    """(top-level import name, where it is referenced) for everything settings name."""
    source = settings_source(context)
    needed = list(source.imports)

    def add_dotted(value: object, where: str) -> None:
        if isinstance(value, str) and value and not value.startswith("ext://"):
            top = value.split(".")[0].split(":")[0]
            if top.isidentifier():
                needed.append((top, where))

    def items(value: object) -> Iterable[object]:
        return value if isinstance(value, list | tuple) else ()

    for setting in ("INSTALLED_APPS", "MIDDLEWARE", "AUTHENTICATION_BACKENDS", "PASSWORD_HASHERS"):
        for entry in items(getattr(settings, setting, ())):
            add_dotted(entry, f"settings.{setting}")
    for setting in (
        "WSGI_APPLICATION",
        "ASGI_APPLICATION",
        "ROOT_URLCONF",
        "EMAIL_BACKEND",
        "SESSION_ENGINE",
        "MESSAGE_STORAGE",
        "DEFAULT_AUTO_FIELD",
    ):
        add_dotted(getattr(settings, setting, None), f"settings.{setting}")
    for setting in ("STORAGES", "CACHES"):
        value = getattr(settings, setting, {})
        if isinstance(value, dict):
            for alias, config in value.items():
                if isinstance(config, dict):
                    add_dotted(config.get("BACKEND"), f"settings.{setting}[{alias!r}]")
    for entry in items(getattr(settings, "AUTH_PASSWORD_VALIDATORS", ())):
        if isinstance(entry, dict):
            add_dotted(entry.get("NAME"), "settings.AUTH_PASSWORD_VALIDATORS")
    for entry in items(getattr(settings, "TEMPLATES", ())):
        if isinstance(entry, dict):
            add_dotted(entry.get("BACKEND"), "settings.TEMPLATES")
            options = entry.get("OPTIONS")
            if isinstance(options, dict):
                for processor in items(options.get("context_processors")):
                    add_dotted(processor, "settings.TEMPLATES")
    databases = getattr(settings, "DATABASES", {})
    if isinstance(databases, dict):
        for alias, config in databases.items():
            if isinstance(config, dict):
                add_dotted(config.get("ENGINE"), f"settings.DATABASES[{alias!r}]")
    logging_config = getattr(settings, "LOGGING", {})
    if isinstance(logging_config, dict) and isinstance(logging_config.get("handlers"), dict):
        for handler in logging_config["handlers"].values():
            if isinstance(handler, dict):
                add_dotted(handler.get("class"), "settings.LOGGING")
    found = procfile(context)
    for kind, command in found.processes.items():
        tokens = command_tokens(command) or []
        where = f"Procfile:{found.lines[kind]}"
        for name, args in executables(tokens):
            if name.startswith("python") and len(args) >= 2 and args[0] == "-m":
                needed.append((args[1].split(".")[0], where))
            elif name not in ("python", "python3", "bash", "sh") and not name.startswith("python"):
                needed.append((f"script:{name}", where))
    return needed


def _production_engines(context: Context) -> dict[str, str]:
    """Database engine vendor -> where it comes from, for the production settings."""
    engines: dict[str, str] = {}
    databases = getattr(settings, "DATABASES", {})
    if isinstance(databases, dict):
        for alias, config in databases.items():
            engine = config.get("ENGINE") if isinstance(config, dict) else None
            if isinstance(engine, str):
                vendor = engine.rsplit(".", 1)[-1]
                if vendor in DATABASE_DRIVERS:
                    engines[vendor] = f"settings.DATABASES[{alias!r}]"
    url = context.environ.get("DATABASE_URL") if context.config_vars is not None else None
    if url and "://" in url:
        url_vendor = URL_SCHEME_ENGINES.get(url.split("://", 1)[0].lower())
        if url_vendor:
            engines.setdefault(url_vendor, "DATABASE_URL")
    elif settings_source(context).mentions_database_url:
        # Settings that read DATABASE_URL get Heroku Postgres on Heroku, whatever runs locally.
        engines.setdefault("postgresql", "DATABASE_URL (Heroku Postgres)")
    return engines


@check(
    name="requirements_complete",
    title=gettext_lazy("Everything the settings and Procfile import is in requirements.txt"),
    ids={
        "E203": gettext_lazy(
            "a distribution the settings, apps, middleware, database or Procfile need is "
            "not in requirements.txt"
        )
    },
    tags=TAGS,
)
def check_requirements_complete(context: Context) -> Messages:
    """E203: no ModuleNotFoundError on Heroku for what works here because it is installed."""
    from deploytools.facts.requirements_txt import (
        equivalents,
        import_providers,
        installed_closure,
        installed_version,
        is_stdlib,
    )

    found = requirements_or_skip(context)
    available = installed_closure(found.names)
    providers = import_providers()
    scripts = console_scripts()
    missing: dict[str, list[str]] = {}  # distribution (or "a or b") -> where referenced
    checked: set[str] = set()

    def need(distributions: Iterable[str], where: str) -> None:
        choices = sorted({e for d in distributions for e in equivalents(d)})
        checked.update(choices)
        if not available & set(choices):
            label = " or ".join(sorted(set(distributions)))
            missing.setdefault(label, [])
            if where not in missing[label]:
                missing[label].append(where)

    for name, where in _needed_imports(context):
        if name.startswith("script:"):
            script = name.removeprefix("script:")
            if script in scripts:
                need([scripts[script]], where)
            continue
        if is_stdlib(name) or is_local(context.project.tree, name) or name == "__future__":
            continue
        if name in providers:
            need(providers[name], where)
        else:
            from deploytools.facts.requirements_txt import canonical

            # Not installed here at all: only the requirements file can provide it.
            need([canonical(name)], where)
    for vendor, where in _production_engines(context).items():
        need(DATABASE_DRIVERS[vendor], where)
    context.evidence(_("%(count)d distributions checked") % {"count": len(checked)})
    messages: Messages = []
    file = conf.requirements_file
    for label, wheres in sorted(missing.items()):
        first = label.split(" or ")[0]
        version = installed_version(first)
        pin = f"{first}=={version}" if version else first
        messages.append(
            checks.Error(
                _(
                    "%(dist)s (used by %(where)s) is not in %(file)s: it works here, "
                    "but Heroku's build will not install it (ModuleNotFoundError)."
                )
                % {"dist": label, "where": ", ".join(wheres[:3]), "file": file},
                hint=_("Add it to %(file)s: echo '%(pin)s' >> %(file)s")
                % {"file": file, "pin": pin},
                obj=wheres[0],
                id="deploytools.E203",
            )
        )
    return messages


@check(
    name="requirements_installed",
    title=gettext_lazy("Installed versions match the pins"),
    ids={"W204": gettext_lazy("installed version differs from the pin")},
    tags=TAGS,
)
def check_requirements_installed(context: Context) -> Messages:
    """W204: what you tested (installed here) is what Heroku will install (the pin)."""
    from packaging.version import InvalidVersion, Version

    from deploytools.facts.requirements_txt import installed_version

    found = requirements_or_skip(context)
    messages: Messages = []
    compared = 0
    for requirement in found.requirements:
        if not requirement.applies or not requirement.name or requirement.pinned_version is None:
            continue
        compared += 1
        pin = requirement.pinned_version
        installed = installed_version(requirement.name)
        if installed is None:
            same = False
        else:
            try:
                same = Version(installed) == Version(pin)
            except InvalidVersion:
                same = installed == pin
        if same:
            continue
        messages.append(
            checks.Warning(
                _("%(obj)s pins %(name)s==%(pin)s but %(installed)s is installed here.")
                % {
                    "obj": requirement.obj,
                    "name": requirement.name,
                    "pin": pin,
                    "installed": installed or _("nothing"),
                },
                hint=_(
                    "Test what you ship: pip install -r %(file)s (or update the pin to the "
                    "version you tested)"
                )
                % {"file": conf.requirements_file},
                obj=requirement.obj,
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
    title=gettext_lazy("No test or development tools in production requirements"),
    ids={"I205": gettext_lazy("test/dev-only packages in production requirements")},
    tags=TAGS,
)
def check_requirements_dev_only(context: Context) -> Messages:
    """I205: test/dev tools (pytest, ruff, ...) belong in requirements-dev.txt."""
    found = requirements_or_skip(context)
    return [
        checks.Info(
            _("%(obj)s %(name)s is a test/development tool in production requirements.")
            % {"obj": requirement.obj, "name": requirement.name},
            hint=_(
                "Move it to requirements-dev.txt (which starts with -r %(file)s) to keep the "
                "slug small"
            )
            % {"file": conf.requirements_file},
            obj=requirement.obj,
            id="deploytools.I205",
        )
        for requirement in found.requirements
        if requirement.name and is_dev_only(requirement.name)
    ]
