"""Daily call history: loading the imported CSV (date, weekday, calls) and checking it.

The CSV may list its columns in any order; ``weekday`` is optional and, when present, must
match the date. Every problem found is collected and reported together in one
``ForecastInputInvalid``; gaps and zero counts on business days are warnings (the days are
left out of the fit) as long as enough history remains.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from wfm.forecast.calendar import CityCalendar, days_between
from wfm.forecast.errors import ForecastInputInvalid, Problem

MIN_HISTORY_DAYS = 56
"""Eight weeks: the shortest history a weekday pattern can be estimated from."""
MAX_ZERO_SHARE = 0.2

_WEEKDAY_ALIASES: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("mon", "monday", "月", "月曜", "月曜日"),
        ("tue", "tues", "tuesday", "火", "火曜", "火曜日"),
        ("wed", "wednesday", "水", "水曜", "水曜日"),
        ("thu", "thur", "thurs", "thursday", "木", "木曜", "木曜日"),
        ("fri", "friday", "金", "金曜", "金曜日"),
        ("sat", "saturday", "土", "土曜", "土曜日"),
        ("sun", "sunday", "日", "日曜", "日曜日"),
    )
):
    for _name in _names:
        _WEEKDAY_ALIASES[_name] = _i


@dataclass(frozen=True)
class DailyHistory:
    """Calls per calendar day; days absent from ``counts`` are unknown (gaps)."""

    counts: Mapping[date, int]
    first: date
    last: date
    warnings: tuple[Problem, ...] = field(default=())
    source: str = ""

    def usable(self, calendar: CityCalendar) -> dict[date, int]:
        """The days the model may learn from: zero counts on business days are data loss."""
        return {d: c for d, c in self.counts.items() if c > 0 or not calendar.info(d).business}

    def until(self, last: date) -> DailyHistory:
        """The history cut after ``last`` (for rolling-origin backtests)."""
        kept = {d: c for d, c in self.counts.items() if d <= last}
        return DailyHistory(kept, self.first, last, (), self.source)


def parse_date(text: str) -> date | None:
    """ISO ``YYYY-MM-DD`` or the spreadsheet form ``YYYY/MM/DD``; None if neither."""
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ForecastInputInvalid(
        [
            Problem(
                "encoding",
                "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）",
                "cannot decode the file (save it as UTF-8 or Shift_JIS)",
            )
        ]
    )


def read_history_csv(path: Path) -> DailyHistory:
    """Load and check a history CSV file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ForecastInputInvalid(
            [
                Problem(
                    "unreadable",
                    "履歴ファイルを読み込めません",
                    f"cannot read the history file ({exc.strerror})",
                    (str(path),),
                )
            ],
            source=str(path),
        ) from exc
    try:
        return parse_history_csv(_decode(raw), source=str(path))
    except ForecastInputInvalid as exc:
        raise ForecastInputInvalid(exc.problems, source=str(path)) from None


