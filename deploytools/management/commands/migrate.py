"""
``manage.py migrate`` holding the deploytools migration lock.

heroku_release takes a PostgreSQL advisory lock so that two releases never migrate at once;
a manual ``heroku run python manage.py migrate`` must respect the same lock, or it could run
beside a release. This command is Django's own ``migrate`` (it overrides it, as staticfiles
overrides ``runserver``) that takes the lock first, on PostgreSQL, unless
``DEPLOYTOOLS["MIGRATION_LOCK"]`` is off (transaction poolers such as PgBouncer).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import connections
from django.utils.translation import gettext as _


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        from deploytools.conf import conf
        from deploytools.release_phase.lock import LockTimeout, migration_lock

        alias = options["database"]
        read_only = options.get("plan") or options.get("check_unapplied")
        if read_only or not conf.migration_lock or connections[alias].vendor != "postgresql":
            super().handle(*args, **options)
            return
        timeout = conf.migration_lock_timeout_seconds

        def waiting(holder: str) -> None:
            # Said once, so a migrate that seems to hang is known to be waiting, and for whom.
            self.stderr.write(
                _("Waiting for the migration lock held by %(holder)s (up to %(seconds).0f s)…")
                % {"holder": holder or _("another session"), "seconds": timeout}
            )
            self.stderr.flush()

        try:
            with migration_lock(alias, timeout, on_wait=waiting):
                super().handle(*args, **options)
        except LockTimeout as exc:
            raise CommandError(
                _(
                    "another release or migrate holds the migration lock%(holder)s; gave up "
                    "after %(seconds).0f s. Wait for it (heroku releases shows a release in "
                    "progress) and run migrate again."
                )
                % {"holder": f" ({exc.holder})" if exc.holder else "", "seconds": exc.waited},
                returncode=1,
            ) from None
