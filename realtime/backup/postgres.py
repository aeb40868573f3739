"""PostgreSQL: base backups with pg_basebackup, WAL from the server's archive_command spool.

The server archives each finished WAL file into a local spool folder
(``archive_command = 'test ! -f SPOOL/%f && cp %p SPOOL/%f'``); shipping encrypts the spool into
the target. Restore = a base backup plus archived WAL replayed up to ``recovery_target_time``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from realtime.backup.errors import BackupCorrupted, BackupError, BackupToolMissing

_START_WAL = re.compile(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)")
WAL_PREFIX = "wal/"


def find_tool(name: str, pg_bin: Path | None) -> Path:
    """A PostgreSQL client program from the configured folder, PATH or Debian's layout."""
    candidates = [pg_bin / name] if pg_bin else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BackupToolMissing(tool=name)


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and an environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


@dataclass(frozen=True)
class BaseBackup:
    """Files written by pg_basebackup (tar format) and the first WAL file they need."""

    files: list[Path]
    wal_start: str


def base_backup(url: str, dest: Path, *, pg_bin: Path | None) -> BaseBackup:
    """Run pg_basebackup (spread checkpoint, so the server's I/O is not spiked)."""
    tool = find_tool("pg_basebackup", pg_bin)
    conninfo, env = libpq_url(url)
    result = subprocess.run(
        [
            str(tool), "-d", conninfo, "-D", str(dest), "-F", "tar", "-X", "fetch",
            "--checkpoint=spread", "--no-password", "-l", "madoguchi backup",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(reason="pg_basebackup failed", stderr=result.stderr.strip()[-2000:])
    with tarfile.open(dest / "base.tar") as tar:
        member = tar.extractfile("backup_label")
        if member is None:
            raise BackupCorrupted(reason="base.tar has no backup_label")
        label = member.read().decode("utf-8")
    match = _START_WAL.search(label)
    if match is None:
        raise BackupCorrupted(reason="backup_label has no START WAL LOCATION")
    return BaseBackup(sorted(p for p in dest.iterdir() if p.is_file()), match.group(1))


def switch_wal(url: str, *, wait_seconds: float = 30.0) -> str | None:
    """Close the current WAL file and wait until the archiver has taken it (None: no rights)."""
    conninfo, _env = libpq_url(url)
    params = make_url(url)
    with psycopg.connect(conninfo, password=params.password or None, autocommit=True) as conn:
        try:
            row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        except psycopg.errors.InsufficientPrivilege:
            return None
        assert row is not None
        wal = str(row[0])
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            done = conn.execute("SELECT last_archived_wal, last_failed_wal FROM pg_stat_archiver")
            archived = done.fetchone()
            if archived and archived[0] and str(archived[0])[:24] >= wal:
                return wal
            time.sleep(0.1)
    raise BackupError(reason="the server did not archive WAL in time (check archive_command)")


def prepare_data_dir(base_tar: Path, wal_tar: Path | None, pgdata: Path) -> None:
    """Unpack a base backup into an empty data folder (mode 0700, as PostgreSQL requires)."""
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    with tarfile.open(base_tar) as tar:
        tar.extractall(pgdata, filter="data")
    if wal_tar is not None:
        wal_dir = pgdata / "pg_wal"
        wal_dir.mkdir(exist_ok=True)
        with tarfile.open(wal_tar) as tar:
            tar.extractall(wal_dir, filter="data")


def configure_recovery(pgdata: Path, *, wal_dir: Path, to: datetime | None) -> None:
    """Recover from the restored WAL files up to ``to`` (all of it when None), then promote."""
    lines = [
        "",
        "# madoguchi restore",
        f'restore_command = \'cp "{wal_dir}/%f" "%p"\'',
        "recovery_target_action = 'promote'",
        "archive_mode = 'off'  # turn back on once the restored server is checked",
    ]
    if to is not None:
        lines.append(f"recovery_target_time = '{to.isoformat()}'")
        lines.append("recovery_target_inclusive = true")
    with (pgdata / "postgresql.auto.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n".join(lines) + "\n")
    (pgdata / "recovery.signal").touch()
    for stale in ("postmaster.pid", "postmaster.opts"):
        (pgdata / stale).unlink(missing_ok=True)
