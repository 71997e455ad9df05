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
        # --deploy`, our commands), so a plain `manage.py check` stays as fast as without us.
        # E001 (our own setting) is cheap and runs in every `check`.
        for module, tags in MODULES.items():
            eager = module == "deploytools.checks.core"
            checks.register(django_check(module), "deploytools", *tags, deploy=not eager)
