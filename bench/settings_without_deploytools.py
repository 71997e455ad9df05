"""weareone's settings without deploytools: the baseline of bench/check_overhead.py."""

from weareone.settings import *  # noqa: F403
from weareone.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "deploytools"]
DEPLOYTOOLS: dict[str, object] = {}
