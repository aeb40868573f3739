"""Per-half-hour requirement for a schedule, from daily forecast calls and the staffing table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.patterns import parse_hhmm
from wfm.shifts.solver import Requirement
from wfm.staffing.requirement import StaffingTarget
from wfm.staffing.table import Interval, staffing_table

SLOT_MIN = 30


def shape_from_counts(counts: Mapping[str, float]) -> dict[int, float]:
    """Half-hour slot start (minutes) -> share, from 'HH:MM' counts (hourly rows split in two)."""
    if not counts:
        raise ShiftInputInvalid("時間帯別の呼数の形(プロファイル)が空です。", field="profile")
    starts = {parse_hhmm(k, field="profile"): float(v) for k, v in counts.items()}
    if any(v < 0 for v in starts.values()) or sum(starts.values()) <= 0:
        raise ShiftInputInvalid(
            "プロファイルの件数は 0 以上で、合計が正の数になるようにしてください。", field="profile"
        )
    half_hourly = any(m % 60 for m in starts)
    slots: dict[int, float] = {}
    for m, v in starts.items():
        if m % SLOT_MIN:
            raise ShiftInputInvalid(
                "プロファイルの時刻は 30 分単位です。", field="profile", value=m
            )
        if half_hourly:
            slots[m] = slots.get(m, 0.0) + v
        else:
            slots[m] = slots.get(m, 0.0) + v / 2
            slots[m + SLOT_MIN] = slots.get(m + SLOT_MIN, 0.0) + v / 2
    total = sum(slots.values())
    return {m: v / total for m, v in sorted(slots.items())}


def requirement_from_forecast(
    *,
    daily_calls: Mapping[date, float],
    shape: Mapping[int, float],
    aht_s: float,
    patience_s: float | None,
    target: StaffingTarget,
) -> Requirement:
    """Scheduled staff per half hour (Erlang A with a patience, else C), shrinkage included."""
    if not daily_calls:
        raise ShiftInputInvalid("日別の予測呼数が空です。", field="daily_calls")
    first, last = min(shape), max(shape)
    grid = list(range(first, last + SLOT_MIN, SLOT_MIN))
    per_day: dict[date, Sequence[int]] = {}
    for day, calls in sorted(daily_calls.items()):
        if calls < 0:
            raise ShiftInputInvalid("予測呼数は 0 以上です。", field="daily_calls", value=calls)
        intervals = [
            Interval(f"{m // 60:02d}:{m % 60:02d}", calls * shape.get(m, 0.0), aht_s) for m in grid
        ]
        rows = staffing_table(
            intervals=intervals, target=target, period_s=SLOT_MIN * 60.0, patience_s=patience_s
        )
        per_day[day] = [r.scheduled for r in rows]
    return Requirement(first_slot_min=first, slot_min=SLOT_MIN, per_day=per_day)
