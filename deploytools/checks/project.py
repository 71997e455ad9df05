"""
2xx: project files (tag preflight).

Each check reads files under the project root (``context.base_dir``): requirements.txt,
.python-version/runtime.txt, Procfile, app.json, .gitignore/.slugignore and the settings source.
Parsing is shared through ``context.memo`` and never raises on bad input: a file that cannot be
read is a check message with its file and line.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deploytools.checks.git import skip_on_a_dyno
from deploytools.checks.registry import Context, Messages, Skipped, context_of, deploytools_check
from deploytools.checks.settings import readable_setting
from deploytools.conf import conf

if TYPE_CHECKING:
    from deploytools.projectfiles import Procfile
    from deploytools.requirements import Requirements

TAGS = ["preflight"]
MODULE_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")

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
# Commands that run another command given after their own options.
WRAPPERS = {
    "exec",
    "env",
    "newrelic-admin",
    "run-program",
    "ddtrace-run",
    "opentelemetry-instrument",
}
WEB_SERVERS = {"gunicorn", "uvicorn", "waitress-serve", "daphne", "hypercorn", "granian"}

NOT_PINNED_HINT = gettext_lazy(
    "Pin the exact version that you tested, e.g. with: pip freeze | grep -i '^%(name)s=='"
)


# ---------------------------------------------------------------------------------------------
# Shared parsing


def _requirements(context: Context) -> Requirements:
    from deploytools.requirements import parse_requirements

    def compute() -> Requirements:
        return parse_requirements(context.base_dir / conf.requirements_file, context.base_dir)

    result: Requirements = context.memo("project.requirements", compute)
    return result


def _requirements_or_skip(context: Context) -> Requirements:
    found = _requirements(context)
    if not found.exists:
        raise Skipped(_("%(file)s is missing (E201)") % {"file": conf.requirements_file})
    return found


def _procfile(context: Context) -> Procfile:
    from deploytools.projectfiles import parse_procfile

    result: Procfile = context.memo(
        "project.procfile", lambda: parse_procfile(context.base_dir / "Procfile")
    )
    return result


def _tracked_files(context: Context) -> list[str] | None:
    """Files git tracks under base_dir (relative posix paths), or None outside a checkout."""

    def compute() -> list[str] | None:
        try:
            proc = subprocess.run(
                ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--cached"],
                cwd=context.base_dir,
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

    result: list[str] | None = context.memo("project.tracked_files", compute)
    return result


def _settings_module_name(context: Context) -> str | None:
    name = context.options.get("settings_module") or getattr(settings, "SETTINGS_MODULE", None)
    return name if isinstance(name, str) and MODULE_RE.match(name) else None


def _is_local(base_dir: Path, top: str) -> bool:
    return (base_dir / top).is_dir() or (base_dir / f"{top}.py").is_file()


def _module_file(base_dir: Path, module: str) -> Path | None:
    """The source file of ``module``: under the project first, else wherever it imports from."""
    relative = Path(*module.split("."))
    for candidate in (base_dir / relative.with_suffix(".py"), base_dir / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    if _is_local(base_dir, module.split(".")[0]):
        return None
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


class SettingsSource:
    """What the settings source files say: imports and literal SECRET_KEYs, with lines."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.imports: list[tuple[str, str]] = []  # (top-level name, "file:line")
        self.literal_secret_keys: list[str] = []  # "file:line"
        self.mentions_database_url = False
        self.problems: list[str] = []


def _display(path: Path, base_dir: Path) -> str:
    try:
        return path.relative_to(base_dir).as_posix()
    except ValueError:
        return str(path)


def _settings_source(context: Context) -> SettingsSource:
    def compute() -> SettingsSource:
        source = SettingsSource()
        module = _settings_module_name(context)
        if module:
            _read_settings_file(context.base_dir, module, source, set())
        return source

    result: SettingsSource = context.memo("project.settings_source", compute)
    return result


