"""
One snapshot of a Heroku app: what the Platform API said, kept to be checked now or later.

The 7xx–9xx checks read a :class:`Snapshot` and never the network. A snapshot can be saved
(``--save-snapshot``) without any secret value and checked offline (``--snapshot``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from deploytools import platform_data, redact
from deploytools.context import Skipped
from deploytools.facts import safe_read
from deploytools.facts.api_shapes import OBJECT_FIELDS, shape_problem

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

# A saved snapshot is a few hundred kB at most (ten releases, the add-ons, the dyno sizes).
MAX_SNAPSHOT_BYTES = 16_000_000


class SnapshotError(Exception):
    """A saved snapshot file cannot be read; the message names the path and the reason."""


class EndpointUnavailable(Skipped):
    """
    Raised when a check reads a field of the snapshot whose endpoint failed: the runner turns
    it into a skipped line with the API's one-line reason, and the other checks run.
    """


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
    # Fields whose endpoint failed (name -> the one-line reason): reading one raises
    # EndpointUnavailable, so exactly the checks that depend on it are skipped.
    unavailable: dict[str, str] = field(default_factory=dict)

    def __getattribute__(self, name: str) -> Any:
        if name in ENDPOINT_FIELDS:
            missing = object.__getattribute__(self, "unavailable")
            if name in missing:
                raise EndpointUnavailable(missing[name])
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        # The generated repr would read the unavailable fields, and raise.
        return f"Snapshot(app={self.app_name!r}, unavailable={sorted(self.unavailable)!r})"

    def available(self, name: str) -> bool:
        """Whether the field ``name`` came from the API (reading it will not raise)."""
        return name not in self.unavailable

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
    missing = snapshot.unavailable
    data: JSON = {
        f.name: object.__getattribute__(snapshot, f.name)
        for f in fields(Snapshot)
        if f.name not in missing
    }
    # A field whose endpoint failed is saved empty, and stays unavailable when loaded.
    data.update(
        {
            name: None if name in OBJECT_FIELDS else {} if name in MAPPING_FIELDS else []
            for name in missing
        }
    )
    if snapshot.available("config_vars"):
        data["config_vars"] = {
            name: redact.without_userinfo(value) if name in NON_SECRET_CONFIG_VARS else None
            for name, value in sorted(snapshot.config_vars.items())
        }
    if snapshot.available("log_drains"):
        data["log_drains"] = [
            {**drain, "url": _strip_url(drain.get("url", "")), "token": ""}
            for drain in snapshot.log_drains
        ]
    if snapshot.available("telemetry_drains"):
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
    if snapshot.available("addon_configs"):
        data["addon_configs"] = {k: kept_addon_config(v) for k, v in snapshot.addon_configs.items()}
    slug = snapshot.slug if snapshot.available("slug") else None
    if isinstance(slug, dict) and isinstance(slug.get("blob"), dict):
        # The slug's blob URL is pre-signed: anyone holding it can download the app's code.
        blob = slug["blob"]
        data["slug"] = {**slug, "blob": {**blob, "url": _strip_url(blob.get("url", ""))}}
    return {"format": SNAPSHOT_FORMAT, **data}


def _umask() -> int:
    # Only readable by setting it; put straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_snapshot(snapshot: Snapshot, path: Path | str) -> None:
    """
    Write ``snapshot`` as JSON without secret values (see NON_SECRET_CONFIG_VARS).

    Written to a new temporary file, then renamed over the target, so a failed write never
    leaves half a file. The rename replaces a regular file only: a symlink is written
    through (the file it points to is replaced, the link stays), and a target that exists but
    is not a regular file (a device such as /dev/stdout, a FIFO, a directory) is refused, as
    replacing it could break the system (as root, /dev/stdout is the container's).
    """
    text = json.dumps(redacted(snapshot), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    try:
        try:
            # Follows symlinks: the type of what a write would really replace.
            existing = os.stat(path)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        else:
            if not stat.S_ISREG(existing.st_mode):
                raise safe_read.NotRegularFile(
                    0,
                    _("not a regular file (%(kind)s); refusing to replace it")
                    % {"kind": safe_read.file_kind(existing.st_mode)},
                )
            mode = stat.S_IMODE(existing.st_mode)
        real = Path(os.path.realpath(path))
        # A fresh name (O_EXCL): a symlink planted at a fixed temporary name is never followed.
        descriptor, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, mode)
            os.replace(tmp, real)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise SnapshotError(
            _("%(path)s: cannot write (%(error)s)")
            % {"path": path, "error": exc.strerror or type(exc).__name__}
        ) from None


# The fields that map names to values (those holding one object or none: OBJECT_FIELDS).
MAPPING_FIELDS = frozenset({"config_vars", "addon_configs"})
_LIST_FIELDS = tuple(
    f.name
    for f in fields(Snapshot)
    if f.name not in {"app", "fetched_at", "unavailable", *OBJECT_FIELDS, *MAPPING_FIELDS}
)
# The fields an endpoint fills, each of which can be unavailable.
ENDPOINT_FIELDS = frozenset({*_LIST_FIELDS, *OBJECT_FIELDS, *MAPPING_FIELDS})


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
        raw = safe_read.read_bytes(path, MAX_SNAPSHOT_BYTES)
    except OSError as exc:
        raise bad(
            _("cannot read (%(error)s)") % {"error": exc.strerror or type(exc).__name__}
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad(_("not UTF-8 text")) from None
    try:
        data = safe_read.loads(text)
    except safe_read.JSONTooDeep as exc:
        raise bad(_("not usable JSON (%(reason)s)") % {"reason": exc}) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise bad(_("not valid JSON (line %(line)s)") % {"line": line}) from None
    if not isinstance(data, dict):
        raise bad(_("expected a JSON object"))
    if data.get("format", SNAPSHOT_FORMAT) != SNAPSHOT_FORMAT:
        # The value is not quoted: it could be anything, of any size.
        raise bad(
            _("unknown snapshot format (this deploytools reads format %(f)d)")
            % {"f": SNAPSHOT_FORMAT}
        )
    app = data.get("app")
    if not isinstance(app, dict) or not isinstance(app.get("name"), str):
        raise bad(_('"app" must be an object with a "name"'))
    found: dict[str, Any] = {"app": app, "config_vars": data.get("config_vars", {})}
    found.update({name: data.get(name, []) for name in _LIST_FIELDS})
    found.update({name: data.get(name) for name in OBJECT_FIELDS})
    configs = data.get("addon_configs", {})
    if not isinstance(configs, dict):
        raise bad(_('"addon_configs" must map add-on ids to objects'))
    for name, value in found.items():
        problem = shape_problem(name, value)
        if problem:
            raise bad(problem)
    unavailable = data.get("unavailable", {})
    if not isinstance(unavailable, dict) or not all(
        name in ENDPOINT_FIELDS and isinstance(reason, str) for name, reason in unavailable.items()
    ):
        raise bad(_('"unavailable" must map snapshot fields to reasons'))
    return Snapshot(
        config_vars={str(k): v for k, v in found.pop("config_vars").items()},
        fetched_at=str(data.get("fetched_at", "")),
        addon_configs={str(k): kept_addon_config(v) for k, v in configs.items()},
        unavailable=dict(unavailable),
        **found,
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
    # An artifact whose endpoint failed raises here: the check says so instead of guessing.
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
