"""
Marking a string for the catalogue at import time, without reading the settings.

Django's ``gettext_noop`` asks ``settings.USE_I18N`` first, so a module that calls it at import
time cannot be imported before the settings are configured — and the simulated dyno imports
the checks before it loads the project's settings (see :mod:`deploytools.facts.dyno_child`).
``makemessages`` finds this one by its name, as it finds Django's.
"""


def gettext_noop(message: str) -> str:
    """``message`` itself, marked for translation (``gettext`` translates it where it is said)."""
    return message
