"""
The real weareone app under gunicorn on 127.0.0.1, over TLS from a local CA (trustme) or plain
HTTP, with production settings (DYNO set) and a migrated SQLite database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import trustme

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Certificates:
    ca_bundle: Path
    certfile: Path
    keyfile: Path


def make_certificates(directory: Path) -> Certificates:
    """A local CA and a server certificate for 127.0.0.1 and localhost."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = Certificates(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    ca.cert_pem.write_to_path(str(paths.ca_bundle))
    cert.cert_chain_pems[0].write_to_path(str(paths.certfile))
    cert.private_key_pem.write_to_path(str(paths.keyfile))
    return paths


def production_env(workdir: Path, settings_module: str = "tests.live_settings") -> dict[str, str]:
    """A dyno's environment for weareone, on an SQLite file and a temp STATIC_ROOT."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "WEB_CONCURRENCY", "GUNICORN_"))
    }
    return {
        **base,
        "DYNO": "web.1",
        "DJANGO_SECRET_KEY": "live-test-secret-key-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DATABASE_SSL_REQUIRE": "0",
        "DJANGO_SETTINGS_MODULE": settings_module,
        "LIVE_STATIC_ROOT": str(workdir / "static"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "PYTHONPATH": str(ROOT),
    }


def prepare_site(workdir: Path, extra_env: Mapping[str, str] | None = None) -> None:
    """
    Migrate the database and collect static files, as the build and release do; extra_env
    overrides the environment (a PostgreSQL DATABASE_URL instead of the SQLite file).
    """
    env = {**production_env(workdir), **(extra_env or {})}
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_gunicorn(
    workdir: Path,
    name: str,
    settings_module: str,
    certificates: Certificates | None = None,
    host: str = "localhost",
    extra_env: Mapping[str, str] | None = None,
) -> Gunicorn:
    """Start gunicorn with the project's gunicorn.conf.py; call wait_ready() before use."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
    ]
    if certificates is not None:
        args += ["--certfile", str(certificates.certfile), "--keyfile", str(certificates.keyfile)]
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*args, "weareone.wsgi"],
            env={
                **production_env(workdir, settings_module),
                "PORT": str(port),
                **(extra_env or {}),
            },
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    scheme = "https" if certificates is not None else "http"
    return Gunicorn(process, f"{scheme}://{host}:{port}", log)


def wait_ready(server: Gunicorn, timeout: float = 30) -> None:
    """Wait until gunicorn accepts connections (its worker has booted the app)."""
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start: {server.log.read_text(errors='replace')}")
