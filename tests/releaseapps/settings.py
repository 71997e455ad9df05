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
