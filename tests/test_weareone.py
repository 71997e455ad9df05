"""The weareone project itself: pages, the health endpoint, production settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client

from tests.helpers import (
    ROOT,
)


@pytest.mark.django_db
def test_home_page() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    assert b"<h1>We Are One</h1>" in response.content


@pytest.mark.django_db
def test_health_answers_200_when_the_database_answers() -> None:
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_health_answers_503_when_the_database_does_not() -> None:
    settings_dict = connection.settings_dict
    port = settings_dict["PORT"]
    connection.close()
    # Nothing listens on port 1: the connection is refused.
    settings_dict["PORT"] = "1"
    try:
        response = Client().get("/health")
    finally:
        connection.close()
        settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


def _settings_in_env(env: dict[str, str], expr: str) -> str:
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='weareone.settings'; "
        f"django.setup(); from django.conf import settings; print(repr(({expr})))"
    )
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc.stdout.strip() + proc.stderr.strip()


def test_development_needs_no_configuration() -> None:
    out = _settings_in_env({}, "settings.DEBUG, settings.DATABASES['default']['ENGINE']")
    assert out == "(True, 'django.db.backends.sqlite3')"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    out = _settings_in_env({"DYNO": "web.1"}, "settings.DEBUG")
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in out


def test_production_settings_come_from_the_environment() -> None:
    env = {
        "DYNO": "web.1",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-only-value-0123456789abcdef",
        "DATABASE_URL": "postgres://u:p@db.example.invalid:5432/app",
        "DJANGO_DEBUG": "1",  # ignored on a dyno
    }
    out = _settings_in_env(
        env,
        "settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default']['OPTIONS'].get('sslmode'), "
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['CONN_HEALTH_CHECKS'], settings.SECURE_SSL_REDIRECT",
    )
    assert out == "(False, 'django.db.backends.postgresql', 'require', 600, True, True)"
