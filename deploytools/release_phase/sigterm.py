"""
SIGTERM during the release phase: Heroku sends it (then SIGKILL 30 s later) when a release is
stopped. It cancels the running statement, rolls the current migration back, and lets the
release be recorded as "interrupted".
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ReleaseInterrupted(BaseException):
    """SIGTERM arrived: unwind (rolling back the running migration) and record the release."""


@contextmanager
def sigterm_interrupts(
    cancel: Callable[[], None], interruptible: Callable[[], bool] = lambda: True
) -> Iterator[None]:
    """
    Turn SIGTERM into :class:`ReleaseInterrupted` in the main thread while ``interruptible()``,
    and cancel the statement that is running. A blocking database call only lets Python's
    handler run once it returns, so a watcher thread woken by the signal's wakeup fd cancels
    it first. Once not interruptible (recording the release), SIGTERM is ignored: Heroku's
    SIGKILL 30 s later still ends the process.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)

    def handler(signum: int, frame: object) -> None:
        # One interruption only: recording the release must not be interrupted in turn.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if interruptible():
            raise ReleaseInterrupted()

    def watch() -> None:
        while data := os.read(read_end, 64):
            if signal.SIGTERM in data and interruptible():
                cancel()

    previous_handler = signal.signal(signal.SIGTERM, handler)
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="deploytools-sigterm", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGTERM, previous_handler)
        os.close(write_end)
        watcher.join(timeout=1)
        os.close(read_end)
