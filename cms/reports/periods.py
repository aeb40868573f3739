"""Report periods: a calendar month, a fiscal year (年度, April–March), its first half."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from cms.kpi.grouping import Period
from cms.reports.errors import InvalidReportRequest

Span = Literal["month", "year", "half"]


@dataclass(frozen=True)
class ReportSpan:
    """What a workbook covers, and whether its rows are days or months."""

    span: Span
    period: Period
    title: str
    months: tuple[tuple[int, int], ...]

    @property
    def by_day(self) -> bool:
        """Monthly workbooks have one row per day; annual and half-year ones one per month."""
        return self.span == "month"


def month_span(year: int, month: int) -> ReportSpan:
    """One calendar month (JST)."""
    if not 1 <= month <= 12 or year < 2000:
        raise InvalidReportRequest(reason=f"month {year}-{month}")
    return ReportSpan("month", Period.month(year, month), f"{year}年{month}月", ((year, month),))


def fiscal_span(fiscal_year: int, *, half: bool = False) -> ReportSpan:
    """The Japanese fiscal year starting 1 April ``fiscal_year`` (or its first half)."""
    if fiscal_year < 2000:
        raise InvalidReportRequest(reason=f"fiscal year {fiscal_year}")
    count = 6 if half else 12
    months = tuple((fiscal_year + (3 + i) // 12, (3 + i) % 12 + 1) for i in range(count))
    last_y, last_m = months[-1]
    following = dt.date(last_y + last_m // 12, last_m % 12 + 1, 1)
    period = Period.days(dt.date(fiscal_year, 4, 1), following - dt.timedelta(days=1))
    label = f"{fiscal_year}年度" + ("上半期（4月～9月）" if half else "")
    return ReportSpan("half" if half else "year", period, label, months)
