"""
Rewrite the generated parts of the docs from the code: the README's tables (settings and check
IDs) and the module list of docs/architecture.md (each module's first docstring sentence).
"""

from __future__ import annotations

import ast
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weareone.settings")
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def replace_block(text: str, marker: str, block: str) -> str:
    return re.sub(
        rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)",
        lambda m: m.group(1) + block + m.group(2),
        text,
        flags=re.S,
    )


def render(readme: str) -> str:
    import django

    django.setup()
    from deploytools.report import catalogue as docs

    readme = replace_block(readme, "settings-table", docs.settings_table())
    return replace_block(readme, "check-table", docs.check_table())


def first_sentence(source: str) -> str:
    """A module's first docstring sentence, on one line ('' without a docstring)."""
    doc = ast.get_docstring(ast.parse(source)) or ""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return match.group(1) if match else paragraph


def layout() -> str:
    """One line per module of deploytools/, each package first (migrations aside)."""
    lines = []
    package = ROOT / "deploytools"
    for path in sorted(package.rglob("*.py"), key=lambda p: p.relative_to(package).parts):
        relative = path.relative_to(package)
        if "migrations" in relative.parts:
            continue
        summary = first_sentence(path.read_text(encoding="utf-8")) or "(no docstring)"
        depth = len(relative.parts) - 1
        if path.name == "__init__.py" and depth:
            # A package's line names the folder; its modules are listed under it.
            name = relative.parent.name + "/"
            lines.append(f"{'  ' * (depth - 1)}- `{name}` — {summary}")
        else:
            lines.append(f"{'  ' * depth}- `{relative.name}` — {summary}")
    return "\n".join(lines) + "\n"


def render_architecture(text: str) -> str:
    return replace_block(text, "layout", layout())


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text()))
    ARCHITECTURE.write_text(render_architecture(ARCHITECTURE.read_text()))
