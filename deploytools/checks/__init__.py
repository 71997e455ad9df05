"""
THE checks module of deploytools: one file per area, numbered like the catalogue.

``registry.load_catalogue()`` imports them all (the commands do, through ``checks.run``);
``apps.py`` registers them with Django lazily, one check per area (see ``registry.AREAS``).
Every module here must stay cheap to import (heavy imports go inside the checks).
"""

from deploytools.checks.registry import (
    CATALOGUE,
    CheckSpec,
    Context,
    Skipped,
    deploytools_check,
    load_catalogue,
)

__all__ = ["CATALOGUE", "CheckSpec", "Context", "Skipped", "deploytools_check", "load_catalogue"]
