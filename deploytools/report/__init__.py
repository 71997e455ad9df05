"""
The one rendering path of every command: a :class:`Report`, rendered by :func:`render`.

A report is what a command found (a :class:`~deploytools.checks.run.RunResult`), its exit
code, and what the command adds: a heading and lines above the checks (text), and extra
sections of the JSON document (``push``, ``release``, ``releases``, ``error``). Every string is
scrubbed of the run's secrets on the way out, whatever the format.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.management.color import Style, no_style

from deploytools import redact
from deploytools.checks.run import RunResult

FORMATS = ("text", "json")


@dataclass
class Report:
    """What one command run says."""

    result: RunResult
    exit_code: int
    heading: str = ""
    # Text lines between the heading and the checks (the release plan, why a push was refused).
    preamble: list[str] = field(default_factory=list)
    # Extra top-level sections of the JSON document, by key.
    sections: dict[str, Any] = field(default_factory=dict)
    # Instead of the check lines: the text of --history (the check lines are empty then).
    body: str = ""
    secrets: set[str] = field(default_factory=set)


def render(report: Report, fmt: str, style: Style | None = None) -> str:
    """``report`` as ``fmt`` ("text" or "json"), ending with a newline, secrets scrubbed."""
    from deploytools.report import document, text

    if fmt == "json":
        data = {**document.to_json(report.result, report.exit_code), **report.sections}
        data = redact.redact_document(data, report.secrets)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if report.body:
        return redact.redact(report.body, report.secrets)
    rendered = text.render_text(
        report.result, style or no_style(), heading=report.heading, preamble=report.preamble
    )
    return redact.redact(rendered, report.secrets)


def render_checklist(fmt: str) -> str:
    """``--list-checks``: every check ID, as a table or as a JSON document."""
    from deploytools.report import catalogue

    if fmt == "json":
        return json.dumps(catalogue.catalogue_to_json(), indent=2, ensure_ascii=False) + "\n"
    return catalogue.render_catalogue()


def progress(message: str, stream: IO[str] | None = None) -> None:
    """Say what slow step is running, on a terminal only (never in pipes or JSON)."""
    from deploytools import capture

    stream = stream or sys.stderr
    # While the command's output is captured, stderr is a pipe to the terminal it was.
    if stream.isatty() or (stream is sys.stderr and capture.stderr_is_terminal()):
        stream.write(f"{message}\n")
        stream.flush()
