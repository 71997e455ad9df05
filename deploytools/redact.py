"""
The one secret policy: what deploytools treats as secret, and how it keeps it out of output.

Secret are: the values of config vars whose names say they hold a credential (``*_SECRET*``,
``*_TOKEN``, ``*_PASSWORD``, ``*_KEY``, ``*_DSN`` …), values that look like tokens whatever
their name, the credentials inside any URL, ``settings.SECRET_KEY`` and the databases'
passwords. Nothing else is: masking ordinary config values ("False", "default", a module path,
a host name) would garble every report that mentions them, and hide nothing.

Every command scrubs its report, its log lines and its JSON with :func:`redact` and friends,
using the set :func:`secret_values` (a production config) or :func:`process_secrets` (the
environment of this process, on a dyno) returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from deploytools.checks.run import RunResult

MASK = "***"

# Shorter values ("1", "on") cannot hide a secret worth the name; masking them garbles text.
MIN_SECRET_LENGTH = 4
# Words that are settings, not secrets, even under a secret-looking name (FOO_AUTH=false).
ORDINARY_WORDS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null", "default", "disabled", "enabled"}
)
# Parts of a config var's name (split at "_") that say its value is a credential.
SECRET_NAME_PARTS = frozenset(
    {
        "APIKEY",
        "AUTH",
        "CERT",
        "CREDENTIAL",
        "CREDENTIALS",
        "DSN",
        "KEY",
        "PASS",
        "PASSWD",
        "PASSWORD",
        "PRIVATE",
        "PWD",
        "SALT",
        "SECRET",
        "SIGNATURE",
        "TOKEN",
    }
)
# A token: long, no spaces, several kinds of characters (API keys, base64 and hex secrets).
_TOKEN_MIN_LENGTH = 16
_DOTTED_NAME = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$")


def is_secret_name(name: str) -> bool:
    """Whether a config var named ``name`` holds a credential by its name."""
    return any(part in SECRET_NAME_PARTS for part in re.split(r"[^A-Z0-9]+", name.upper()))


def looks_like_token(value: str) -> bool:
    """
    Whether ``value`` looks like a generated secret (an API key, a signing key), whatever the
    name it is stored under: 16 characters or more, no spaces, and a mix of letters with digits
    or symbols. Dotted names (a module path, a host name), paths, URLs and lists are not.
    """
    text = value.strip()
    if len(text) < _TOKEN_MIN_LENGTH or any(c.isspace() for c in text):
        return False
    if _DOTTED_NAME.match(text) or text.startswith(("/", "~")) or "://" in text or "," in text:
        return False
    kinds = [
        any(c.islower() for c in text),
        any(c.isupper() for c in text),
        any(c.isdigit() for c in text),
        any(not c.isalnum() for c in text),
    ]
    has_letters = kinds[0] or kinds[1]
    return has_letters and kinds[2] and sum(kinds) >= 2


def url_credentials(value: str) -> set[str]:
    """The password of ``value`` if it is a URL with one, and its user name if that looks
    generated (Heroku Postgres users do); a plain user such as "postgres" is no secret."""
    if "://" not in value:
        return set()
    try:
        parts = urlsplit(value.strip())
        user, password = parts.username, parts.password
    except ValueError:
        return set()
    found = {password} if password else set()
    generated = user and len(user) >= 8 and any(c.isdigit() for c in user)
    if generated and any(c.isalpha() for c in user or ""):
        found.add(str(user))
    return found


def _worth_masking(value: str) -> bool:
    return len(value) >= MIN_SECRET_LENGTH and value.strip().lower() not in ORDINARY_WORDS


def secret_values(config_vars: Mapping[str, str | None] | None, *extra: str | None) -> set[str]:
    """
    Every string to scrub for a production config: the values of secret-named config vars,
    token-like values, the credentials in URLs, and ``extra`` values (SECRET_KEY, passwords)
    that are secret whatever they look like.
    """
    found: set[str] = set()
    for name, value in (config_vars or {}).items():
        if not value:
            continue
        if is_secret_name(name) or looks_like_token(value):
            found.update({value, value.strip()})
        found.update(url_credentials(value))
    for value in extra:
        if value:
            found.update({value, value.strip()})
            found.update(url_credentials(value))
    return {value for value in found if _worth_masking(value)}


def settings_secrets() -> set[str]:
    """settings.SECRET_KEY and the databases' passwords, as this process has them."""
    from django.conf import settings

    from deploytools.facts.settings_values import readable_setting

    # An empty SECRET_KEY raises when read; E100 reports that, here it is just no secret.
    found = {str(readable_setting("SECRET_KEY", "") or "")}
    databases = readable_setting("DATABASES", {}) if settings.configured else {}
    if isinstance(databases, Mapping):
        for database in databases.values():
            if isinstance(database, Mapping):
                found.add(str(database.get("PASSWORD") or ""))
    return {value for value in found if _worth_masking(value)}


def process_secrets() -> set[str]:
    """
    The secrets of this process, where its environment is the production config (a release
    dyno's environment is the app's config vars): that config's secrets and the settings'.
    """
    import os

    return secret_values(dict(os.environ)) | settings_secrets()


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    # Longest first, so a secret containing another is masked whole.
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_document(document: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON-like document with every string redacted (keys included)."""
    secrets = sorted(set(secrets), key=len, reverse=True)

    def scrub(item: Any) -> Any:
        if isinstance(item, str):
            return redact(item, secrets)
        if isinstance(item, Mapping):
            return {scrub(key): scrub(value) for key, value in item.items()}
        if isinstance(item, list | tuple):
            return [scrub(value) for value in item]
        return item

    return scrub(document)


def redact_result(result: RunResult, secrets: Iterable[str]) -> None:
    """Scrub, in place, every text of a result: titles, details and messages."""
    secrets = sorted(set(secrets), key=len, reverse=True)
    if not secrets:
        return
    for line in result.checks:
        line.title = redact(line.title, secrets)
        line.detail = redact(line.detail, secrets)
        for message in line.messages:
            message.msg = redact(str(message.msg), secrets)
            if message.hint is not None:
                message.hint = redact(str(message.hint), secrets)
            if isinstance(message.obj, str):
                message.obj = redact(message.obj, secrets)


def without_userinfo(value: str | None) -> str | None:
    """
    ``value`` with the user and password of a URL removed (https://host/page), else unchanged.

    Allow-listed config vars are not secret by name, but a URL among them may still carry
    credentials (ERROR_PAGE_URL=https://user:pw@host/...). An unparseable URL is dropped.
    """
    if value is None or "://" not in value or "@" not in value:
        return value
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return None
    if not (parts.username or parts.password):
        return value
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, parts.query, parts.fragment))
