"""Test settings: weareone's own settings with the database on the test PostgreSQL."""

from weareone.settings import *  # noqa: F403

# tests/conftest.py starts a throwaway PostgreSQL (or uses TEST_DATABASE_URL) and fills in
# HOST/PORT/NAME/USER before pytest-django creates the test database.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "weareone",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 0,
    }
}

# Manifest storage needs collectstatic first; the live-site tests run it for real.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The tests assert deploytools' English texts; weareone's own default (French) is tested by
# tests/test_french.py through manage.py.
DEPLOYTOOLS = {**DEPLOYTOOLS, "LANGUAGE": "en"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the finders, as in development: the tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
