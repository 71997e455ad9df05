"""
The shapes of the Platform API's answers that deploytools reads: each field's JSON type.

:func:`shape_problem` checks an answer where it comes in (the API, a saved snapshot), so that
no check indexes a value of the wrong type. Its problem names the place, never the value
found there: "releases[3].version must be an integer".
"""

from __future__ import annotations

from django.utils.translation import gettext as _

# The snapshot fields that hold one object or none; "app" is always one object, config_vars
# maps names to values, and the other fields are lists of objects.
OBJECT_FIELDS = ("slug", "oci_image")

# The fields of the API's objects that deploytools reads, and the JSON type each must have when
# present and not null (as Heroku's published schema says: tests/fixtures/heroku/). Checked
# where the data comes in (the API, a saved file), so no check indexes a wrong type.
SHAPES: dict[str, dict[str, str]] = {
    "app": {
        "name": "string",
        "stack": "object",
        "build_stack": "object",
        "generation": "object",
        "web_url": "string",
        "acm": "boolean",
        "maintenance": "boolean",
        "space": "object",
    },
    "formation": {
        "type": "string",
        "quantity": "integer",
        "size": "string",
        "dyno_size": "object",
        "command": "string",
    },
    "addons": {
        "name": "string",
        "state": "string",
        "addon_service": "object",
        "plan": "object",
        "config_vars": "strings",
    },
    "domains": {
        "id": "string",
        "hostname": "string",
        "kind": "string",
        "cname": "string",
        "acm_status": "string",
        "acm_status_reason": "string",
        "sni_endpoint": "object",
    },
    "sni_endpoints": {
        "name": "string",
        "domains": "strings",
        "ssl_cert": "object",
        "ssl_cert.expires_at": "string",
        "ssl_cert.cert_domains": "strings",
    },
    "log_drains": {"url": "string", "token": "string", "addon": "object"},
    "telemetry_drains": {
        "signals": "strings",
        "exporter": "object",
        "exporter.endpoint": "string",
        "exporter.headers": "object",
    },
    "features": {"name": "string", "enabled": "boolean"},
    "releases": {
        "version": "integer",
        "status": "string",
        "description": "string",
        "slug": "object",
        "slug.id": "string",
    },
    "dyno_sizes": {"name": "string", "memory": "number"},
    "slug": {"commit": "string", "blob": "object", "blob.url": "string"},
    "oci_image": {"commit": "string"},
}
_TYPE_TESTS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "strings": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
}


def _type_name(kind: str) -> str:
    return {
        "string": _("a string"),
        "integer": _("an integer"),
        "number": _("a number"),
        "boolean": _("true or false"),
        "object": _("an object"),
        "strings": _("a list of strings"),
    }[kind]


def _object_problem(where: str, item: object, shape: dict[str, str]) -> str | None:
    if not isinstance(item, dict):
        return _("%(where)s must be an object") % {"where": where}
    for path, kind in shape.items():
        value: object = item
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not _TYPE_TESTS[kind](value):
            return _("%(where)s.%(key)s must be %(type)s") % {
                "where": where,
                "key": path,
                "type": _type_name(kind),
            }
    return None


def shape_problem(name: str, value: object) -> str | None:
    """
    Why ``value`` cannot be the snapshot's field ``name`` ("releases[3].version must be an
    integer"), or None. Names the place, never the value found there.
    """
    if name == "config_vars":
        if not isinstance(value, dict) or not all(
            isinstance(v, str | type(None)) for v in value.values()
        ):
            return _('"config_vars" must map names to strings or null')
        return None
    shape = SHAPES.get(name, {})
    if name == "app" or name in OBJECT_FIELDS:
        if value is None and name != "app":
            return None
        return _object_problem(name, value, shape)
    if not isinstance(value, list):
        return _('"%(name)s" must be a list of objects') % {"name": name}
    for index, item in enumerate(value):
        problem = _object_problem(f"{name}[{index}]", item, shape)
        if problem:
            return problem
    return None
