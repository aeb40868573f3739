"""Errors of the work queue (kebab-case ids, Japanese messages)."""

from __future__ import annotations

from realtime.errors import Conflict, MadoguchiError


class ItemNotFound(MadoguchiError):
    error_id = "work-item-not-found"
    status_code = 404
    message_ja = "指定された対応項目が見つかりません。"

    def __init__(self, *, item_id: str) -> None:
        super().__init__(item_id=item_id[:64])


class ItemChanged(Conflict):
    """Someone else changed the item first (taken, parked, closed) or the version is stale."""

    error_id = "work-item-changed"
    message_ja = "この対応項目は他の操作で更新されました。一覧を更新してから操作してください。"

    def __init__(self, *, item_id: str, state: str) -> None:
        super().__init__(item_id=item_id, state=state)
        self.state = state


class AgentOnCall(Conflict):
    error_id = "agent-on-call"
    message_ja = (
        "通話中はメール・FAX・折り返しの対応を始められません。通話の終了後に操作してください。"
    )
