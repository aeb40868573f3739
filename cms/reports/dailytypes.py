"""The parts of a daily report shared by the service and the mail."""

from __future__ import annotations

from dataclasses import dataclass

TEXT_FIELDS = (
    "complaints",
    "handoff_topics",
    "situation",
    "covid_status",
    "user_voices",
    "suspicious_calls",
)
FIELD_LABELS_JA = {
    "complaints": "② 主なクレーム・課題等",
    "handoff_topics": "③ 所管課取次ぎ・転送に関するトピックス",
    "situation": "④ 状況（入電傾向・センター対応状況・特殊イベント）",
    "covid_status": "⑤ 新型コロナウイルスに関する問合せ状況",
    "user_voices": "利用者からの声",
    "suspicious_calls": "不審電話情報",
}


@dataclass(frozen=True)
class DailyNumbers:
    """① of the daily report."""

    calls_received: int
    calls_answered: int
    emails: int
    faxes: int
    total_inquiries: int
    operators_max: int
    covid_received: int
    covid_answered: int
    covid_answered_by_category: dict[str, int]
    calls_by_hour: list[int]
    provisional: bool
