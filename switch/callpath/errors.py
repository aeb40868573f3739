"""Errors of the call path that reach users (Japanese messages)."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class NotAudio(MadoguchiError):
    """An uploaded guidance file that is not a usable WAV recording."""

    error_id = "guidance-not-audio"
    status_code = 422
    message_ja = "音声ファイル（WAV形式・リニアPCM）をアップロードしてください。"

    def __init__(self, *, problem: str) -> None:
        super().__init__(f"{self.message_ja}（{problem}）", problem=problem)
        self.problem = problem


class UnknownConfig(MadoguchiError):
    """A line, menu, queue, agent or guidance key that is not configured."""

    error_id = "callpath-not-found"
    status_code = 404
    message_ja = "指定された設定が見つかりません。"

    def __init__(self, *, kind: str, key: str) -> None:
        super().__init__(kind=kind, key=key[:64])
        self.kind = kind
        self.key = key


class NoOffer(MadoguchiError):
    """The agent has no call offered (accepting too late, or twice)."""

    error_id = "callpath-no-offer"
    status_code = 409
    message_ja = "応答できる着信がありません。"

    def __init__(self, *, agent: str) -> None:
        super().__init__(agent=agent)


class PhoneUnreachable(MadoguchiError):
    """The agent's phone could not be called; the call goes to the next agent."""

    error_id = "callpath-phone-unreachable"
    status_code = 409
    message_ja = "電話機に接続できませんでした。電話機の登録を確認してください。"

    def __init__(self, *, agent: str, cause: str) -> None:
        super().__init__(agent=agent, cause=cause[:64])


class SwitchUnavailable(MadoguchiError):
    """The call path is not running (switch off or disconnected)."""

    error_id = "callpath-switch-unavailable"
    status_code = 503
    temporary = True
    message_ja = "交換機に接続できません。しばらくしてからもう一度お試しください。"
