"""What a backup run needs, taken from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from realtime.backup.crypto import BackupKey
from realtime.backup.errors import BackupNotConfigured
from realtime.backup.target import FilesystemTarget, Target
from realtime.db import normalise_url
from realtime.settings import Settings


@dataclass(frozen=True)
class BackupConfig:
    """Target, key, retention and pacing of backups, plus the database they cover."""

    settings: Settings
    target: Target
    key: BackupKey
    database_url: str
    generations: int
    journal_dir: Path
    wal_archive_dir: Path | None
    step_pages: int
    pause_seconds: float
    pg_bin: Path | None

    @property
    def backend(self) -> str:
        return make_url(self.database_url).get_backend_name()

    @property
    def sqlite_path(self) -> Path:
        database = make_url(self.database_url).database
        if not database or database == ":memory:":
            raise BackupNotConfigured(reason="an in-memory SQLite database cannot be backed up")
        return Path(database)

    @property
    def media_root(self) -> Path:
        return self.settings.data_dir / "media"

    @property
    def state_dir(self) -> Path:
        """Local bookkeeping (what was shipped, media hashes); losing it only costs re-copying."""
        return self.settings.data_dir / "backup-state"


def config_from_settings(settings: Settings, *, target: Path | None = None) -> BackupConfig:
    """The backup configuration, or BackupNotConfigured naming what is missing."""
    root = target or settings.backup_target
    missing = []
    if root is None:
        missing.append("MADOGUCHI_BACKUP_TARGET")
    if settings.backup_key is None:
        missing.append("MADOGUCHI_BACKUP_KEY")
    if root is None or settings.backup_key is None:
        raise BackupNotConfigured(missing=missing)
    return BackupConfig(
        settings=settings,
        target=FilesystemTarget(root),
        key=BackupKey.from_base64(settings.backup_key.get_secret_value()),
        database_url=normalise_url(settings.effective_database_url),
        generations=settings.backup_generations,
        journal_dir=(settings.backup_journal_dir or settings.data_dir / "backup-journal").resolve(),
        wal_archive_dir=settings.backup_wal_archive_dir,
        step_pages=settings.backup_step_pages,
        pause_seconds=settings.backup_step_pause_ms / 1000,
        pg_bin=settings.backup_pg_bin,
    )
