"""
Read a pip requirements file the way pip on Heroku's build would, without ever crashing.

:func:`parse_requirements` follows ``-r`` includes (relative to the including file, cycles
detected) and ``-c`` constraints, understands encodings, comments, line continuations and
pip's global options, and turns every line it cannot read into a
:class:`~deploytools.facts.requirement_lines.Problem` with its file and line number instead of
raising. Each line's requirement (markers, extras, hashes, editable/VCS/URL/path) is read by
:mod:`deploytools.facts.requirement_lines`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools.facts import safe_read
from deploytools.facts.requirement_lines import (
    Problem,
    Requirement,
    option_value,
    parse_requirement,
    requirement_options_problem,
    split_options,
    url_requirement,
)

# pip's global options (valid on a line of their own); the value-taking ones consume a value.
GLOBAL_OPTIONS_WITH_VALUE = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--only-binary",
        "--no-binary",
        "--use-feature",
    }
)
GLOBAL_FLAGS = frozenset({"--no-index", "--pre", "--prefer-binary", "--require-hashes"})
# A line longer than this is not a requirement anyone wrote; refuse it rather than parse it.
MAX_LINE_CHARS = 8192


@dataclass
class Requirements:
    """Everything read from a requirements file and its includes."""

    path: Path
    exists: bool = True
    requirements: list[Requirement] = field(default_factory=list)
    constraints: list[Requirement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read, in order

    @property
    def names(self) -> set[str]:
        """Canonical names of the requirements that apply on Heroku."""
        return {r.name for r in self.requirements if r.name and r.applies}

    def constraint_pin(self, name: str) -> str | None:
        for constraint in self.constraints:
            if constraint.name == name and constraint.pinned_version is not None:
                return constraint.pinned_version
        return None


def heroku_marker_environment(python: str | None = None) -> dict[str, str]:
    """
    Environment markers as a Heroku dyno evaluates them: Linux on x86_64, and the Python the
    build picks (``python``, "3.13" or "3.13.1"); the running interpreter's when not given.
    """
    environment = {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    }
    if python:
        parts = (python.split(".") + ["0", "0"])[:3]
        environment["python_version"] = ".".join(parts[:2])
        environment["python_full_version"] = ".".join(parts)
    return environment


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _decode_lines(data: bytes, file: str, problems: list[Problem]) -> list[tuple[int, str]]:
    """Physical lines as text, numbered from 1; undecodable ones become problems."""
    # pip honours a UTF-16/32 byte order mark (Windows editors write them); so do we.
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                data = data.decode(codec).encode("utf-8")
            except UnicodeError:
                problems.append(
                    Problem(file, 1, _("is not valid %(encoding)s") % {"encoding": codec.upper()})
                )
                return []
            break
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r")
        if b"\x00" in raw:
            problems.append(Problem(file, number, _("contains a NUL byte")))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(file, number, _("is not valid UTF-8")))
            continue
        lines.append((number, text))
    return lines


_COMMENT_RE = re.compile(r"(^|\s+)#.*$")


def logical_lines(physical: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join backslash continuations and drop comments, as pip does; keep first line numbers."""
    joined: list[tuple[int, str]] = []
    start: int | None = None
    parts: list[str] = []
    for number, text in physical:
        if start is None:
            start = number
        is_comment = bool(re.match(r"^\s*#", text))
        if text.endswith("\\") and not is_comment:
            parts.append(text[:-1])
            continue
        parts.append(text)
        joined.append((start, "".join(parts)))
        start, parts = None, []
    if parts and start is not None:
        joined.append((start, "".join(parts)))
    result = []
    for number, text in joined:
        stripped = _COMMENT_RE.sub("", text).strip()
        if stripped:
            result.append((number, stripped))
    return result


