"""
One snapshot of a Heroku app: what the Platform API said, kept to be checked now or later.

The 7xx–9xx checks read a :class:`Snapshot` and never the network. A snapshot can be saved
(``--save-snapshot``) without any secret value and checked offline (``--snapshot``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from deploytools import platform_data, redact

JSON = dict[str, Any]

SNAPSHOT_FORMAT = 1

# Config vars whose values a saved snapshot keeps: settings, never credentials. Everything else
# is kept by name only (value null), so the snapshot can be shared or committed.
NON_SECRET_CONFIG_VARS = frozenset(
    {
        "ALLOWED_HOSTS",
        "DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "ERROR_PAGE_URL",
        "GUNICORN_CMD_ARGS",
        "GUNICORN_THREADS",
        "GUNICORN_WORKERS",
        "MAINTENANCE_PAGE_URL",
        "PYTHON_VERSION",
        "PYTHONUNBUFFERED",
        "PYTHONHASHSEED",
        "TZ",
        "WEB_CONCURRENCY",
    }
)


# The add-on config entries a snapshot keeps: what `heroku data:pg:create` sets on a Heroku
# Postgres Advanced database (heroku/cli src/commands/data/pg/create.ts @ c5fbf4b, read
# 2026-12-01): its compute level, which sets its connection limit, and its standby.
ADDON_CONFIG_KEYS = frozenset({"level", "high-availability"})


class SnapshotError(Exception):
    """A saved snapshot file cannot be read; the message names the path and the reason."""


@dataclass
class Snapshot:
    """
    Everything production_check knows about one Heroku app, as the Platform API returned it.

    Each field holds the API's JSON for that endpoint, as Heroku's published Platform API
    schema describes it (a copy is in the repository: tests/fixtures/heroku/).
    ``config_vars`` maps every config var name to its value, or to None where the value was
    dropped (a saved snapshot keeps values only for an allow-list of non-secret settings).
    ``releases`` is newest first; ``slug`` is the latest release's slug (its ``commit``), if any;
    a Fir release carries an OCI image instead (``oci_image``, with its ``commit`` too).
    ``telemetry_drains`` holds the app's and, for an app in a space, the space's drains.
    ``addon_configs`` maps a Heroku Postgres Advanced add-on's id to its config, kept to
    :data:`ADDON_CONFIG_KEYS` (the compute level and high availability, never a credential).
    """

    app: JSON
    formation: list[JSON] = field(default_factory=list)
    addons: list[JSON] = field(default_factory=list)
    config_vars: dict[str, str | None] = field(default_factory=dict)
    domains: list[JSON] = field(default_factory=list)
    sni_endpoints: list[JSON] = field(default_factory=list)
    log_drains: list[JSON] = field(default_factory=list)
    telemetry_drains: list[JSON] = field(default_factory=list)
    features: list[JSON] = field(default_factory=list)
    releases: list[JSON] = field(default_factory=list)
    dyno_sizes: list[JSON] = field(default_factory=list)
    fetched_at: str = ""
    slug: JSON | None = None
    oci_image: JSON | None = None
    addon_configs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def app_name(self) -> str:
        return str(self.app.get("name", ""))

    @property
    def has_config_values(self) -> bool:
        """True when every config var's value is known (a live fetch, not a saved file)."""
        return all(value is not None for value in self.config_vars.values())

    def known_config_vars(self) -> dict[str, str]:
        """The config vars whose values are known."""
        return {k: v for k, v in self.config_vars.items() if v is not None}


# --- saving and loading --------------------------------------------------------------------


