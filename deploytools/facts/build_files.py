"""
Readers for the small files Heroku's build looks at: Procfile, .python-version, runtime.txt,
app.json, .gitignore/.slugignore. Each returns what it understood plus a list of
``(line, problem)`` pairs, and never raises on bad input (binary, NULs, BOMs, CRLF).
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from deploytools.facts import safe_read

# Commands that run another command given after their own options.
WRAPPERS = {
    "exec",
    "env",
    "newrelic-admin",
    "run-program",
    "ddtrace-run",
    "opentelemetry-instrument",
}
WEB_SERVERS = {"gunicorn", "uvicorn", "waitress-serve", "daphne", "hypercorn", "granian"}
PROCESS_LINE_RE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.*)$")
# Heroku's Python buildpack accepts "3.13" or "3.13.1" in .python-version, and
# "python-3.13" or "python-3.13.1" in runtime.txt.
PYTHON_VERSION_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")
RUNTIME_TXT_RE = re.compile(r"^python-(\d+)\.(\d+)(?:\.(\d+))?$")
# A file we only read for a few lines: refuse to load a huge one into memory.
MAX_FILE_BYTES = 1_000_000

Problems = list[tuple[int, str]]


def read_text_lines(path: Path, problems: Problems) -> list[tuple[int, str]] | None:
    """
    The lines of ``path`` (BOM and CR stripped), numbered from 1, or None if it is absent.
    Lines that are not UTF-8 or contain NUL bytes become problems instead.
    """
    try:
        data = safe_read.read_bytes(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except safe_read.FileTooLarge:
        problems.append((0, _("is larger than %(size)d bytes") % {"size": MAX_FILE_BYTES}))
        return []
    except (OSError, ValueError) as exc:
        # A FIFO or a device is refused by safe_read, never opened for a blocking read.
        reason = getattr(exc, "strerror", None) or exc
        problems.append((0, _("cannot be read (%(reason)s)") % {"reason": reason}))
        return []
    data = data.removeprefix(b"\xef\xbb\xbf")
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r")
        if b"\x00" in raw:
            problems.append((number, _("contains a NUL byte")))
            continue
        try:
            lines.append((number, raw.decode("utf-8")))
        except UnicodeDecodeError:
            problems.append((number, _("is not valid UTF-8")))
    return lines


@dataclass
class Procfile:
    exists: bool
    processes: dict[str, str] = field(default_factory=dict)  # type -> command
    lines: dict[str, int] = field(default_factory=dict)  # type -> line number
    problems: Problems = field(default_factory=list)


def parse_procfile(path: Path) -> Procfile:
    """Process types and commands, as Heroku reads them ("type: command" per line)."""
    problems: Problems = []
    lines = read_text_lines(path, problems)
    if lines is None:
        return Procfile(exists=False)
    procfile = Procfile(exists=True, problems=problems)
    for number, text in lines:
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = PROCESS_LINE_RE.match(text.strip())
        if match is None:
            procfile.problems.append(
                (number, _('is not "type: command" (type: letters, digits, _ -)'))
            )
            continue
        kind, command = match[1], match[2].strip()
        if not command:
            procfile.problems.append(
                (number, _("process type %(kind)r has no command") % {"kind": kind})
            )
        elif kind in procfile.processes:
            procfile.problems.append(
                (number, _("process type %(kind)r is declared twice") % {"kind": kind})
            )
        else:
            procfile.processes[kind] = command
            procfile.lines[kind] = number
    return procfile


@dataclass
class PythonVersionFile:
    exists: bool
    version: str | None = None  # "3.13" or "3.13.1"
    line: int = 0
    problems: Problems = field(default_factory=list)

    @property
    def major_minor(self) -> str | None:
        return None if self.version is None else ".".join(self.version.split(".")[:2])


def _version_file(path: Path, pattern: re.Pattern[str], form: str) -> PythonVersionFile:
    problems: Problems = []
    lines = read_text_lines(path, problems)
    if lines is None:
        return PythonVersionFile(exists=False)
    found = PythonVersionFile(exists=True, problems=problems)
    for number, text in lines:
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = pattern.match(stripped)
        if match is None:
            problem = _("%(value)r is not of the form %(form)s") % {
                "value": stripped[:60],
                "form": form,
            }
            found.problems.append((number, problem))
        elif found.version is not None:
            found.problems.append((number, _("declares a second Python version")))
        else:
            found.version = ".".join(g for g in match.groups() if g is not None)
            found.line = number
    if found.version is None and not found.problems:
        found.problems.append((0, _("declares no Python version")))
    return found


def parse_python_version(path: Path) -> PythonVersionFile:
    """.python-version: one "3.13" or "3.13.1" line; comments and blank lines allowed."""
    return _version_file(path, PYTHON_VERSION_RE, _('"3.13" or "3.13.1"'))


def parse_runtime_txt(path: Path) -> PythonVersionFile:
    """runtime.txt (deprecated by Heroku): one "python-3.13" or "python-3.13.1" line."""
    return _version_file(path, RUNTIME_TXT_RE, '"python-3.13.1"')


# Heroku's documented app.json keys and the JSON types each must have.
APP_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "description": (str,),
    "keywords": (list,),
    "website": (str,),
    "repository": (str,),
    "logo": (str,),
    "success_url": (str,),
    "scripts": (dict,),
    "env": (dict,),
    "formation": (dict,),
    "addons": (list,),
    "buildpacks": (list,),
    "stack": (str,),
    "environments": (dict,),
}


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _app_json_problems(document: Any) -> list[tuple[str, str]]:
    """(key path, problem) pairs for wrong types in a parsed app.json."""
    if not isinstance(document, dict):
        return [("", _("must be a JSON object, not %(type)s") % {"type": _json_type(document)})]
    found: list[tuple[str, str]] = []
    for key, types in APP_JSON_TYPES.items():
        if key in document and not isinstance(document[key], types):
            expected = "object" if types == (dict,) else "array" if types == (list,) else "string"
            problem = _("must be a JSON %(expected)s, not %(type)s") % {
                "expected": expected,
                "type": _json_type(document[key]),
            }
            found.append((key, problem))
    found += _env_problems(document.get("env"))
    found += _formation_problems(document.get("formation"))
    found += _addons_problems(document.get("addons"))
    buildpacks = document.get("buildpacks")
    if isinstance(buildpacks, list):
        for index, buildpack in enumerate(buildpacks):
            if not isinstance(buildpack, dict) or not isinstance(buildpack.get("url"), str):
                found.append((f"buildpacks[{index}]", _('must be an object with a string "url"')))
    scripts = document.get("scripts")
    if isinstance(scripts, dict):
        for name, script in scripts.items():
            if not isinstance(script, str):
                found.append((f"scripts.{name}", _("must be a string")))
    keywords = document.get("keywords")
    if isinstance(keywords, list) and not all(isinstance(k, str) for k in keywords):
        found.append(("keywords", _("must be an array of strings")))
    return found


def _env_problems(env: Any) -> list[tuple[str, str]]:
    """(key path, problem) pairs for app.json's ``env``: each a string or a config var's spec."""
    found: list[tuple[str, str]] = []
    if not isinstance(env, dict):
        return found
    for name, spec in env.items():
        if isinstance(spec, str):
            continue
        if not isinstance(spec, dict):
            found.append((f"env.{name}", _("must be a string or an object")))
            continue
        for attr, attr_types in (
            ("description", (str,)),
            ("value", (str,)),
            ("required", (bool,)),
            ("generator", (str,)),
        ):
            if attr in spec and not isinstance(spec[attr], attr_types):
                found.append(
                    (
                        f"env.{name}.{attr}",
                        _("has the wrong type (%(type)s)") % {"type": _json_type(spec[attr])},
                    )
                )
        if spec.get("generator", "secret") != "secret":
            found.append((f"env.{name}.generator", _('must be "secret"')))
    return found


def _formation_problems(formation: Any) -> list[tuple[str, str]]:
    """(key path, problem) pairs for app.json's ``formation``: a quantity and size per process."""
    found: list[tuple[str, str]] = []
    if not isinstance(formation, dict):
        return found
    for process, spec in formation.items():
        if not isinstance(spec, dict):
            found.append((f"formation.{process}", _("must be an object")))
            continue
        quantity = spec.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            found.append((f"formation.{process}.quantity", _("must be a whole number ≥ 0")))
        if "size" in spec and not isinstance(spec["size"], str):
            found.append((f"formation.{process}.size", _("must be a string")))
    return found


