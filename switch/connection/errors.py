"""Typed errors of the FreeSWITCH connection layer; each carries the data needed to act on it."""

from __future__ import annotations

from typing import ClassVar

from realtime.errors import MadoguchiError


class SwitchError(MadoguchiError):
    """Base of every error raised while talking to FreeSWITCH."""

    error_id: ClassVar[str] = "switch-error"
    status_code: ClassVar[int] = 502
    message_ja: ClassVar[str] = "電話交換機との通信でエラーが発生しました。"


class NotConnected(SwitchError):
    """No live Event Socket connection (connecting, reconnecting or stopped)."""

    error_id: ClassVar[str] = "switch-not-connected"
    status_code: ClassVar[int] = 503
    message_ja: ClassVar[str] = "電話交換機に接続していません。しばらくしてから再度お試しください。"

    def __init__(self, *, reason: str) -> None:
        super().__init__(reason=reason)
        self.reason = reason


class ConnectionLost(NotConnected):
    """The connection died while a command or job was waiting for its answer."""

    error_id: ClassVar[str] = "switch-connection-lost"
    message_ja: ClassVar[str] = "電話交換機との接続が切れました。"


class AuthenticationFailed(SwitchError):
    """FreeSWITCH refused the Event Socket password (``-ERR invalid``)."""

    error_id: ClassVar[str] = "switch-authentication-failed"
    message_ja: ClassVar[str] = "電話交換機への認証に失敗しました。設定を確認してください。"

    def __init__(self, *, reply: str) -> None:
        super().__init__(reply=reply)
        self.reply = reply


class RudeRejection(SwitchError):
    """FreeSWITCH's ACL refused the connection (``text/rude-rejection``)."""

    error_id: ClassVar[str] = "switch-rude-rejection"
    message_ja: ClassVar[str] = "電話交換機が接続を拒否しました。接続元の設定を確認してください。"

    def __init__(self, *, text: str) -> None:
        super().__init__(text=text)
        self.text = text


class CommandTimeout(SwitchError):
    """A command or background job got no answer in time."""

    error_id: ClassVar[str] = "switch-command-timeout"
    status_code: ClassVar[int] = 504
    message_ja: ClassVar[str] = "電話交換機からの応答がありません。"

    def __init__(self, *, command: str, seconds: float) -> None:
        super().__init__(command=command, seconds=seconds)
        self.command = command
        self.seconds = seconds


class CommandFailed(SwitchError):
    """FreeSWITCH answered ``-ERR ...`` (or ``-USAGE``); ``reason`` is the text after ``-ERR``."""

    error_id: ClassVar[str] = "switch-command-failed"
    message_ja: ClassVar[str] = "電話交換機での操作に失敗しました。"

    def __init__(self, *, command: str, reply: str, reason: str) -> None:
        super().__init__(command=command, reply=reply, reason=reason)
        self.command = command
        self.reply = reply
        self.reason = reason


class NoSuchChannel(CommandFailed):
    """The channel UUID is unknown to FreeSWITCH (the call has ended)."""

    error_id: ClassVar[str] = "switch-no-such-channel"
    status_code: ClassVar[int] = 404
    message_ja: ClassVar[str] = "対象の通話は既に終了しています。"


class OriginateFailed(CommandFailed):
    """An originate ended without an answer; ``reason`` is the hangup cause (USER_BUSY...)."""

    error_id: ClassVar[str] = "switch-originate-failed"
    message_ja: ClassVar[str] = "発信に失敗しました。相手が応答しませんでした。"


class InvalidCallArgument(SwitchError):
    """A value for a call-control command failed validation (UUID, digits, variable...)."""

    error_id: ClassVar[str] = "switch-invalid-argument"
    status_code: ClassVar[int] = 400
    message_ja: ClassVar[str] = "通話操作の指定に誤りがあります。"

    def __init__(self, *, field: str, value: str, reason: str) -> None:
        super().__init__(field=field, reason=reason)
        self.field = field
        self.value = value
        self.reason = reason

    def __str__(self) -> str:
        return f"invalid {self.field}={self.value!r}: {self.reason}"


class SessionGone(SwitchError):
    """The outbound call session has hung up or closed; no command can be sent."""

    error_id: ClassVar[str] = "switch-session-gone"
    status_code: ClassVar[int] = 410
    message_ja: ClassVar[str] = "通話は既に終了しています。"

    def __init__(self, *, uuid: str | None, state: str) -> None:
        super().__init__(uuid=uuid, state=state)
        self.uuid = uuid
        self.state = state
