"""
stdout belongs to the report, whatever the project's code prints while a command runs.

A data migration whose RunPython prints, a post-migrate command, settings that print when
imported, a C extension or a child process writing straight to file descriptor 1: when stdout
holds a document (JSON, HTML, JUnit, GitHub annotations) any of them would put text before
it, and what they print (keys included) would go out unredacted. While a deploytools command
runs, :func:`start` points descriptors 1 and 2 themselves at pipes — Python-level redirection
would miss C code and child processes — and a thread copies what arrives, line by line with
every secret masked, to stderr in document mode, or in text mode to where it was going (stdout
is then the text report's log). The command itself writes its report to
:meth:`Capture.report_stream`, the real stdout, and :func:`stop` puts the descriptors back
when it is done.

Only on POSIX systems, where a release phase runs; elsewhere output is left alone.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Iterable
from typing import TextIO

from deploytools import redact

# A line longer than this is passed on in pieces (masking works on whole lines).
MAX_LINE_BYTES = 64 * 1024
# How long stop() waits for the last lines: a child process the project started may still
# hold the pipe open, and must not hold the command.
DRAIN_SECONDS = 2.0


class _Pump(threading.Thread):
    """Copies one pipe to one descriptor, a line at a time, secrets masked."""

    def __init__(self, read_fd: int, target_fd: int, capture: Capture) -> None:
        super().__init__(name="deploytools-capture", daemon=True)
        self.read_fd = read_fd
        self.target_fd = target_fd
        self.capture = capture
        self.stopping = threading.Event()
        # Set when stop() gave up waiting: nothing more is written anywhere.
        self.abandoned = False

    def run(self) -> None:
        pending = b""
        while True:
            readable, _w, _x = select.select([self.read_fd], [], [], 0.05)
            if not readable:
                if not self.stopping.is_set():
                    continue
                # stop() writes everything before it sets ``stopping``, but this select may
                # have timed out before that: look once more, without waiting, before leaving.
                readable, _w, _x = select.select([self.read_fd], [], [], 0)
                if not readable:
                    break
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._emit(line + b"\n")
            if len(pending) > MAX_LINE_BYTES:
                self._emit(pending)
                pending = b""
        if pending:
            self._emit(pending)

    def _emit(self, data: bytes) -> None:
        if self.abandoned:
            return
        text = data.decode("utf-8", "surrogateescape")
        masked = redact.redact(text, self.capture.secrets).encode("utf-8", "surrogateescape")
        with contextlib.suppress(OSError):
            while masked:
                masked = masked[os.write(self.target_fd, masked) :]


class Capture:
    """Descriptors 1 and 2 captured; see the module's docstring."""

    def __init__(self, document_mode: bool) -> None:
        self.document_mode = document_mode
        self.secrets: set[str] = set()
        self._saved: dict[int, int] = {}
        self._pumps: list[_Pump] = []
        self._report: TextIO | None = None

    def report_stream(self) -> TextIO:
        """The real stdout, for the command's report (never captured, never masked twice)."""
        if self._report is None:
            self._report = os.fdopen(
                os.dup(self._saved[1]),
                "w",
                encoding=getattr(sys.stdout, "encoding", None) or "utf-8",
                errors=getattr(sys.stdout, "errors", None) or "strict",
            )
        return self._report

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Mask these too, from the next line on (the set is replaced, never mutated)."""
        self.secrets = self.secrets | set(secrets)

    def _begin(self) -> None:
        _flush()
        self._saved = {fd: os.dup(fd) for fd in (1, 2)}
        if self.document_mode:
            # One pipe for both: what the project prints and our log lines keep their order.
            read_fd, write_fd = os.pipe()
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            os.close(write_fd)
            self._pumps = [_Pump(read_fd, self._saved[2], self)]
        else:
            for fd in (1, 2):
                read_fd, write_fd = os.pipe()
                os.dup2(write_fd, fd)
                os.close(write_fd)
                self._pumps.append(_Pump(read_fd, self._saved[fd], self))
        for pump in self._pumps:
            pump.start()

    def _end(self) -> None:
        _flush()
        if self._report is not None:
            with contextlib.suppress(OSError, ValueError):
                self._report.close()
            self._report = None
        for fd, saved in self._saved.items():
            os.dup2(saved, fd)
        for pump in self._pumps:
            pump.stopping.set()
        lingering = False
        for pump in self._pumps:
            pump.join(DRAIN_SECONDS)
            if pump.is_alive():
                # A process the project started still holds the pipe: stop listening to it.
                # Its descriptors stay open (a closed number could be reused by a socket).
                pump.abandoned = lingering = True
            else:
                os.close(pump.read_fd)
        if not lingering:
            for saved in self._saved.values():
                os.close(saved)
        self._saved, self._pumps = {}, []


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()


_lock = threading.Lock()
_active: Capture | None = None


def start(document_mode: bool) -> Capture | None:
    """
    Capture descriptors 1 and 2 (once per process: a second call returns the capture that is
    running); None where it cannot be done (not POSIX, or a descriptor is closed).
    """
    global _active
    with _lock:
        if _active is not None:
            return _active
        if os.name != "posix":
            return None
        capture = Capture(document_mode)
        capture.add_secrets(redact.secret_values(dict(os.environ)))
        try:
            capture._begin()
        except OSError:
            return None
        _active = capture
        return capture


def active() -> Capture | None:
    return _active


def stderr_is_terminal() -> bool:
    """Whether stderr, under the capture, really is a terminal (progress lines are for one)."""
    capture = _active
    saved = capture._saved.get(2) if capture is not None else None
    return saved is not None and os.isatty(saved)


def stop() -> None:
    """Put descriptors 1 and 2 back, once the last captured lines are written."""
    global _active
    with _lock:
        capture, _active = _active, None
    if capture is not None:
        capture._end()
