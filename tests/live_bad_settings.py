"""weareone misconfigured the way the 9xx checks catch: debug page, no HSTS, insecure cookies."""

from tests.live_settings import *  # noqa: F403

DEBUG = True
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
