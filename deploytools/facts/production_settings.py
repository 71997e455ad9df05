"""
What the production settings say, for the checks that run outside the simulated dyno.

Preflight's own process has the developer's settings; the simulated dyno has production's. The
dyno gathers these facts with :func:`gather` and sends them with its report; a check of
preflight asks :func:`production_settings`, which waits for the dyno. Where this process's
settings are production's (on a dyno, in the release phase) they are gathered here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from deploytools.context import Context, PreflightContext, Skipped, memoized

# Settings whose values name classes or modules (INSTALLED_APPS entries, backends): each must
# be importable on Heroku, so the package providing it must be installed by the build.
DOTTED_LISTS = ("INSTALLED_APPS", "MIDDLEWARE", "AUTHENTICATION_BACKENDS", "PASSWORD_HASHERS")
DOTTED_VALUES = (
    "WSGI_APPLICATION",
    "ASGI_APPLICATION",
    "ROOT_URLCONF",
    "EMAIL_BACKEND",
    "SESSION_ENGINE",
    "MESSAGE_STORAGE",
    "DEFAULT_AUTO_FIELD",
)


@dataclass(frozen=True)
class ProductionSettings:
    """A few values of the production settings, as the dyno loaded them."""

    module: str | None = None
    debug: bool = False
    wsgi_application: str | None = None
    asgi_application: str | None = None
    static_root: str | None = None
    # (dotted path, where in the settings): everything the settings name by import path.
    references: list[tuple[str, str]] = field(default_factory=list)
    # (alias, ENGINE) of every database.
    database_engines: list[tuple[str, str]] = field(default_factory=list)
    # Every environment variable read while the settings loaded and Django set up.
    environ_reads: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProductionSettings:
        def pairs(value: Any) -> list[tuple[str, str]]:
            return [
                (str(item[0]), str(item[1]))
                for item in value or []
                if isinstance(item, list | tuple) and len(item) == 2
            ]

        def text(value: Any) -> str | None:
            return None if value is None else str(value)

        return cls(
            module=text(data.get("module")),
            debug=data.get("debug") is True,
            wsgi_application=text(data.get("wsgi_application")),
            asgi_application=text(data.get("asgi_application")),
            static_root=text(data.get("static_root")),
            references=pairs(data.get("references")),
            database_engines=pairs(data.get("database_engines")),
            environ_reads=[str(name) for name in data.get("environ_reads") or []],
        )


def _items(value: object) -> Iterable[object]:
    return value if isinstance(value, list | tuple) else ()


def _references(settings: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def add(value: object, where: str) -> None:
        if isinstance(value, str) and value and not value.startswith("ext://"):
            found.append((value, where))

    for name in DOTTED_LISTS:
        for entry in _items(getattr(settings, name, ())):
            add(entry, f"settings.{name}")
    for name in DOTTED_VALUES:
        add(getattr(settings, name, None), f"settings.{name}")
    for name in ("STORAGES", "CACHES"):
        value = getattr(settings, name, {})
        for alias, config in value.items() if isinstance(value, Mapping) else ():
            if isinstance(config, Mapping):
                add(config.get("BACKEND"), f"settings.{name}[{alias!r}]")
    for entry in _items(getattr(settings, "AUTH_PASSWORD_VALIDATORS", ())):
        if isinstance(entry, Mapping):
            add(entry.get("NAME"), "settings.AUTH_PASSWORD_VALIDATORS")
    for entry in _items(getattr(settings, "TEMPLATES", ())):
        if isinstance(entry, Mapping):
            add(entry.get("BACKEND"), "settings.TEMPLATES")
            options = entry.get("OPTIONS")
            processors = options.get("context_processors") if isinstance(options, Mapping) else ()
            for processor in _items(processors):
                add(processor, "settings.TEMPLATES")
    logging = getattr(settings, "LOGGING", {})
    handlers = logging.get("handlers") if isinstance(logging, Mapping) else None
    for handler in handlers.values() if isinstance(handlers, Mapping) else ():
        if isinstance(handler, Mapping):
            add(handler.get("class"), "settings.LOGGING")
    return found


def gather(environ_reads: Iterable[str] = ()) -> ProductionSettings:
    """The facts of this process's settings (read safely: a setting may raise when read)."""
    from django.conf import settings

    from deploytools.facts.settings_values import readable_setting, settings_module_name

    databases = readable_setting("DATABASES", {})
    static_root = readable_setting("STATIC_ROOT", None)
    return ProductionSettings(
        module=settings_module_name(),
        debug=readable_setting("DEBUG", False) is True,
        wsgi_application=readable_setting("WSGI_APPLICATION", None),
        asgi_application=readable_setting("ASGI_APPLICATION", None),
        static_root=str(static_root) if static_root else None,
        references=_references(settings),
        database_engines=[
            (str(alias), str(config.get("ENGINE", "")))
            for alias, config in (databases.items() if isinstance(databases, Mapping) else ())
            if isinstance(config, Mapping)
        ],
        environ_reads=list(dict.fromkeys(environ_reads)),
    )


@memoized
def production_settings(context: Context) -> ProductionSettings:
    """
    The production settings' facts: from the simulated dyno in preflight (waiting for it),
    else from this process, whose settings are production's.
    """
    if isinstance(context, PreflightContext) and context.dyno is not None:
        found = context.dyno.production_settings()
        if found is None:
            raise Skipped(_("the production settings could not be loaded (see E100)"))
        return found
    return gather()
