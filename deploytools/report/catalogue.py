"""
Every check ID, from the checks' own declarations: ``--list-checks`` (text or JSON) and the
README's reference tables, generated from the code so they cannot drift (a test compares).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deploytools.checks.registry import LEVEL_OF_PREFIX, CheckSpec, load_catalogue
from deploytools.checks.run import CRASH_ID, CRASH_MEANING, id_order
from deploytools.conf import OPTIONS


@dataclass(frozen=True)
class Row:
    """One check ID: what it means, its level, who runs it, and where it is written."""

    id: str  # "deploytools.E701"
    level: str
    tags: tuple[str, ...]
    meaning: str
    title: str  # the report line of the check that emits it
    source: str  # "checks/heroku_platform.py"


def catalogue_rows(specs: Iterable[CheckSpec] | None = None) -> list[Row]:
    """A row per check ID, sorted by number: 001, 100, 102, ..."""
    chosen = load_catalogue().values() if specs is None else specs
    rows = [
        Row(
            id=f"deploytools.{short}",
            level=LEVEL_OF_PREFIX.get(short[:1], "INFO"),
            tags=tuple(t for t in spec.tags if t != "deploytools"),
            meaning=str(meaning),
            title=str(spec.title),
            source=spec.source,
        )
        for spec in sorted(chosen, key=id_order)
        for short, meaning in spec.meanings.items()
    ]
    if specs is None:
        # E002 belongs to no check: the runner reports it for whichever check crashed.
        rows.append(
            Row(
                id=CRASH_ID,
                level="ERROR",
                tags=("preflight", "release", "heroku", "live"),
                meaning=str(CRASH_MEANING),
                title=str(CRASH_MEANING),
                source="checks/run.py",
            )
        )
    rows.sort(key=lambda row: row.id.split(".")[-1][1:])
    return rows


def render_catalogue(specs: Iterable[CheckSpec] | None = None) -> str:
    """--list-checks: every check ID with its level, tags, source file and meaning."""
    rows = [
        (row.id, row.level, ",".join(row.tags), row.source, row.meaning)
        for row in catalogue_rows(specs)
    ]
    widths = [max([len(r[i]) for r in rows] + [0]) for i in range(4)]
    return "".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + f"  {row[4]}\n"
        for row in rows
    )


def catalogue_to_json(specs: Iterable[CheckSpec] | None = None) -> dict[str, Any]:
    """--list-checks --format json: {"checks": [{"id", "level", "tags", "meaning", ...}]}."""
    return {
        "checks": [
            {
                "id": row.id,
                "level": row.level,
                "tags": list(row.tags),
                "meaning": row.meaning,
                "title": row.title,
                "source": row.source,
            }
            for row in catalogue_rows(specs)
        ]
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    """The README's table of DEPLOYTOOLS keys."""
    lines = ["| key | default | what it does |", "|---|---|---|"]
    for name, option in OPTIONS.items():
        default = "`None`" if option.default is None else f"`{option.default!r}`"
        lines.append(f"| `{name}` | {_cell(default)} | {_cell(option.doc)} |")
    return "\n".join(lines) + "\n"


def check_table() -> str:
    """The README's table of every check ID."""
    lines = [
        "| ID | level | tags | meaning | check (report line) | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in catalogue_rows():
        lines.append(
            f"| `{row.id}` | {row.level} | {', '.join(row.tags)} | {_cell(row.meaning)} "
            f"| {_cell(row.title)} | `deploytools/{row.source}` |"
        )
    return "\n".join(lines) + "\n"
