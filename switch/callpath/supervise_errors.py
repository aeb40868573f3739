"""Errors of supervisor actions on the call path (Japanese messages)."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class NoMonitoredCall(MadoguchiError):
    """The call is not connected to an agent (or already ended), or nothing is monitored."""

    error_id = "supervise-no-call"
    status_code = 404
    message_ja = (
        "対象の通話が見つかりません。通話が終了したか、まだオペレーターにつながっていません。"
    )

    def __init__(self, *, contact_id: str, message_ja: str | None = None) -> None:
        super().__init__(message_ja, contact_id=contact_id[:64])


class SupervisorPhoneUnreachable(MadoguchiError):
    """The supervisor's own phone could not be called (not configured or not registered)."""

    error_id = "supervise-phone-unreachable"
    status_code = 409
    message_ja = (
        "スーパーバイザーの電話機に接続できませんでした。"
        "内線の設定と電話機の登録を確認してください。"
    )

    def __init__(self, *, supervisor: str, cause: str) -> None:
        super().__init__(supervisor=supervisor, cause=cause[:64])
        self.cause = cause


class SuperviseBusy(MadoguchiError):
    """Another supervisor is already barging in on this call (one barge at a time)."""

    error_id = "supervise-busy"
    status_code = 409
    message_ja = (
        "別のスーパーバイザーがこの通話に割り込み中です。モニタリング（聞くだけ）はできます。"
    )

    def __init__(self, *, contact_id: str, holder: str) -> None:
        super().__init__(contact_id=contact_id[:64], holder=holder)


class AgentUnknown(MadoguchiError):
    """No such agent in the call-path configuration."""

    error_id = "agent-unknown"
    status_code = 404
    message_ja = "指定されたオペレーターが見つかりません。"

    def __init__(self, *, agent: str) -> None:
        super().__init__(agent=agent[:64])


class AgentNotIdle(MadoguchiError):
    """Force not ready applies to ready or not-ready agents only (not on a call, not signed out)."""

    error_id = "agent-not-idle"
    status_code = 409
    message_ja = (
        "このオペレーターは受付可・受付停止のどちらでもないため変更できません"
        "（通話中・呼出中・後処理中・未ログイン）。通話や後処理が終わってから操作してください。"
    )

    def __init__(self, *, agent: str, state: str) -> None:
        super().__init__(agent=agent[:64], state=state)
        self.state = state


class RequeueNotWaiting(MadoguchiError):
    """Only a call waiting in a queue or ringing at a desk can be sent back to a queue."""

    error_id = "requeue-not-waiting"
    status_code = 409
    message_ja = "待ち行列で待っている通話か、呼出中の通話だけを待ち行列に戻せます。"

    def __init__(self, *, contact_id: str, stage: str, message_ja: str | None = None) -> None:
        super().__init__(message_ja, contact_id=contact_id[:64], stage=stage)
