"""
What the settings' source files say, read with ``ast`` (never imported): the modules they
import and the SECRET_KEYs they set from string literals, each with its file and line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from deploytools.context import Context, memoized
from deploytools.facts import safe_read
from deploytools.facts.project_files import is_local
from deploytools.location import FileLine

MODULE_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def production_settings_module(context: Context) -> str | None:
    """
    The settings module the dynos load: the DJANGO_SETTINGS_MODULE config var, else the default
    the web process's WSGI module sets, else this process's own.
    """
    from deploytools.facts.settings_module import dyno_settings_module

    name = dyno_settings_module(context.environ, context.project) or getattr(
        settings, "SETTINGS_MODULE", None
    )
    return name if isinstance(name, str) and MODULE_RE.match(name) else None


def _module_file(base_dir: Path, module: str) -> Path | None:
    """The source file of ``module``: under the project first, else wherever it imports from."""
    relative = Path(*module.split("."))
    for candidate in (base_dir / relative.with_suffix(".py"), base_dir / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    if is_local(base_dir, module.split(".")[0]):
        return None
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


@dataclass
class SettingsSource:
    """What the settings source files say: imports and literal SECRET_KEYs, with lines."""

    files: list[str] = field(default_factory=list)
    imports: list[tuple[str, str]] = field(default_factory=list)  # (top-level name, "file:line")
    literal_secret_keys: list[str] = field(default_factory=list)  # "file:line"
    mentions_database_url: bool = False
    problems: list[str] = field(default_factory=list)
    # (top-level name, "file:line") of imports guarded by try/except ImportError: optional.
    optional: set[tuple[str, str]] = field(default_factory=set)
    # ``os.environ.get("NAME") or "value"``: the fallback a read gives when NAME is unset.
    or_fallbacks: dict[str, object] = field(default_factory=dict)


def _display(path: Path, base_dir: Path) -> str:
    try:
        return path.relative_to(base_dir).as_posix()
    except ValueError:
        return str(path)


@memoized
def settings_source(context: Context) -> SettingsSource:
    """The production settings module and the project modules it imports, read with ast."""
    source = SettingsSource()
    module = production_settings_module(context)
    if module:
        _read_settings_file(context.project.app_dir, module, source, set())
    return source


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


def _record_or_fallback(node: ast.BoolOp, source: SettingsSource) -> None:
    """``os.environ.get("NAME") or "fallback"``: the literal NAME falls back to."""
    first, *rest = node.values
    if not (rest and _is_environ_get(first) and isinstance(rest[0], ast.Constant)):
        return
    assert isinstance(first, ast.Call)
    if (
        first.args
        and isinstance(first.args[0], ast.Constant)
        and isinstance(first.args[0].value, str)
    ):
        source.or_fallbacks.setdefault(first.args[0].value, rest[0].value)


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


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS for k in kinds)


def _optional_imports(tree: ast.AST) -> set[int]:
    """The import nodes inside ``try:`` blocks that catch ImportError: the app boots without."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_errors(h) for h in node.handlers):
            for statement in node.body:
                found.update(
                    id(inner)
                    for inner in ast.walk(statement)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                )
    return found


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
        text = safe_read.read_bytes(path, safe_read.SOURCE_FILE_BYTES)
        tree = ast.parse(text, filename=display)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        source.problems.append(f"{display}: {type(exc).__name__}")
        return
    if b"DATABASE_URL" in text:
        source.mentions_database_url = True
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    follow: list[str] = []
    optional = _optional_imports(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) in optional:
            where = FileLine(display, node.lineno)
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in filter(None, names):
                source.optional.add((name.split(".")[0], where))
        if isinstance(node, ast.Import):
            for alias in node.names:
                source.imports.append((alias.name.split(".")[0], FileLine(display, node.lineno)))
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
                source.imports.append((top, FileLine(display, node.lineno)))
                if is_local(base_dir, top):
                    follow.append(node.module)
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            _record_or_fallback(node, source)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "SECRET_KEY" for t in targets) and (
                _literal_secret(node.value)
            ):
                source.literal_secret_keys.append(FileLine(display, node.lineno))
    # Settings split into modules (base.py + production.py) import each other: read those too.
    for target in follow:
        if is_local(base_dir, target.split(".")[0]):
            _read_settings_file(base_dir, target, source, seen)
