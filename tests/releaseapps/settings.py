"""
weareone's settings plus the `shop` app, whose migrations are a scenario of
tests/releaseapps/scenarios chosen by RELEASE_SCENARIO; RELEASE_DEPLOYTOOLS (JSON) overrides
keys of DEPLOYTOOLS; RELEASE_POSTGRES_MINIMUM and RELEASE_DATA_READ change the platform data
(below). Used by heroku_release child processes in tests/test_release*.py and bench/.
RELEASE_SETTINGS_PRINT makes the import print the secret key (Python and file descriptor 1);
RELEASE_SETTINGS_FAIL makes it raise: "port" a ValueError quoting part of REDIS_URL's
password, "improperly" an ImproperlyConfigured quoting the key (tests/test_release_faults.py).
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
        "RELEASE_DATA_READ",
        "RELEASE_SETTINGS_PRINT",
        "SHOP_PID_FILE",
        "RELEASE_SETTINGS_FAIL",
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

if os.environ.get("RELEASE_POSTGRES_MINIMUM") or os.environ.get("RELEASE_DATA_READ"):
    # Tests change the platform data a release judges by, as an older deploytools or an older
    # server would make it: RELEASE_POSTGRES_MINIMUM raises the running Django's PostgreSQL
    # minimum past the test server (whose version is still read from the server itself);
    # RELEASE_DATA_READ (an ISO date) is the day every table was read.
    import datetime

    import django

    from deploytools import platform_data

    _data = platform_data.data()
    if os.environ.get("RELEASE_POSTGRES_MINIMUM"):
        _series = platform_data.django_series(django.get_version())
        _data = _data._replace(
            django_releases=tuple(
                r._replace(postgresql_min=int(os.environ["RELEASE_POSTGRES_MINIMUM"]))
                if r.series == _series
                else r
                for r in _data.django_releases
            ),
        )
    if os.environ.get("RELEASE_DATA_READ"):
        _read = datetime.date.fromisoformat(os.environ["RELEASE_DATA_READ"])
        _data = _data._replace(tables=tuple(t._replace(read=_read) for t in _data.tables))
    _patched = _data
    platform_data.data = lambda: _patched  # type: ignore[assignment]

if os.environ.get("RELEASE_SETTINGS_PRINT"):
    print("settings import print: key=" + os.environ.get("DJANGO_SECRET_KEY", ""))
    os.write(1, ("settings import fd 1: key=" + os.environ.get("DJANGO_SECRET_KEY", "")).encode())

if os.environ.get("RELEASE_SETTINGS_FAIL") == "port":
    from urllib.parse import urlsplit

    # With an unescaped "#" in the password, urlsplit takes the part before it for a port
    # and says so: "Port could not be cast to integer value as '...'".
    REDIS_PORT = urlsplit(os.environ["REDIS_URL"]).port
elif os.environ.get("RELEASE_SETTINGS_FAIL") == "improperly":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("the key " + os.environ["DJANGO_SECRET_KEY"] + " is revoked")
