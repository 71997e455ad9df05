"""Rewrite the README's generated tables (settings and check IDs) from the code."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weareone.settings")


def render(readme: str) -> str:
    import django

    django.setup()
    from deploytools.report import catalogue as docs

    for marker, table in (
        ("settings-table", docs.settings_table()),
        ("check-table", docs.check_table()),
    ):
        readme = re.sub(
            rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)",
            lambda m, table=table: m.group(1) + table + m.group(2),
            readme,
            flags=re.S,
        )
    return readme


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text()))
