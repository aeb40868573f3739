"""Errors of the media store; each carries data and a Japanese message for users."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class MediaTampered(MadoguchiError):
    """The file failed authentication: edited, truncated, extended, reordered or corrupted."""

    error_id = "media-tampered"
    status_code = 500
    message_ja = "メディアファイルの改ざんまたは破損を検出したため、再生できません。"

    def __init__(self, *, file_id: str, reason: str) -> None:
        super().__init__(file_id=file_id, reason=reason)
        self.file_id = file_id
        self.reason = reason


class MediaKeyMissing(MadoguchiError):
    """The master key a file was wrapped with is not in the keyring."""

    error_id = "media-key-missing"
    status_code = 503
    message_ja = "メディアファイルの暗号鍵が設定されていないため、再生できません。"

    def __init__(self, *, key_id: str, file_id: str | None = None) -> None:
        super().__init__(key_id=key_id, file_id=file_id)
        self.key_id = key_id
        self.file_id = file_id


class MediaKeyConfigInvalid(MadoguchiError):
    """MADOGUCHI_MEDIA_MASTER_KEY(S) is malformed."""

    error_id = "media-key-invalid"
    status_code = 500
    message_ja = "メディア暗号鍵の設定が正しくありません。"

    def __init__(self, *, setting: str, problem: str) -> None:
        super().__init__(setting=setting, problem=problem)
        self.setting = setting
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.setting}: {self.problem}"


class MediaNotFound(MadoguchiError):
    """No committed file under this id."""

    error_id = "media-not-found"
    status_code = 404
    message_ja = "指定されたメディアファイルが見つかりません。"

    def __init__(self, *, file_id: str) -> None:
        super().__init__(file_id=file_id)
        self.file_id = file_id


class MediaAlreadyExists(MadoguchiError):
    """A file is already stored under this id; files are never overwritten."""

    error_id = "media-exists"
    status_code = 409
    message_ja = "同じIDのメディアファイルが既に保存されています。"

    def __init__(self, *, file_id: str) -> None:
        super().__init__(file_id=file_id)
        self.file_id = file_id


class MediaInvalidId(MadoguchiError):
    """The file id is not 1-64 characters of A-Z a-z 0-9 . _ - (starting alphanumeric)."""

    error_id = "media-invalid-id"
    status_code = 400
    message_ja = "メディアファイルのIDが正しくありません。"

    def __init__(self, *, file_id: str) -> None:
        super().__init__(file_id=file_id[:80])
        self.file_id = file_id


class MediaRangeNotSatisfiable(MadoguchiError):
    """The requested byte range lies outside the file (HTTP 416)."""

    error_id = "media-range-not-satisfiable"
    status_code = 416
    message_ja = "指定された再生位置がファイルの範囲外です。"

    def __init__(self, *, start: int, end: int, length: int) -> None:
        super().__init__(start=start, end=end, length=length)
        self.start = start
        self.end = end
        self.length = length


class MediaWriteFailed(MadoguchiError):
    """Writing failed; nothing was stored and the temporary file was removed."""

    error_id = "media-write-failed"
    status_code = 500
    message_ja = "メディアファイルを保存できませんでした。"

    def __init__(self, *, file_id: str, errno: int | None, detail: str) -> None:
        super().__init__(file_id=file_id, errno=errno, detail=detail)
        self.file_id = file_id
        self.errno = errno
        self.detail = detail


class MediaStorageFull(MediaWriteFailed):
    """The disk is full (ENOSPC/EDQUOT); nothing was stored."""

    error_id = "media-storage-full"
    status_code = 507
    message_ja = "保存領域が不足しているため、メディアファイルを保存できませんでした。"
