"""
The formats CI reads, as other linters print them (ruff's ``--output-format``):

- ``github``: a GitHub Actions workflow command per message (``::error file=…,line=…,
  title=…::…``), so findings show inline on the pull request's diff, then the summary line;
- ``junit``: JUnit XML, each check a testcase: failed → ``<failure>`` with the messages and
  their hints, a crash (E002) → ``<error>``, skipped → ``<skipped>`` with the reason (GitLab,
  Jenkins, Heroku CI read it).

Both are built from the JSON document (scrubbed of the run's secrets), so they carry exactly
its findings; exit codes are the command's, whatever the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from deploytools.report.html import JSON, messages_by_check

# Workflow command per level: GitHub has three.
COMMANDS = {"CRITICAL": "error", "ERROR": "error", "WARNING": "warning"}
CRASH_ID = "deploytools.E002"


# Characters XML 1.0 cannot carry, even escaped (a control character quoted from a file).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (% first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def message_text(message: Mapping[str, Any]) -> str:
    """A message as one paragraph: what is wrong, where, and the hint."""
    text = str(message.get("msg", ""))
    obj = message.get("obj")
    if obj and not message.get("file"):
        text = f"{obj}: {text}"
    if message.get("hint"):
        text += "\n" + _("HINT: %(hint)s") % {"hint": message["hint"]}
    return text


def render_github(data: JSON) -> str:
    """A workflow command per message, in the order of the checks, then the summary."""
    from deploytools.report.text import summary_line

    lines = []
    for check, messages in messages_by_check(data):
        for message in messages:
            properties = []
            if message.get("file"):
                properties.append(f"file={escape_property(str(message['file']))}")
                if message.get("line"):
                    properties.append(f"line={escape_property(str(message['line']))}")
            title = f"{message.get('id')} ({check.get('title', '')})"
            properties.append(f"title={escape_property(title)}")
            command = COMMANDS.get(str(message.get("level")), "notice")
            text = escape_data(message_text(message))
            lines.append(f"::{command} {','.join(properties)}::{text}")
    lines.append(_summary(data, summary_line))
    return "\n".join(lines) + "\n"


def _summary(data: JSON, summary_line: Any) -> str:
    # The text report's own summary line, from the document's counts.
    from deploytools.report.document import from_json

    return f"{data.get('command', 'deploytools')}: {summary_line(from_json(data))}"


def render_junit(data: JSON) -> str:
    """One <testsuite> of the command's checks inside <testsuites>, as JUnit XML."""
    command = str(data.get("command", "deploytools"))
    cases = []
    failures = errors = skipped = 0
    for check, messages in messages_by_check(data):
        case = ElementTree.Element(
            "testcase",
            name=str(check.get("title") or check.get("name", "")),
            classname=f"deploytools.{command}.{check.get('name', '')}",
            time="0",
        )
        status = check.get("status")
        ids = [str(m.get("id")) for m in messages]
        body = "\n\n".join(f"[{m.get('id')}] {message_text(m)}" for m in messages)
        if status == "skipped":
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=str(check.get("detail", "")))
        elif status == "failed":
            crashed = CRASH_ID in ids
            errors += crashed
            failures += not crashed
            first = messages[0] if messages else {}
            failed = ElementTree.SubElement(
                case,
                "error" if crashed else "failure",
                message=str(first.get("msg", check.get("detail", ""))),
                type=",".join(sorted(set(ids))),
            )
            failed.text = body
        elif messages:
            # Infos do not fail a check; they are still findings: kept as the case's output.
            ElementTree.SubElement(case, "system-out").text = body
        cases.append(case)
    summary = data.get("summary")
    seconds = summary.get("seconds", 0) if isinstance(summary, dict) else 0
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": str(seconds),
    }
    suites = ElementTree.Element("testsuites", {"name": f"deploytools {command}", **counts})
    suite = ElementTree.SubElement(suites, "testsuite", {"name": command, **counts})
    suite.extend(cases)
    for element in suites.iter():
        element.text = _NOT_XML.sub("\ufffd", element.text) if element.text else element.text
        for key, value in element.attrib.items():
            element.set(key, _NOT_XML.sub("\ufffd", value))
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )
