"""The daily report as a mail: text and HTML alternatives, the HTML with an inline PNG chart."""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from cms.reports.chart import bar_chart
from cms.reports.dailytypes import FIELD_LABELS_JA, TEXT_FIELDS, DailyNumbers
from cms.reports.models import DailyReport

WEEKDAYS = "月火水木金土日"


def subject(row: DailyReport) -> str:
    """「コールセンター日報 2026年11月2日（月）」."""
    d = row.day
    return f"コールセンター日報 {d.year}年{d.month}月{d.day}日（{WEEKDAYS[d.weekday()]}）"


def _number_lines(n: DailyNumbers) -> list[tuple[str, str]]:
    lines = [
        ("着信件数", f"{n.calls_received}件"),
        ("応答件数", f"{n.calls_answered}件"),
        ("メール件数", f"{n.emails}件"),
        ("FAX件数", f"{n.faxes}件"),
        ("問合せ受付総数", f"{n.total_inquiries}件"),
        ("オペレーター配置数（最大）", f"{n.operators_max}人"),
        ("新型コロナ専用ダイヤル 着信件数", f"{n.covid_received}件"),
        ("新型コロナ専用ダイヤル 応答件数", f"{n.covid_answered}件"),
    ]
    for cat, count in sorted(n.covid_answered_by_category.items()):
        lines.append((f"　うち分類「{cat}」応答件数", f"{count}件"))
    return lines


def _text(row: DailyReport, n: DailyNumbers) -> str:
    out = [subject(row), ""]
    if n.provisional:
        out += ["※ 数値は暫定です（後続の処理で変わる可能性があります）。", ""]
    out.append("① 件数")
    out += [f"  {k}: {v}" for k, v in _number_lines(n)]
    out.append(
        "  時間帯別着信件数: " + ", ".join(f"{h}時 {c}" for h, c in enumerate(n.calls_by_hour) if c)
    )
    for name in TEXT_FIELDS:
        out += ["", FIELD_LABELS_JA[name], str(getattr(row, name)).strip() or "（特になし）"]
    return "\n".join(out) + "\n"


def _html(row: DailyReport, n: DailyNumbers, chart_cid: str) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:right'>{e(v)}</td></tr>"
        for k, v in _number_lines(n)
    )
    hours = "".join(f"<td>{c}</td>" for c in n.calls_by_hour)
    heads = "".join(f"<th>{h}</th>" for h in range(24))
    parts = [
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>",
        f"<title>{e(subject(row))}</title></head><body>",
        f"<h1>{e(subject(row))}</h1>",
    ]
    if n.provisional:
        parts.append("<p>※ 数値は暫定です（後続の処理で変わる可能性があります）。</p>")
    parts += [
        "<h2>① 件数</h2><table border='1' cellpadding='4'>",
        rows,
        "</table>",
        "<h3>時間帯別着信件数</h3>",
        f"<img src='cid:{chart_cid[1:-1]}' alt='時間帯別着信件数のグラフ（0時～23時）'>",
        f"<table border='1' cellpadding='2'><tr><th>時</th>{heads}</tr>",
        f"<tr><th>件</th>{hours}</tr></table>",
    ]
    for name in TEXT_FIELDS:
        body = e(str(getattr(row, name)).strip() or "（特になし）").replace("\n", "<br>")
        parts.append(f"<h2>{e(FIELD_LABELS_JA[name])}</h2><p>{body}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def compose(row: DailyReport, numbers: DailyNumbers, *, sender: str, to: list[str]) -> EmailMessage:
    """multipart/alternative (text, then HTML with the chart as a related inline PNG)."""
    msg = EmailMessage()
    msg["Subject"] = subject(row)
    msg["From"] = Address(addr_spec=sender) if "<" not in sender else sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    msg.set_content(_text(row, numbers), charset="utf-8")
    cid = make_msgid()
    msg.add_alternative(_html(row, numbers, cid), subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(
        bar_chart([float(c) for c in numbers.calls_by_hour]),
        maintype="image",
        subtype="png",
        cid=cid,
        filename="calls-by-hour.png",
    )
    return msg
