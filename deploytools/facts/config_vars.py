"""
The production config vars: from a file (``--config-vars FILE``) or a Heroku app (``--app``).

The file format is what ``heroku config --shell`` prints, which is also the dotenv format:
``KEY=value``, ``KEY='single quoted'``, ``KEY="double quoted with \\n escapes"``,
``export KEY=value``, ``# comments`` and blank lines. Quoted values may span lines. A line
that is none of these is an error naming the file and line, never the value on it.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation import gettext as _

from deploytools.facts import safe_read

# Heroku allows 32 kB of config vars per app; a file far larger is not a config.
MAX_FILE_BYTES = safe_read.SMALL_FILE_BYTES
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOUBLE_QUOTED_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$", "`": "`"}


class ConfigVarsError(ValueError):
    """A config vars file that cannot be read; the text is one line, "FILE:LINE: problem"."""


def _error(source: str, line: int, problem: str) -> ConfigVarsError:
    hint = _("write it as NAME=value, e.g. the output of: heroku config --shell --app APP")
    return ConfigVarsError(f"{source}:{line}: {problem} ({hint})")


def parse_config_vars(text: str, source: str = "<config vars>") -> dict[str, str]:
    """Parse config vars text; raise :class:`ConfigVarsError` at the first bad line."""
    found: dict[str, str] = {}
    first_line: dict[str, int] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        # Only leading space goes: a quoted value may end its first line with spaces.
        line = lines[index].lstrip()
        index += 1
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[len("export") :].lstrip()
        name_match = NAME.match(line)
        if name_match is None:
            raise _error(source, number, _("expected a variable name"))
        name = name_match.group()
        rest = line[name_match.end() :].lstrip(" \t")
        if not rest.startswith("="):
            # Not even the first word is quoted: a line without "=" may be a pasted password
            # or a PEM continuation line, and its first word a secret.
            raise _error(source, number, _("no '=' after the variable name"))
        raw = rest[1:].lstrip(" \t")
        value, index, problem = _shell_word(raw, lines, index)
        if problem:
            raise _error(source, number, problem % {"name": name})
        if name in found:
            raise _error(
                source,
                number,
                _("%(name)s is set twice (first on line %(first)d)")
                % {"name": name, "first": first_line[name]},
            )
        found[name] = value
        first_line[name] = number
    return found


def _shell_word(raw: str, lines: list[str], index: int) -> tuple[str, int, str]:
    """
    Read one shell word (quoted and unquoted parts, as in ``'it'\\''s'``) from ``raw``,
    taking following lines while a quote is open. Returns (value, next line index, problem).
    """
    value: list[str] = []
    text, position = raw, 0
    while position < len(text):
        char = text[position]
        if char in "'\"":
            end = _closing_quote(text, position + 1, char)
            while end is None and index < len(lines):
                text += "\n" + lines[index]
                index += 1
                end = _closing_quote(text, position + 1, char)
            if end is None:
                return "", index, _("the quoted value of %(name)s is not closed")
            part = text[position + 1 : end]
            value.append(_unescape(part) if char == '"' else part)
            position = end + 1
        elif char == "\\" and position + 1 < len(text):
            value.append(text[position + 1])
            position += 2
        elif char.isspace():
            trailer = text[position:].strip()
            if trailer and not trailer.startswith("#"):
                return (
                    "",
                    index,
                    _("the value of %(name)s has unquoted spaces; quote the whole value"),
                )
            break
        else:
            value.append(char)
            position += 1
    return "".join(value), index, ""


def _closing_quote(text: str, start: int, quote: str) -> int | None:
    """Index of the closing ``quote`` at or after ``start`` (backslash escapes in "...")."""
    position = start
    while position < len(text):
        char = text[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return None


def _unescape(value: str) -> str:
    return re.sub(
        r"\\(.)",
        lambda m: DOUBLE_QUOTED_ESCAPES.get(m.group(1), "\\" + m.group(1)),
        value,
        flags=re.DOTALL,
    )


def read_config_vars_file(path: str | Path) -> dict[str, str]:
    """Read and parse a config vars file; every problem is a one-line :class:`ConfigVarsError`."""
    source = str(path)
    try:
        data = safe_read.read_bytes(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise ConfigVarsError(
            _("%(file)s: no such file (create it with: heroku config --shell --app APP > %(file)s)")
            % {"file": source}
        ) from None
    except safe_read.NotRegularFile as exc:
        # /dev/stdin and <(...) are pipes: the config is read from a file only.
        raise ConfigVarsError(
            _(
                "%(file)s: cannot be read (%(error)s); save the config to a file first: "
                "heroku config --shell --app APP > .env.production"
            )
            % {"file": source, "error": exc.strerror}
        ) from None
    except OSError as exc:
        raise ConfigVarsError(
            _("%(file)s: cannot be read (%(error)s)")
            % {"file": source, "error": exc.strerror or type(exc).__name__}
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _error(source, line, _("not UTF-8 text")) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _error(source, line, _("a NUL character (is this a binary file?)"))
    return parse_config_vars(text, source)


def fetch_app_config_vars(app: str) -> tuple[dict[str, str], str | None]:
    """
    The config vars of a Heroku app and its generation ("fir", "cedar"; None if the API names
    none), through :mod:`deploytools.facts.platform_api`.
    """
    from deploytools.facts.platform_api import fetch_app_config

    config, generation = fetch_app_config(app)
    return dict(config), generation
