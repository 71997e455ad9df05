"""
A throwaway PostgreSQL cluster for the tests: real locks, real migrations, real records.

TEST_DATABASE_URL (postgres://user:password@host:port/dbname) points the tests at an
existing server. Otherwise a cluster is created with Debian's PostgreSQL binaries in a
temporary directory, listening on 127.0.0.1 on a free port, and removed at the end.
PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    datadir: Path | None = None
    run_as: str | None = None

    def url(self, dbname: str | None = None) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname or self.dbname}"

    def psql(self, sql: str, dbname: str | None = None) -> str:
        env = {**os.environ, "PGPASSWORD": self.password}
        return subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                dbname or self.dbname,
                "-c",
                sql,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def create_database(self, name: str) -> str:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dbname="postgres")
        self.psql(f'CREATE DATABASE "{name}"', dbname="postgres")
        return self.url(name)


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "PostgreSQL server binaries not found: install them (apt-get install postgresql) "
        "or set TEST_DATABASE_URL."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(cmd: list[str], run_as: str | None) -> None:
    if run_as:
        cmd = ["runuser", "-u", run_as, "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def start() -> Server:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        parts = urlsplit(url)
        return Server(
            parts.hostname or "127.0.0.1",
            parts.port or 5432,
            parts.username or "postgres",
            parts.password or "",
            parts.path.lstrip("/") or "postgres",
        )
    bindir = _bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    datadir = Path(tempfile.mkdtemp(prefix="deploytools-pg-"))
    if run_as:
        shutil.chown(datadir, user=run_as)
    port = _free_port()
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        run_as,
    )
    opts = (
        f"-h 127.0.0.1 -p {port} -k {datadir} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "-l",
            str(datadir / "server.log"),
            "start",
        ],
        run_as,
    )
    server = Server("127.0.0.1", port, "postgres", "", "postgres", datadir, run_as)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql("SELECT 1")
            break
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return server


def stop(server: Server) -> None:
    if server.datadir is None:
        return
    try:
        _run(
            [str(_bindir() / "pg_ctl"), "-D", str(server.datadir), "-m", "immediate", "-w", "stop"],
            server.run_as,
        )
    finally:
        shutil.rmtree(server.datadir, ignore_errors=True)