def _strip_url(url: object) -> str:
    """scheme://host only: drain URLs carry credentials in userinfo, path or query."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def redacted(snapshot: Snapshot) -> JSON:
    """The snapshot as a JSON-ready dict with every secret value removed."""
    data = asdict(snapshot)
    data["config_vars"] = {
        name: redact.without_userinfo(value) if name in NON_SECRET_CONFIG_VARS else None
        for name, value in sorted(snapshot.config_vars.items())
    }
    data["log_drains"] = [
        {**drain, "url": _strip_url(drain.get("url", "")), "token": ""}
        for drain in snapshot.log_drains
    ]
    data["telemetry_drains"] = [
        {
            **drain,
            "exporter": {
                **(drain.get("exporter") or {}),
                "endpoint": _strip_url((drain.get("exporter") or {}).get("endpoint", "")),
                "headers": {},
            },
        }
        for drain in snapshot.telemetry_drains
    ]
    data["addon_configs"] = {k: kept_addon_config(v) for k, v in snapshot.addon_configs.items()}
    if isinstance(snapshot.slug, dict) and isinstance(snapshot.slug.get("blob"), dict):
        # The slug's blob URL is pre-signed: anyone holding it can download the app's code.
        blob = snapshot.slug["blob"]
        data["slug"] = {**snapshot.slug, "blob": {**blob, "url": _strip_url(blob.get("url", ""))}}
    return {"format": SNAPSHOT_FORMAT, **data}


def save_snapshot(snapshot: Snapshot, path: Path | str) -> None:
    """Write ``snapshot`` as JSON without secret values (see NON_SECRET_CONFIG_VARS)."""
    text = json.dumps(redacted(snapshot), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    target = Path(path)
    try:
        # Write then rename, so a failed write never leaves half a file behind.
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise SnapshotError(
            _("%(path)s: cannot write (%(error)s)") % {"path": path, "error": exc.strerror or exc}
        ) from None


_LIST_FIELDS = tuple(
    f.name
    for f in fields(Snapshot)
    if f.name not in {"app", "config_vars", "fetched_at", "slug", "oci_image", "addon_configs"}
)


def kept_addon_config(entries: object) -> dict[str, str]:
    """An add-on's config (a list of {name, value}, or a saved dict) kept to ADDON_CONFIG_KEYS."""
    pairs = (
        entries.items()
        if isinstance(entries, dict)
        else [
            (e.get("name"), e.get("value"))
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict)
        ]
    )
    return {
        str(name): str(value)
        for name, value in pairs
        if name in ADDON_CONFIG_KEYS and isinstance(value, str)
    }


def load_snapshot(path: Path | str) -> Snapshot:
    """Read a saved snapshot; raise :class:`SnapshotError` ("PATH: reason") if it is unusable."""

    def bad(reason: str) -> SnapshotError:
        return SnapshotError(f"{path}: {reason}")

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise bad(
            _("cannot read (%(error)s)") % {"error": exc.strerror or type(exc).__name__}
        ) from None
    except UnicodeDecodeError:
        raise bad(_("not UTF-8 text")) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise bad(_("not valid JSON (line %(line)s)") % {"line": line}) from None
    if not isinstance(data, dict):
        raise bad(_("expected a JSON object"))
    if data.get("format", SNAPSHOT_FORMAT) != SNAPSHOT_FORMAT:
        raise bad(_("unknown snapshot format %(f)r") % {"f": data.get("format")})
    app = data.get("app")
    if not isinstance(app, dict) or not isinstance(app.get("name"), str):
        raise bad(_('"app" must be an object with a "name"'))
    config = data.get("config_vars", {})
    if not isinstance(config, dict) or not all(
        isinstance(v, str | type(None)) for v in config.values()
    ):
        raise bad(_('"config_vars" must map names to strings or null'))
    lists: dict[str, list[JSON]] = {}
    for name in _LIST_FIELDS:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise bad(_('"%(name)s" must be a list of objects') % {"name": name})
        lists[name] = value
    slug, oci_image = data.get("slug"), data.get("oci_image")
    for name, value in (("slug", slug), ("oci_image", oci_image)):
        if value is not None and not isinstance(value, dict):
            raise bad(_('"%(name)s" must be an object or null') % {"name": name})
    configs = data.get("addon_configs", {})
    if not isinstance(configs, dict):
        raise bad(_('"addon_configs" must map add-on ids to objects'))
    return Snapshot(
        app=app,
        config_vars={str(k): v for k, v in config.items()},
        fetched_at=str(data.get("fetched_at", "")),
        slug=slug,
        oci_image=oci_image,
        addon_configs={str(k): kept_addon_config(v) for k, v in configs.items()},
        **lists,
    )


# --- reading a snapshot -----------------------------------------------------------------


