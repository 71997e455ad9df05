"""
Read a pip requirements file the way pip on Heroku's build would, without ever crashing.

:func:`parse_requirements` follows ``-r`` includes (relative to the including file, cycles
detected) and ``-c`` constraints, understands comments, line continuations, environment
markers, extras, hashes, editable/VCS/URL/path lines and pip's global options, and turns every
line it cannot read into a :class:`Problem` with its file and line number instead of raising.

:func:`import_providers` and :func:`installed_closure` map import names to the distributions
that provide them (``importlib.metadata``), so checks can ask "would this import work on a
build that installs only these requirements?".
"""

from __future__ import annotations

import codecs
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deploytools.facts import safe_read
from deploytools.location import FileLine

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
# Options allowed after a requirement on the same line.
PER_REQUIREMENT_OPTIONS = frozenset({"--hash", "--config-settings", "--global-option"})
HASH_RE = re.compile(r"^(sha256|sha384|sha512|md5|sha1|sha224):[0-9a-fA-F]+$")
VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
COMMIT_RE = re.compile(r"^[0-9a-fA-F]{7,40}$")
VERSION_REF_RE = re.compile(r"^v?\d+(\.\d+)*([abc]|rc|\.post|\.dev)?\d*$")
ARCHIVE_VERSION_RE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._]*?)-(?P<version>\d[^-]*?)"
    r"(-[^/]*)?(\.tar\.gz|\.tar\.bz2|\.tar\.xz|\.zip|\.whl|\.tgz)$"
)
NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
# A line longer than this is not a requirement anyone wrote; refuse it rather than parse it.
MAX_LINE_CHARS = 8192


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name: 'Django_Foo' -> 'django-foo'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Problem:
    """A line pip could not use: file (as shown to the user), line number, what is wrong."""

    file: str
    line: int
    problem: str

    @property
    def obj(self) -> FileLine:
        return FileLine(self.file, self.line)


@dataclass(frozen=True)
class Requirement:
    """One requirement line, with what matters to the checks."""

    file: str
    line: int
    text: str
    name: str | None  # canonical distribution name, when the line names one
    kind: str  # "requirement", "url", "vcs", "path"
    editable: bool = False
    specifier: str = ""
    pinned_version: str | None = None  # the exact version of ``==X``/``===X``
    # Why a URL/VCS/path line counts as pinned (a commit, a versioned archive), else "".
    pinned_by: str = ""
    applies: bool = True  # environment marker true on a Heroku Linux dyno
    extras: tuple[str, ...] = ()

    @property
    def obj(self) -> FileLine:
        return FileLine(self.file, self.line)

    @property
    def pinned(self) -> bool:
        return self.pinned_version is not None or bool(self.pinned_by)


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


def _split_options(line: str) -> tuple[str, list[str]]:
    """'name>=1 --hash=x' -> ('name>=1', ['--hash=x']), like pip's break_args_options."""
    tokens = line.split()
    args: list[str] = []
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(args), shlex.split(" ".join(tokens[index:]))
        args.append(token)
    return " ".join(args), []


def _option_value(options: list[str], index: int) -> tuple[str, str | None, int]:
    """(option, value, next index) for '--opt=value' / '--opt value' / '-ovalue'."""
    token = options[index]
    if token.startswith("--") and "=" in token:
        name, inline = token.split("=", 1)
        return name, inline, index + 1
    if not token.startswith("--") and len(token) > 2:
        return token[:2], token[2:].lstrip("="), index + 1
    value = options[index + 1] if index + 1 < len(options) else None
    return token, value, index + 2


def _vcs_pin(url: str) -> str:
    """Why a VCS URL is pinned ('commit abc1234', 'tag v1.2'), or '' when it follows a branch."""
    path = urlsplit(url.split("+", 1)[1]).path if "+" in url else urlsplit(url).path
    if "@" not in path:
        return ""
    ref = unquote(path.rsplit("@", 1)[1])
    if COMMIT_RE.match(ref):
        return f"commit {ref}"
    if VERSION_REF_RE.match(ref):
        return f"version tag {ref}"
    return ""


