from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DeploytoolsConfig(AppConfig):
    name = "deploytools"
    verbose_name = _("Deploy tools")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deploytools.checks import core  # noqa: F401 - E001, cheap, runs in every check
        from deploytools.checks.registry import AREAS, CATALOGUE, area_check

        for spec in CATALOGUE.values():
            if spec.func.__module__ not in AREAS:
                checks.register(spec.check, *spec.tags, deploy=spec.deploy)
        # The area modules are imported only when Django first runs their checks
        # (`check --deploy`, our commands): a plain `manage.py check` stays as fast as without us.
        for module, tags in AREAS.items():
            checks.register(area_check(module), "deploytools", *tags, deploy=True)
