"""
``--format html``: the report as one self-contained page, for a person to look at.

Everything is in the file: the stylesheet is inline, there is no script, no font, no image to
fetch, so it opens from a CI artifact or an e-mail as it opened here. It is built from the
JSON document (already scrubbed of the run's secrets), so it shows exactly the findings the
JSON has. Each check is a list item whose status is a mark and a word (never a colour alone);
failing ones show the hint, the exact fix, in a block ready to copy; measured quantities are
drawn as bars. The production check opens with the nine items of the deploy guide; the other
checks are grouped by area (the hundreds of their IDs). A print stylesheet keeps it readable
on paper. Every text goes through gettext, in the active language.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from deploytools.checks.registry import CATALOGUE
from deploytools.report.style import CSS
from deploytools.report.text import checks_counted

JSON = dict[str, Any]

# Areas of the check IDs, by their hundreds (README, "Checks").
AREAS = {
    "0": gettext_lazy("Core"),
    "1": gettext_lazy("Settings"),
    "2": gettext_lazy("Project files"),
    "3": gettext_lazy("Migrations"),
    "4": gettext_lazy("Git"),
    "5": gettext_lazy("Support"),
    "6": gettext_lazy("Release phase"),
    "7": gettext_lazy("Heroku platform"),
    "8": gettext_lazy("Capacity"),
    "9": gettext_lazy("Live site"),
}
# Django's own checks and other apps': what the settings give them, in their own section.
OTHER_AREA = gettext_lazy("Django's own system checks")
MARKS = {"passed": "✓", "failed": "✗", "skipped": "–"}
UNIT_NAMES = {"MB": gettext_lazy("MB")}
# The document's level names are for programs; the page shows them in the reader's language.
LEVEL_NAMES = {
    "CRITICAL": gettext_lazy("CRITICAL"),
    "ERROR": gettext_lazy("ERROR"),
    "WARNING": gettext_lazy("WARNING"),
    "INFO": gettext_lazy("INFO"),
    "DEBUG": gettext_lazy("DEBUG"),
}


def _status_word(status: str) -> str:
    return {"passed": _("passed"), "failed": _("FAILED"), "skipped": _("skipped")}.get(
        status, status
    )


def area_of(check: Mapping[str, Any]) -> str:
    """The hundreds digit of a check's declared IDs ("" for Django's own and other apps')."""
    spec = CATALOGUE.get(str(check.get("name", "")))
    if spec is None or not spec.ids:
        # The simulated dyno's own line ("Settings as the dynos have them") is a settings one.
        return "1" if "settings" in check.get("tags", []) else ""
    return spec.ids[0].split(".")[-1][1]


