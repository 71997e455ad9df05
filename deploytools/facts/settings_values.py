"""
Reading the settings of this process without being fooled or crashed by them.

The settings checks read ``django.conf.settings`` here; some settings raise when read (Django
validates SECRET_KEY on access), and ``override_settings`` hides the module's name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

# Settings django.conf.LazySettings validates when read (an empty SECRET_KEY raises).
VALIDATED_ON_READ = ("SECRET_KEY",)


def settings_module_name() -> str | None:
    """settings.SETTINGS_MODULE, also under override_settings (which hides it)."""
    from django.conf import UserSettingsHolder

    wrapped: Any = getattr(settings, "_wrapped", None)
    while isinstance(wrapped, UserSettingsHolder) and "SETTINGS_MODULE" not in vars(wrapped):
        wrapped = wrapped.default_settings
    module = getattr(wrapped, "SETTINGS_MODULE", None)
    return str(module) if module else None


def unreadable_settings() -> dict[str, str]:
    """
    Settings that load but raise when read, with why (the exception's type and Django's text).

    Django validates some settings only when they are read (an empty SECRET_KEY raises
    ImproperlyConfigured): the module imports, yet the app fails at its first request or
    command. Only ImproperlyConfigured's text is kept: Django words it without the value.
    """
    from django.core.exceptions import ImproperlyConfigured

    found: dict[str, str] = {}
    for name in VALIDATED_ON_READ:
        try:
            getattr(settings, name, None)
        except ImproperlyConfigured as exc:
            found[name] = f"ImproperlyConfigured: {exc}".rstrip(": ")
        except Exception as exc:  # noqa: BLE001 - any failure to read it is the finding
            found[name] = type(exc).__name__
    return found


def readable_setting(name: str, default: Any = None) -> Any:
    """settings.NAME, or ``default`` when reading it raises (E100 reports that)."""
    try:
        return getattr(settings, name, default)
    except Exception:  # noqa: BLE001 - see unreadable_settings
        return default
