"""The columns of the reports: 詳細版 (R-MONTHLY), 別紙4 items (R-ITEMS), the SLA list (別紙3).

Definitions (docs/reports.md): 着信件数/応答件数 are the SLA lines' calls; the COVID-19 line is in
its own two columns and in 問合せ受付総数. 問い合わせ件数 = answered calls and items received,
switchboard work excluded (the denominators of S-P4 and S-M4); センター内回答件数 = those resolved
in the center (their numerators); 取次ぎ件数 = every hand-off to city staff (by switchboard or
not, calls and items); エスカレーション件数 = contacts passed inside the center (a completed
transfer to a queue or an agent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cms.kpi.measures import KpiValue
from cms.reports.assemble import Row

Cell = float | int | str | None


@dataclass(frozen=True)
class Column:
    """A report column: heading, how to read it from a row, and its unit."""

    heading: str
    read: Callable[[Row], Cell]
    unit: str = "count"


def _v(value: KpiValue) -> Cell:
    if value.value is None:
        return None
    return int(value.value) if value.unit == "count" else round(value.value, 1)


def inquiries(r: Row) -> int:
    """問い合わせ件数: answered calls and items, switchboard work excluded."""
    p, i = r.kpis.phone.first_contact_resolution, r.kpis.items.first_contact_resolution
    return int((p.denominator or 0) + (i.denominator or 0))


def answered_in_center(r: Row) -> int:
    """センター内回答件数."""
    p, i = r.kpis.phone.first_contact_resolution, r.kpis.items.first_contact_resolution
    return int(p.numerator + i.numerator)


def handoffs(r: Row) -> int:
    """取次ぎ件数: switchboard transfers and transfers to staff (calls and items)."""
    k = r.kpis
    return int(
        k.phone.transfers_by_switchboard.numerator
        + k.phone.transfers_to_staff.numerator
        + k.items.transfers_to_staff.numerator
    )


def in_center_rate(r: Row) -> Cell:
    """センター内回答率 (%), ``None`` when nothing was asked."""
    n = inquiries(r)
    return None if n == 0 else round(answered_in_center(r) / n * 100, 1)


DETAIL: tuple[Column, ...] = (
    Column("着信件数", lambda r: _v(r.kpis.phone.calls_received)),
    Column("応答件数", lambda r: _v(r.kpis.phone.calls_answered)),
    Column("メール件数", lambda r: _v(r.kpis.items.emails_received)),
    Column("FAX件数", lambda r: _v(r.kpis.items.faxes_received)),
    Column("問合せ受付総数", lambda r: _v(r.kpis.total_inquiries)),
    Column("オペレーター配置数（最大）", lambda r: _v(r.kpis.operators_deployed)),
    Column("問い合わせ件数", inquiries),
    Column("センター内回答件数", answered_in_center),
    Column("エスカレーション件数", lambda r: r.escalations),
    Column("取次ぎ件数", handoffs),
    Column("センター内回答率（%）", in_center_rate, "percent"),
    Column("コロナ専用ダイヤル 着信件数", lambda r: _v(r.kpis.covid.calls_received)),
    Column("コロナ専用ダイヤル 応答件数", lambda r: _v(r.kpis.covid.calls_answered)),
)
"""The 詳細版 columns, in the order of the specification, then the COVID-19 line."""

ITEMS: tuple[Column, ...] = (
    Column("総入電呼数（電話）", lambda r: _v(r.kpis.phone.calls_received)),
    Column("総受付件数（メール・FAX）", lambda r: _v(r.kpis.items.items_received)),
    Column("受電呼数", lambda r: _v(r.kpis.phone.calls_answered)),
    Column("放棄呼数", lambda r: _v(r.kpis.phone.calls_abandoned)),
    Column("放棄呼率（%）", lambda r: _v(r.kpis.phone.abandon_rate), "percent"),
    Column("サービスレベル達成率（%）", lambda r: _v(r.kpis.phone.service_level), "percent"),
    Column("一次回答率 電話（%）", lambda r: _v(r.kpis.phone.first_contact_resolution), "percent"),
    Column("平均処理時間（秒）", lambda r: _v(r.kpis.phone.average_handling_time), "seconds"),
    Column("平均通話時間（秒）", lambda r: _v(r.kpis.phone.average_talk_time), "seconds"),
    Column("平均保留時間（秒）", lambda r: _v(r.kpis.phone.average_hold_time), "seconds"),
    Column("平均応答時間（秒）", lambda r: _v(r.kpis.phone.average_speed_of_answer), "seconds"),
    Column("交換による転送件数", lambda r: _v(r.kpis.phone.transfers_by_switchboard)),
    Column(
        "本区職員への転送件数",
        lambda r: int(
            r.kpis.phone.transfers_to_staff.numerator + r.kpis.items.transfers_to_staff.numerator
        ),
    ),
    Column("返信数（メール・FAX）", lambda r: _v(r.kpis.items.items_replied)),
    Column("納期率（%）", lambda r: _v(r.kpis.items.on_time_reply_rate), "percent"),
    Column("未処理件数（24時間以上）", lambda r: _v(r.kpis.items.unprocessed_beyond_target)),
    Column("未処理件数（24時間以内）", lambda r: _v(r.kpis.items.pending_within_target)),
    Column("折り返し架電依頼数", lambda r: _v(r.kpis.phone.callbacks_requested)),
    Column("折り返し架電 通話できた件数", lambda r: _v(r.kpis.phone.callbacks_reached)),
    Column("満足度調査 回答数", lambda r: _v(r.kpis.phone.survey_answers)),
    Column("満足度調査 平均点（5点満点）", lambda r: _v(r.kpis.phone.survey_average), "score"),
    Column("オペレーター配置人数（最大）", lambda r: _v(r.kpis.operators_deployed)),
)
"""別紙4 運営報告項目一覧, for the weekday and hour sheets."""

SECTION: tuple[Column, ...] = (
    Column("受付件数（電話）", lambda r: _v(r.kpis.phone.calls_received)),
    Column("受付件数（メール・FAX）", lambda r: _v(r.kpis.items.items_received)),
    Column("一次回答率 電話（%）", lambda r: _v(r.kpis.phone.first_contact_resolution), "percent"),
    Column(
        "一次回答率 メール・FAX（%）",
        lambda r: _v(r.kpis.items.first_contact_resolution),
        "percent",
    ),
    Column("交換による転送件数", lambda r: _v(r.kpis.phone.transfers_by_switchboard)),
    Column(
        "本区職員への転送件数",
        lambda r: int(
            r.kpis.phone.transfers_to_staff.numerator + r.kpis.items.transfers_to_staff.numerator
        ),
    ),
)
"""別紙4 業務種別・係別: received, first-contact rate, transfers."""


@dataclass(frozen=True)
class SlaLine:
    """One service level of 別紙3."""

    sla_id: str
    name: str
    read: Callable[[Row], KpiValue]


SLA: tuple[SlaLine, ...] = (
    SlaLine("S-P1", "目標内応答時間率（15秒以内）", lambda r: r.kpis.phone.service_level),
    SlaLine("S-P2", "放棄呼率", lambda r: r.kpis.phone.abandon_rate),
    SlaLine("S-P3", "コンプライアンス違反発生率（電話）", lambda r: r.kpis.phone.violation_rate),
    SlaLine("S-P4", "回答率（一次回答・電話）", lambda r: r.kpis.phone.first_contact_resolution),
    SlaLine("S-P5", "平均処理時間", lambda r: r.kpis.phone.average_handling_time),
    SlaLine("S-P6", "平均通話時間", lambda r: r.kpis.phone.average_talk_time),
    SlaLine("S-M1", "納期率（24時間以内返信）", lambda r: r.kpis.items.on_time_reply_rate),
    SlaLine("S-M2", "24時間以上の未処理件数", lambda r: r.kpis.items.unprocessed_beyond_target),
    SlaLine(
        "S-M3", "コンプライアンス違反発生率（メール・FAX）", lambda r: r.kpis.items.violation_rate
    ),
    SlaLine(
        "S-M4", "回答率（一次回答・メール・FAX）", lambda r: r.kpis.items.first_contact_resolution
    ),
    SlaLine("S-M5", "受付開始率（6時間以内）", lambda r: r.kpis.items.started_within_target),
)

UNITS_JA = {"percent": "%", "seconds": "秒", "count": "件", "score": "点"}


def verdict(value: KpiValue) -> str:
    """Met or not, in words and a mark (not colour only)."""
    if value.value is None:
        return "― 対象なし（測定できる件数がありません）"
    if value.target is None or value.met is None:
        return "― 目標設定なし"
    return "✔ 達成" if value.met else "✖ 未達成"
