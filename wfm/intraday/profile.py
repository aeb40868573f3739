"""Intraday profile: each weekday's share of calls per half hour (48 slots, Japan time).

Built from per-call timestamps or from a CSV of counts per hour or half hour. A weekday's shares
are its pooled counts divided by its total (a call-weighted mean of the sample days); weekdays
without any sample use the profile pooled over all days. Hourly counts are split evenly into
their two half hours; half-hour rows (any ``HH:30``) are used as they are.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from realtime.timeutil import JST, as_utc
from wfm.intraday.errors import IntradayInputInvalid

SLOTS = 48
SLOT_MINUTES = 30
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_JA = ("月", "火", "水", "木", "金", "土", "日")
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME_COLUMNS = ("hour_start", "time", "slot", "start", "interval", "hour")
_COUNT_COLUMNS = ("calls", "count", "contacts", "offered")


@dataclass(frozen=True)
class IntradayProfile:
    """Shares per weekday (0 = Monday) and half-hour slot; each weekday's shares sum to 1."""

    shares: Mapping[int, tuple[float, ...]]
    pooled: tuple[float, ...]
    sample_days: Mapping[int, int]

    def for_weekday(self, weekday: int) -> tuple[float, ...]:
        """The weekday's 48 shares, or the pooled shares when that weekday had no sample."""
        return self.shares.get(weekday, self.pooled)

    def split(self, *, total: float, weekday: int) -> list[float]:
        """Spread a day's forecast total over the 48 half hours."""
        return [total * share for share in self.for_weekday(weekday)]


def slot_label(slot: int) -> str:
    """'08:30' for slot 17."""
    return f"{slot // 2:02d}:{(slot % 2) * SLOT_MINUTES:02d}"


def slot_of(moment: datetime) -> tuple[date, int]:
    """The Japan-time day and half-hour slot of a moment (naive values are UTC)."""
    local = as_utc(moment).astimezone(JST)
    return local.date(), local.hour * 2 + local.minute // SLOT_MINUTES


def _normalise(counts: Sequence[float]) -> tuple[float, ...]:
    total = sum(counts)
    return tuple(c / total for c in counts)


def build_profile(*, day_counts: Mapping[object, tuple[int, Sequence[float]]]) -> IntradayProfile:
    """Profile from sample days: key -> (weekday, 48 counts). Days with no calls are ignored."""
    per_weekday: dict[int, list[float]] = {}
    days: dict[int, int] = {}
    pooled = [0.0] * SLOTS
    for key, (weekday, counts) in day_counts.items():
        if len(counts) != SLOTS or not 0 <= weekday <= 6:
            raise IntradayInputInvalid("1日は48区分(30分単位)で指定してください。", where=str(key))
        if any(not math.isfinite(c) or c < 0 for c in counts):
            raise IntradayInputInvalid("件数は 0 以上の数で指定してください。", where=str(key))
        if sum(counts) == 0:
            continue
        acc = per_weekday.setdefault(weekday, [0.0] * SLOTS)
        for i, c in enumerate(counts):
            acc[i] += c
            pooled[i] += c
        days[weekday] = days.get(weekday, 0) + 1
    if sum(pooled) == 0:
        raise IntradayInputInvalid("着信のある日がありません。プロファイルを作成できません。")
    return IntradayProfile(
        shares={wd: _normalise(c) for wd, c in sorted(per_weekday.items())},
        pooled=_normalise(pooled),
        sample_days=dict(sorted(days.items())),
    )


def profile_from_timestamps(*, timestamps: Iterable[datetime]) -> IntradayProfile:
    """Profile from per-call arrival times, counted per Japan-time day and half hour."""
    days: dict[date, list[float]] = {}
    for moment in timestamps:
        day, slot = slot_of(moment)
        days.setdefault(day, [0.0] * SLOTS)[slot] += 1
    return build_profile(day_counts={d: (d.weekday(), c) for d, c in days.items()})


def _weekday_of(header: str) -> int | None:
    found = _DATE.search(header)
    if found:
        try:
            return date(int(found[1]), int(found[2]), int(found[3])).weekday()
        except ValueError:
            return None
    lowered = header.lower()
    for i, (en, ja) in enumerate(zip(WEEKDAYS, _WEEKDAY_JA, strict=True)):
        if re.search(rf"(^|[^a-z]){en}", lowered) or lowered.strip().startswith(ja):
            return i
    return None


