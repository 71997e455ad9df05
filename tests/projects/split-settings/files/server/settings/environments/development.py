"""Development: DEBUG on, a throwaway key unless one is set, every local host name."""

from os import environ

from django.core.management.utils import get_random_secret_key

DEBUG = True
SECRET_KEY = environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", ".herokuapp.com"]
INTERNAL_IPS = ["127.0.0.1"]
