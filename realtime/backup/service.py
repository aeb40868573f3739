"""Take, ship, list, prune and restore backups."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from realtime.backup import journal, media, postgres, sqlite_online
from realtime.backup.config import BackupConfig
from realtime.backup.errors import (
    BackupCorrupted,
    RestoreTargetExists,
    RestoreTooEarly,
)
from realtime.backup.manifest import (
    GENERATIONS,
    Manifest,
    StoredObject,
    manifest_name,
    settings_snapshot,
)
from realtime.backup.objects import get_bytes, get_file, put_bytes, put_file

log = logging.getLogger(__name__)
JOURNAL_PREFIX = "journal/"
MEDIA_INDEX = "media-index.json"


@dataclass(frozen=True)
class BackupReport:
    """One finished generation."""

    generation: str
    backend: str
    seconds: float
    bytes_stored: int
    media_copied: int
    pruned: list[str]


@dataclass(frozen=True)
class ShipReport:
    """What one shipping pass copied."""

    journal_segments: int
    wal_files: int
    media_copied: int
    media: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GenerationInfo:
    """A generation found on the target; ``error`` is set when its manifest is unreadable."""

    generation: str
    manifest: Manifest | None
    error: str = ""


@dataclass
class RestoreReport:
    """Where a restore put things and how far it got."""

    generation: str
    backend: str
    target_dir: Path
    restored_to: datetime | None
    transactions_replayed: int = 0
    last_commit_at: datetime | None = None
    media_files: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _generation_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def _schema_revision(config: BackupConfig) -> str | None:
    from realtime import migrate

    try:
        return migrate.current(config.database_url)
    except Exception:  # a database without Alembic's table still backs up
        return None


def run_backup(config: BackupConfig) -> BackupReport:
    """Take one full generation now, ship the journal, WAL and media, prune old generations."""
    config.target.check()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    generation = _generation_id(started)
    prefix = f"{GENERATIONS}{generation}/"
    objects: list[StoredObject] = []
    stored = 0
    config.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=config.state_dir, prefix="staging-") as tmp:
        staging = Path(tmp)
        if config.backend == "sqlite":
            snap = sqlite_online.online_copy(
                config.sqlite_path,
                staging / "db.sqlite3",
                journal_dir=config.journal_dir,
                step_pages=config.step_pages,
                pause_seconds=config.pause_seconds,
            )
            files, snapshot_at = [snap.path], snap.snapshot_at
            extra: dict[str, object] = {"last_txid": snap.last_txid, "segment": snap.segment}
        else:
            base = postgres.base_backup(config.database_url, staging, pg_bin=config.pg_bin)
            files, snapshot_at = base.files, datetime.now(UTC)
            extra = {"wal_start": base.wal_start}
        for path in files:
            name = prefix + path.name
            sha, size = put_file(config.target, config.key, name, path)
            objects.append(StoredObject(name=name, sha256=sha, size=size))
            stored += size
    shipped = ship(config)
    manifest = Manifest(
        generation=generation,
        backend="sqlite" if config.backend == "sqlite" else "postgresql",
        started_at=started,
        snapshot_at=snapshot_at,
        finished_at=datetime.now(UTC),
        schema_revision=_schema_revision(config),
        objects=objects,
        media=shipped.media,
        settings=settings_snapshot(config.settings),
        **extra,
    )
    put_bytes(
        config.target, config.key, manifest_name(generation), manifest.model_dump_json().encode()
    )
    pruned = prune(config)
    return BackupReport(
        generation,
        config.backend,
        time.perf_counter() - clock,
        stored,
        shipped.media_copied,
        pruned,
    )


def _shipped_state(config: BackupConfig) -> tuple[Path, dict[str, int]]:
    path = config.state_dir / "shipped.json"
    data: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    return path, data


def ship(config: BackupConfig) -> ShipReport:
    """Copy new journal segments (or archived WAL) and new media files to the target."""
    config.target.check()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    state_path, shipped = _shipped_state(config)
    segments = 0
    wal_files = 0
    if config.backend == "sqlite":
        if config.journal_dir.is_dir():
            for path in sorted(config.journal_dir.glob("seg-*.jnl")):
                size = path.stat().st_size
                if shipped.get(path.name) == size:
                    continue
                put_file(config.target, config.key, JOURNAL_PREFIX + path.name, path)
                shipped[path.name] = size
                segments += 1
    else:
        postgres.switch_wal(config.database_url)
        spool = config.wal_archive_dir
        if spool is not None and spool.is_dir():
            for path in sorted(spool.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                name = postgres.WAL_PREFIX + path.name
                if not config.target.exists(name):
                    put_file(config.target, config.key, name, path)
                    wal_files += 1
                path.unlink()  # the target is the archive; the spool only buffers
    tmp = state_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(shipped))
    tmp.replace(state_path)
    files = media.scan(config.media_root, config.state_dir / "media-cache.json")
    copied = media.upload(config.target, config.media_root, files)
    put_bytes(config.target, config.key, MEDIA_INDEX, json.dumps(files).encode())
    return ShipReport(segments, wal_files, copied, files)


def _media_index(config: BackupConfig) -> dict[str, str]:
    data: dict[str, str] = json.loads(get_bytes(config.target, config.key, MEDIA_INDEX))
    return data


def list_generations(config: BackupConfig) -> list[GenerationInfo]:
    """Every generation on the target, oldest first; unreadable manifests are reported."""
    found: list[GenerationInfo] = []
    for name in config.target.list(GENERATIONS):
        if not name.endswith("/manifest.json"):
            continue
        generation = name.split("/")[1]
        try:
            data = get_bytes(config.target, config.key, name)
            found.append(GenerationInfo(generation, Manifest.model_validate_json(data)))
        except (BackupCorrupted, ValidationError) as exc:
            found.append(GenerationInfo(generation, None, str(exc)))
    return found


def prune(config: BackupConfig) -> list[str]:
    """Keep the newest N good generations; drop older ones and what only they needed."""
    generations = list_generations(config)
    good = [g for g in generations if g.manifest is not None]
    keep = good[-config.generations :]
    if not keep:
        return []
    kept_names = {g.generation for g in keep}
    removed: list[str] = []
    for info in generations:
        if info.generation in kept_names or info.manifest is None:
            continue  # an unreadable generation is left for a person to look at
        for name in config.target.list(f"{GENERATIONS}{info.generation}/"):
            config.target.delete(name)
        removed.append(info.generation)
    manifests = [g.manifest for g in keep if g.manifest is not None]
    oldest_segment = min((m.segment for m in manifests if m.segment is not None), default=None)
    if oldest_segment is not None:
        first = journal.segment_name(oldest_segment)
        for name in config.target.list(JOURNAL_PREFIX):
            if name[len(JOURNAL_PREFIX) :] < first:
                config.target.delete(name)
        if config.journal_dir.is_dir():
            _state_path, shipped = _shipped_state(config)
            for path in config.journal_dir.glob("seg-*.jnl"):
                if path.name < first and shipped.get(path.name) == path.stat().st_size:
                    path.unlink()
    oldest_wal = min((m.wal_start for m in manifests if m.wal_start), default=None)
    if oldest_wal is not None:
        for name in config.target.list(postgres.WAL_PREFIX):
            if name[len(postgres.WAL_PREFIX) :][:24] < oldest_wal:
                config.target.delete(name)
    wanted = {media.object_name(sha) for m in manifests for sha in m.media.values()}
    wanted |= {media.object_name(sha) for sha in _media_index(config).values()}
    for name in config.target.list(media.PREFIX):
        if name not in wanted:
            config.target.delete(name)
    return removed


# --- restore -----------------------------------------------------------------------------------


def choose_generation(generations: list[GenerationInfo], to: datetime | None) -> Manifest:
    """The newest generation whose snapshot is not after ``to``; errors say why there is none."""
    usable = [g for g in generations if g.manifest is not None]
    if not generations:
        raise RestoreTooEarly(reason="no backups on the target", to=str(to))
    candidates = [g for g in usable if to is None or g.manifest.snapshot_at <= to]  # type: ignore[union-attr]
    if not candidates:
        bad = [g for g in generations if g.manifest is None]
        if bad and not usable:
            raise BackupCorrupted(
                reason="no readable generation", generations=[g.generation for g in bad]
            )
        first = min(g.manifest.snapshot_at for g in usable)  # type: ignore[union-attr]
        raise RestoreTooEarly(to=str(to), first_backup=first.isoformat())
    newest = candidates[-1]
    later_bad = [g for g in generations if g.manifest is None and g.generation > newest.generation]
    if later_bad and to is None:
        raise BackupCorrupted(
            reason="the newest generation is unreadable", generation=later_bad[-1].generation
        )
    assert newest.manifest is not None
    return newest.manifest


def _check_empty(target_dir: Path) -> None:
    if target_dir.exists() and any(target_dir.iterdir()):
        raise RestoreTargetExists(target_dir=str(target_dir))
    target_dir.mkdir(parents=True, exist_ok=True)


def restore(
    config: BackupConfig,
    *,
    to: datetime | None,
    target_dir: Path,
    local_journal: Path | None = None,
) -> RestoreReport:
    """Restore into a new folder: the database at ``to`` (latest when None), media, settings."""
    clock = time.perf_counter()
    config.target.check()
    manifest = choose_generation(list_generations(config), to)
    _check_empty(target_dir)
    report = RestoreReport(manifest.generation, manifest.backend, target_dir, to)
    try:
        if manifest.backend == "sqlite":
            _restore_sqlite(config, manifest, to, target_dir, local_journal, report)
        else:
            _restore_postgres(config, manifest, to, target_dir, report)
        files = _media_index_or(config, manifest)
        report.media_files = media.download(config.target, files, target_dir / "media")
        (target_dir / "settings.json").write_text(
            json.dumps(manifest.settings, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - clock
    return report


def _media_index_or(config: BackupConfig, manifest: Manifest) -> dict[str, str]:
    files = dict(manifest.media)
    if config.target.exists(MEDIA_INDEX):
        files.update(_media_index(config))
    return files


def _load_segments(
    config: BackupConfig, first: int, local_journal: Path | None, scratch: Path
) -> list[list[journal.Record]]:
    """Journal segments from the target, each replaced by a longer local copy when there is one."""
    first_name = journal.segment_name(first)
    by_name: dict[str, list[journal.Record]] = {}
    for name in config.target.list(JOURNAL_PREFIX):
        seg = name[len(JOURNAL_PREFIX) :]
        if seg < first_name:
            continue
        get_file(config.target, config.key, name, scratch / seg)
        by_name[seg] = journal.parse_segment((scratch / seg).read_bytes())
    if local_journal is not None and local_journal.is_dir():
        for path in local_journal.glob("seg-*.jnl"):
            if path.name < first_name:
                continue
            records = journal.parse_segment(path.read_bytes())
            if len(records) >= len(by_name.get(path.name, [])):
                by_name[path.name] = records
    return [by_name[name] for name in sorted(by_name)]


def _restore_sqlite(
    config: BackupConfig,
    manifest: Manifest,
    to: datetime | None,
    target_dir: Path,
    local_journal: Path | None,
    report: RestoreReport,
) -> None:
    (db_object,) = manifest.objects
    db_path = target_dir / "madoguchi.sqlite3"
    get_file(config.target, config.key, db_object.name, db_path, sha256=db_object.sha256)
    sqlite_online.check_integrity(db_path)
    assert manifest.segment is not None
    assert manifest.last_txid is not None
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".journal-") as scratch:
        segments = _load_segments(config, manifest.segment, local_journal, Path(scratch))
        records = journal.committed(segments, after_txid=manifest.last_txid)
    chosen: list[journal.Record] = []
    for record in records:
        assert record.at is not None
        if to is not None and record.at > to:
            break
        chosen.append(record)
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys=ON")
        # A restore that dies is simply run again into a new folder: no fsync per transaction;
        # the checkpoint below and the integrity check make the result durable and checked.
        db.execute("PRAGMA synchronous=OFF")
        report.transactions_replayed = journal.replay(db, chosen)
        # The restored copy starts a new history: journaling resumes with its next backup.
        db.execute(f"DROP TABLE IF EXISTS {journal.STATE_TABLE}")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    sqlite_online.check_integrity(db_path)
    report.last_commit_at = chosen[-1].at if chosen else manifest.snapshot_at
    if to is not None and records and records[-1].at is not None and records[-1].at < to:
        report.notes.append("journal ends before the requested time: restored to its last entry")


def _restore_postgres(
    config: BackupConfig,
    manifest: Manifest,
    to: datetime | None,
    target_dir: Path,
    report: RestoreReport,
) -> None:
    staging = target_dir / "base"
    for obj in manifest.objects:
        get_file(
            config.target,
            config.key,
            obj.name,
            staging / obj.name.rsplit("/", 1)[-1],
            sha256=obj.sha256,
        )
    wal_dir = target_dir / "wal"
    wal_dir.mkdir()
    for name in config.target.list(postgres.WAL_PREFIX):
        get_file(config.target, config.key, name, wal_dir / name[len(postgres.WAL_PREFIX) :])
    wal_tar = staging / "pg_wal.tar"
    postgres.prepare_data_dir(
        staging / "base.tar", wal_tar if wal_tar.exists() else None, target_dir / "pgdata"
    )
    shutil.rmtree(staging)
    postgres.configure_recovery(target_dir / "pgdata", wal_dir=wal_dir.resolve(), to=to)
    report.notes.append(
        "start PostgreSQL on pgdata as the postgres user; it replays WAL to the time and promotes"
    )
