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

FORMATS = ("text", "json", "html", "github", "junit")


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
    # Where the HTML report's file:line links point (see report.html.source_url); "": no links.
    links: str = ""


def render(report: Report, fmt: str, style: Style | None = None) -> str:
    """
    ``report`` as ``fmt`` (one of :data:`FORMATS`), ending with a newline, secrets scrubbed.

    Every format but text is built from the JSON document, scrubbed once here: the HTML page
    and the CI formats carry exactly the findings of the JSON, through the same redaction.
    """
    # Each renderer is imported for its format only: the release phase prints text on every
    # deploy and needs none of the others.
    if fmt != "text":
        from deploytools.report import document

        data = {**document.to_json(report.result, report.exit_code), **report.sections}
        data = redact.redact_document(data, report.secrets)
        heading = redact.redact(report.heading, report.secrets)
        if fmt == "html" and "releases" in data:
            from deploytools.report import timeline

            return timeline.render_timeline(data, heading)
        if fmt == "html":
            from deploytools.report import html

            preamble = [redact.redact(line, report.secrets) for line in report.preamble]
            return html.render_html(data, heading=heading, preamble=preamble, links=report.links)
        if fmt in ("github", "junit"):
            from deploytools.report import ci

            return ci.render_github(data) if fmt == "github" else ci.render_junit(data)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if report.body:
        return redact.redact(report.body, report.secrets)
    from deploytools.report import text

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
