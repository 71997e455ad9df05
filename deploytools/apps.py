"""The Django app of deploytools: registers its checks with Django's system-check framework."""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DeploytoolsConfig(AppConfig):
    name = "deploytools"
    verbose_name = _("Deploy tools")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from deploytools.checks.registry import MODULES, django_check

        # Each check module is imported only when Django first runs its checks (`check
        # --deploy`, our commands), so a plain `manage.py check` stays as fast as without us:
        # it runs only the checks declared deploy=False, E001 (our own setting, cheap).
        for module, tags in MODULES.items():
            checks.register(django_check(module), "deploytools", *tags, deploy=True)
        core = "deploytools.checks.core"
        checks.register(django_check(core, deploy=False), "deploytools", *MODULES[core])
