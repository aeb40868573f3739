"""A PostgreSQL cluster of its own that a test can restart (stop, then start on the same port
and data folder), unlike the session-wide server of tests/conftest.py."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tests.support.servers import (
    PG_BIN,
    _as_postgres_user,
    _wait_for_sessions,
    free_port,
    wait_for_port,
)


@dataclass
class Cluster:
    """One throwaway cluster; ``url`` has no database name."""

    base: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://madoguchi@127.0.0.1:{self.port}"

    def init(self) -> None:
        data = self.base / "pgdata"
        data.mkdir(parents=True)
        run_as: Any = _as_postgres_user()
        if run_as:
            shutil.chown(self.base, user="postgres")
            shutil.chown(data, user="postgres")
        initdb = PG_BIN / "initdb"
        subprocess.run(
            [str(initdb), "-D", str(data), "-U", "madoguchi", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            **run_as,
        )

    def start(self) -> None:
        run_as: Any = _as_postgres_user()
        self.proc = subprocess.Popen(
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(self.base / "pgdata"),
                "-p",
                str(self.port),
                "-k",
                str(self.base),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **run_as,
        )
        wait_for_port(self.port, proc=self.proc, what="postgres")
        _wait_for_sessions(self.port, self.proc)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): every session is cut, as in a restart."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        self.proc = None

    def database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"postgresql://madoguchi@127.0.0.1:{self.port}/postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"


@contextmanager
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        import pytest

        pytest.skip("PostgreSQL 15 is not installed (Debian package postgresql-15)")
    base = Path(tempfile.mkdtemp(prefix="madoguchi-faults-pg-"))
    base.chmod(0o755)
    server = Cluster(base=base)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
