"""E100–W104, W107–W114: each production-settings check, failing and passing, in this process."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from deploytools.checks.registry import CATALOGUE
from deploytools.context import Context, Skipped
from tests.helpers import (
    project_at,
    run,
)

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}


PG = {"ENGINE": "django.db.backends.postgresql", "NAME": "app", "HOST": "127.0.0.1"}


GOOD_PG = {**PG, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True, "OPTIONS": {"sslmode": "require"}}


SECURITY = "django.middleware.security.SecurityMiddleware"


WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"


override_databases = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def ids(name: str, context: Context | None = None) -> list[str]:
    """The message IDs of one check, run as our commands run it."""
    messages = CATALOGUE[name].func(context=context or Context(project=project_at(Path.cwd())))
    return [str(m.id) for m in messages]


def test_the_checks_tagged_settings_are_the_1xx_and_the_migrations() -> None:
    # "settings": run with the production settings, in preflight's simulated dyno.
    found = {i for spec in CATALOGUE.values() if "settings" in spec.tags for i in spec.ids}
    expected = {"E100", "E102", "W103", "W104", "E105", "W106", "W107", "E108"}
    expected |= {"W109", "W110", "W111", "W112", "W113", "W114", "E115", "E116"}
    # The migrations on disk are what the production INSTALLED_APPS make of them.
    expected |= {"E301", "E302", "W303", "W304"}
    assert found == {f"deploytools.{i}" for i in expected}
    for spec in CATALOGUE.values():
        if "settings" in spec.tags:
            assert {"preflight", "release", "settings"} <= set(spec.tags)
            assert spec.deploy


def test_e100_passes_in_process_and_names_the_module() -> None:
    context = Context()
    result = run(context, "settings_load")
    assert result.checks[0].status == "passed"
    assert result.checks[0].detail == "tests.settings"


@override_databases
def test_e102_sqlite_fails_and_postgres_passes() -> None:
    with override_settings(DATABASES={"default": SQLITE}):
        assert ids("production_database") == ["deploytools.E102"]
    with override_settings(DATABASES={"default": PG, "other": SQLITE}):
        messages = CATALOGUE["production_database"].func(context=Context())
        assert [m.obj for m in messages] == ["settings.DATABASES['other']['ENGINE']"]
    with override_settings(DATABASES={"default": PG}):
        assert ids("production_database") == []
    with override_settings(DATABASES={}), pytest.raises(Skipped):
        ids("production_database")


@override_databases
def test_w103_connection_reuse() -> None:
    with override_settings(DATABASES={"default": {**GOOD_PG, "CONN_MAX_AGE": 0}}):
        assert ids("database_connection_reuse") == ["deploytools.W103"]
    with override_settings(DATABASES={"default": {**GOOD_PG, "CONN_HEALTH_CHECKS": False}}):
        assert ids("database_connection_reuse") == ["deploytools.W103"]
    with override_settings(DATABASES={"default": {**GOOD_PG, "CONN_MAX_AGE": None}}):
        assert ids("database_connection_reuse") == []
    with override_settings(DATABASES={"default": GOOD_PG}):
        assert ids("database_connection_reuse") == []
    with override_settings(DATABASES={"default": SQLITE}), pytest.raises(Skipped):
        ids("database_connection_reuse")


@override_databases
def test_w104_database_ssl() -> None:
    with override_settings(DATABASES={"default": PG}):
        assert ids("database_ssl") == ["deploytools.W104"]
    with override_settings(DATABASES={"default": {**PG, "OPTIONS": {"sslmode": "prefer"}}}):
        assert ids("database_ssl") == ["deploytools.W104"]
    with override_settings(DATABASES={"default": GOOD_PG}):
        assert ids("database_ssl") == []
    with override_settings(DATABASES={"default": SQLITE}), pytest.raises(Skipped):
        ids("database_ssl")


def test_w107_whitenoise_position() -> None:
    with override_settings(MIDDLEWARE=[SECURITY, SESSIONS]):
        assert ids("whitenoise_middleware") == ["deploytools.W107"]
    with override_settings(MIDDLEWARE=[SECURITY, SESSIONS, WHITENOISE]):
        assert ids("whitenoise_middleware") == ["deploytools.W107"]
    with override_settings(MIDDLEWARE=[SECURITY, WHITENOISE, SESSIONS]):
        assert ids("whitenoise_middleware") == []
    with override_settings(MIDDLEWARE=[WHITENOISE, SESSIONS]):
        assert ids("whitenoise_middleware") == []


def test_e108_static_root() -> None:
    with override_settings(STATIC_ROOT=None):
        assert ids("static_root") == ["deploytools.E108"]
    with override_settings(STATIC_ROOT="/app/staticfiles"):
        assert ids("static_root") == []
    apps = [a for a in settings.INSTALLED_APPS if a != "django.contrib.staticfiles"]
    with override_settings(INSTALLED_APPS=apps), pytest.raises(Skipped):
        ids("static_root")


def test_w109_static_storage() -> None:
    def storages(backend: str) -> dict[str, Any]:
        return {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}

    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    manifest = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    good = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    compressed = "whitenoise.storage.CompressedStaticFilesStorage"

    def message(backend: str) -> str:
        with override_settings(STORAGES=storages(backend)):
            (found,) = CATALOGUE["static_storage"].func(context=Context())
        assert found.id == "deploytools.W109"
        return str(found.msg)

    assert message(plain).endswith(
        "no hashed names (browsers cannot cache them for long) and no compression."
    )
    # ManifestStaticFilesStorage hashes names: only the compression is missing.
    assert "hashed names, but no compression" in message(manifest)
    assert "compressed, but without hashed names" in message(compressed)
    with override_settings(STORAGES=storages(good)):
        assert ids("static_storage") == []


def test_w110_logging_to_files() -> None:
    file_logging = {
        "version": 1,
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": os.devnull},
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
            "rotating": {"class": "logging.handlers.RotatingFileHandler", "filename": os.devnull},
        },
    }
    with override_settings(LOGGING=file_logging):
        messages = CATALOGUE["logging_to_stdout"].func(context=Context())
        assert [m.id for m in messages] == ["deploytools.W110"] * 2
        assert {m.obj for m in messages} == {
            "settings.LOGGING['handlers']['file']",
            "settings.LOGGING['handlers']['rotating']",
        }
    with override_settings(
        LOGGING={"version": 1, "handlers": {"s": file_logging["handlers"]["stdout"]}}
    ):
        assert ids("logging_to_stdout") == []


def test_w111_local_uploads_with_file_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.apps import apps
    from django.db import models
    from django.test.utils import isolate_apps

    with isolate_apps("deploytools"):

        class Document(models.Model):
            scan = models.FileField()

            class Meta:
                app_label = "deploytools"

    monkeypatch.setattr(apps, "get_models", lambda: [Document])
    s3 = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    local = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(STORAGES=local):
        messages = CATALOGUE["upload_storage"].func(context=Context())
        assert [m.id for m in messages] == ["deploytools.W111"]
        assert "deploytools.Document.scan" in messages[0].msg
    with override_settings(STORAGES=s3):
        assert ids("upload_storage") == []
    monkeypatch.setattr(apps, "get_models", lambda: [])
    with pytest.raises(Skipped):
        ids("upload_storage")


def _project(tmp_path: Path, procfile: str | None, gunicorn_conf: str | None) -> Context:
    if procfile is not None:
        (tmp_path / "Procfile").write_text(procfile)
    if gunicorn_conf is not None:
        (tmp_path / "gunicorn.conf.py").write_text(gunicorn_conf)
    return Context(project=project_at(tmp_path), config_vars={})


@pytest.mark.parametrize(
    ("procfile", "gunicorn_conf", "config", "expected"),
    [
        # Heroku's Python buildpack exports FORWARDED_ALLOW_IPS='*': plain gunicorn trusts it.
        ("web: gunicorn app.wsgi\n", None, {}, []),
        ("web: gunicorn app.wsgi\n", "forwarded_allow_ips = '*'\n", {}, []),
        ("web: gunicorn app.wsgi\n", "forwarded_allow_ips = '127.0.0.1'\n", {}, ["W112"]),
        (
            "web: gunicorn app.wsgi\n",
            "import os\nforwarded_allow_ips = os.environ['X']\n",
            {},
            ["W112"],
        ),
        ("web: gunicorn -c conf/g.py app.wsgi\n", None, {}, []),
        (
            "web: gunicorn app.wsgi --forwarded-allow-ips='*'\n",
            "forwarded_allow_ips = '10.0.0.1'\n",
            {},
            [],
        ),
        ("web: gunicorn app.wsgi --forwarded-allow-ips 10.1.1.1\n", None, {}, ["W112"]),
        ("web: gunicorn app.wsgi\n", None, {"FORWARDED_ALLOW_IPS": "10.0.0.1"}, ["W112"]),
        ("web: waitress-serve app.wsgi:application\n", None, {}, ["W112"]),
        ("web: python -m uvicorn app.asgi:application\n", None, {}, []),
        (None, None, {}, ["W112"]),
    ],
)
def test_w112_router_trust(
    tmp_path: Path,
    procfile: str | None,
    gunicorn_conf: str | None,
    config: dict[str, str],
    expected: list[str],
) -> None:
    context = _project(tmp_path, procfile, gunicorn_conf)
    context.config_vars = config
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None):
        assert ids("ssl_redirect_proxy", context) == [f"deploytools.{i}" for i in expected]


def test_w112_passes_with_the_proxy_header_and_skips_without_redirect(tmp_path: Path) -> None:
    context = _project(tmp_path, None, None)
    header = ("HTTP_X_FORWARDED_PROTO", "https")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=header):
        assert ids("ssl_redirect_proxy", context) == []
    wrong = ("HTTP_X_FORWARDED_SSL", "on")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=wrong):
        assert ids("ssl_redirect_proxy", context) == ["deploytools.W112"]
    with override_settings(SECURE_SSL_REDIRECT=False), pytest.raises(Skipped):
        ids("ssl_redirect_proxy", context)


def test_w113_email_backend() -> None:
    console = "django.core.mail.backends.console.EmailBackend"
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(MAILERS={"default": {"BACKEND": console}}):
        messages = CATALOGUE["email_backend"].func(context=Context())
        assert [m.id for m in messages] == ["deploytools.W113"]
        assert messages[0].obj == "settings.MAILERS['default']['BACKEND']"
    with override_settings(MAILERS={"default": {"BACKEND": smtp}}):
        assert ids("email_backend") == []


def test_w113_email_backend_without_mailers() -> None:
    """Django 5.2, or 6.1 without MAILERS: EMAIL_BACKEND is judged, without a warning."""
    console = "django.core.mail.backends.console.EmailBackend"
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    for backend, expected in ((console, ["deploytools.W113"]), (smtp, [])):
        with warnings.catch_warnings():
            # Setting it here warns on Django 6.1; the check reading it must not.
            warnings.filterwarnings("ignore", message="The EMAIL_BACKEND setting is deprecated")
            overridden = override_settings(EMAIL_BACKEND=backend)
            overridden.enable()
        try:
            if hasattr(settings, "MAILERS"):
                del settings.MAILERS
            assert not hasattr(settings, "MAILERS")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                messages = CATALOGUE["email_backend"].func(context=Context())
            assert [str(w.message) for w in caught] == []
            assert [m.id for m in messages] == expected
            if expected:
                assert messages[0].obj == "settings.EMAIL_BACKEND"
                assert "console backend" in messages[0].msg
        finally:
            overridden.disable()


def test_w114_allowed_hosts_wildcard() -> None:
    with override_settings(ALLOWED_HOSTS=[".herokuapp.com", "*"]):
        assert ids("allowed_hosts_wildcard") == ["deploytools.W114"]
    with override_settings(ALLOWED_HOSTS=[".herokuapp.com"]):
        assert ids("allowed_hosts_wildcard") == []


def test_registered_with_djangos_check_deploy() -> None:
    with override_settings(ALLOWED_HOSTS=["*"]), pytest.raises(SystemCheckError) as raised:
        call_command("check", "--deploy", "--tag", "settings", "--fail-level", "WARNING")
    assert "deploytools.W114" in str(raised.value)


def test_e100_fails_when_a_setting_raises_on_read_and_e105_skips() -> None:
    # An empty SECRET_KEY imports fine but Django raises when it is read: the app cannot boot.
    with override_settings(SECRET_KEY=""):
        result = run(Context(), "settings_load", "secret_key_stable")
    load, stable = result.checks
    assert (load.status, load.ids) == ("failed", ["deploytools.E100"])
    assert load.messages[0].obj == "settings.SECRET_KEY"
    assert "ImproperlyConfigured: The SECRET_KEY setting must not be empty" in load.messages[0].msg
    assert str(load.messages[0].hint).endswith("DJANGO_SECRET_KEY=$(openssl rand -base64 48)")
    assert (stable.status, stable.detail) == (
        "skipped",
        "settings.SECRET_KEY cannot be read (see E100)",
    )