def _egg_name(url: str) -> str | None:
    fragment = urlsplit(url).fragment
    for part in fragment.split("&"):
        key, _sep, value = part.partition("=")
        if key == "egg" and value:
            name = value.split("[", 1)[0]
            return canonical(name) if NAME_RE.match(name) else None
    return None


def _url_requirement(file: str, number: int, text: str, url: str, editable: bool) -> Requirement:
    lowered = url.lower()
    if lowered.startswith(VCS_SCHEMES):
        return Requirement(
            file,
            number,
            text,
            _egg_name(url),
            "vcs",
            editable=editable,
            pinned_by=_vcs_pin(url),
        )
    basename = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    archive = ARCHIVE_VERSION_RE.match(basename)
    is_remote = "://" in url and not lowered.startswith("file:")
    if is_remote:
        name = canonical(archive["name"]) if archive else _egg_name(url)
        pinned_by = f"archive of version {archive['version']}" if archive else ""
        return Requirement(file, number, text, name, "url", editable=editable, pinned_by=pinned_by)
    # A local path ships in the slug with this commit: its version is the commit's.
    name = canonical(archive["name"]) if archive else _egg_name(url)
    return Requirement(
        file, number, text, name, "path", editable=editable, pinned_by="a path in this repository"
    )


def _looks_like_url_or_path(text: str) -> bool:
    return (
        "://" in text
        or text.startswith((".", "/", "~"))
        or text.lower().startswith(VCS_SCHEMES)
        or text.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"))
    )


def _parse_requirement(
    file: str, number: int, text: str, problems: list[Problem], environment: dict[str, str]
) -> Requirement | None:
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PackagingRequirement

    if _looks_like_url_or_path(text) and " @ " not in text:
        return _url_requirement(file, number, text, text.split(";", 1)[0].strip(), False)
    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else _("invalid requirement")
        problems.append(
            Problem(
                file,
                number,
                _("not a valid requirement (%(reason)s)") % {"reason": first[:200]},
            )
        )
        return None
    applies = True
    if parsed.marker is not None:
        try:
            applies = parsed.marker.evaluate(environment)
        except (UndefinedComparison, UndefinedEnvironmentName, ValueError):
            applies = True
    name = canonical(parsed.name)
    extras = tuple(sorted(parsed.extras))
    if parsed.url:
        found = _url_requirement(file, number, text, parsed.url, False)
        return Requirement(
            file,
            number,
            text,
            name,
            found.kind,
            pinned_by=found.pinned_by,
            applies=applies,
            extras=extras,
        )
    pinned_version = None
    for spec in parsed.specifier:
        if spec.operator in ("==", "===") and not spec.version.endswith(".*"):
            pinned_version = spec.version
    return Requirement(
        file,
        number,
        text,
        name,
        "requirement",
        specifier=str(parsed.specifier),
        pinned_version=pinned_version,
        applies=applies,
        extras=extras,
    )


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
            args, options = _split_options(text)
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
        requirement = _parse_requirement(file, number, args, problems, self.environment)
        index = 0
        while index < len(options):
            option, value, index = _option_value(options, index)
            if option not in PER_REQUIREMENT_OPTIONS:
                problems.append(
                    Problem(
                        file,
                        number,
                        _("option %(option)s is not allowed here") % {"option": option},
                    )
                )
                return
            if value is None:
                problems.append(
                    Problem(file, number, _("option %(option)s needs a value") % {"option": option})
                )
                return
            if option == "--hash" and not HASH_RE.match(value):
                problems.append(Problem(file, number, _("--hash must be ALGORITHM:HEXDIGEST")))
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
            option, value, index = _option_value(options, index)
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
                self.result.requirements.append(_url_requirement(file, number, value, value, True))

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
