"""
Heroku Platform API access through heroku3: one snapshot of an app, fetched concurrently.

The checks (7xx, 8xx, 9xx) read a :class:`Snapshot` and never the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class Snapshot:
    """
    Everything production_check knows about one Heroku app, as the Platform API returned it.

    Each field holds the API's JSON for that endpoint (see ../shared/heroku/platform-api-schema.json).
    ``config_vars`` maps every config var name to its value, or to None where the value was
    dropped (a saved snapshot keeps values only for an allow-list of non-secret settings).
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
