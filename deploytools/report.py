"""
The one renderer of every command: a text report in Django's style, or one JSON document.

Text: a line per check (passed / failed / skipped with its reason), then the messages grouped
by level as ``manage.py check`` prints them, then a summary line. Colour comes from Django's
``style``, which is plain when stdout is not a terminal. JSON follows the contract in the README.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.core import checks
from django.core.checks import CheckMessage
from django.core.management.color import Style, no_style
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools.checks.registry import CATALOGUE, CheckSpec
from deploytools.checks.run import LEVEL_NAMES, LEVELS, CheckResult, RunResult

STATUS_WIDTH = 8


def _status_label(status: str, style: Style) -> str:
    labels = {
        "passed": (_("passed"), style.SUCCESS),
        "failed": (_("FAILED"), style.ERROR),
        "skipped": (_("skipped"), style.WARNING),
    }
    text, paint = labels[status]
    return paint(text.ljust(STATUS_WIDTH))


def check_line(check: CheckResult, style: Style) -> str:
    line = f"  {_status_label(check.status, style)} {check.title}"
    if check.ids:
        line += f" [{', '.join(i.removeprefix('deploytools.') for i in check.ids)}]"
    if check.detail:
        line += f" — {check.detail}"
    return line


def _message_sections(messages: list[CheckMessage], style: Style) -> list[str]:
    """The messages grouped by level, exactly as Django's ``check`` prints them."""
    lines: list[str] = []
    groups: list[tuple[str, list[CheckMessage], Callable[[str], str]]] = [
        (_("CRITICALS"), [m for m in messages if m.level >= checks.CRITICAL], style.ERROR),
        (
            _("ERRORS"),
            [m for m in messages if checks.ERROR <= m.level < checks.CRITICAL],
            style.ERROR,
        ),
        (
            _("WARNINGS"),
            [m for m in messages if checks.WARNING <= m.level < checks.ERROR],
            style.WARNING,
        ),
        (_("INFOS"), [m for m in messages if checks.INFO <= m.level < checks.WARNING], str),
    ]
    for header, group, paint in groups:
        if group:
            lines.append("")
            lines.append(f"{header}:")
            lines.extend(paint(str(m)) for m in sorted(group, key=lambda m: str(m.id)))
    return lines


def summary_line(result: RunResult) -> str:
    counts = result.counts()
    checks_part = _("%(passed)d passed, %(failed)d failed, %(skipped)d skipped") % counts
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


def message_to_json(message: CheckMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "level": LEVEL_NAMES.get(message.level, str(message.level)),
        "msg": str(message.msg),
        "hint": None if message.hint is None else str(message.hint),
        "obj": None if message.obj is None else _obj_label(message.obj),
    }


def _obj_label(obj: Any) -> str:
    # Django labels models by app_label.ModelName; everything else by str().
    meta = getattr(obj, "_meta", None)
    return str(meta.label) if meta is not None else str(obj)


def to_json(result: RunResult, exit_code: int) -> dict[str, Any]:
    counts = result.counts()
    return {
        "command": result.command,
        "exit_code": exit_code,
        "messages": [message_to_json(m) for m in result.messages],
        "checks": [
            {
                "name": c.name,
                "title": c.title,
                "tags": [t for t in c.tags if t != "deploytools"],
                "status": c.status,
                "ids": c.ids,
                "detail": c.detail,
            }
            for c in result.checks
        ],
        "summary": {**counts, "seconds": round(result.seconds, 3)},
    }


def render_json(result: RunResult, exit_code: int) -> str:
    return json.dumps(to_json(result, exit_code), indent=2, ensure_ascii=False) + "\n"


def from_json(document: dict[str, Any]) -> RunResult:
    """Rebuild a result from :func:`to_json`'s output (a child process's report)."""
    result = RunResult(str(document.get("command", "")))
    by_id: dict[str, list[CheckMessage]] = {}
    for item in document.get("messages", []):
        message = CheckMessage(
            LEVELS.get(item.get("level", "ERROR"), checks.ERROR),
            item.get("msg", ""),
            hint=item.get("hint"),
            obj=item.get("obj"),
            id=item.get("id"),
        )
        by_id.setdefault(str(item.get("id")), []).append(message)
    for item in document.get("checks", []):
        ids = [str(i) for i in item.get("ids", [])]
        messages = [m for i in ids for m in by_id.pop(i, [])]
        result.checks.append(
            CheckResult(
                name=str(item.get("name", "")),
                title=str(item.get("title", "")),
                # JSON leaves out the "deploytools" tag; only our catalogued checks carry it.
                tags=(
                    ("deploytools", *item.get("tags", []))
                    if str(item.get("name", "")) in CATALOGUE
                    else tuple(item.get("tags", []))
                ),
                status=str(item.get("status", "failed")),
                ids=ids,
                detail=str(item.get("detail", "")),
                messages=messages,
            )
        )
    result.seconds = float(document.get("summary", {}).get("seconds", 0.0))
    return result


def catalogue_rows(specs: Iterable[CheckSpec]) -> list[tuple[str, str, tuple[str, ...], str]]:
    """(id, level, tags, title) of every check ID, sorted by number: 001, 100, 102, ..."""
    levels = {"E": "ERROR", "W": "WARNING", "I": "INFO"}
    rows = [
        (
            msg_id,
            levels.get(msg_id.split(".")[-1][:1], "INFO"),
            tuple(t for t in spec.tags if t != "deploytools"),
            str(spec.title),
        )
        for spec in specs
        for msg_id in spec.ids
    ]
    rows.sort(key=lambda row: row[0].split(".")[-1][1:])
    return rows


def render_catalogue(specs: Iterable[CheckSpec]) -> str:
    """--list-checks: every check ID with its level, tags and the check's title."""
    rows = [(i, level, ",".join(tags), title) for i, level, tags, title in catalogue_rows(specs)]
    widths = [max([len(r[i]) for r in rows] + [0]) for i in range(3)]
    return "".join(
        f"{ids.ljust(widths[0])}  {level.ljust(widths[1])}  {tags.ljust(widths[2])}  {title}\n"
        for ids, level, tags, title in rows
    )


def catalogue_to_json(specs: Iterable[CheckSpec]) -> dict[str, Any]:
    """--list-checks --format json: {"checks": [{"id", "level", "tags", "title"}, ...]}."""
    return {
        "checks": [
            {"id": msg_id, "level": level, "tags": list(tags), "title": title}
            for msg_id, level, tags, title in catalogue_rows(specs)
        ]
    }


def progress(text: str, stream: IO[str] | None = None) -> None:
    """Say what slow step is running, on a terminal only (never in pipes or JSON)."""
    stream = stream or sys.stderr
    if stream.isatty():
        stream.write(f"{text}\n")
        stream.flush()
