"""The Excel workbook of a month, a fiscal year or its first half (R-MONTHLY, R-ANNUAL).

Sheets: 詳細版 (a row per day, or per month, and a 合計 row), SLA (別紙3 targets, results, met or
not in words), 曜日別 and 時間帯別 (別紙4 items), 曜日×時間帯 (calls and abandon rate),
業務種別・係別, each with its chart. A value that could not be measured is the text 「－」, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from cms.kpi import measures as m
from cms.kpi.grouping import WEEKDAYS_JA, group
from cms.kpi.settings import KpiSettings
from cms.reports.assemble import Row, rows_by, rows_by_dimension, total_row
from cms.reports.facts import FactSet, load_facts
from cms.reports.items import DETAIL, ITEMS, SECTION, SLA, UNITS_JA, Cell, Column, verdict
from cms.reports.periods import ReportSpan
from realtime.timeutil import format_jst, utcnow

MISSING = "－"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
WORK_TYPES_JA = {"inquiry": "問合せ対応", "switchboard": "交換業務", "management": "管理業務"}


@dataclass(frozen=True)
class WorkbookResult:
    """The workbook and what it was made from."""

    workbook: Workbook
    facts: FactSet
    rows: list[Row]
    total: Row


def _cell(value: Cell) -> Cell:
    return MISSING if value is None else value


def _header(ws: Worksheet, row: int, headings: Sequence[str]) -> None:
    for i, text in enumerate(headings, start=1):
        c = ws.cell(row=row, column=i, value=text)
        c.font = BOLD
        c.fill = HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[row].height = 45
    ws.column_dimensions["A"].width = 14
    for i in range(2, len(headings) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 13


def _title(ws: Worksheet, text: str, fs: FactSet) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(bold=True, size=14)
    span = f"{format_jst(fs.period.start)} ～ {format_jst(fs.period.end)}"
    ws["A2"] = f"集計期間: {span}（終了時刻を含まない）"
    status = "暫定（後続のイベントで変わる可能性があります）" if fs.provisional else "確定"
    ws["A3"] = f"集計時点: {format_jst(fs.horizon)} ／ {status}"


def _table(
    ws: Worksheet, top: int, first: str, columns: Sequence[Column], rows: Sequence[Row]
) -> int:
    _header(ws, top, [first, *(c.heading for c in columns)])
    r = top
    for r, row in enumerate(rows, start=top + 1):
        ws.cell(row=r, column=1, value=row.label)
        for i, col in enumerate(columns, start=2):
            value = _cell(col.read(row))
            target = ws.cell(row=r, column=i, value=value)
            if col.unit != "count" and isinstance(value, float):
                target.number_format = "0.0"
    return r


def _detail_sheet(
    ws: Worksheet, span: ReportSpan, fs: FactSet, rows: list[Row], total: Row
) -> None:
    ws.title = "詳細版"
    _title(ws, f"コールセンター実績（詳細版） {span.title}", fs)
    first = "日付" if span.by_day else "月"
    top = 5
    last = _table(ws, top, first, DETAIL, [*rows, total])
    ws.cell(row=last, column=1).font = BOLD
    ws.freeze_panes = f"B{top + 1}"
    chart = BarChart()
    chart.title = "着信件数・応答件数"
    chart.y_axis.title = "件"
    data = Reference(ws, min_col=2, max_col=3, min_row=top, max_row=last - 1)
    cats = Reference(ws, min_col=1, min_row=top + 1, max_row=last - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.width, chart.height = 24, 9
    ws.add_chart(chart, f"A{last + 3}")


def _sla_sheet(ws: Worksheet, span: ReportSpan, fs: FactSet, rows: list[Row], total: Row) -> None:
    _title(ws, f"サービスレベルモニタリング {span.title}", fs)
    headings = ["項目ID", "項目", "目標", "実績", "単位", "分子", "分母", "判定"]
    _header(ws, 5, headings)
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["H"].width = 30
    for r, line in enumerate(SLA, start=6):
        v = line.read(total)
        values: list[Cell] = [
            line.sla_id,
            line.name,
            v.target or "（目標設定なし）",
            MISSING if v.value is None else round(v.value, 1),
            UNITS_JA[v.unit],
            round(v.numerator, 1),
            MISSING if v.denominator is None else round(v.denominator, 1),
            verdict(v),
        ]
        for i, value in enumerate(values, start=1):
            ws.cell(row=r, column=i, value=value)
    ws.cell(row=6 + len(SLA) + 1, column=1, value="※ コロナ専用ダイヤルはSLAの対象外です。")
    if span.by_day:
        return
    top = 6 + len(SLA) + 3
    ws.cell(row=top - 1, column=1, value="月別の実績と判定").font = BOLD
    _header(ws, top, ["月", *(line.sla_id for line in SLA)])
    for r, row in enumerate(rows, start=top + 1):
        ws.cell(row=r, column=1, value=row.label)
        for i, line in enumerate(SLA, start=2):
            v = line.read(row)
            text = MISSING if v.value is None else f"{v.value:.1f}"
            mark = "" if v.met is None else (" ✔" if v.met else " ✖")
            ws.cell(row=r, column=i, value=text + mark)


def _items_sheet(ws: Worksheet, title: str, first: str, rows: list[Row], fs: FactSet) -> None:
    _title(ws, title, fs)
    last = _table(ws, 5, first, ITEMS, rows)
    bars = BarChart()
    bars.title = "総入電呼数"
    bars.add_data(Reference(ws, min_col=2, min_row=5, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(ws, min_col=1, min_row=6, max_row=last))
    bars.width, bars.height = 18, 8
    ws.add_chart(bars, f"A{last + 3}")
    line = LineChart()
    line.title = "放棄呼率（%）"
    line.add_data(Reference(ws, min_col=6, min_row=5, max_row=last), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=6, max_row=last))
    line.width, line.height = 18, 8
    ws.add_chart(line, f"K{last + 3}")


def _matrix_sheet(ws: Worksheet, fs: FactSet, settings: KpiSettings) -> None:
    _title(ws, "曜日×時間帯 総入電呼数・放棄呼率（電話）", fs)
    groups = group([f for f in fs.facts if f.kind == "call"], ("weekday", "hour"))
    for top, name in ((5, "総入電呼数"), (5 + 9, "放棄呼率（%）")):
        ws.cell(row=top - 1, column=1, value=name).font = BOLD
        _header(ws, top, ["曜日＼時", *(f"{h}時" for h in range(24))])
        for w, day in enumerate(WEEKDAYS_JA):
            ws.cell(row=top + 1 + w, column=1, value=day)
            for h in range(24):
                facts = groups.get((day, h), [])
                if name == "総入電呼数":
                    value: Cell = len(facts)
                else:
                    rate = m.abandon_rate(facts, settings)
                    value = MISSING if rate.value is None else round(rate.value, 1)
                ws.cell(row=top + 1 + w, column=2 + h, value=value)


def _section_sheet(ws: Worksheet, fs: FactSet, settings: KpiSettings) -> None:
    _title(ws, "業務種別・係別（別紙4）", fs)
    work = rows_by_dimension(fs, dimension="work_type", settings=settings)
    work = [Row(WORK_TYPES_JA.get(r.label, r.label), r.kpis, r.escalations) for r in work]
    ws.cell(row=4, column=1, value="業務種別").font = BOLD
    last = _table(ws, 5, "業務種別", SECTION, work)
    top = last + 3
    ws.cell(row=top - 1, column=1, value="係別").font = BOLD
    _table(ws, top, "係", SECTION, rows_by_dimension(fs, dimension="section", settings=settings))


def _day_label(moment: dt.datetime) -> str:
    return moment.date().isoformat()


def _month_label(moment: dt.datetime) -> str:
    return f"{moment.year}-{moment.month:02d}"


def build_workbook(fs: FactSet, *, span: ReportSpan, settings: KpiSettings) -> WorkbookResult:
    """Lay out the workbook of ``span`` from its facts."""
    if span.by_day:
        days = []
        d = fs.period.start.date()
        while d < fs.period.end.date():
            days.append(d.isoformat())
            d += dt.timedelta(days=1)
        rows = rows_by(fs, labels=days, label_of=_day_label, settings=settings)
    else:
        labels = [f"{y}-{mo:02d}" for y, mo in span.months]
        rows = rows_by(fs, labels=labels, label_of=_month_label, settings=settings)
    total = total_row(fs, label="合計", settings=settings)
    wb = Workbook()
    _detail_sheet(wb.active, span, fs, rows, total)  # type: ignore[arg-type]
    _sla_sheet(wb.create_sheet("SLA"), span, fs, rows, total)
    weekdays = rows_by(
        fs, labels=list(WEEKDAYS_JA), label_of=lambda t: WEEKDAYS_JA[t.weekday()], settings=settings
    )
    _items_sheet(wb.create_sheet("曜日別"), f"別紙4 曜日別 {span.title}", "曜日", weekdays, fs)
    hours = rows_by(
        fs,
        labels=[f"{h}時" for h in range(24)],
        label_of=lambda t: f"{t.hour}時",
        settings=settings,
    )
    _items_sheet(wb.create_sheet("時間帯別"), f"別紙4 時間帯別 {span.title}", "時間帯", hours, fs)
    _matrix_sheet(wb.create_sheet("曜日×時間帯"), fs, settings)
    _section_sheet(wb.create_sheet("業務種別・係別"), fs, settings)
    return WorkbookResult(wb, fs, rows, total)


def make_workbook(
    session: Session,
    *,
    span: ReportSpan,
    out: Path,
    settings: KpiSettings | None = None,
    now: dt.datetime | None = None,
) -> WorkbookResult:
    """Read the facts of ``span`` (rollups when they cover it) and save the workbook to ``out``."""
    s = settings or KpiSettings()
    fs = load_facts(session, period=span.period, settings=s, now=now or utcnow())
    result = build_workbook(fs, span=span, settings=s)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    result.workbook.save(tmp)
    tmp.replace(out)
    return result
