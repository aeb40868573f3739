"""Typed errors of the Event Socket codec; each carries the data needed to act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from realtime.errors import MadoguchiError

if TYPE_CHECKING:
    from switch.esl.frames import Frame


class EslError(MadoguchiError):
    """Base of every Event Socket codec error."""

    error_id: ClassVar[str] = "esl-error"
    status_code: ClassVar[int] = 502
    message_ja: ClassVar[str] = "電話交換機との通信でエラーが発生しました。"


class EslProtocolError(EslError):
    """The peer sent bytes that are not a valid ESL frame; the connection should be dropped.

    ``offset`` is the absolute stream offset of the offending bytes, ``excerpt`` a short excerpt of
    them, and ``frames`` the frames that were complete before the error in the same ``feed``.
    """

    error_id: ClassVar[str] = "esl-protocol-error"
    message_ja: ClassVar[str] = "電話交換機から不正なデータを受信しました。"

    def __init__(
        self,
        reason: str,
        *,
        offset: int,
        data: bytes = b"",
        frames: list[Frame] | None = None,
    ) -> None:
        super().__init__(reason=reason, offset=offset)
        self.reason = reason
        self.offset = offset
        self.excerpt = bytes(data[:64])
        self.frames: list[Frame] = list(frames or [])

    def __str__(self) -> str:
        return f"malformed ESL at byte offset {self.offset}: {self.reason} ({self.excerpt!r})"


class EslCommandError(EslError):
    """A client command argument would break the line-based command framing (injection)."""

    error_id: ClassVar[str] = "esl-invalid-command-argument"
    status_code: ClassVar[int] = 400
    message_ja: ClassVar[str] = "電話交換機へのコマンドに使用できない文字が含まれています。"

    def __init__(self, *, field: str, value: str, reason: str) -> None:
        super().__init__(field=field, reason=reason)
        self.field = field
        self.value = value
        self.reason = reason

    def __str__(self) -> str:
        return f"invalid ESL command argument {self.field}={self.value!r}: {self.reason}"
