"""
The JSON document of every command (the contract in the README), and reading one back (the
simulated dyno sends its report to the parent as one).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core import checks
from django.core.checks import CheckMessage

from deploytools.checks.registry import CATALOGUE
from deploytools.checks.run import LEVEL_NAMES, LEVELS, CheckResult, RunResult
from deploytools.context import Gauge
from deploytools.location import FileLine, file_and_line


def message_to_json(message: CheckMessage) -> dict[str, Any]:
    # file and line: where in the project's files (relative to the git root), when obj is one.
    file, line = file_and_line(message.obj)
    return {
        "id": message.id,
        "level": LEVEL_NAMES.get(message.level, str(message.level)),
        "msg": str(message.msg),
        "hint": None if message.hint is None else str(message.hint),
        "obj": None if message.obj is None else _obj_label(message.obj),
        "file": file,
        "line": line,
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
                "gauges": [asdict(g) for g in c.gauges],
            }
            for c in result.checks
        ],
        "summary": {**counts, "seconds": round(result.seconds, 3)},
    }


def from_json(document: dict[str, Any]) -> RunResult:
    """Rebuild a result from :func:`to_json`'s output (a child process's report)."""
    result = RunResult(str(document.get("command", "")))
    by_id: dict[str, list[CheckMessage]] = {}
    for item in document.get("messages", []):
        file, line = item.get("file"), item.get("line")
        obj = FileLine(str(file), line if isinstance(line, int) else None) if file else None
        message = CheckMessage(
            LEVELS.get(item.get("level", "ERROR"), checks.ERROR),
            item.get("msg", ""),
            hint=item.get("hint"),
            obj=obj if obj is not None and obj == item.get("obj") else item.get("obj"),
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
                gauges=[_gauge(g) for g in item.get("gauges", []) if isinstance(g, dict)],
            )
        )
    result.seconds = float(document.get("summary", {}).get("seconds", 0.0))
    return result


def _gauge(item: dict[str, Any]) -> Gauge:
    return Gauge(
        label=str(item.get("label", "")),
        used=float(item.get("used", 0.0)),
        limit=float(item.get("limit", 0.0)),
        unit=str(item.get("unit", "")),
        fails_above=float(item.get("fails_above", 1.0)),
    )
