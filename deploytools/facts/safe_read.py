"""
Reading a file deploytools did not write, and parsing JSON it did not produce, within bounds.

Every path a user passes (``--config-vars``, ``--snapshot``) or the project holds (Procfile,
``.python-version``, ``app.json``, requirements, settings sources) may be anything: a FIFO that
blocks ``open()`` until someone writes to it, ``/dev/zero`` that never ends, a symlink to
either, a multi-gigabyte file. :func:`read_bytes` reads only regular files (a symlink to one is
fine), never more than a cap, and never blocks on opening; every refusal is an ``OSError``
whose ``strerror`` says what is wrong in a few words, so callers that report
``exc.strerror`` need no special case.

JSON from outside (the Heroku API, a saved snapshot) is parsed by :func:`loads` with a depth
cap: Heroku's documents are a few levels deep, and a deeply nested one would otherwise blow
the stack of every recursive walk that follows (copying, redacting, rendering).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# Caps for files that hold a few lines or a few thousand: anything larger is not what we expect.
SMALL_FILE_BYTES = 1_000_000
SOURCE_FILE_BYTES = 10_000_000
# JSON nesting allowed from outside: Heroku's schema nests about five levels deep.
MAX_JSON_DEPTH = 64

_O_FLAGS = (
    os.O_RDONLY
    # Opening a FIFO without a writer returns at once instead of blocking (if one was swapped
    # in after the stat below); on a regular file the flag changes nothing.
    | getattr(os, "O_NONBLOCK", 0)
    # A terminal device never becomes our controlling terminal.
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class UnsafeFile(OSError):
    """A path that is not read: not a regular file, or larger than the cap."""


class NotRegularFile(UnsafeFile):
    """A FIFO, a device, a directory or a socket where a file was expected."""


class FileTooLarge(UnsafeFile):
    """A regular file larger than the caller's cap."""

    def __init__(self, path: str, limit: int) -> None:
        super().__init__(
            errno.EFBIG, _("larger than %(size)s bytes") % {"size": f"{limit:,}"}, path
        )
        self.limit = limit


def file_kind(mode: int) -> str:
    """ "a FIFO", "a character device", ...: what a non-regular file is, for a message."""
    if stat.S_ISFIFO(mode):
        return _("a FIFO")
    if stat.S_ISCHR(mode):
        return _("a character device")
    if stat.S_ISBLK(mode):
        return _("a block device")
    if stat.S_ISDIR(mode):
        return _("a directory")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a file")


def _refuse_unless_regular(mode: int, path: str) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFile(
            errno.EINVAL, _("not a regular file (%(kind)s)") % {"kind": file_kind(mode)}, path
        )


def regular_file(path: Path | str, limit: int) -> os.stat_result:
    """
    ``os.stat(path)`` when it is a regular file of at most ``limit`` bytes (following
    symlinks); raises FileNotFoundError when absent, :class:`UnsafeFile` otherwise. For
    readers that must hand a path to a library (netrc); prefer :func:`read_bytes`.
    """
    name = os.fspath(path)
    found = os.stat(name)
    _refuse_unless_regular(found.st_mode, name)
    if found.st_size > limit:
        raise FileTooLarge(name, limit)
    return found


def read_bytes(path: Path | str, limit: int = SMALL_FILE_BYTES) -> bytes:
    """
    The content of the regular file ``path`` (symlinks followed), at most ``limit`` bytes.

    Raises FileNotFoundError when it is absent, :class:`NotRegularFile` for a FIFO, device,
    directory or socket (checked before opening, and again on the opened descriptor), and
    :class:`FileTooLarge` when it holds more than ``limit`` bytes (also when its size lied, as
    /proc files do).
    """
    name = os.fspath(path)
    # Before opening: opening some devices has effects (a tape rewinds, a terminal attaches).
    regular_file(name, limit)
    descriptor = os.open(name, _O_FLAGS)
    try:
        # The path may have been swapped between the stat and the open.
        _refuse_unless_regular(os.fstat(descriptor).st_mode, name)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > limit:
        raise FileTooLarge(name, limit)
    return b"".join(chunks)


def read_text(path: Path | str, limit: int = SMALL_FILE_BYTES, encoding: str = "utf-8") -> str:
    """:func:`read_bytes` decoded (UnicodeDecodeError as ``Path.read_text`` raises it)."""
    return read_bytes(path, limit).decode(encoding)


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than :data:`MAX_JSON_DEPTH`."""


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``value`` (parsed JSON) nests deeper than ``limit``; iterative, never recursive."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def loads(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """
    ``json.loads`` that raises ValueError for nesting beyond ``limit`` too: :class:`JSONTooDeep`
    whether the parser itself ran out of stack (RecursionError) or the document parsed but is
    deeper than anything downstream should walk.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise JSONTooDeep(_("nested too deeply")) from None
    if too_deep(value, limit):
        raise JSONTooDeep(_("nested more than %(n)d levels deep") % {"n": limit})
    return value
