"""Errors of the ACD; each carries the data that caused it."""

from __future__ import annotations

from realtime.errors import MadoguchiError


class IllegalTransition(MadoguchiError):
    """An agent state change the state machine does not allow."""

    error_id = "agent-illegal-transition"
    status_code = 409
    message_ja = "現在の状態ではその操作はできません。"

    def __init__(self, *, agent_id: str, from_state: str, to_state: str) -> None:
        super().__init__(agent_id=agent_id, from_state=from_state, to_state=to_state)
        self.agent_id = agent_id
        self.from_state = from_state
        self.to_state = to_state


class ReasonRequired(MadoguchiError):
    """Not ready without a reason code."""

    error_id = "not-ready-reason-required"
    status_code = 422
    message_ja = "離席理由を選択してください。"

    def __init__(self, *, agent_id: str) -> None:
        super().__init__(agent_id=agent_id)
        self.agent_id = agent_id


class UnknownAgent(MadoguchiError):
    """An agent id the ACD has never seen."""

    error_id = "acd-unknown-agent"
    status_code = 404
    message_ja = "オペレーターが見つかりません。"

    def __init__(self, *, agent_id: str) -> None:
        super().__init__(agent_id=agent_id)
        self.agent_id = agent_id


class UnknownQueue(MadoguchiError):
    """A queue id that is not configured."""

    error_id = "acd-unknown-queue"
    status_code = 404
    message_ja = "待ち行列が見つかりません。"

    def __init__(self, *, queue_id: str) -> None:
        super().__init__(queue_id=queue_id)
        self.queue_id = queue_id


class DuplicateContact(MadoguchiError):
    """A contact id that is already in the ACD."""

    error_id = "acd-duplicate-contact"
    status_code = 409
    message_ja = "この問い合わせはすでに受付済みです。"

    def __init__(self, *, contact_id: str) -> None:
        super().__init__(contact_id=contact_id)
        self.contact_id = contact_id


class InvalidQueueConfig(MadoguchiError):
    """Queue settings that cannot work (unknown overflow target, overflow loop, bad numbers)."""

    error_id = "acd-invalid-queue-config"
    status_code = 422
    message_ja = "待ち行列の設定に誤りがあります。"

    def __init__(self, *, queue_id: str, problem: str) -> None:
        super().__init__(queue_id=queue_id, problem=problem)
        self.queue_id = queue_id
        self.problem = problem


class HistoryNotSaved(MadoguchiError):
    """Wrap-up cannot end: no receipt proves the interaction history of that contact was saved."""

    error_id = "wrapup-history-not-saved"
    status_code = 409
    message_ja = "対応履歴を保存してから次の受付に進んでください。"

    def __init__(self, *, agent_id: str, contact_id: str | None, receipt_for: str | None) -> None:
        super().__init__(agent_id=agent_id, contact_id=contact_id, receipt_for=receipt_for)
        self.agent_id = agent_id
        self.contact_id = contact_id
        self.receipt_for = receipt_for


class NothingToPark(MadoguchiError):
    """Park or resume asked of an agent without a work item in that place."""

    error_id = "acd-nothing-to-park"
    status_code = 409
    message_ja = "保留できる作業がありません。"

    def __init__(self, *, agent_id: str) -> None:
        super().__init__(agent_id=agent_id)
        self.agent_id = agent_id