def name_of(value: object) -> str:
    """The "name" of a nested API object ({"name": "web"}), "" when absent or malformed."""
    return str(value.get("name") or "") if isinstance(value, dict) else ""


def is_fir(snapshot: Snapshot) -> bool:
    """Fir-generation apps have their own dyno sizes (dyno-1c-0.5gb, ...), all professional."""
    return name_of(snapshot.app.get("generation")).lower() == "fir"


def dyno_size(process: JSON) -> str:
    return name_of(process.get("dyno_size")) or str(process.get("size") or "")


def pretty_size(size: str) -> str:
    """standard-2x -> Standard-2X, as Heroku's dashboard shows it; Fir names stay as they are."""
    if not size or size.lower().startswith("dyno-"):
        return size
    first, *rest = size.split("-")
    return "-".join([first.capitalize(), *(part.upper() for part in rest)])


def process_text(process: JSON) -> str:
    return f"{process.get('type')}: {int(process.get('quantity') or 0)} × " + pretty_size(
        dyno_size(process)
    )


def web_process(snapshot: Snapshot) -> JSON | None:
    return next((p for p in snapshot.formation if p.get("type") == "web"), None)


def service_of(addon: JSON) -> str:
    return name_of(addon.get("addon_service")).lower()


def plan_of(addon: JSON) -> str:
    return name_of(addon.get("plan"))


def tier_of(plan: str) -> str:
    return plan.partition(":")[2].lower() or plan.lower()


def database_addon(snapshot: Snapshot) -> JSON | None:
    for addon in snapshot.addons:
        if (
            service_of(addon) == "heroku-postgresql"
            and addon.get("state") == "provisioned"
            and "DATABASE_URL" in (addon.get("config_vars") or [])
        ):
            return addon
    return None


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def host_matches(hostname: str, pattern: str) -> bool:
    hostname, pattern = hostname.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _dot, tail = hostname.partition(".")
        return bool(head) and tail == pattern[2:]
    return hostname == pattern


_DEPLOY_DESCRIPTION = re.compile(r"^Deploy ([0-9a-f]{7,40})\b")


def release_artifact(release: JSON) -> tuple[str, str] | None:
    """
    (type, id) of what a release runs: "slug" on Cedar, "oci-image" on Fir (the Platform API's
    ``artifacts``; older answers name only the ``slug``); None for a release without one.
    """
    for artifact in release.get("artifacts") or []:
        if isinstance(artifact, dict) and artifact.get("type") and artifact.get("id"):
            return str(artifact["type"]), str(artifact["id"])
    slug_id = (
        (release.get("slug") or {}).get("id") if isinstance(release.get("slug"), dict) else None
    )
    return ("slug", str(slug_id)) if slug_id else None


def dyno_runtime(snapshot: Snapshot) -> platform_data.Runtime:
    """Where the app's dynos run, which decides the sizes it can use (platform data, dynos)."""
    if is_fir(snapshot):
        return "fir"
    space = snapshot.app.get("space")
    if isinstance(space, dict) and space.get("id"):
        return "shield-space" if space.get("shield") else "private-space"
    return "common"


def deployed_commit(snapshot: Snapshot) -> str | None:
    """
    The commit the app runs: the latest release's slug's commit, or its OCI image's on Fir,
    else the release's "Deploy SHA" description.
    """
    for artifact in (snapshot.slug, snapshot.oci_image):
        commit = (artifact or {}).get("commit")
        if isinstance(commit, str) and commit:
            return commit
    for release in snapshot.releases:
        match = _DEPLOY_DESCRIPTION.match(str(release.get("description") or ""))
        if match and release.get("status") != "failed":
            return match.group(1)
    return None


def rollback_target(snapshot: Snapshot) -> tuple[JSON | None, int]:
    """
    (the release `heroku rollback` would go back to, how many older ones expired): the newest
    older release whose status allows a rollback (succeeded: an expired release lost its slug
    or OCI image; platform data, releases), among the releases the snapshot keeps.
    """
    statuses = platform_data.release_statuses()
    older = snapshot.releases[1:]
    target = next((r for r in older if statuses.can_roll_back_to(str(r.get("status")))), None)
    return target, sum(r.get("status") == "expired" for r in older)