def source_url(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """
    Where the report's file:line links point: the file on GitHub at the commit a workflow runs
    on (a CI artifact is read far from this disk), else the file in this checkout.
    """
    env = os.environ if environ is None else environ
    server, repository, sha = (
        env.get("GITHUB_SERVER_URL"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_SHA"),
    )
    if server and repository and sha:
        return f"{server.rstrip('/')}/{repository}/blob/{sha}/"
    return root.resolve().as_uri().rstrip("/") + "/"


# -- the page ----------------------------------------------------------------------------------


def page(title: str, header: str, main: str) -> str:
    """One HTML5 document: inline stylesheet, no script, nothing loaded from anywhere."""
    language = escape(translation.get_language() or "en")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No request may leave the page, not even for a favicon.
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f"<header>\n{header}</header>\n<main>\n{main}</main>\n</body>\n</html>\n"
    )


def _facts(pairs: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f"<div><dt>{escape(term)}</dt><dd>{escape(value)}</dd></div>"
        for term, value in pairs
        if value
    )
    return f'<dl class="facts">{items}</dl>\n'


def _counts(summary: Mapping[str, Any], exit_code: Any) -> str:
    """The counts of the run, each a word and a number (a list, read in order)."""

    def count(key: str) -> int:
        value = summary.get(key, 0)
        return value if isinstance(value, int) else 0

    items = [
        ("passed", MARKS["passed"], checks_counted("passed", count("passed"))),
        ("failed", MARKS["failed"], checks_counted("failed", count("failed"))),
        ("skipped", MARKS["skipped"], checks_counted("skipped", count("skipped"))),
        ("error", "", ngettext("%d error", "%d errors", count("errors")) % count("errors")),
        (
            "warning",
            "",
            ngettext("%d warning", "%d warnings", count("warnings")) % count("warnings"),
        ),
        ("info", "", ngettext("%d info", "%d infos", count("infos")) % count("infos")),
        ("exit", "", _("exit code %(code)s") % {"code": exit_code}),
    ]
    cells = "".join(
        f'<li class="count {cls}">'
        + (f'<span class="mark" aria-hidden="true">{mark}</span> ' if mark else "")
        + f"{escape(text)}</li>"
        for cls, mark, text in items
    )
    label = _("Counts")
    return f'<ul class="counts" aria-label="{escape(label)}">{cells}</ul>\n'


def header(data: JSON, heading: str, preamble: Iterable[str] = ()) -> str:
    """The page's header: its title, what was checked and when, the counts, the preamble."""
    snapshot = _mapping(data.get("snapshot"))
    facts = _facts(
        [
            (_("Command"), str(data.get("command", ""))),
            (_("App"), str(snapshot.get("app", ""))),
            (_("Snapshot taken"), str(snapshot.get("fetched_at", ""))),
            (_("Snapshot"), str(snapshot.get("source", ""))),
        ]
    )
    lines = "".join(f"<p>{escape(line)}</p>" for line in preamble if line)
    summary = _mapping(data.get("summary"))
    return (
        f"<h1>{escape(heading or str(data.get('command', 'deploytools')))}</h1>\n"
        + facts
        + _counts(summary, data.get("exit_code", ""))
        + (f'<div class="preamble">{lines}</div>\n' if lines else "")
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


# -- one check -----------------------------------------------------------------------------


def _where(message: Mapping[str, Any], links: str) -> str:
    """The message's obj; a file:line link when it names a file of the project."""
    file, line, obj = message.get("file"), message.get("line"), message.get("obj")
    if file and links:
        anchor = f"#L{line}" if line and links.startswith("http") else ""
        label = f"{file}:{line}" if line else str(file)
        return f'<a class="file" href="{escape(links + str(file) + anchor)}">{escape(label)}</a>'
    return f"<code>{escape(obj)}</code>" if obj else ""


def _message(message: Mapping[str, Any], links: str) -> str:
    level = str(message.get("level", "")).lower()
    level_name = LEVEL_NAMES.get(str(message.get("level", "")), str(message.get("level", "")))
    where = _where(message, links)
    hint = message.get("hint")
    fix_label = _("Fix:")
    fix = (
        f'<p class="fix-label">{escape(fix_label)}</p>'
        f'<pre class="fix"><code>{escape(hint)}</code></pre>'
        if hint
        else ""
    )
    return (
        f'<li class="message {escape(level)}"><p>'
        f'<span class="id">{escape(message.get("id") or "")}</span> '
        f'<span class="level">{escape(level_name)}</span> '
        + (f"{where}: " if where else "")
        + f'<span class="msg">{escape(message.get("msg", ""))}</span></p>{fix}</li>'
    )


def gauge(item: Mapping[str, Any]) -> str:
    """A measured quantity as a bar against its limit, with the numbers written beside it."""
    try:
        used, limit = float(item["used"]), float(item["limit"])
        fails_above = float(item.get("fails_above", 1.0))
    except (KeyError, TypeError, ValueError):
        return ""
    share = used / limit if limit > 0 else 1.0
    over = share > fails_above
    caption = _("%(label)s: %(used)s of %(limit)s %(unit)s (%(share).0f%%)") % {
        "label": item.get("label", ""),
        "used": _number(used),
        "limit": _number(limit),
        # The document's unit is for programs ("MB"); a person reads it in their language.
        "unit": UNIT_NAMES.get(str(item.get("unit", "")), item.get("unit", "")),
        "share": share * 100,
    }
    if over:
        caption += " — " + _("over the %(share).0f%% limit") % {"share": fails_above * 100}
    state = "over" if over else "within"
    return (
        f'<figure class="gauge {state}"><figcaption>{escape(caption)}</figcaption>'
        f'<div class="bar" role="img" aria-label="{escape(caption)}">'
        f'<span class="fill" style="width: {min(share, 1.0) * 100:.1f}%"></span>'
        f'<span class="threshold" style="left: {min(fails_above, 1.0) * 100:.1f}%"></span>'
        "</div></figure>"
    )


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) or value >= 100 else f"{value:.1f}"


def check_item(check: Mapping[str, Any], messages: list[JSON], links: str) -> str:
    """One check: mark and status word, title and IDs, evidence, bars, messages with fixes."""
    status = str(check.get("status", "failed"))
    ids = [str(i).removeprefix("deploytools.") for i in check.get("ids", [])]
    detail = str(check.get("detail", "") or "")
    label = _("Reason:") if status == "skipped" else _("Evidence:")
    evidence = (
        f'<p class="evidence"><span class="label">{escape(label)}</span> {escape(detail)}</p>'
        if detail
        else ""
    )
    bars = "".join(gauge(g) for g in check.get("gauges", []) if isinstance(g, dict))
    listed = "".join(_message(m, links) for m in messages)
    return (
        f'<li class="check {escape(status)}" id="check-{escape(check.get("name", ""))}">'
        f'<h3><span class="mark" aria-hidden="true">{MARKS.get(status, "?")}</span> '
        f'<span class="status">{escape(_status_word(status))}</span> '
        f'<span class="title">{escape(check.get("title", ""))}</span>'
        + (f' <span class="ids">[{escape(", ".join(ids))}]</span>' if ids else "")
        + f"</h3>{evidence}{bars}"
        + (f'<ul class="messages">{listed}</ul>' if listed else "")
        + "</li>\n"
    )


def section(title: str, items: list[str], *, ordered: bool = False, cls: str = "") -> str:
    tag = "ol" if ordered else "ul"
    return (
        f'<section class="{escape(cls)}"><h2>{escape(title)}</h2>\n'
        f'<{tag} class="checks">\n{"".join(items)}</{tag}></section>\n'
    )


def messages_by_check(data: JSON) -> list[tuple[JSON, list[JSON]]]:
    """Each check with its messages (by ID, as the JSON reader pairs them)."""
    by_id: dict[str, list[JSON]] = {}
    for message in data.get("messages", []):
        if isinstance(message, dict):
            by_id.setdefault(str(message.get("id")), []).append(message)
    paired = []
    for check in data.get("checks", []):
        if isinstance(check, dict):
            ids = [str(i) for i in check.get("ids", [])]
            paired.append((check, [m for i in ids for m in by_id.pop(i, [])]))
    left = [m for found in by_id.values() for m in found]
    if left:
        # No check names them (a document written by hand): still shown, never dropped.
        orphan = {"name": "", "title": _("Other messages"), "status": "failed", "ids": []}
        paired.append((orphan, left))
    return paired


# -- the reports ---------------------------------------------------------------------------


def render_html(
    data: JSON, *, heading: str = "", preamble: Iterable[str] = (), links: str = ""
) -> str:
    """
    The report page: for production_check, the checklist of the deploy guide first (in its
    order), then every other check grouped by area; for the other commands, all by area.
    """
    from deploytools.production_check import CHECKLIST

    paired = messages_by_check(data)
    sections: list[str] = []
    if data.get("command") == "production_check":
        chosen = {name: index for index, name in enumerate(CHECKLIST)}
        listed = sorted(
            (p for p in paired if p[0].get("name") in chosen), key=lambda p: chosen[p[0]["name"]]
        )
        sections.append(
            section(
                _("Production checklist"),
                [check_item(c, m, links) for c, m in listed],
                ordered=True,
                cls="checklist",
            )
        )
        paired = [p for p in paired if p[0].get("name") not in chosen]
    groups: dict[str, list[str]] = {}
    for check, messages in paired:
        groups.setdefault(area_of(check), []).append(check_item(check, messages, links))
    for key in [*sorted(k for k in groups if k), ""]:
        if key in groups:
            title = str(AREAS.get(key, OTHER_AREA)) if key else str(OTHER_AREA)
            sections.append(section(title, groups[key], cls=f"area area-{key or 'other'}"))
    if not sections:
        sections.append("<p>" + escape(_("No check ran.")) + "</p>\n")
    title = heading or str(data.get("command", ""))
    return page(title, header(data, heading, preamble), "".join(sections))
