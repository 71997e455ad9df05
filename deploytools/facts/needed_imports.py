"""
What the production app imports at boot: the modules the settings name or import, the
programs the Procfile starts, and the driver the production database needs.

E203 asks of each whether Heroku's build installs a package that provides it. Imports the
settings guard with ``try: ... except ImportError`` are optional: the app boots without them.
"""

from __future__ import annotations

from dataclasses import dataclass

from deploytools.context import Context, memoized
from deploytools.facts.build_files import command_tokens, executables
from deploytools.location import FileLine

# What each database ENGINE needs installed; any one of each group will do.
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


@dataclass(frozen=True)
class Needed:
    """A top-level import (or "script:NAME" for a program) and where the app needs it."""

    name: str
    where: str


@memoized
def needed_imports(context: Context) -> list[Needed]:
    """Everything the production settings and the Procfile need importable, in order."""
    from deploytools.facts.production_settings import production_settings
    from deploytools.facts.project_files import procfile
    from deploytools.facts.settings_source import settings_source

    source = settings_source(context)
    needed = [
        Needed(top, where) for top, where in source.imports if (top, where) not in source.optional
    ]
    for dotted, where in production_settings(context).references:
        top = dotted.split(".")[0].split(":")[0]
        if top.isidentifier():
            needed.append(Needed(top, where))
    found = procfile(context)
    for kind, command in found.processes.items():
        where = FileLine("Procfile", found.lines[kind])
        for name, args in executables(command_tokens(command) or []):
            if name.startswith("python") and len(args) >= 2 and args[0] == "-m":
                needed.append(Needed(args[1].split(".")[0], where))
            elif name not in ("bash", "sh", "cd") and not name.startswith("python"):
                needed.append(Needed(f"script:{name}", where))
    return needed


def production_engines(context: Context) -> dict[str, str]:
    """Database vendor -> where the production settings or config name it."""
    from deploytools.facts.production_settings import production_settings
    from deploytools.facts.settings_source import settings_source

    engines: dict[str, str] = {}
    for alias, engine in production_settings(context).database_engines:
        vendor = engine.rsplit(".", 1)[-1]
        if vendor in DATABASE_DRIVERS:
            engines.setdefault(vendor, f"settings.DATABASES[{alias!r}]")
    url = context.environ.get("DATABASE_URL") if context.config_vars is not None else None
    if url and "://" in url:
        url_vendor = URL_SCHEME_ENGINES.get(url.split("://", 1)[0].lower())
        if url_vendor:
            engines.setdefault(url_vendor, "DATABASE_URL")
    elif settings_source(context).mentions_database_url:
        # Settings that read DATABASE_URL get Heroku Postgres on Heroku, whatever runs locally.
        engines.setdefault("postgresql", "DATABASE_URL (Heroku Postgres)")
    return engines
