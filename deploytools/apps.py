from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DeploytoolsConfig(AppConfig):
    name = "deploytools"
    verbose_name = _("Deploy tools")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the checks package fills the catalogue; the modules are cheap to import
        # (heavy imports wait inside the checks), so a plain `manage.py check` stays fast.
        from deploytools.checks import CATALOGUE

        for spec in CATALOGUE.values():
            checks.register(spec.check, *spec.tags, deploy=spec.deploy)
