"""
Step 1: say what is released, in Heroku-style logfmt lines (``at=release step=… version=v42``).

The release phase's output is the app's log: one line per step, with its timings, secrets
scrubbed, so ``heroku releases:output`` and log drains show what happened.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from deploytools import redact


@dataclass(frozen=True)
class DynoMetadata:
    """What Heroku's dyno metadata says about this release (empty outside Heroku)."""

    version: str = ""
    commit: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> DynoMetadata:
        env = os.environ if environ is None else environ
        return cls(
            version=env.get("HEROKU_RELEASE_VERSION", "").strip()[:64],
            commit=env.get("HEROKU_SLUG_COMMIT", "").strip()[:64],
        )


def _logfmt_value(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\\') or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    return text


def seconds(value: float) -> str:
    return f"{value:.3f}s"


class Announcer:
    """Writes Heroku-style logfmt lines (``at=release step=… version=v42 …``), secrets scrubbed."""

    def __init__(self, stream: IO[str], version: str, hidden: set[str]) -> None:
        self.stream = stream
        self.version = version
        self.hidden = hidden

    def __call__(self, step: str, **fields: object) -> None:
        parts = {"at": "release", "step": step, "version": self.version or "-", **fields}
        line = " ".join(f"{key}={_logfmt_value(value)}" for key, value in parts.items())
        self.stream.write(redact.redact(line, self.hidden) + "\n")
        self.stream.flush()


def one_line(exc: BaseException, hidden: set[str]) -> str:
    """``Type: first line of the message``, secrets masked: how errors are reported."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return redact.redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__, hidden)
