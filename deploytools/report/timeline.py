"""
``heroku_release --history --format html``: the recorded releases as a timeline, newest first,
each with its version, commit, status, duration, the migrations it applied and the exact
commands that undo them, from the same rows as the text and JSON of ``--history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools.release_phase.history import status_label
from deploytools.report.html import JSON, page


def _release(row: Mapping[str, Any]) -> str:
    version = str(row.get("version") or "-")
    status = str(row.get("status", ""))
    shown_status = status_label(status)
    commit = str(row.get("commit") or "")
    applied = [str(m) for m in row.get("migrations_applied") or []]
    undo = [str(c) for c in row.get("undo") or []]
    try:
        duration = _("%(seconds).2f s") % {"seconds": float(row.get("duration_seconds") or 0)}
    except (TypeError, ValueError):
        duration = "-"
    facts = [
        (_("Commit"), f'<code title="{escape(commit)}">{escape(commit[:7] or "-")}</code>'),
        (_("Status"), escape(shown_status)),
        (_("Started"), f"<time>{escape(row.get('started_at', ''))}</time>"),
        (_("Duration"), escape(duration)),
    ]
    if row.get("error"):
        facts.append((_("Error"), escape(row["error"])))
    listed = "".join(f"<dt>{escape(term)}</dt><dd>{value}</dd>" for term, value in facts)
    body = f"<dl>{listed}</dl>"
    if applied:
        count = ngettext("%d migration applied", "%d migrations applied", len(applied))
        undo_heading = _("Undo")
        body += (
            f"<h4>{escape(count % len(applied))}</h4>"
            "<ol>" + "".join(f"<li><code>{escape(m)}</code></li>" for m in applied) + "</ol>"
            f"<h4>{escape(undo_heading)}</h4>"
            f'<pre class="fix"><code>{escape(chr(10).join(undo))}</code></pre>'
        )
    else:
        body += "<p>" + escape(_("No migration applied: nothing to undo.")) + "</p>"
    return (
        f'<li class="release {escape(status)}"><article>'
        f"<h3>{escape(version)} — {escape(shown_status)}</h3>{body}</article></li>\n"
    )


def render_timeline(data: JSON, heading: str = "") -> str:
    """The page of ``--history``: a note on rolling back, then a list item per release."""
    rows = [r for r in data.get("releases", []) if isinstance(r, dict)]
    title = heading or _("Release history")
    recorded = ngettext(
        "%d release recorded, newest first.", "%d releases recorded, newest first.", len(rows)
    )
    header = f"<h1>{escape(title)}</h1>\n<p>{escape(recorded % len(rows))}</p>\n"
    note = _(
        "To roll a release back, run its undo commands first, while its code is still "
        "deployed (on a dyno: heroku run python manage.py migrate …), then heroku rollback: "
        "reversing a migration needs its file, which the older code does not have."
    )
    if not rows:
        main = "<p>" + escape(_("No release recorded yet.")) + "</p>\n"
    else:
        releases = _("Releases")
        main = (
            f'<p class="note">{escape(note)}</p>\n<section><h2>{escape(releases)}</h2>\n'
            f'<ol class="timeline">\n{"".join(_release(r) for r in rows)}</ol></section>\n'
        )
    return page(title, header, main)
