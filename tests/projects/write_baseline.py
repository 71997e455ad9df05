"""
Write tests/projects/BASELINE.md: what today's preflight says on each shape of the corpus.

    .venv/bin/python -m tests.projects.write_baseline [--output FILE]

It runs each shape exactly as tests/test_project_shapes.py does (same materialising, same
command, same judging) and records, per shape, the IDs preflight raised, the expected findings
it missed and the false alarms it raised: the "before" (or, rerun later, "after") of issue 7.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path

from tests.helpers import ROOT
from tests.projects.corpus import Outcome, Shape, load_shapes, run_shape


def deploytools_commit() -> str:
    proc = subprocess.run(
        ["git", "log", "-1", "--format=%h (%cs)", "--", "deploytools"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or "unknown"


def cell(items: list[str]) -> str:
    escaped = [item.replace("|", "\\|") for item in items]
    return "<br>".join(f"`{item}`" for item in escaped) if escaped else "–"


def row(shape: Shape, outcome: Outcome) -> str:
    alarms = list(dict.fromkeys(str(expectation) for expectation, _msg in outcome.false_alarms))
    verdict = "FAIL" if outcome.problems else "pass"
    return (
        f"| `{shape.name}` | {verdict} | {cell(outcome.ids)} "
        f"| {cell([str(e) for e in outcome.missed])} | {cell(alarms)} | {cell(outcome.other)} |"
    )


HEADER = """# Baseline: today's preflight on the corpus

Written by `python -m tests.projects.write_baseline [--label LABEL]`, one section per label and
interpreter it ran under (CI's corners: the project's Python with its pinned Django, Python 3.11
with Django 5.2 and with Django 4.2). "Before": preflight as it was when the corpus was written
(deploytools at ce0d7c8); "After": preflight judging what Heroku builds.

*Raised*: every ID in the JSON report (W405, no `heroku` remote, is expected everywhere: the
test creates none). *Missed*: expected findings that were not raised. *False alarms*: findings
that must not be raised but were. *Other*: expected skips, exit code, JSON, secrets, writes
into the checkout.
"""


def section(shapes: list[Shape], workspace: Path, label: str) -> tuple[str, str]:
    """(heading, body) of this interpreter's section, under ``label`` ("After", ...)."""
    rows = [row(shape, run_shape(shape, workspace)) for shape in shapes]
    failing = sum(1 for line in rows if "| FAIL |" in line)
    heading = f"## {label}: Python {platform.python_version()}, Django {metadata.version('Django')}"
    body = "\n".join(
        [
            f"Recorded {date.today().isoformat()} with deploytools at `{deploytools_commit()}`: "
            f"{failing} of {len(shapes)} shapes fall short of their expectations.",
            "",
            "| shape | verdict | raised | missed | false alarms | other |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    return heading, body


def merged(existing: str, heading: str, body: str) -> str:
    """The file with this interpreter's section replaced (or added); the others kept."""
    sections: dict[str, str] = {}
    for chunk in existing.split("\n## ")[1:]:
        title, _, text = chunk.partition("\n")
        sections[f"## {title}"] = text.strip()
    sections[heading] = body
    parts = [HEADER.rstrip()]
    # "Before" first, then "After", each by interpreter.
    parts += [
        f"{title}\n\n{text}"
        for title, text in sorted(
            sections.items(),
            key=lambda item: (not item[0].startswith("## Before"), item[0]),
            reverse=False,
        )
    ]
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--output", type=Path, default=ROOT / "tests" / "projects" / "BASELINE.md")
    # Sections are kept per label and interpreter: "Before" stays while "After" is rewritten.
    parser.add_argument("--label", default="After")
    args = parser.parse_args()
    shapes = load_shapes()
    with tempfile.TemporaryDirectory(prefix="corpus-") as workspace:
        heading, body = section(shapes, Path(workspace), args.label)
    existing = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(merged(existing, heading, body), encoding="utf-8")
    print(f"wrote {heading.removeprefix('## ')} into {args.output}")


if __name__ == "__main__":
    main()
