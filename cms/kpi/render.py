"""Render a KPI report as a plain-text table for people (labels in Japanese)."""

from __future__ import annotations

from cms.kpi.measures import KpiValue
from cms.kpi.report import GroupReport, KpiReport
from realtime.timeutil import format_jst

COLUMNS: tuple[tuple[str, str], ...] = (
    ("総入電", "phone.calls_received"),
    ("受電", "phone.calls_answered"),
    ("15秒内応答率", "phone.service_level"),
    ("放棄呼率", "phone.abandon_rate"),
    ("一次回答率", "phone.first_contact_resolution"),
    ("平均処理", "phone.average_handling_time"),
    ("平均通話", "phone.average_talk_time"),
    ("平均保留", "phone.average_hold_time"),
    ("平均応答", "phone.average_speed_of_answer"),
    ("交換転送", "phone.transfers_by_switchboard"),
    ("職員転送", "phone.transfers_to_staff"),
    ("コロナ入電", "covid.calls_received"),
    ("コロナ受電", "covid.calls_answered"),
    ("コロナ放棄率", "covid.abandon_rate"),
    ("メール/FAX", "items.items_received"),
    ("納期率", "items.on_time_reply_rate"),
    ("24h超未処理", "items.unprocessed_beyond_target"),
    ("配置人数", "operators_deployed"),
)


def _cell(value: KpiValue) -> str:
    if value.value is None:
        return "-"
    if value.unit == "percent":
        return f"{value.value:.1f}%"
    if value.unit == "seconds":
        return f"{value.value:.0f}s"
    if value.unit == "score":
        return f"{value.value:.1f}"
    return f"{value.value:.0f}"


def _lookup(group: GroupReport, path: str) -> KpiValue:
    obj: object = group
    for part in path.split("."):
        obj = getattr(obj, part)
    assert isinstance(obj, KpiValue)
    return obj


def _label(group: GroupReport) -> str:
    return " / ".join("(未設定)" if v is None else str(v) for v in group.key.values())


def render_text(report: KpiReport) -> str:
    """A tab-separated table: one row per group, then the total."""
    head = (
        f"期間 {format_jst(report.start)} - {format_jst(report.end)} (JST)"
        f"  集計時点 {format_jst(report.horizon)}" + ("  [暫定値]" if report.provisional else "")
    )
    lines = [head]
    if not report.has_data:
        lines.append("この期間に受付した問合せはありません。")
    lines.append("\t".join(["区分", *(name for name, _ in COLUMNS)]))
    for group in [*report.groups, report.total]:
        label = "合計" if group is report.total else _label(group)
        lines.append("\t".join([label, *(_cell(_lookup(group, p)) for _, p in COLUMNS)]))
    return "\n".join(lines) + "\n"
