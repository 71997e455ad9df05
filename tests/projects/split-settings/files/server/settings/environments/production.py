"""Production on Heroku: set DJANGO_ENV=production there."""

from os import environ

DEBUG = False
SECRET_KEY = environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [".herokuapp.com"]

DATABASES["default"]["OPTIONS"] = {"sslmode": "require"}  # noqa: F821 - from database.py

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
