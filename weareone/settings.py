"""
Settings for weareone: 12-factor, every production value comes from a Heroku config var.

With no environment at all (a fresh checkout) this is a development setup: SQLite, DEBUG on.
On a Heroku dyno (DYNO is set) it is production: DEBUG off, PostgreSQL from DATABASE_URL,
HTTPS everywhere, and it refuses to start without DJANGO_SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

# Heroku sets DYNO on every dyno, including the release phase and one-off dynos.
IS_HEROKU_APP = "DYNO" in os.environ


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


if IS_HEROKU_APP:
    # Fail at boot rather than sign sessions with a key that changes at every restart.
    try:
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    except KeyError:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. "
            "Set it with: heroku config:set DJANGO_SECRET_KEY=$(openssl rand -base64 48)"
        ) from None
else:
    # Development only: a fresh key per process is fine, nothing long-lived is signed.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()

# Never on a dyno, whatever the config vars say: a debug page leaks settings.
DEBUG = env_bool("DJANGO_DEBUG", default=True) and not IS_HEROKU_APP

# Heroku's router only forwards hosts that route to this app, but Django still needs the list
# to build absolute URLs and to refuse forged Host headers behind other proxies.
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    default=[".herokuapp.com"] if IS_HEROKU_APP else ["localhost", "127.0.0.1", "[::1]"],
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "deploytools",
    "weareone",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "weareone.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "weareone.wsgi.application"

# Heroku Postgres provides DATABASE_URL. Persistent connections save a TLS handshake per
# request; health checks drop connections that Heroku's maintenance closed. Heroku Postgres
# only accepts TLS, so production requires it (DATABASE_SSL_REQUIRE=0 is for local runs of the
# release phase against a database without TLS).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
        ssl_require=env_bool("DATABASE_SSL_REQUIRE", default=IS_HEROKU_APP),
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names can be cached forever by browsers and CDNs; compression saves bandwidth.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Heroku collects stdout into its log stream (logplex); files on a dyno vanish at restart.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

if IS_HEROKU_APP:
    # The router terminates TLS and says so in X-Forwarded-Proto; trust it so that
    # SECURE_SSL_REDIRECT does not loop.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Development prints email to the console; production sends it through SMTP (an add-on such
# as Mailgun or SendGrid provides the host and credentials as config vars).
_EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_HEROKU_APP
    else "django.core.mail.backends.console.EmailBackend"
)
if django.VERSION >= (6, 1):
    # Django 6.1 replaced EMAIL_BACKEND and friends with MAILERS.
    MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND}}
else:
    EMAIL_BACKEND = _EMAIL_BACKEND

DEPLOYTOOLS = {
    "RELEASE_BRANCH": "local/production",
    "HEROKU_REMOTE": "heroku",
    "TEST_COMMAND": "python -m pytest -q -x",
    # The team reads French: the reports of preflight, heroku_release and production_check are
    # in French. A developer who prefers English exports DEPLOYTOOLS_LANGUAGE=en once in their
    # shell (or passes --language en to one run); the site itself keeps LANGUAGE_CODE.
    "LANGUAGE": os.environ.get("DEPLOYTOOLS_LANGUAGE") or "fr",
    # Read by these settings but optional in production: each has a safe default above.
    "OPTIONAL_ENV_VARS": [
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DJANGO_LOG_LEVEL",
        "DATABASE_SSL_REQUIRE",
        "DEPLOYTOOLS_LANGUAGE",
    ],
}