def parse_history_csv(text: str, *, source: str = "") -> DailyHistory:
    """Parse and check history CSV text."""
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise ForecastInputInvalid(
            [Problem("empty", "履歴ファイルが空です", "the history file is empty")], source=source
        )
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in ("date", "calls") if name not in header]
    if missing:
        raise ForecastInputInvalid(
            [
                Problem(
                    "missing-columns",
                    "必要な列がありません（date, calls が必要、weekday は任意・順不同）",
                    "required columns are missing (date and calls; weekday optional, any order)",
                    tuple(missing),
                )
            ],
            source=source,
        )
    i_date = header.index("date")
    i_calls = header.index("calls")
    i_weekday = header.index("weekday") if "weekday" in header else None

    bad_dates: list[str] = []
    bad_calls: list[str] = []
    negative: list[str] = []
    bad_weekday: list[str] = []
    duplicates: list[str] = []
    short_rows: list[str] = []
    counts: dict[date, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        where = f"{line_no}行目/line {line_no}"
        needed = max(i_date, i_calls, i_weekday if i_weekday is not None else 0)
        if len(row) <= needed:
            short_rows.append(where)
            continue
        day = parse_date(row[i_date])
        if day is None:
            bad_dates.append(f"{where}: {row[i_date].strip()!r}")
            continue
        calls_text = row[i_calls].strip()
        try:
            calls = int(calls_text)
        except ValueError:
            bad_calls.append(f"{where}: {calls_text!r}")
            continue
        if calls < 0:
            negative.append(f"{day.isoformat()}: {calls}")
            continue
        if i_weekday is not None:
            given = row[i_weekday].strip()
            expected = _WEEKDAY_ALIASES.get(given.lower())
            if expected != day.weekday():
                bad_weekday.append(f"{day.isoformat()}: {given!r}")
        if day in counts:
            duplicates.append(day.isoformat())
            continue
        counts[day] = calls

    problems: list[Problem] = []
    if short_rows:
        problems.append(
            Problem(
                "short-rows",
                "列が不足している行があります",
                "rows with missing cells",
                tuple(short_rows),
            )
        )
    if bad_dates:
        problems.append(
            Problem(
                "unparseable-dates",
                "日付を解釈できない行があります（YYYY-MM-DD 形式）",
                "dates that cannot be parsed (use YYYY-MM-DD)",
                tuple(bad_dates),
            )
        )
    if bad_calls:
        problems.append(
            Problem(
                "invalid-counts",
                "calls 列が整数ではない行があります",
                "call counts that are not whole numbers",
                tuple(bad_calls),
            )
        )
    if negative:
        problems.append(
            Problem(
                "negative-counts", "件数が負の日があります", "negative call counts", tuple(negative)
            )
        )
    if duplicates:
        problems.append(
            Problem(
                "duplicate-dates",
                "同じ日付が複数行にあります",
                "dates that appear more than once",
                tuple(sorted(set(duplicates))),
            )
        )
    if bad_weekday:
        problems.append(
            Problem(
                "weekday-mismatch",
                "weekday 列が日付の曜日と一致しません",
                "the weekday column does not match the date",
                tuple(bad_weekday),
            )
        )
    if problems:
        raise ForecastInputInvalid(problems, source=source)
    return build_history(counts, source=source)


def build_history(
    counts: Mapping[date, int], *, source: str = "", calendar: CityCalendar | None = None
) -> DailyHistory:
    """Check daily counts from any source (CSV or the event log) and wrap them."""
    cal = calendar or CityCalendar()
    if not counts:
        raise ForecastInputInvalid(
            [Problem("empty", "履歴データがありません", "the history has no data rows")],
            source=source,
        )
    negative = [f"{d.isoformat()}: {c}" for d, c in sorted(counts.items()) if c < 0]
    if negative:
        raise ForecastInputInvalid(
            [
                Problem(
                    "negative-counts",
                    "件数が負の日があります",
                    "negative call counts",
                    tuple(negative),
                )
            ],
            source=source,
        )
    first = min(counts)
    last = max(counts)
    gaps = [d for d in days_between(first, last) if d not in counts]
    zero_business = [d for d, c in sorted(counts.items()) if c == 0 and cal.info(d).business]
    business_days = [d for d in counts if cal.info(d).business]

    warnings: list[Problem] = []
    if gaps:
        warnings.append(
            Problem(
                "gaps",
                "履歴に欠けている日があります（予測では欠測として扱います）",
                "the history has missing days (treated as unknown)",
                tuple(_ranges(gaps)),
            )
        )
    if zero_business:
        warnings.append(
            Problem(
                "zero-business-days",
                "開庁日なのに件数が 0 の日があります（データ欠落とみなし学習から除外します）",
                "business days with zero calls (treated as data loss and left out of the fit)",
                tuple(d.isoformat() for d in zero_business),
            )
        )

    problems: list[Problem] = []
    observed = len(counts) - len(zero_business)
    if observed < MIN_HISTORY_DAYS:
        problems.append(
            Problem(
                "history-too-short",
                f"履歴が短すぎます（有効なデータが {observed} 日、"
                f"最低 {MIN_HISTORY_DAYS} 日=8週間必要）",
                f"the history is too short ({observed} usable days; at least "
                f"{MIN_HISTORY_DAYS} days = 8 weeks are needed)",
            )
        )
    if business_days and len(zero_business) > MAX_ZERO_SHARE * len(business_days):
        problems.append(
            Problem(
                "too-many-zeros",
                "開庁日の 20% を超える日で件数が 0 です（集計対象の回線や期間を確認してください）",
                "more than 20% of business days have zero calls (check the line and period)",
                tuple(d.isoformat() for d in zero_business),
            )
        )
    recent = [d for d in days_between(max(first, last - timedelta(days=27)), last) if d in counts]
    if len(recent) < 14:
        problems.append(
            Problem(
                "no-recent-history",
                "直近4週間のデータが14日未満のため、現在の水準を推定できません",
                "fewer than 14 days of data in the last 4 weeks: the current level is unknown",
            )
        )
    if problems:
        raise ForecastInputInvalid(problems + warnings, source=source)
    return DailyHistory(dict(counts), first, last, tuple(warnings), source)


def _span(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"


def _ranges(days: list[date]) -> list[str]:
    """Compress sorted dates into 'a..b' ranges."""
    out: list[str] = []
    start = prev = days[0]
    for day in days[1:]:
        if day - prev == timedelta(days=1):
            prev = day
            continue
        out.append(_span(start, prev))
        start = prev = day
    out.append(_span(start, prev))
    return out