class _Reader:
    def __init__(self, root: Path, result: Requirements, environment: dict[str, str]) -> None:
        self.environment = environment
        self.root = root
        self.result = result
        self.seen: set[Path] = set()

    def read(self, path: Path, stack: tuple[Path, ...], constraint: bool) -> None:
        file = _display(path, self.root)
        self.result.files.append(file)
        self.seen.add(path)
        try:
            data = safe_read.read_bytes(path, safe_read.SOURCE_FILE_BYTES)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            self.result.problems.append(
                Problem(file, 0, _("cannot be read (%(reason)s)") % {"reason": reason})
            )
            return
        problems = self.result.problems
        for number, text in logical_lines(_decode_lines(data, file, problems)):
            if len(text) > MAX_LINE_CHARS:
                count = len(text)
                problem = ngettext(
                    "is %(count)d character long", "is %(count)d characters long", count
                ) % {"count": count}
                problems.append(Problem(file, number, problem))
                continue
            self._line(path, file, number, text, stack, constraint)

    def _line(
        self,
        path: Path,
        file: str,
        number: int,
        text: str,
        stack: tuple[Path, ...],
        constraint: bool,
    ) -> None:
        problems = self.result.problems
        try:
            args, options = split_options(text)
        except ValueError as exc:
            problems.append(
                Problem(
                    file, number, _("cannot be split into options (%(reason)s)") % {"reason": exc}
                )
            )
            return
        if not args:
            self._options_line(path, file, number, options, stack)
            return
        requirement = parse_requirement(file, number, args, problems, self.environment)
        problem = requirement_options_problem(options)
        if problem:
            problems.append(Problem(file, number, problem))
            return
        if requirement is None:
            return
        (self.result.constraints if constraint else self.result.requirements).append(requirement)

    def _options_line(
        self, path: Path, file: str, number: int, options: list[str], stack: tuple[Path, ...]
    ) -> None:
        problems = self.result.problems
        index = 0
        while index < len(options):
            token = options[index]
            if token in GLOBAL_FLAGS:
                index += 1
                continue
            option, value, index = option_value(options, index)
            aliases = {"--requirement": "-r", "--constraint": "-c", "--editable": "-e"}
            option = aliases.get(option, option)
            if option not in {"-r", "-c", "-e"} and option not in GLOBAL_OPTIONS_WITH_VALUE:
                problems.append(
                    Problem(file, number, _("unknown option %(option)s") % {"option": option[:80]})
                )
                return
            if value is None or not value.strip():
                problems.append(
                    Problem(file, number, _("option %(option)s needs a value") % {"option": option})
                )
                return
            if option in {"-r", "-c"}:
                self._include(path, file, number, value, stack, constraint=option == "-c")
            elif option == "-e":
                self.result.requirements.append(url_requirement(file, number, value, value, True))

    def _include(
        self,
        path: Path,
        file: str,
        number: int,
        value: str,
        stack: tuple[Path, ...],
        constraint: bool,
    ) -> None:
        if "://" in value:
            self.result.problems.append(
                Problem(
                    file,
                    number,
                    _("includes a remote file (%(file)s) that cannot be checked")
                    % {"file": value[:200]},
                )
            )
            return
        try:
            target = (path.parent / value).resolve()
        except (OSError, RuntimeError, ValueError):
            self.result.problems.append(Problem(file, number, _("includes an invalid path")))
            return
        if target in stack:
            chain = " -> ".join(_display(p, self.root) for p in (*stack, target))
            self.result.problems.append(
                Problem(file, number, _("include cycle: %(chain)s") % {"chain": chain})
            )
            return
        if target in self.seen:
            return
        try:
            # A FIFO or a device is there, not "missing": read() refuses it, saying why.
            is_file = target.exists() and not target.is_dir()
        except (OSError, ValueError):
            is_file = False
        if not is_file:
            self.result.problems.append(
                Problem(
                    file,
                    number,
                    _("includes %(file)s, which does not exist") % {"file": value[:200]},
                )
            )
            return
        self.read(target, (*stack, target), constraint)


def parse_requirements(
    path: Path, root: Path | None = None, *, python: str | None = None
) -> Requirements:
    """
    Parse ``path`` and its includes; paths are shown relative to ``root``; environment markers
    are evaluated for a dyno running ``python`` (see :func:`heroku_marker_environment`).
    """
    root = root or path.parent
    result = Requirements(path=path)
    try:
        # A FIFO or a device is there, not "missing": read() refuses it, saying why.
        exists = path.exists() and not path.is_dir()
        resolved = path.resolve()
        root = root.resolve()
    except (OSError, ValueError):
        exists = False
    if not exists:
        result.exists = False
        return result
    reader = _Reader(root, result, heroku_marker_environment(python))
    reader.read(resolved, (resolved,), constraint=False)
    return result
