"""A real clamd (Debian ``clamav-daemon``) on a unix socket in a temp folder, with no signature
download: its only database is a SHA-256 hash signature of the EICAR test file written here.

freshclam is never run. ``StreamMaxLength`` is 1 MiB so the oversized-stream path can be shown
with a small file.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from realtime.db import Database
from tests.inbox_intake.conftest import imap_server, intake_settings  # noqa: F401 (fixtures)

# The EICAR anti-virus test file (68 bytes), assembled so this source is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
SIGNATURE = "Madoguchi.Test.EICAR"
STREAM_MAX_BYTES = 1024 * 1024
START_DEADLINE_S = 180.0


def clamd_binary() -> str | None:
    """clamd from PATH or Debian's /usr/sbin."""
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )


@dataclass
class Clamd:
    """One clamd process with its own config, database folder and socket."""

    folder: Path
    binary: str
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_lines: list[str] = field(default_factory=list)

    @property
    def socket_path(self) -> Path:
        return self.folder / "clamd.sock"

    @property
    def address(self) -> str:
        """The ``MADOGUCHI_INBOX_CLAMD`` value for this clamd."""
        return f"unix:{self.socket_path}"

    def write_config(self) -> None:
        db = self.folder / "db"
        db.mkdir(exist_ok=True)
        digest = hashlib.sha256(EICAR).hexdigest()
        (db / "madoguchi-test.hsb").write_text(f"{digest}:{len(EICAR)}:{SIGNATURE}\n")
        (self.folder / "clamd.conf").write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket_path}",
                    f"DatabaseDirectory {db}",
                    f"LogFile {self.folder / 'clamd.log'}",
                    f"StreamMaxLength {STREAM_MAX_BYTES}",
                    "SelfCheck 3600",
                    "ReadTimeout 30",
                    "",
                ]
            )
        )

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(str(self.socket_path))
                sock.sendall(b"zPING\0")
                return sock.recv(64).startswith(b"PONG")
        except OSError:
            return False

    def start(self) -> None:
        """Start clamd and wait until it answers PING."""
        self.socket_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--config-file", str(self.folder / "clamd.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.starts += 1
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"clamd exited ({self.process.returncode}): {err[-2000:]}")
            if self.socket_path.exists() and self._answers():
                return
            time.sleep(0.1)
        raise RuntimeError("clamd did not answer within the deadline")

    def stop(self) -> None:
        """Stop this clamd (SIGTERM, then SIGKILL) and wait for it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None
        self.socket_path.unlink(missing_ok=True)


@pytest.fixture
def clamd() -> Iterator[Clamd]:
    """A running clamd with the EICAR hash signature only (skips without clamav-daemon)."""
    binary = clamd_binary()
    if binary is None:
        pytest.skip("clamd is not installed (Debian package clamav-daemon)")
    # A short folder: unix socket paths are limited to 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))
    server = Clamd(folder=folder, binary=binary)
    server.write_config()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dbs() -> Iterator[list[Database]]:
    """Databases a test opens, disposed at its end (PostgreSQL connections closed)."""
    opened: list[Database] = []
    yield opened
    for db in opened:
        db.dispose()
