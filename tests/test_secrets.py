"""The secret policy: no secret reaches any output, and ordinary values are not masked."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from deploytools import redact
from deploytools.checks.run import CheckResult, RunResult
from tests.helpers import (
    ROOT,
    run_command,
    run_manage,
)

SECRET_KEY = "sk-Zx81mQ-unique-secret-key-value-4c7b9e2a1f3d5h6j8k0lPq"


DB_USER = "u7dbusername9"


DB_PASSWORD = "pw-9Xk2LmQr7TzV4sW1"


API_TOKEN = "tok-live-3e5r7t9y1u3i5o7p"


ALLOWED = "www.secret-customer-domain.example"


CONFIG = f"""\
DJANGO_SECRET_KEY='{SECRET_KEY}'
DATABASE_URL='postgres://{DB_USER}:{DB_PASSWORD}@ec2-198-51-100-7.compute-1.amazonaws.com:5432/d1'
THIRD_PARTY_API_TOKEN={API_TOKEN}
DJANGO_ALLOWED_HOSTS={ALLOWED}
"""


SECRETS = (SECRET_KEY, DB_USER, DB_PASSWORD, API_TOKEN, ALLOWED)


def assert_no_secret(*outputs: str) -> None:
    joined = "\n".join(outputs)
    for secret in SECRETS:
        assert secret not in joined


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "production.env"
    path.write_text(CONFIG)
    return path


# Every format: text and JSON, and the HTML page and CI formats built from the JSON.
FORMATS = ["text", "json", "html", "github", "junit"]


# weareone's own language (French) and English: a translated text quotes no value either.
@pytest.mark.parametrize("language", ["en", None])
@pytest.mark.parametrize("output", FORMATS)
def test_weareone_preflight_prints_no_config_value(
    config_file: Path, output: str, language: str | None
) -> None:
    outcome = run_manage(
        "preflight", "--format", output, "--config-vars", str(config_file), language=language
    )
    assert outcome.exit_code in (0, 1), outcome.stderr
    assert_no_secret(outcome.stdout, outcome.stderr)
    if output == "json":
        json.loads(outcome.stdout)
    # Ordinary values are not masked: the report still names the settings module.
    if output in ("text", "html"):
        assert "weareone.settings" in outcome.stdout


def make_project(tmp_path: Path) -> Path:
    """A project whose settings, on a dyno, raise with config var values in the message."""
    project = tmp_path / "leaky"
    (project / "leaky").mkdir(parents=True)
    (project / "leaky" / "__init__.py").write_text("")
    (project / "manage.py").write_text(
        (ROOT / "manage.py").read_text().replace("weareone", "leaky")
    )
    (project / "leaky" / "settings.py").write_text(
        textwrap.dedent(
            """\
            import os
            from pathlib import Path

            BASE_DIR = Path(__file__).resolve().parent.parent
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "deploytools"]
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
            USE_TZ = True
            SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-" + "x" * 50)
            if "DYNO" in os.environ:
                from django.core.exceptions import ImproperlyConfigured

                raise ImproperlyConfigured(
                    "cannot use " + os.environ["DATABASE_URL"] + " with key "
                    + os.environ["DJANGO_SECRET_KEY"] + " and token "
                    + os.environ["THIRD_PARTY_API_TOKEN"]
                )
            """
        )
    )
    return project


@pytest.mark.parametrize("output", FORMATS)
def test_e100_path_scrubs_values_quoted_by_the_settings(
    tmp_path: Path, config_file: Path, output: str
) -> None:
    project = make_project(tmp_path)
    env = {"PYTHONPATH": str(ROOT)}
    outcome = run_manage(
        "preflight", "--format", output, "--config-vars", str(config_file), env=env, cwd=project
    )
    assert outcome.exit_code == 1, outcome.stderr
    assert "deploytools.E100" in outcome.stdout
    assert "ImproperlyConfigured: cannot use" in outcome.stdout
    assert_no_secret(outcome.stdout, outcome.stderr)
    french = run_manage(
        "preflight",
        "--format",
        output,
        "--config-vars",
        str(config_file),
        "--language",
        "fr",
        env=env,
        cwd=project,
    )
    assert french.exit_code == 1, french.stderr
    assert "ImproperlyConfigured: cannot use" in french.stdout
    if output == "text":
        assert "Les réglages ne peuvent pas être chargés" in french.stdout
    assert_no_secret(french.stdout, french.stderr)


def test_redaction_helpers() -> None:
    url = f"postgres://{DB_USER}:{DB_PASSWORD}@host:5432/db"
    secrets = redact.secret_values({"DATABASE_URL": url, "WEB_CONCURRENCY": "2"}, SECRET_KEY)
    assert {DB_USER, DB_PASSWORD, SECRET_KEY} <= secrets
    assert "2" not in secrets  # too short to be a secret; masking it would garble numbers
    assert redact.redact(f"at {url} and {DB_PASSWORD}", secrets) == (
        "at postgres://***:***@host:5432/db and ***"
    )
    assert redact.without_userinfo(url) == "postgres://host:5432/db"
    document = {"msg": [f"key {SECRET_KEY}"], SECRET_KEY: 1}
    assert redact.redact_document(document, secrets) == {"msg": ["key ***"], "***": 1}
    result = RunResult("preflight")
    result.checks.append(CheckResult("x", f"t {API_TOKEN}", (), "passed", detail=API_TOKEN))
    redact.redact_result(result, {API_TOKEN})
    assert result.checks[0].title == "t ***" and result.checks[0].detail == "***"


def test_ordinary_config_values_are_not_masked() -> None:
    # Values of ordinary names stay readable wherever they occur in a report: masking "False"
    # or a module path would garble every line that happens to contain them.
    config = {
        "DJANGO_SETTINGS_MODULE": "weareone.settings",
        "DJANGO_DEBUG": "False",
        "DJANGO_LOG_LEVEL": "default",
        "DJANGO_ALLOWED_HOSTS": ".herokuapp.com,www.weareone.example",
        "WEB_CONCURRENCY": "4",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "SENTRY_DSN": "https://abc123publickey@o1.ingest.sentry.io/1",
    }
    secrets = redact.secret_values(config)
    line = "settings weareone.settings, DEBUG False, log level default, .herokuapp.com, 4 workers"
    assert redact.redact(line, secrets) == line
    # ... while the secret-like ones are masked, the DSN's key included.
    assert redact.redact(f"key {SECRET_KEY}, dsn key abc123publickey", secrets) == (
        "key ***, dsn key ***"
    )


# -- secrets planted where issue 8 found them leaking ---------------------------------------------

PEM_LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretPEMline"
BARE_PASSWORD = "Zq8Kx41pw9Xk2LmQr7TzV4sW1plain"  # letters and digits: a whole "name"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        # A base64 key pasted without quotes: its continuation line has no "=".
        (f"A=1\nSIGNING_CERT=MIIBIjANBgkqhkiG9w0B\n{PEM_LINE}\n", 3),
        # A password pasted on a line of its own.
        (f"A=1\n{BARE_PASSWORD}\n", 2),
        (f"A=1\nTOKEN='{API_TOKEN}\n", 2),  # the quote never closes
        (f"A=1\nTOKEN={API_TOKEN} {SECRET_KEY}\n", 2),  # unquoted spaces
        (f"A=1\n={DB_PASSWORD}\n", 2),  # no name
    ],
    ids=["pem-continuation", "bare-password", "unclosed-quote", "spaces", "no-name"],
)
@pytest.mark.parametrize("output", ["text", "json"])
def test_config_vars_parse_errors_name_the_line_never_its_content(
    tmp_path: Path, content: str, line: int, output: str
) -> None:
    path = tmp_path / "production.env"
    path.write_text(content)
    # In process: the file is read before anything else runs, and its errors are the output.
    outcome = run_command("preflight", "--format", output, "--config-vars", str(path))
    assert outcome.exit_code == 2
    assert f"{path}:{line}: " in outcome.stderr
    for secret in (*SECRETS, PEM_LINE, PEM_LINE[:20], BARE_PASSWORD):
        assert secret not in outcome.stdout + outcome.stderr
    if output == "json":
        assert json.loads(outcome.stdout)["error"].startswith(f"{path}:{line}: ")


def test_local_settings_failing_to_import_are_e100_without_the_secret(tmp_path: Path) -> None:
    # preflight imports the local settings too (manage.py, before any command runs): a
    # DATABASE_URL whose password holds an unescaped '#' makes them raise.
    url = f"postgres://{DB_USER}:{DB_PASSWORD}#x@db.example:5432/d"
    outcome = run_manage("preflight", "--format", "json", env={"DATABASE_URL": url})
    assert outcome.exit_code == 2
    document = json.loads(outcome.stdout)
    assert document["messages"][0]["id"] == "deploytools.E100"
    assert "ParseError at weareone/settings.py:" in document["error"]
    for secret in (DB_USER, DB_PASSWORD, DB_PASSWORD[:8]):
        assert secret not in outcome.stdout + outcome.stderr
    assert "Traceback" not in outcome.stderr
