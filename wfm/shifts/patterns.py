"""Shift patterns: a start, paid work minutes and a break placed by the labour-law rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.labour import MAX_DAILY_WORK_MIN, required_break_min

DAY_MIN = 24 * 60


class ShiftKind(StrEnum):
    """Full-time (フルタイム) or part-time (パートタイム) pattern."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


@dataclass(frozen=True)
class ShiftPattern:
    """One shift: ``start_min`` after midnight, ``work_min`` paid, one break inside the span."""

    code: str
    kind: ShiftKind
    start_min: int
    work_min: int
    break_min: int
    break_start_min: int

    @property
    def end_min(self) -> int:
        """Minutes after midnight when the shift ends (work plus break)."""
        return self.start_min + self.work_min + self.break_min

    @property
    def break_end_min(self) -> int:
        """Minutes after midnight when the break ends."""
        return self.break_start_min + self.break_min

    def work_spans(self) -> list[tuple[int, int]]:
        """The working spans (minutes after midnight), the break cut out."""
        if self.break_min == 0:
            return [(self.start_min, self.end_min)]
        return [(self.start_min, self.break_start_min), (self.break_end_min, self.end_min)]

    def worked_in(self, start: int, end: int) -> int:
        """Minutes worked (not on break) within [start, end)."""
        return sum(max(0, min(end, b) - max(start, a)) for a, b in self.work_spans())

    def label(self) -> str:
        """A short label such as 09:00-17:45 (休憩 12:15-13:00)."""
        text = f"{_hhmm(self.start_min)}-{_hhmm(self.end_min)}"
        if self.break_min:
            text += f" (休憩 {_hhmm(self.break_start_min)}-{_hhmm(self.break_end_min)})"
        return text


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(text: str, *, field: str) -> int:
    """'08:30' as minutes after midnight (00:00-24:00)."""
    hours, sep, mins = text.strip().partition(":")
    try:
        value = int(hours) * 60 + int(mins if sep else "0")
    except ValueError:
        raise ShiftInputInvalid(
            "時刻は HH:MM 形式で指定してください。", field=field, value=text
        ) from None
    if not 0 <= value <= DAY_MIN or (sep and not 0 <= int(mins) < 60):
        raise ShiftInputInvalid("時刻は 00:00〜24:00 で指定してください。", field=field, value=text)
    return value


def make_pattern(
    *,
    code: str,
    kind: ShiftKind,
    start_min: int,
    work_min: int,
    break_offset_min: int = 0,
    break_min: int | None = None,
) -> ShiftPattern:
    """A pattern with the legal break placed mid-shift (shifted by ``break_offset_min``)."""
    if not code or len(code) > 32:
        raise ShiftInputInvalid(
            "パターンコードは 1〜32 文字で指定してください。", field="code", value=code
        )
    if work_min <= 0 or work_min > MAX_DAILY_WORK_MIN:
        raise ShiftInputInvalid(
            "1 日の労働時間は 8 時間(480 分)以内で指定してください(労働基準法第32条)。",
            field="work_min",
            value=work_min,
        )
    legal = required_break_min(work_min)
    brk = legal if break_min is None else break_min
    if brk < legal:
        raise ShiftInputInvalid(
            f"労働時間 {work_min} 分には {legal} 分以上の休憩が必要です(労働基準法第34条)。",
            field="break_min",
            value=brk,
        )
    if start_min < 0 or start_min + work_min + brk > DAY_MIN:
        raise ShiftInputInvalid(
            "シフトは同じ日の 00:00〜24:00 に収めてください。", field="start_min", value=start_min
        )
    first_half = (work_min // 2) // 15 * 15 + break_offset_min
    if brk and not (60 <= first_half <= work_min - 60):
        raise ShiftInputInvalid(
            "休憩は勤務開始・終了から 1 時間以上離してください。",
            field="break_offset_min",
            value=break_offset_min,
        )
    return ShiftPattern(
        code=code,
        kind=kind,
        start_min=start_min,
        work_min=work_min,
        break_min=brk,
        break_start_min=start_min + first_half if brk else start_min,
    )


@dataclass(frozen=True)
class PatternFamily:
    """Patterns of one length starting every ``step_min`` inside the opening hours."""

    kind: ShiftKind
    work_min: int
    break_offsets_min: tuple[int, ...] = (0,)


DEFAULT_FAMILIES: tuple[PatternFamily, ...] = (
    PatternFamily(ShiftKind.FULL_TIME, 8 * 60, (-30, 0, 30)),
    PatternFamily(ShiftKind.PART_TIME, 6 * 60),
    PatternFamily(ShiftKind.PART_TIME, 5 * 60),
    PatternFamily(ShiftKind.PART_TIME, 4 * 60),
)


def generate_patterns(
    *,
    open_min: int,
    close_min: int,
    families: Iterable[PatternFamily] = DEFAULT_FAMILIES,
    step_min: int = 30,
) -> list[ShiftPattern]:
    """Every pattern of every family that fits inside [open_min, close_min)."""
    if not 0 <= open_min < close_min <= DAY_MIN:
        raise ShiftInputInvalid(
            "営業開始は営業終了より前にしてください。", field="open_min", value=open_min
        )
    if step_min <= 0 or step_min % 15:
        raise ShiftInputInvalid(
            "開始間隔は 15 分単位で指定してください。", field="step_min", value=step_min
        )
    out: list[ShiftPattern] = []
    for family in families:
        for offset in family.break_offsets_min:
            start = open_min
            while True:
                probe = make_pattern(
                    code="probe", kind=family.kind, start_min=start, work_min=family.work_min,
                    break_offset_min=offset,
                )  # fmt: skip
                if probe.end_min > close_min:
                    break
                suffix = f"b{offset:+d}" if len(family.break_offsets_min) > 1 else ""
                code = (
                    f"{'F' if family.kind is ShiftKind.FULL_TIME else 'P'}{family.work_min // 60}h"
                )
                code += f"-{_hhmm(start).replace(':', '')}{suffix}"
                out.append(
                    make_pattern(
                        code=code, kind=family.kind, start_min=start, work_min=family.work_min,
                        break_offset_min=offset,
                    )
                )  # fmt: skip
                start += step_min
    if not out:
        raise ShiftInputInvalid(
            "営業時間内に収まるシフトパターンがありません。", field="close_min", value=close_min
        )
    return out


def check_unique(patterns: Sequence[ShiftPattern]) -> None:
    """Pattern codes must be unique."""
    seen: set[str] = set()
    for p in patterns:
        if p.code in seen:
            raise ShiftInputInvalid("パターンコードが重複しています。", field="code", value=p.code)
        seen.add(p.code)