def _addons_problems(addons: Any) -> list[tuple[str, str]]:
    """(key path, problem) pairs for app.json's ``addons``: plan names or {plan, as, options}."""
    found: list[tuple[str, str]] = []
    if not isinstance(addons, list):
        return found
    for index, addon in enumerate(addons):
        if isinstance(addon, str):
            continue
        if not isinstance(addon, dict) or not isinstance(addon.get("plan"), str):
            found.append((f"addons[{index}]", _('must be a string or an object with "plan"')))
        elif "as" in addon and not isinstance(addon["as"], str):
            found.append((f"addons[{index}].as", _("must be a string")))
        elif "options" in addon and not isinstance(addon["options"], dict):
            found.append((f"addons[{index}].options", _("must be an object")))
    return found


@dataclass
class AppJson:
    exists: bool
    # (line, key path, problem): line 0 when the problem is not tied to one line.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def parse_app_json(path: Path) -> AppJson:
    """app.json: valid JSON whose documented keys have the documented types."""
    try:
        data = safe_read.read_bytes(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        return AppJson(exists=False)
    except OSError as exc:
        return AppJson(
            exists=True,
            problems=[(0, "", _("cannot be read (%(reason)s)") % {"reason": exc.strerror})],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return AppJson(exists=True, problems=[(line, "", _("is not valid UTF-8"))])
    if text.startswith("\ufeff"):
        return AppJson(exists=True, problems=[(1, "", _("starts with a byte order mark"))])
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return AppJson(
            exists=True,
            problems=[(exc.lineno, "", _("invalid JSON: %(reason)s") % {"reason": exc.msg})],
        )
    except RecursionError:
        return AppJson(exists=True, problems=[(0, "", _("invalid JSON: nested too deeply"))])
    return AppJson(exists=True, problems=[(0, k, p) for k, p in _app_json_problems(document)])


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    negated: bool
    directory_only: bool
    anchored: bool

    def matches(self, path: str, is_dir: bool) -> bool:
        """Does this rule match ``path`` (posix, relative to the ignore file's directory)?"""
        parts = path.split("/")
        # A pattern matching a directory also ignores everything below it.
        for depth in range(1, len(parts) + 1):
            candidate = "/".join(parts[:depth])
            candidate_is_dir = depth < len(parts) or is_dir
            if self.directory_only and not candidate_is_dir:
                continue
            if self._match_one(candidate):
                return True
        return False

    def _match_one(self, candidate: str) -> bool:
        if self.anchored:
            return _glob_match(self.pattern, candidate)
        name = candidate.rsplit("/", 1)[-1]
        return _glob_match(self.pattern, name)


def _glob_match(pattern: str, path: str) -> bool:
    if "**" not in pattern:
        # In gitignore, * does not cross "/".
        pattern_parts, path_parts = pattern.split("/"), path.split("/")
        return len(pattern_parts) == len(path_parts) and all(
            fnmatchcase(name, part) for part, name in zip(pattern_parts, path_parts, strict=True)
        )
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex += "(?:.*/)?"
            index += 3
        elif pattern.startswith("/**", index) and index + 3 == len(pattern):
            regex += "/.*"
            index += 3
        elif pattern.startswith("**", index):
            regex += ".*"
            index += 2
        elif pattern[index] == "*":
            regex += "[^/]*"
            index += 1
        elif pattern[index] == "?":
            regex += "[^/]"
            index += 1
        else:
            regex += re.escape(pattern[index])
            index += 1
    return re.fullmatch(regex, path) is not None


def parse_ignore_file(path: Path) -> list[IgnoreRule] | None:
    """Rules of a .gitignore-style file (.gitignore, .slugignore), or None if it is absent."""
    problems: Problems = []
    lines = read_text_lines(path, problems)
    if lines is None:
        return None
    rules = []
    for _number, text in lines:
        line = text.rstrip(" ")
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        line = line.removeprefix("\\")
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        rules.append(IgnoreRule(line.lstrip("/"), negated, directory_only, anchored))
    return rules


def is_ignored(rules: list[IgnoreRule], path: str, is_dir: bool = False) -> bool:
    """gitignore semantics: the last matching rule wins, "!" re-includes."""
    ignored = False
    for rule in rules:
        if rule.matches(path, is_dir):
            ignored = not rule.negated
    return ignored


# -- process commands ---------------------------------------------------------------------


@functools.cache
def console_scripts() -> dict[str, str]:
    from importlib import metadata

    from deploytools.facts.requirement_lines import canonical

    found: dict[str, str] = {}
    for entry_point in metadata.entry_points(group="console_scripts"):
        dist = getattr(entry_point, "dist", None)
        if dist is not None and entry_point.name not in found:
            found[entry_point.name] = canonical(dist.metadata["Name"] or "")
    return found


def command_tokens(command: str) -> list[str] | None:
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return None


def executables(tokens: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(executable, its arguments) for a command and the commands that wrappers run."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", token):
            index += 1
            continue
        name = token.rsplit("/", 1)[-1]
        yield name, tokens[index + 1 :]
        if name not in WRAPPERS:
            return
        index += 1
        # Skip the wrapper's own options and its sub-command word (newrelic-admin run-program).
        while index < len(tokens) and (
            tokens[index].startswith("-") or tokens[index] == "run-program"
        ):
            index += 1
