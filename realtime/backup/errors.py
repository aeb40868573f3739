"""Errors of backup and restore; each says what went wrong and leaves the running system alone."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class BackupError(MadoguchiError):
    error_id = "backup-failed"
    message_ja = "バックアップまたは復元に失敗しました。"


class BackupNotConfigured(BackupError):
    error_id = "backup-not-configured"
    message_ja = (
        "バックアップ先または暗号鍵が設定されていません"
        "（MADOGUCHI_BACKUP_TARGET / MADOGUCHI_BACKUP_KEY）。"
    )


class BackupTargetGone(BackupError):
    error_id = "backup-target-gone"
    message_ja = (
        "バックアップ先が見つかりません"
        "（取り外された、またはマウントされていない可能性があります）。"
    )


class BackupTargetFull(BackupError):
    error_id = "backup-target-full"
    message_ja = "バックアップ先の空き容量が不足しています。"


class BackupCorrupted(BackupError):
    error_id = "backup-corrupted"
    message_ja = "バックアップが破損しているか改ざんされています。"


class BackupKeyMismatch(BackupError):
    error_id = "backup-key-mismatch"
    message_ja = "バックアップの暗号鍵が一致しません。"


class RestoreTooEarly(BackupError):
    error_id = "restore-before-first-backup"
    message_ja = (
        "指定した時刻より前のバックアップがありません。"
        "最初のバックアップ以降の時刻を指定してください。"
    )


class RestoreTargetExists(BackupError):
    error_id = "restore-target-exists"
    message_ja = "復元先フォルダが空ではありません。新しいフォルダを指定してください。"


class BackupToolMissing(BackupError):
    error_id = "backup-tool-missing"
    message_ja = "PostgreSQL のバックアップ用コマンド（pg_basebackup）が見つかりません。"
