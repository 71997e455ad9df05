"""
Where a finding is in the project's files: a message's ``obj`` that names a file, and a line.

Django prints a message's ``obj`` as text ("requirements.txt:3: (deploytools.W202) ..."), and
the text and JSON reports keep that. CI annotations (``::error file=...,line=...``) and the
HTML report's links need the file and the line apart, so a check that knows them passes a
:class:`FileLine`: a ``str`` (everything that reads ``obj`` as text is unchanged) that also
carries them, and the JSON document writes them as its messages' ``file`` and ``line``.
"""

from __future__ import annotations

from typing import Any


class FileLine(str):
    """``obj`` naming ``path`` (relative to the git root, posix) and, when known, ``line``."""

    path: str
    line: int | None

    def __new__(cls, path: str, line: int | None = None) -> FileLine:
        # Line 0 is how the parsers say "the file as a whole".
        number = line if line and line > 0 else None
        self = super().__new__(cls, f"{path}:{number}" if number else path)
        self.path = path
        self.line = number
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild from (path, line), not from the joined text.
        return (self.path, self.line)


def file_and_line(obj: object) -> tuple[str | None, int | None]:
    """(file, line) of a message's ``obj``: (None, None) unless it is a :class:`FileLine`."""
    if isinstance(obj, FileLine):
        return obj.path, obj.line
    return None, None
