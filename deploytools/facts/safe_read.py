"""
Reading a file deploytools did not write: only a regular file, and never more than a cap.

A FIFO would block the read forever and /dev/zero would fill the memory; a file of a project or
a user's argument can be either. The file is opened without following it into a device or a
pipe (``O_NONBLOCK`` keeps a FIFO from blocking the open), checked with ``fstat``, then read up
to ``cap`` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileTooLarge(OSError):
    """The file is larger than the cap: it is not one a person wrote for us to read."""


class NotARegularFile(OSError):
    """A FIFO, a device, a socket or a directory where a file was expected."""


def read_regular_bytes(path: Path | str, cap: int) -> bytes:
    """The bytes of ``path`` (at most ``cap``), or an OSError saying why it is not readable."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(0, "not a regular file", str(path))
        if info.st_size > cap:
            raise FileTooLarge(0, f"larger than {cap} bytes", str(path))
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, min(1 << 20, cap + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                # It grew while we read (a log being written): past the cap all the same.
                raise FileTooLarge(0, f"larger than {cap} bytes", str(path))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_regular_text(path: Path | str, cap: int, encoding: str = "utf-8") -> str:
    """The text of ``path``; UnicodeDecodeError when it is not ``encoding``."""
    return read_regular_bytes(path, cap).decode(encoding)
