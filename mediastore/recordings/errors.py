"""Errors of the recording catalogue, each with a Japanese message for the user."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class RecordingInvalid(MadoguchiError):
    """The file is not a complete PCM WAV recording; nothing was stored."""

    error_id = "recording-invalid"
    status_code = 422
    message_ja = "録音ファイルが壊れているか音声ではありません。保存しませんでした。"

    def __init__(self, *, path: str, problem: str) -> None:
        super().__init__(path=path, problem=problem)
        self.problem = problem


class RecordingNotFound(MadoguchiError):
    error_id = "recording-not-found"
    status_code = 404
    message_ja = "録音が見つかりません。"

    def __init__(self, *, recording_id: str) -> None:
        super().__init__(recording_id=recording_id)


class RecordingDeleted(MadoguchiError):
    error_id = "recording-deleted"
    status_code = 410
    message_ja = "この録音は保存期間の満了または手動操作により削除されています。"

    def __init__(self, *, recording_id: str) -> None:
        super().__init__(recording_id=recording_id)


class RecordingOnHold(MadoguchiError):
    error_id = "recording-on-hold"
    status_code = 409
    message_ja = "この録音は保全（削除停止）中のため削除できません。先に保全を解除してください。"

    def __init__(self, *, recording_id: str) -> None:
        super().__init__(recording_id=recording_id)


class RecordingExists(MadoguchiError):
    error_id = "recording-exists"
    status_code = 409
    message_ja = "同じIDの録音がすでに保存されています。"

    def __init__(self, *, recording_id: str) -> None:
        super().__init__(recording_id=recording_id)


class RecordingMetadataInvalid(MadoguchiError):
    error_id = "recording-metadata-invalid"
    status_code = 422
    message_ja = "録音の情報（通話ID・時刻など）が正しくありません。"

    def __init__(self, *, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem
