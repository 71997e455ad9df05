"""The README's reference tables, generated from the code so they cannot drift (tests compare)."""

from __future__ import annotations

from deploytools.checks.registry import CATALOGUE
from deploytools.conf import OPTIONS


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table() -> str:
    lines = ["| key | default | what it does |", "|---|---|---|"]
    for name, option in OPTIONS.items():
        default = "`None`" if option.default is None else f"`{option.default!r}`"
        lines.append(f"| `{name}` | {_cell(default)} | {_cell(option.doc)} |")
    return "\n".join(lines) + "\n"


def check_table() -> str:
    rows = sorted((msg_id, spec) for spec in CATALOGUE.values() for msg_id in spec.ids)
    lines = ["| ID | level | tags | check |", "|---|---|---|---|"]
    levels = {"E": "ERROR", "W": "WARNING", "I": "INFO"}
    for msg_id, spec in sorted(rows, key=lambda r: r[0][13:]):
        tags = ", ".join(t for t in spec.tags if t != "deploytools")
        letter = msg_id.split(".")[1][0]
        lines.append(f"| `{msg_id}` | {levels[letter]} | {tags} | {_cell(str(spec.title))} |")
    return "\n".join(lines) + "\n"
