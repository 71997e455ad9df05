"""Models of deploytools: the release history written by heroku_release."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """
    One run of ``manage.py heroku_release``: what it applied and how it ended.

    Written at the end of every release phase that reached the database, also when it failed
    or was stopped by SIGTERM, so ``heroku_release --history`` can pair a ``heroku rollback``
    with the ``migrate app NNNN`` that undoes the release's migrations.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted")

    version = models.CharField(_("version"), max_length=64, blank=True)
    commit = models.CharField(_("commit"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    duration_seconds = models.FloatField(_("duration (seconds)"))
    # "app_label.migration_name", in the order they were applied.
    migrations_applied = models.JSONField(_("migrations applied"), default=list, blank=True)
    # Per app of migrations_applied, the migration to go back to ("zero": none), read from the
    # graph at release time: after a heroku rollback the running code no longer knows it.
    undo_targets = models.JSONField(_("undo targets"), default=dict, blank=True)
    # The counts of the report's summary (errors, warnings, passed, failed, skipped, ...).
    checks_summary = models.JSONField(_("checks summary"), default=dict, blank=True)
    # IDs of the messages at WARNING or above, e.g. ["deploytools.E605"].
    message_ids = models.JSONField(_("message IDs"), default=list, blank=True)
    # One line, secrets scrubbed: why the release failed.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.version or '-'} {self.status} {self.started_at:%Y-%m-%d %H:%M:%S}"
