"""A read-only admin for the release history: rows are written by heroku_release only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from deploytools.models import Release

if TYPE_CHECKING:
    ReleaseAdminBase = admin.ModelAdmin[Release]
else:  # ModelAdmin is generic only for the type checker.
    ReleaseAdminBase = admin.ModelAdmin


@admin.register(Release)
class ReleaseAdmin(ReleaseAdminBase):
    list_display = ["version", "commit", "status", "started_at", "duration_seconds"]
    list_filter = ["status"]
    search_fields = ["version", "commit"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
