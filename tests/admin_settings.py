"""weareone's production settings for the admin browser tests (tests/test_admin.py)."""

from tests.live_settings import *  # noqa: F403

# Each login costs a full PBKDF2 hash (over half a second); which hasher signs passwords is not
# what the admin tests are about, and tests/settings.py makes the same trade.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
