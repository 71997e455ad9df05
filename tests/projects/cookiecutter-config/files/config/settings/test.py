"""With these settings, tests run faster."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-4Fg6Hj8Kl0Zx2Cv4Bn6Mq8Wr0Ty2Ui4Op6As8Df")
TEST_RUNNER = "django.test.runner.DiscoverRunner"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
