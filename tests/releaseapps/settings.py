"""
weareone's settings plus the `shop` app, whose migrations are a scenario of
tests/releaseapps/scenarios chosen by RELEASE_SCENARIO; RELEASE_DEPLOYTOOLS (JSON) overrides
keys of DEPLOYTOOLS. Used by heroku_release child processes in tests/test_release*.py and bench/.
"""

import json
import os

from weareone.settings import *  # noqa: F403
from weareone.settings import DEPLOYTOOLS, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.releaseapps.shop"]
MIGRATION_MODULES = {
    "shop": "tests.releaseapps.scenarios." + os.environ.get("RELEASE_SCENARIO", "base")
}
# The scenarios' models live in their migrations only (each scenario is a different schema), so
# the "model changes without migrations" check would always fire here.
SILENCED_SYSTEM_CHECKS = ["deploytools.E301"]
DEPLOYTOOLS = {
    **DEPLOYTOOLS,
    "OPTIONAL_ENV_VARS": [
        *DEPLOYTOOLS["OPTIONAL_ENV_VARS"],
        "RELEASE_SCENARIO",
        "RELEASE_DEPLOYTOOLS",
        "SHOP_SLEEP",
        "RELEASE_DB_CACHE",
        "RELEASE_POSTGRES_MINIMUM",
    ],
    **json.loads(os.environ.get("RELEASE_DEPLOYTOOLS", "{}")),
}

if os.environ.get("RELEASE_DB_CACHE"):
    # heroku_release's default post-migrate step creates this table.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shop_cache",
        }
    }

if os.environ.get("RELEASE_POSTGRES_MINIMUM"):
    # The test server is as new as this Django needs: to see heroku_release refuse an older
    # one, the data's minimum for the running Django is raised instead. The server's version
    # is still read from the real server.
    import dataclasses

    import django

    from deploytools import platform_data

    _data = platform_data.data()
    _series = platform_data.django_series(django.get_version())
    _raised = dataclasses.replace(
        _data,
        django_releases=tuple(
            dataclasses.replace(r, postgresql_min=int(os.environ["RELEASE_POSTGRES_MINIMUM"]))
            if r.series == _series
            else r
            for r in _data.django_releases
        ),
    )
    platform_data.data = lambda: _raised  # type: ignore[assignment]
