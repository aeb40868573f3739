"""Errors of transfers from the agent desk (Japanese messages)."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class TransferNoCall(MadoguchiError):
    """The agent has no connected call to hand over."""

    error_id = "transfer-no-call"
    status_code = 409
    message_ja = "転送できる通話がありません。"

    def __init__(self, *, agent: str) -> None:
        super().__init__(agent=agent)


class TransferNotConsulting(MadoguchiError):
    """Complete or cancel without a consultation in progress (or a second transfer at once)."""

    error_id = "transfer-not-consulting"
    status_code = 409
    message_ja = "取次ぎの確認中ではありません。"

    def __init__(self, *, agent: str, phase: str) -> None:
        super().__init__(agent=agent, phase=phase)


class UnknownDestination(MadoguchiError):
    """The department, queue or agent is not in the directory or configuration."""

    error_id = "transfer-unknown-destination"
    status_code = 404
    message_ja = "転送先が見つかりません。"

    def __init__(self, *, kind: str, key: str, problem: str = "unknown") -> None:
        detail = {"no_number": "（内線番号が登録されていません）"}.get(problem, "")
        super().__init__(self.message_ja + detail, kind=kind, key=key[:64], problem=problem)


class DestinationUnanswered(MadoguchiError):
    """The department did not answer (busy, no answer, unreachable); the agent keeps the call."""

    error_id = "transfer-destination-unanswered"
    status_code = 409
    message_ja = "転送先が応答しませんでした。お客様との通話に戻ります。"

    def __init__(self, *, dept_id: str, cause: str) -> None:
        super().__init__(dept_id=dept_id, cause=cause[:64])
        self.cause = cause


class AgentUnavailable(MadoguchiError):
    """The named agent cannot take the call now (not ready, on a call, signed out)."""

    error_id = "transfer-agent-unavailable"
    status_code = 409
    message_ja = "指定したオペレーターは現在受付できません（状態: {state}）。"

    def __init__(self, *, agent: str, state: str) -> None:
        super().__init__(self.message_ja.format(state=_STATES.get(state, state)), agent=agent)
        self.state = state


_STATES = {
    "signed_out": "サインアウト",
    "not_ready": "離席中",
    "offered": "着信中",
    "on_call": "通話中",
    "held": "保留中",
    "wrap_up": "後処理中",
}
