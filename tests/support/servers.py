"""Real PostgreSQL and Redis servers, started by the tests on loopback with free ports."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int,
    *,
    timeout: float = 30.0,
    proc: subprocess.Popen[bytes] | None = None,
    what: str = "server",
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on {port} within {timeout}s")


def _as_postgres_user() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid}


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a server URL without a database name.

    It lives in its own temporary folder: as root, the server runs as the ``postgres`` user,
    which cannot enter pytest's private temporary folders."""
    base = Path(tempfile.mkdtemp(prefix="madoguchi-pg-"))
    base.chmod(0o755)
    try:
        with _postgres_in(base) as url:
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def _postgres_in(base: Path) -> Iterator[str]:
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        found = shutil.which("initdb")
        if not found:
            raise RuntimeError("PostgreSQL is not installed (Debian package postgresql-15)")
        initdb = Path(found)
    bin_dir = initdb.parent
    data = base / "pgdata"
    data.mkdir(parents=True)
    run_as = _as_postgres_user()
    if run_as:
        shutil.chown(base, user="postgres")
        shutil.chown(data, user="postgres")
    subprocess.run(
        [
            str(initdb),
            "-D",
            str(data),
            "-U",
            "madoguchi",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
        **run_as,  # type: ignore[arg-type]
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(base),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **run_as,  # type: ignore[arg-type]
    )
    try:
        wait_for_port(port, proc=proc, what="postgres")
        _wait_for_sessions(port, proc)
        yield f"postgresql+psycopg://madoguchi@127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for_sessions(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """PostgreSQL listens before it accepts sessions ("the database system is starting up")."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(f"postgresql://madoguchi@127.0.0.1:{port}/postgres") as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def redis_server(base: Path) -> Iterator[str]:
    exe = shutil.which("redis-server")
    if not exe:
        raise RuntimeError("Redis is not installed (Debian package redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc, what="redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
