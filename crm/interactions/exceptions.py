"""Errors of the interaction history (kebab-case ids, Japanese messages, no personal data)."""

from __future__ import annotations

from typing import Any

from crm.pii.guard import PersonalDataFound
from realtime.errors import Conflict, MadoguchiError


class PersonalDataInHistory(PersonalDataFound):
    """Personal data found: the body names each field and the offsets, never the text itself."""

    def public(self) -> dict[str, Any]:
        body = super().public()
        body["findings"] = self.spans()
        return body


class InteractionNotFound(MadoguchiError):
    error_id = "interaction-not-found"
    status_code = 404
    message_ja = "指定された対応履歴が見つかりません。"

    def __init__(self, *, interaction_id: str) -> None:
        super().__init__(interaction_id=interaction_id[:64])
        self.interaction_id = interaction_id


class HistoryAlreadySaved(Conflict):
    error_id = "history-already-saved"
    message_ja = "この応対の対応履歴は既に保存されています。修正する場合は編集してください。"

    def __init__(self, *, contact_id: str, interaction_id: str) -> None:
        super().__init__(contact_id=contact_id, interaction_id=interaction_id)
        self.interaction_id = interaction_id


class StaleVersion(Conflict):
    error_id = "interaction-version-conflict"
    message_ja = (
        "他の人がこの対応履歴を先に更新しました。最新の内容を読み込んでから編集してください。"
    )

    def __init__(self, *, interaction_id: str, expected: int, current: int) -> None:
        super().__init__(interaction_id=interaction_id, expected=expected, current=current)
        self.current = current
