"""A throw-away PostgreSQL + PostGIS server for the tests and the bench: a real cluster
(initdb, pg_ctl) in a temporary folder, on a free local port, stopped and deleted afterwards.

The machine runs as root and PostgreSQL refuses to run as root, so the server runs as the
`postgres` user (Debian's packages create it) through runuser; as any other user it runs as
that user. Password authentication over TCP (scram-sha-256), so wrong credentials are
really refused.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ADMIN = "geo_admin"
PASSWORD = "s3cret-test-pw"
#: A database with the PostGIS extension, and one without it.
DATABASE = "geo_test"
PLAIN_DATABASE = "geo_plain"


def _bin_dir() -> Path | None:
    """Debian's server binaries (/usr/lib/postgresql/N/bin), or those on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def postgis_available() -> str | None:
    """Why a PostGIS server cannot be started here, or None when it can."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        return "PostgreSQL's server (initdb, pg_ctl) is not installed"
    share = subprocess.run([str(bin_dir / "pg_config"), "--sharedir"], capture_output=True,
                           text=True)
    sharedir = share.stdout.strip() if share.returncode == 0 else ""
    if not sharedir or not glob.glob(os.path.join(sharedir, "extension", "postgis.control")):
        return "the PostGIS extension (postgresql-15-postgis-3) is not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One running server. `url(db)` is a postgresql:// URL with the admin's password."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="geo-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120,
                              cwd=self.root, **kwargs)

    def start(self) -> "Cluster":
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", ADMIN,
                  f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                  "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c shared_buffers=32MB -c max_connections=40")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-w", "-o", options, "start")
        self.psql("postgres", f"CREATE DATABASE {DATABASE}")
        self.psql("postgres", f"CREATE DATABASE {PLAIN_DATABASE}")
        self.psql(DATABASE, "CREATE EXTENSION postgis")
        return self

    def psql(self, db: str, command: str) -> str:
        out = self._run("psql", "-h", str(self.root), "-p", str(self.port), "-U", ADMIN,
                        "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", command)
        return out.stdout

    def url(self, db: str = DATABASE, password: str = PASSWORD, user: str = ADMIN) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.data.exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