def _is_environ_get(node: ast.expr) -> bool:
    """os.environ.get(...), os.getenv(...), environ.get(...), getenv(...), env.str(...)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "getenv"
    if isinstance(func, ast.Attribute):
        return func.attr in {"get", "getenv", "setdefault"} and (
            (isinstance(func.value, ast.Attribute) and func.value.attr == "environ")
            or (isinstance(func.value, ast.Name) and func.value.id in {"os", "environ"})
        )
    return False


def _literal_secret(node: ast.expr | None) -> bool:
    """A non-empty string literal, directly or as the default/fallback of an env lookup."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.BoolOp):
        return any(_literal_secret(value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _literal_secret(node.body) or _literal_secret(node.orelse)
    if isinstance(node, ast.Call) and _is_environ_get(node):
        defaults = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "default")]
        return any(_literal_secret(value) for value in defaults)
    return False


def _read_settings_file(
    base_dir: Path, module: str, source: SettingsSource, seen: set[str]
) -> None:
    if module in seen or len(seen) > 50:
        return
    seen.add(module)
    path = _module_file(base_dir, module)
    if path is None:
        return
    display = _display(path, base_dir)
    source.files.append(display)
    try:
        text = path.read_bytes()
        tree = ast.parse(text, filename=display)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        source.problems.append(f"{display}: {type(exc).__name__}")
        return
    if b"DATABASE_URL" in text:
        source.mentions_database_url = True
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    follow: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                source.imports.append((alias.name.split(".")[0], f"{display}:{node.lineno}"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
                if node.module:
                    follow.append(target)
                continue
            if node.module:
                top = node.module.split(".")[0]
                source.imports.append((top, f"{display}:{node.lineno}"))
                if _is_local(base_dir, top):
                    follow.append(node.module)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "SECRET_KEY" for t in targets) and (
                _literal_secret(node.value)
            ):
                source.literal_secret_keys.append(f"{display}:{node.lineno}")
    # Settings split into modules (base.py + production.py) import each other: read those too.
    for target in follow:
        if _is_local(base_dir, target.split(".")[0]):
            _read_settings_file(base_dir, target, source, seen)


# ---------------------------------------------------------------------------------------------
# E201 .. I205: requirements


@deploytools_check(
    name="requirements_file",
    title=gettext_lazy("requirements.txt exists and every line parses"),
    ids=["E201"],
    tags=TAGS,
)
def check_requirements_file(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E201: the requirements file exists and pip can read every line of it and its includes."""
    context = context_of(kwargs)
    found = _requirements(context)
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


@deploytools_check(
    name="requirements_pinned",
    title=gettext_lazy("Every requirement is pinned with =="),
    ids=["W202"],
    tags=TAGS,
)
def check_requirements_pinned(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W202: each requirement names one exact version (==, a VCS commit, a versioned archive)."""
    context = context_of(kwargs)
    found = _requirements_or_skip(context)
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


@functools.cache
def _console_scripts() -> dict[str, str]:
    from importlib import metadata

    from deploytools.requirements import canonical

    found: dict[str, str] = {}
    for entry_point in metadata.entry_points(group="console_scripts"):
        dist = getattr(entry_point, "dist", None)
        if dist is not None and entry_point.name not in found:
            found[entry_point.name] = canonical(dist.metadata["Name"] or "")
    return found


def _command_tokens(command: str) -> list[str] | None:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return None


def _executables(tokens: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(executable, its arguments) for a command and the commands that wrappers run."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", token):
            index += 1
            continue
        name = token.rsplit("/", 1)[-1]
        yield name, tokens[index + 1 :]
        if name not in WRAPPERS:
            return
        index += 1
        # Skip the wrapper's own options and its sub-command word (newrelic-admin run-program).
        while index < len(tokens) and (
            tokens[index].startswith("-") or tokens[index] == "run-program"
        ):
            index += 1


def _needed_imports(context: Context) -> list[tuple[str, str]]:
    """(top-level import name, where it is referenced) for everything settings name."""
    source = _settings_source(context)
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
    procfile = _procfile(context)
    for kind, command in procfile.processes.items():
        tokens = _command_tokens(command) or []
        where = f"Procfile:{procfile.lines[kind]}"
        for name, args in _executables(tokens):
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
    elif _settings_source(context).mentions_database_url:
        # Settings that read DATABASE_URL get Heroku Postgres on Heroku, whatever runs locally.
        engines.setdefault("postgresql", "DATABASE_URL (Heroku Postgres)")
    return engines


@deploytools_check(
    name="requirements_complete",
    title=gettext_lazy("Everything the settings and Procfile import is in requirements.txt"),
    ids=["E203"],
    tags=TAGS,
)
def check_requirements_complete(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E203: no ModuleNotFoundError on Heroku for what works here because it is installed."""
    from deploytools.requirements import (
        equivalents,
        import_providers,
        installed_closure,
        installed_version,
        is_stdlib,
    )

    context = context_of(kwargs)
    found = _requirements_or_skip(context)
    available = installed_closure(found.names)
    providers = import_providers()
    scripts = _console_scripts()
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
        if is_stdlib(name) or _is_local(context.base_dir, name) or name == "__future__":
            continue
        if name in providers:
            need(providers[name], where)
        else:
            from deploytools.requirements import canonical

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


@deploytools_check(
    name="requirements_installed",
    title=gettext_lazy("Installed versions match the pins"),
    ids=["W204"],
    tags=TAGS,
)
def check_requirements_installed(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W204: what you tested (installed here) is what Heroku will install (the pin)."""
    from packaging.version import InvalidVersion, Version

    from deploytools.requirements import installed_version

    context = context_of(kwargs)
    found = _requirements_or_skip(context)
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


@deploytools_check(
    name="requirements_dev_only",
    title=gettext_lazy("No test or development tools in production requirements"),
    ids=["I205"],
    tags=TAGS,
)
def check_requirements_dev_only(app_configs: Any = None, **kwargs: Any) -> Messages:
    """I205: test/dev tools (pytest, ruff, ...) belong in requirements-dev.txt."""
    context = context_of(kwargs)
    found = _requirements_or_skip(context)
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


# ---------------------------------------------------------------------------------------------
# E206, W207: Python version


@deploytools_check(
    name="python_version_file",
    title=gettext_lazy(".python-version declares a Python that Heroku supports"),
    ids=["E206"],
    tags=TAGS,
)
def check_python_version_file(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E206: .python-version (or runtime.txt) is valid, supported, and the two agree."""
    from deploytools.checks.lifecycle import today
    from deploytools.projectfiles import parse_python_version, parse_runtime_txt
    from deploytools.support import PYTHON_RELEASES, python_release

    context = context_of(kwargs)
    # options["today"] (tests) moves the clock, as for the 5xx support checks.
    on = today(context)
    python_version = parse_python_version(context.base_dir / ".python-version")
    runtime = parse_runtime_txt(context.base_dir / "runtime.txt")
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    fix = _("Declare it: echo %(version)s > .python-version") % {"version": local}
    messages: Messages = []
    if not python_version.exists and not runtime.exists:
        return [
            checks.Error(
                _(
                    ".python-version is missing: Heroku builds with its default Python, which "
                    "changes without notice."
                ),
                hint=fix,
                obj=".python-version",
                id="deploytools.E206",
            )
        ]
    supported = ", ".join(v for v, r in PYTHON_RELEASES.items() if r.heroku_supported_on(on))
    for file, parsed in ((".python-version", python_version), ("runtime.txt", runtime)):
        if not parsed.exists:
            continue
        for line, problem in parsed.problems:
            where = f"{file}:{line}" if line else file
            messages.append(
                checks.Error(
                    _("%(where)s %(problem)s.") % {"where": where, "problem": problem},
                    hint=fix,
                    obj=where,
                    id="deploytools.E206",
                )
            )
        if parsed.version is None:
            continue
        release = python_release(parsed.version)
        if release is None or not release.heroku_supported_on(on):
            messages.append(
                checks.Error(
                    _("%(file)s declares Python %(version)s, which Heroku does not build.")
                    % {"file": file, "version": parsed.version},
                    hint=_("Use one of %(supported)s: echo %(local)s > .python-version")
                    % {"supported": supported, "local": local},
                    obj=f"{file}:{parsed.line}",
                    id="deploytools.E206",
                )
            )
        else:
            context.evidence(f"{file}: {parsed.version}")
    if python_version.version and runtime.version and python_version.version != runtime.version:
        messages.append(
            checks.Error(
                _(".python-version (%(a)s) and runtime.txt (%(b)s) disagree.")
                % {"a": python_version.version, "b": runtime.version},
                hint=_("Keep one: git rm runtime.txt (Heroku's current way is .python-version)"),
                obj="runtime.txt",
                id="deploytools.E206",
            )
        )
    return messages


@deploytools_check(
    name="python_version_current",
    title=gettext_lazy("No deprecated runtime.txt; local Python matches the declared one"),
    ids=["W207"],
    tags=TAGS,
)
def check_python_version_current(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W207: runtime.txt is deprecated (2025-02-06); test with the Python Heroku will run."""
    from deploytools.projectfiles import parse_python_version, parse_runtime_txt

    context = context_of(kwargs)
    python_version = parse_python_version(context.base_dir / ".python-version")
    runtime = parse_runtime_txt(context.base_dir / "runtime.txt")
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    messages: Messages = []
    if runtime.exists:
        declared = runtime.version or python_version.version or local
        messages.append(
            checks.Warning(
                _("runtime.txt is deprecated by Heroku since 2025-02-06."),
                hint=_("Switch: echo %(version)s > .python-version && git rm runtime.txt")
                % {"version": ".".join(declared.split(".")[:2])},
                obj="runtime.txt",
                id="deploytools.W207",
            )
        )
    declared_mm = python_version.major_minor or runtime.major_minor
    if declared_mm is None:
        if messages:
            return messages
        raise Skipped(_("no valid Python version declared (E206)"))
    if declared_mm != local:
        messages.append(
            checks.Warning(
                _("This checkout runs Python %(local)s but Heroku will run %(declared)s.")
                % {"local": local, "declared": declared_mm},
                hint=_("Test with the Python you ship: python%(declared)s -m venv .venv")
                % {"declared": declared_mm},
                obj=".python-version" if python_version.version else "runtime.txt",
                id="deploytools.W207",
            )
        )
    else:
        context.evidence(_("Python %(version)s here and on Heroku") % {"version": local})
    return messages


# ---------------------------------------------------------------------------------------------
# E208 .. W210: Procfile


@deploytools_check(
    name="procfile",
    title=gettext_lazy("Procfile parses and declares a web process"),
    ids=["E208"],
    tags=TAGS,
)
def check_procfile(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E208: Heroku can read the Procfile and it has a ``web`` process."""
    context = context_of(kwargs)
    procfile = _procfile(context)
    example = "echo 'web: gunicorn PROJECT.wsgi' >> Procfile"
    if not procfile.exists:
        return [
            checks.Error(
                _("Procfile is missing: Heroku would not know how to start the app."),
                hint=_("Create it: %(example)s") % {"example": example},
                obj="Procfile",
                id="deploytools.E208",
            )
        ]
    messages: Messages = [
        checks.Error(
            _("%(where)s %(problem)s.") % {"where": where, "problem": problem},
            hint=_('Write each process as "type: command", e.g. %(example)s')
            % {"example": example},
            obj=where,
            id="deploytools.E208",
        )
        for line, problem in procfile.problems
        for where in [f"Procfile:{line}" if line else "Procfile"]
    ]
    for kind, command in procfile.processes.items():
        if _command_tokens(command) is None:
            messages.append(
                checks.Error(
                    _("Procfile:%(line)d the %(kind)s command has unbalanced quotes.")
                    % {"line": procfile.lines[kind], "kind": kind},
                    hint=_("Fix the quoting of that line in Procfile"),
                    obj=f"Procfile:{procfile.lines[kind]}",
                    id="deploytools.E208",
                )
            )
    if "web" not in procfile.processes:
        messages.append(
            checks.Error(
                _("Procfile declares no web process: the app gets no HTTP traffic."),
                hint=_("Add one: %(example)s") % {"example": example},
                obj="Procfile",
                id="deploytools.E208",
            )
        )
    else:
        context.evidence(", ".join(sorted(procfile.processes)))
    return messages


def _app_modules() -> set[str]:
    """Modules whose WSGI/ASGI application a web process may serve."""
    modules: set[str] = set()
    for setting in ("WSGI_APPLICATION", "ASGI_APPLICATION"):
        value = getattr(settings, setting, None)
        if isinstance(value, str) and "." in value:
            module = value.rsplit(".", 1)[0]
            modules.add(module)
            # Django's startproject puts asgi.py beside wsgi.py.
            if module.endswith(".wsgi"):
                modules.add(module.removesuffix(".wsgi") + ".asgi")
    return modules


APP_ARGUMENT_RE = re.compile(r"^(?P<module>[A-Za-z_][\w.]*)(:[\w.]+(\(.*\))?)?$")


@deploytools_check(
    name="procfile_web",
    title=gettext_lazy("The web process serves this project's WSGI app with a production server"),
    ids=["E209"],
    tags=TAGS,
)
def check_procfile_web(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E209: web runs gunicorn/uvicorn/… on settings.WSGI_APPLICATION, never runserver/--reload."""
    context = context_of(kwargs)
    procfile = _procfile(context)
    command = procfile.processes.get("web")
    if command is None:
        raise Skipped(_("no web process (E208)"))
    tokens = _command_tokens(command)
    if tokens is None:
        raise Skipped(_("the web command cannot be parsed (E208)"))
    obj = f"Procfile:{procfile.lines['web']}"
    modules = _app_modules()
    wsgi = getattr(settings, "WSGI_APPLICATION", None) or "PROJECT.wsgi.application"
    fix = _("Serve the app with: web: gunicorn %(module)s") % {
        "module": str(wsgi).rsplit(".", 1)[0]
    }

    def error(msg: str) -> Messages:
        return [checks.Error(msg, hint=fix, obj=obj, id="deploytools.E209")]

    if "runserver" in tokens:
        return error(_("The web process runs Django's development server (runserver)."))
    if any(t == "--reload" or t.startswith("--reload=") for t in tokens):
        return error(_("The web process runs with --reload (a development option)."))
    server = None
    server_args: list[str] = []
    for name, args in _executables(tokens):
        if name in WEB_SERVERS:
            server, server_args = name, args
        elif (
            name.startswith("python")
            and len(args) >= 2
            and args[0] == "-m"
            and args[1].replace("_", "-") in WEB_SERVERS
        ):
            server, server_args = args[1], args[2:]
    if server is None:
        first = next((name for name, _args in _executables(tokens)), "")
        if first.startswith("python") or first in ("django-admin",):
            return error(_("The web process does not start a production web server."))
        context.evidence(
            _("web runs %(command)s, which deploytools cannot inspect") % {"command": first}
        )
        return []
    served = [
        match["module"]
        for token in server_args
        if not token.startswith("-") and (match := APP_ARGUMENT_RE.match(token))
    ]
    if modules and not set(served) & modules:
        return error(
            _("The web process runs %(server)s but not this project's app (%(modules)s).")
            % {"server": server, "modules": ", ".join(sorted(modules))}
        )
    context.evidence(f"{server} {' '.join(m for m in served if m in modules)}".strip())
    return []


@deploytools_check(
    name="procfile_release",
    title=gettext_lazy("A release process runs manage.py heroku_release"),
    ids=["W210"],
    tags=TAGS,
)
def check_procfile_release(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W210: Heroku's release phase migrates before new dynos start (manage.py heroku_release)."""
    context = context_of(kwargs)
    procfile = _procfile(context)
    if not procfile.exists:
        raise Skipped(_("Procfile is missing (E208)"))
    command = procfile.processes.get("release")
    tokens = _command_tokens(command) if command else None
    hint = _("Add to Procfile: release: python manage.py heroku_release")
    if command is None:
        return [
            checks.Warning(
                _("Procfile has no release process: migrations are not applied on deploy."),
                hint=hint,
                obj="Procfile",
                id="deploytools.W210",
            )
        ]
    if not tokens or "heroku_release" not in tokens:
        return [
            checks.Warning(
                _("The release process does not run manage.py heroku_release."),
                hint=hint,
                obj=f"Procfile:{procfile.lines['release']}",
                id="deploytools.W210",
            )
        ]
    context.evidence(command)
    return []


# ---------------------------------------------------------------------------------------------
# W211: app.json


@deploytools_check(
    name="app_json",
    title=gettext_lazy("app.json is valid"),
    ids=["W211"],
    tags=TAGS,
)
def check_app_json(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W211: app.json (review apps, Heroku Button) is JSON with the documented types."""
    from deploytools.projectfiles import parse_app_json

    context = context_of(kwargs)
    found = parse_app_json(context.base_dir / "app.json")
    if not found.exists:
        raise Skipped(_("no app.json"))
    messages: Messages = []
    for line, key, problem in found.problems:
        where = f"app.json:{line}" if line else "app.json"
        subject = f"{where} {key}" if key else where
        messages.append(
            checks.Warning(
                _("%(subject)s %(problem)s.") % {"subject": subject, "problem": problem},
                hint=_(
                    "Fix app.json (https://devcenter.heroku.com/articles/app-json-schema); "
                    "check it with: python -m json.tool app.json"
                ),
                obj=where,
                id="deploytools.W211",
            )
        )
    return messages


# ---------------------------------------------------------------------------------------------
# E212, W213: secrets and .gitignore


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (name == ".env" or name.startswith(".env.")) and not name.endswith(".example")


@deploytools_check(
    name="secrets_committed",
    title=gettext_lazy("No secrets committed (.env files, literal SECRET_KEY)"),
    ids=["E212"],
    tags=TAGS,
)
def check_secrets_committed(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E212: no tracked .env file and no SECRET_KEY string literal in the settings source."""
    context = context_of(kwargs)
    messages: Messages = []
    tracked = _tracked_files(context)
    if tracked is None:
        context.evidence(_("not a git checkout: tracked .env files not checked"))
    else:
        for path in tracked:
            if _is_env_file(path):
                messages.append(
                    checks.Error(
                        _("%(path)s is committed to git: its secrets are in every clone.")
                        % {"path": path},
                        hint=_(
                            "Untrack it, rotate the secrets in it, and ignore it: "
                            "git rm --cached %(path)s && echo .env >> .gitignore"
                        )
                        % {"path": shlex.quote(path)},
                        obj=path,
                        id="deploytools.E212",
                    )
                )
    source = _settings_source(context)
    for where in source.literal_secret_keys:
        messages.append(
            checks.Error(
                _("%(where)s sets SECRET_KEY from a string literal in the source.")
                % {"where": where},
                hint=_(
                    "Read it from the environment only, SECRET_KEY = "
                    "os.environ['DJANGO_SECRET_KEY'], and set a new one: heroku config:set "
                    "DJANGO_SECRET_KEY=$(openssl rand -base64 48)"
                ),
                obj=where,
                id="deploytools.E212",
            )
        )
    if source.files:
        context.evidence(_("settings read: %(files)s") % {"files": ", ".join(source.files)})
    return messages


def _venv_dirs(base_dir: Path) -> list[str]:
    try:
        return sorted(
            entry.name
            for entry in base_dir.iterdir()
            if entry.is_dir() and (entry / "pyvenv.cfg").is_file()
        )
    except OSError:
        return []


@deploytools_check(
    name="gitignore",
    title=gettext_lazy(".gitignore covers .env, the SQLite database, static files, virtualenvs"),
    ids=["W213"],
    tags=TAGS,
)
def check_gitignore(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W213: files that must never be pushed are ignored by git."""
    from deploytools.projectfiles import is_ignored, parse_ignore_file

    context = context_of(kwargs)
    skip_on_a_dyno(_("running on a Heroku dyno: what git ignores was decided at the push"))
    rules = parse_ignore_file(context.base_dir / ".gitignore") or []
    wanted: list[tuple[str, bool]] = [(".env", False), ("db.sqlite3", False)]
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        try:
            relative = Path(static_root).resolve().relative_to(context.base_dir.resolve())
            if relative.parts:
                wanted.append((relative.as_posix(), True))
        except (ValueError, OSError, TypeError):
            pass  # outside the project: git never sees it
    missing = [path for path, is_dir in wanted if not is_ignored(rules, path, is_dir)]
    venvs = _venv_dirs(context.base_dir)
    if venvs:
        missing.extend(f"{v}/" for v in venvs if not is_ignored(rules, v, True))
    elif not any(is_ignored(rules, name, True) for name in (".venv", "venv")):
        missing.append(".venv/")
    if not missing:
        context.evidence(", ".join(path for path, _is_dir in wanted))
        return []
    lines = "\\n".join(missing)
    return [
        checks.Warning(
            _(".gitignore does not ignore %(paths)s.") % {"paths": ", ".join(missing)},
            hint=_("Add them: printf '%(lines)s\\n' >> .gitignore") % {"lines": lines},
            obj=".gitignore",
            id="deploytools.W213",
        )
    ]


# ---------------------------------------------------------------------------------------------
# W214: slug size


MEGABYTE = 1024 * 1024


def _project_files(context: Context) -> list[str]:
    """The files a push ships: git's tracked files, else a walk that skips ignored ones."""
    from deploytools.projectfiles import is_ignored, parse_ignore_file

    tracked = _tracked_files(context)
    if tracked is not None:
        return tracked
    rules = parse_ignore_file(context.base_dir / ".gitignore") or []
    found: list[str] = []
    for root, dirs, files in os.walk(context.base_dir):
        relative_root = Path(root).relative_to(context.base_dir).as_posix()
        prefix = "" if relative_root == "." else relative_root + "/"
        dirs[:] = [
            d
            for d in dirs
            if d != ".git"
            and not (Path(root, d) / "pyvenv.cfg").exists()
            and not is_ignored(rules, prefix + d, True)
        ]
        found.extend(prefix + f for f in files if not is_ignored(rules, prefix + f))
        if len(found) > 500_000:
            break
    return found


@functools.cache
def _distribution_bytes(name: str) -> int:
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    total = 0
    for file in dist.files or []:
        if file.size is not None:
            total += file.size
            continue
        try:
            total += Path(str(dist.locate_file(file))).stat().st_size
        except OSError:
            continue
    return total


@deploytools_check(
    name="slug_size",
    title=gettext_lazy("Estimated slug size is well under Heroku's 500 MB limit"),
    ids=["W214"],
    tags=TAGS,
)
def check_slug_size(app_configs: Any = None, **kwargs: Any) -> Messages:
    """W214: project files (minus .slugignore) plus installed requirements, against the limit."""
    from deploytools.projectfiles import is_ignored, parse_ignore_file
    from deploytools.requirements import installed_closure

    context = context_of(kwargs)
    # On a dyno /app also holds the installed Python: the estimate would count it twice.
    skip_on_a_dyno(_("running on a Heroku dyno: the build already reported the slug size"))
    slugignore = parse_ignore_file(context.base_dir / ".slugignore") or []
    project_bytes = 0
    for path in _project_files(context):
        if slugignore and is_ignored(slugignore, path):
            continue
        try:
            project_bytes += (context.base_dir / path).lstat().st_size
        except OSError:
            continue
    requirements = _requirements(context)
    distributions = installed_closure(requirements.names) if requirements.exists else set()
    package_bytes = sum(_distribution_bytes(name) for name in distributions)
    total_mb = (project_bytes + package_bytes) / MEGABYTE
    estimate = _(
        "estimated slug %(total).1f MB: project files %(files).1f MB + %(count)d "
        "distributions %(packages).1f MB (Python itself not counted)"
    ) % {
        "total": total_mb,
        "files": project_bytes / MEGABYTE,
        "count": len(distributions),
        "packages": package_bytes / MEGABYTE,
    }
    context.evidence(estimate)
    threshold = conf.slug_size_warning_mb
    if total_mb < threshold:
        return []
    return [
        checks.Warning(
            _("The slug is near Heroku's 500 MB limit: %(estimate)s.") % {"estimate": estimate},
            hint=_(
                "Keep build-only files out with a .slugignore and move dev tools to "
                "requirements-dev.txt (threshold: DEPLOYTOOLS['SLUG_SIZE_WARNING_MB'] = "
                "%(threshold)d)"
            )
            % {"threshold": threshold},
            obj="slug",
            id="deploytools.W214",
        )
    ]


# ---------------------------------------------------------------------------------------------
# E215: collectstatic


COLLECTSTATIC_SETTINGS = """\
# Written by deploytools preflight: the project's settings, collecting into a temporary dir.
from {module} import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


def _collectstatic_environment(context: Context, wrapper: str, temp_dir: str) -> dict[str, str]:
    """
    The environment of Heroku's build as it runs collectstatic: the app's config vars (the
    Python buildpack exports them to the build, service URLs as placeholders here), but no DYNO
    or PORT, which only running dynos have. Settings keyed on DYNO must collect either way.
    """
    from deploytools.simulate import dyno_environment

    if context.config_vars is None:
        # This process's environment is production (a dyno): keep it.
        environment = dict(os.environ)
        environment["DJANGO_SETTINGS_MODULE"] = wrapper
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(context.base_dir), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    else:
        environment = dyno_environment(
            context.config_vars, context.base_dir, "web", settings_module=wrapper
        )
    environment["PYTHONPATH"] = os.pathsep.join([temp_dir, environment.get("PYTHONPATH", "")])
    for name in ("DYNO", "PORT"):
        environment.pop(name, None)
    return environment


EXCEPTION_LINE_RE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)?: ")


def _last_error(lines: list[str]) -> str:
    """The final exception of a traceback (with its continuation lines), else the last line."""
    starts = [index for index, line in enumerate(lines) if EXCEPTION_LINE_RE.match(line)]
    if starts:
        return " ".join(line for line in lines[starts[-1] :] if line)
    # Django's usage errors end with "Type '... help' for usage."; the error is the line above.
    errors = [line for line in lines if line and not line.startswith("Type '")]
    return errors[-1] if errors else ""


@deploytools_check(
    name="collectstatic",
    title=gettext_lazy("collectstatic succeeds as Heroku's build runs it"),
    ids=["E215"],
    tags=TAGS,
)
def check_collectstatic(app_configs: Any = None, **kwargs: Any) -> Messages:
    """E215: Heroku's build runs collectstatic; a failure there fails the deploy."""
    import tempfile

    from deploytools.redact import redact, secret_values
    from deploytools.simulate import PLACEHOLDER_DATABASE_URL

    context = context_of(kwargs)
    if not (context.options.get("collectstatic") or context.options.get("push")):
        raise Skipped(_("run with --collectstatic"))
    module = _settings_module_name(context)
    if module is None:
        raise Skipped(_("no settings module"))
    with tempfile.TemporaryDirectory(prefix="deploytools-static-") as temp_dir:
        static_root = os.path.join(temp_dir, "staticfiles")
        wrapper = "deploytools_collectstatic_settings"
        Path(temp_dir, f"{wrapper}.py").write_text(
            COLLECTSTATIC_SETTINGS.format(module=module, static_root=static_root),
            encoding="utf-8",
        )
        environment = _collectstatic_environment(context, wrapper, temp_dir)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
                cwd=context.base_dir,
                env=environment,
                capture_output=True,
                timeout=600,
                check=False,
            )
            returncode, output = proc.returncode, proc.stderr or proc.stdout
        except subprocess.TimeoutExpired:
            returncode, output = -1, b"collectstatic timed out after 600 s"
        except OSError as exc:
            returncode, output = -1, str(exc).encode()
        collected = sum(len(files) for _root, _dirs, files in os.walk(static_root))
    if returncode == 0:
        context.evidence(_("%(count)d files collected") % {"count": collected})
        return []
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines()]
    last = _last_error(lines) or _("no output")
    secrets = secret_values(
        context.config_vars if context.config_vars is not None else dict(os.environ),
        PLACEHOLDER_DATABASE_URL,
        str(readable_setting("SECRET_KEY", "") or ""),
    )
    return [
        checks.Error(
            _("collectstatic fails with the production settings: %(error)s")
            % {"error": redact(last[:500], secrets)},
            hint=_(
                "Reproduce it with the app's config vars set, as Heroku's build does: "
                "python manage.py collectstatic --noinput"
            ),
            obj="collectstatic",
            id="deploytools.E215",
        )
    ]
