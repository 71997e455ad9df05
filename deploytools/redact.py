"""
Keep secret values out of everything deploytools prints.

Config var values, SECRET_KEY and the credentials inside service URLs must never reach a report,
a log line or a JSON document. The helpers here scrub known values from text (and from whole
JSON documents) and remove the credentials of a URL while keeping what is useful to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from deploytools.checks.run import RunResult

MASK = "***"

# Shorter values ("1", "on", "2") cannot hide a secret worth the name, and scrubbing them would
# garble every number and word of a report.
MIN_SECRET_LENGTH = 4


def secret_values(config_vars: Mapping[str, str] | None, *extra: str | None) -> set[str]:
    """
    Every string to scrub: each config var value, the user and password inside any URL among
    them, and ``extra`` values such as ``settings.SECRET_KEY``.
    """
    found: set[str] = set()
    for value in [*(config_vars or {}).values(), *extra]:
        if not value:
            continue
        found.add(value)
        found.update(url_credentials(value))
        # A value may be quoted back with its surrounding whitespace stripped.
        found.add(value.strip())
    return {value for value in found if len(value) >= MIN_SECRET_LENGTH}


def url_credentials(value: str) -> set[str]:
    """The user name and password of ``value`` if it is a URL with credentials."""
    if "://" not in value:
        return set()
    try:
        parts = urlsplit(value.strip())
        return {part for part in (parts.username, parts.password) if part}
    except ValueError:
        return set()


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
    for check in result.checks:
        check.title = redact(check.title, secrets)
        check.detail = redact(check.detail, secrets)
        for message in check.messages:
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
