"""
The text report, in Django's style: a line per check (passed / failed / skipped with its
reason), then the messages grouped by level as ``manage.py check`` prints them, then a summary
line. Colour comes from Django's ``style``, which is plain when stdout is not a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core import checks
from django.core.checks import CheckMessage
from django.core.management.color import Style, no_style
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools.checks.run import CheckResult, RunResult
from deploytools.release_phase.history import status_label

STATUS_WIDTH = 8


def _status_label(status: str, style: Style) -> str:
    labels = {
        "passed": (_("passed"), style.SUCCESS),
        "failed": (_("FAILED"), style.ERROR),
        "skipped": (_("skipped"), style.WARNING),
    }
    text, paint = labels[status]
    return paint(text.ljust(STATUS_WIDTH))


def checks_counted(status: str, n: int) -> str:
    """'3 passed': ngettext although English has one form, for languages that have two."""
    forms = {
        "passed": ngettext("%(n)d passed", "%(n)d passed", n),
        "failed": ngettext("%(n)d failed", "%(n)d failed", n),
        "skipped": ngettext("%(n)d skipped", "%(n)d skipped", n),
    }
    return forms[status] % {"n": n}


def check_line(check: CheckResult, style: Style) -> str:
    line = f"  {_status_label(check.status, style)} {check.title}"
    if check.ids:
        line += f" [{', '.join(i.removeprefix('deploytools.') for i in check.ids)}]"
    if check.detail:
        line += f" — {check.detail}"
    return line


def _message_text(message: CheckMessage) -> str:
    """Django's ``str(message)``, its untranslated "HINT:" label in the active language."""
    text = str(message)
    django_hint = f"\n\tHINT: {message.hint}" if message.hint else ""
    if django_hint and text.endswith(django_hint):
        text = (
            text.removesuffix(django_hint) + "\n\t" + _("HINT: %(hint)s") % {"hint": message.hint}
        )
    return text


def _message_sections(messages: list[CheckMessage], style: Style) -> list[str]:
    """The messages grouped by level, exactly as Django's ``check`` prints them."""
    lines: list[str] = []
    groups: list[tuple[str, list[CheckMessage], Callable[[str], str]]] = [
        (_("CRITICALS:"), [m for m in messages if m.level >= checks.CRITICAL], style.ERROR),
        (
            _("ERRORS:"),
            [m for m in messages if checks.ERROR <= m.level < checks.CRITICAL],
            style.ERROR,
        ),
        (
            _("WARNINGS:"),
            [m for m in messages if checks.WARNING <= m.level < checks.ERROR],
            style.WARNING,
        ),
        (_("INFOS:"), [m for m in messages if checks.INFO <= m.level < checks.WARNING], str),
    ]
    for header, group, paint in groups:
        if group:
            lines.append("")
            lines.append(header)
            lines.extend(paint(_message_text(m)) for m in sorted(group, key=lambda m: str(m.id)))
    return lines


def summary_line(result: RunResult) -> str:
    counts = result.counts()
    checks_part = ", ".join(
        checks_counted(status, counts[status]) for status in ("passed", "failed", "skipped")
    )
    messages_part = ", ".join(
        [
            ngettext("%d error", "%d errors", counts["errors"]) % counts["errors"],
            ngettext("%d warning", "%d warnings", counts["warnings"]) % counts["warnings"],
            ngettext("%d info", "%d infos", counts["infos"]) % counts["infos"],
        ]
    )
    return _("%(checks)s; %(messages)s in %(seconds).2fs") % {
        "checks": checks_part,
        "messages": messages_part,
        "seconds": result.seconds,
    }


def render_text(
    result: RunResult,
    style: Style | None = None,
    *,
    heading: str = "",
    preamble: Iterable[str] = (),
) -> str:
    style = style or no_style()
    lines: list[str] = []
    if heading:
        lines.append(style.MIGRATE_HEADING(heading))
    lines.extend(preamble)
    # Django's own checks (and other apps') that passed collapse into one line: the
    # checklist is about deploying, and they are listed one by one in the JSON.
    others_passed = [
        c for c in result.checks if "deploytools" not in c.tags and c.status == "passed"
    ]
    for check in result.checks:
        if check is (others_passed[0] if others_passed else None):
            lines.append(
                f"  {_status_label('passed', style)} "
                + ngettext(
                    "Django's own system checks — %d passed",
                    "Django's own system checks — %d passed",
                    len(others_passed),
                )
                % len(others_passed)
            )
        elif check not in others_passed:
            lines.append(check_line(check, style))
    messages = result.messages
    if messages:
        lines.extend(_message_sections(messages, style))
    lines.append("")
    total = len(messages)
    if total:
        lines.append(
            ngettext(
                "System check identified %d issue.",
                "System check identified %d issues.",
                total,
            )
            % total
        )
    else:
        lines.append(_("System check identified no issues."))
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def render_history(rows: list[dict[str, Any]]) -> str:
    """The text of ``--history``: a line per release, then what it applied and how to undo it."""
    if not rows:
        return _("No release recorded yet.") + "\n"
    lines = [_("Releases, newest first:")]
    for row in rows:
        lines.append(
            "  {version:<8} {commit:<8} {status:<11} {started} {duration:>8}".format(
                version=row["version"] or "-",
                commit=(row["commit"] or "-")[:7],
                status=status_label(row["status"]),
                started=row["started_at"],
                duration=f"{row['duration_seconds']:.2f}s",
            )
        )
        if row["migrations_applied"]:
            lines.append("      " + _("applied: %s") % ", ".join(row["migrations_applied"]))
            lines.extend("      " + _("undo: %s") % command for command in row["undo"])
        if row["error"]:
            lines.append("      " + _("error: %s") % row["error"])
    return "\n".join(lines) + "\n"