def _slot(text: str, where: str, source: str) -> int:
    found = _TIME.match(text)
    if not found or int(found[1]) > 23 or found[2] not in ("00", "30"):
        raise IntradayInputInvalid(
            "時刻は HH:00 または HH:30 の形式で指定してください。", source=source, where=where
        )
    return int(found[1]) * 2 + (1 if found[2] == "30" else 0)


def _number(text: str, where: str, source: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise IntradayInputInvalid(
            f"件数 {text!r} は 0 以上の数ではありません。", source=source, where=where
        )
    return value


def _place(rows: list[tuple[int, float]], source: str, key: str) -> list[float]:
    """Put (slot, count) rows into 48 slots; hourly data (no HH:30 row) is split evenly."""
    half_hourly = any(slot % 2 for slot, _ in rows)
    counts = [0.0] * SLOTS
    seen: set[int] = set()
    for slot, value in rows:
        if slot in seen:
            raise IntradayInputInvalid(
                f"時刻 {slot_label(slot)} が重複しています。", source=source, where=key
            )
        seen.add(slot)
        if half_hourly:
            counts[slot] += value
        else:
            counts[slot] += value / 2
            counts[slot + 1] += value / 2
    return counts


def read_profile_csv(path: Path) -> IntradayProfile:
    """Profile from a CSV: wide (time column, one column per sample day) or long (date,time,calls).

    Wide headers name the day by a date (``2021-04-01_thu``) or a weekday (``mon``, ``月曜``).
    """
    source = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as exc:
        raise IntradayInputInvalid(
            "ファイルを読み込めません。", source=source, where=type(exc).__name__
        ) from exc
    if len(table) < 2:
        raise IntradayInputInvalid("見出し行とデータ行が必要です。", source=source)
    header = [h.strip().lower() for h in table[0]]
    time_col = next((header.index(c) for c in _TIME_COLUMNS if c in header), None)
    if time_col is None:
        raise IntradayInputInvalid(
            "時刻の列(hour_start / time)が見つかりません。", source=source, where="header"
        )
    count_col = next((header.index(c) for c in _COUNT_COLUMNS if c in header), None)
    day_rows: dict[str, tuple[int, list[tuple[int, float]]]] = {}
    if "date" in header and count_col is not None:
        date_col = header.index("date")
        for n, row in enumerate(table[1:], start=2):
            where = f"line {n}"
            if len(row) <= max(date_col, time_col, count_col):
                raise IntradayInputInvalid("列が不足しています。", source=source, where=where)
            weekday = _weekday_of(row[date_col])
            if weekday is None:
                raise IntradayInputInvalid(
                    "日付は YYYY-MM-DD 形式で指定してください。", source=source, where=where
                )
            slot = _slot(row[time_col], where, source)
            value = _number(row[count_col].strip(), where, source)
            day_rows.setdefault(row[date_col].strip(), (weekday, []))[1].append((slot, value))
    else:
        columns: list[tuple[int, str, int]] = []
        for i, name in enumerate(table[0]):
            if i == time_col:
                continue
            weekday = _weekday_of(name)
            if weekday is None:
                raise IntradayInputInvalid(
                    f"列名 {name!r} から日付または曜日が分かりません。",
                    source=source,
                    where="header",
                )
            columns.append((i, name.strip(), weekday))
        if not columns:
            raise IntradayInputInvalid("件数の列がありません。", source=source, where="header")
        for n, row in enumerate(table[1:], start=2):
            where = f"line {n}"
            if len(row) < len(table[0]):
                raise IntradayInputInvalid("列が不足しています。", source=source, where=where)
            slot = _slot(row[time_col], where, source)
            for i, name, weekday in columns:
                value = _number(row[i].strip(), f"{where} {name}", source)
                day_rows.setdefault(name, (weekday, []))[1].append((slot, value))
    return build_profile(
        day_counts={
            key: (weekday, _place(rows, source, key)) for key, (weekday, rows) in day_rows.items()
        }
    )
