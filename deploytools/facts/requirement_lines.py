"""
One logical line of a pip requirements file, read as pip reads it: a requirement (name,
version specifier, environment marker, extras; or a URL, VCS or path) and its options.

:func:`parse_requirement` turns a line's requirement into a :class:`Requirement`, or records a
:class:`Problem` with its file and line number instead of raising; :func:`split_options` and
:func:`option_value` read the options that follow it (:func:`requirement_options_problem`
judges them), or that make up a line of their own.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _

from deploytools.location import FileLine

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


def split_options(line: str) -> tuple[str, list[str]]:
    """'name>=1 --hash=x' -> ('name>=1', ['--hash=x']), like pip's break_args_options."""
    tokens = line.split()
    args: list[str] = []
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(args), shlex.split(" ".join(tokens[index:]))
        args.append(token)
    return " ".join(args), []


def option_value(options: list[str], index: int) -> tuple[str, str | None, int]:
    """(option, value, next index) for '--opt=value' / '--opt value' / '-ovalue'."""
    token = options[index]
    if token.startswith("--") and "=" in token:
        name, inline = token.split("=", 1)
        return name, inline, index + 1
    if not token.startswith("--") and len(token) > 2:
        return token[:2], token[2:].lstrip("="), index + 1
    value = options[index + 1] if index + 1 < len(options) else None
    return token, value, index + 2


def requirement_options_problem(options: list[str]) -> str | None:
    """
    What is wrong with the options after a requirement, or None: only PER_REQUIREMENT_OPTIONS,
    each with a value, and a --hash that is ALGORITHM:HEXDIGEST.
    """
    index = 0
    while index < len(options):
        option, value, index = option_value(options, index)
        if option not in PER_REQUIREMENT_OPTIONS:
            return _("option %(option)s is not allowed here") % {"option": option}
        if value is None:
            return _("option %(option)s needs a value") % {"option": option}
        if option == "--hash" and not HASH_RE.match(value):
            return _("--hash must be ALGORITHM:HEXDIGEST")
    return None


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


def url_requirement(file: str, number: int, text: str, url: str, editable: bool) -> Requirement:
    """The requirement ``url`` names (a VCS, remote or local path): its name, and its pin."""
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


def parse_requirement(
    file: str, number: int, text: str, problems: list[Problem], environment: dict[str, str]
) -> Requirement | None:
    """
    The requirement of line ``number`` (``text``, its options split off), or None with its
    problem added to ``problems``; ``environment`` evaluates its marker (does it apply?).
    """
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PackagingRequirement

    if _looks_like_url_or_path(text) and " @ " not in text:
        return url_requirement(file, number, text, text.split(";", 1)[0].strip(), False)
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
        found = url_requirement(file, number, text, parsed.url, False)
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
