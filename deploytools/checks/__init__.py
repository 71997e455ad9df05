"""
THE checks module of deploytools: one file per area, numbered like the catalogue.

Importing this package fills :data:`CATALOGUE`; ``apps.py`` registers it with Django.
Every module here must stay cheap to import (heavy imports go inside the checks), so that
``manage.py check`` with deploytools installed is as fast as without it.
"""

from deploytools.checks import (  # noqa: F401 - imported to register their checks
    capacity,
    core,
    git,
    heroku,
    lifecycle,
    live,
    migrations,
    project,
    release,
    settings,
)
from deploytools.checks.registry import (
    CATALOGUE,
    CheckSpec,
    Context,
    Skipped,
    deploytools_check,
)

__all__ = ["CATALOGUE", "CheckSpec", "Context", "Skipped", "deploytools_check"]
