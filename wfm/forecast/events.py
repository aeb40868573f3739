"""Known events an administrator enters, and the built-in administrative seasons.

Events are multiplicative offsets: the model does not learn them (a mailing or an election
happens too rarely to estimate), it divides them out of the history before fitting and
multiplies them into the forecast. Each kind has a documented default uplift used when the
events file gives no factor (see docs/forecast.md).

Events CSV columns (any order): ``date`` and ``kind`` required; ``factor`` and ``end``
optional. ``end`` makes a period (inclusive).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from wfm.forecast.calendar import CityCalendar
from wfm.forecast.errors import ForecastInputInvalid, Problem
from wfm.forecast.history import parse_date


class EventKind(StrEnum):
    """What an administrator can enter."""

    TAX_NOTICE = "tax_notice"
    """Mass mailing of tax notices (e.g. 住民税決定通知): a response wave after the date."""
    INSURANCE_NOTICE = "insurance_notice"
    """Mass mailing of insurance notices (国保・介護・後期高齢の納入通知)."""
    MASS_MAILING = "mass_mailing"
    """Any other mass mailing (給付金案内 etc.)."""
    TAX_FILING_SEASON = "tax_filing_season"
    """確定申告・住民税申告 season; default period Feb 16 - Mar 15."""
    MOVING_SEASON = "moving_season"
    """転入転出 season; default period Mar 20 - Apr 7."""
    ELECTION = "election"
    """An election: ``date`` is the voting day unless ``end`` is given (then a period)."""
    CLOSURE = "closure"
    """Extra days the city hall is closed (a closure, not an uplift)."""
    OTHER = "other"
    """Anything else; ``factor`` is required."""


MAILING_KINDS = frozenset(
    {EventKind.TAX_NOTICE, EventKind.INSURANCE_NOTICE, EventKind.MASS_MAILING}
)
MAILING_SPAN = 10
"""Business days a mailing wave lasts, starting on the mailing date."""
MAILING_DECAY = 0.88
"""Each business day of the wave keeps this share of the previous day's uplift."""
ELECTION_DAYS = 14
"""Calendar days before the voting day that an election period covers by default."""

DEFAULT_FACTORS: dict[EventKind, float] = {
    EventKind.TAX_NOTICE: 1.35,
    EventKind.INSURANCE_NOTICE: 1.20,
    EventKind.MASS_MAILING: 1.20,
    EventKind.TAX_FILING_SEASON: 1.08,
    EventKind.MOVING_SEASON: 1.25,
    EventKind.ELECTION: 1.10,
}
"""Peak uplift (mailings) or flat uplift (periods) when the events file gives no factor."""

SEASON_WINDOWS: dict[EventKind, tuple[tuple[int, int], tuple[int, int]]] = {
    EventKind.TAX_FILING_SEASON: ((2, 16), (3, 15)),
    EventKind.MOVING_SEASON: ((3, 20), (4, 7)),
}
"""(month, day) start and end of the recurring administrative seasons."""


@dataclass(frozen=True)
class KnownEvent:
    """One entered or built-in event."""

    kind: EventKind
    start: date
    end: date
    factor: float
    builtin: bool = False


@dataclass(frozen=True)
class EventSet:
    """All known events for a forecast; gives each day's multiplicative offset."""

    events: tuple[KnownEvent, ...] = ()

    @property
    def closures(self) -> frozenset[date]:
        """Extra closure days entered as events."""
        days: set[date] = set()
        for event in self.events:
            if event.kind is EventKind.CLOSURE:
                day = event.start
                while day <= event.end:
                    days.add(day)
                    day += timedelta(days=1)
        return frozenset(days)

    def factor(self, day: date, calendar: CityCalendar) -> float:
        """The product of every event's effect on ``day``."""
        total = 1.0
        for event in self.events:
            if event.kind is EventKind.CLOSURE:
                continue
            if event.kind in MAILING_KINDS:
                total *= _mailing_effect(event, day, calendar)
            elif event.start <= day <= event.end:
                total *= event.factor
        return total

    def with_default_seasons(self, first: date, last: date) -> EventSet:
        """Add the built-in seasons for every year in range, unless entered for that year."""
        entered = {(e.kind, e.start.year) for e in self.events if e.kind in SEASON_WINDOWS}
        added: list[KnownEvent] = []
        for year in range(first.year - 1, last.year + 1):
            for kind, ((m1, d1), (m2, d2)) in SEASON_WINDOWS.items():
                if (kind, year) in entered:
                    continue
                added.append(
                    KnownEvent(
                        kind, date(year, m1, d1), date(year, m2, d2), DEFAULT_FACTORS[kind], True
                    )
                )
        return EventSet(self.events + tuple(added))


def _mailing_effect(event: KnownEvent, day: date, calendar: CityCalendar) -> float:
    """Uplift on business days from the mailing date, decaying over ``MAILING_SPAN`` days."""
    if day < event.start or not calendar.info(day).business:
        return 1.0
    if (day - event.start).days > 3 * MAILING_SPAN:
        return 1.0
    index = 0
    cursor = event.start
    while cursor < day:
        if calendar.info(cursor).business:
            index += 1
        cursor += timedelta(days=1)
    if index >= MAILING_SPAN:
        return 1.0
    return 1.0 + (event.factor - 1.0) * MAILING_DECAY**index


def read_events_csv(path: Path) -> EventSet:
    """Load and check an events CSV file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ForecastInputInvalid(
            [
                Problem(
                    "unreadable", "イベントファイルを読み込めません", "cannot read the events file"
                )
            ],
            source=str(path),
        ) from exc
    return parse_events_csv(text, source=str(path))


def parse_events_csv(text: str, *, source: str = "") -> EventSet:
    """Parse and check events CSV text."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return EventSet()
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in ("date", "kind") if c not in header]
    if missing:
        raise ForecastInputInvalid(
            [
                Problem(
                    "missing-columns",
                    "イベントファイルに必要な列がありません（date, kind が必要）",
                    "the events file lacks required columns (date, kind)",
                    tuple(missing),
                )
            ],
            source=source,
        )
    col = {name: header.index(name) for name in ("date", "kind", "factor", "end") if name in header}
    problems: list[str] = []
    events: list[KnownEvent] = []
    for line_no, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in col.items()}
        where = f"{line_no}行目/line {line_no}"
        start = parse_date(cells["date"])
        if start is None:
            problems.append(f"{where}: date {cells['date']!r}")
            continue
        try:
            kind = EventKind(cells["kind"].lower())
        except ValueError:
            problems.append(
                f"{where}: kind {cells['kind']!r} ({', '.join(k.value for k in EventKind)})"
            )
            continue
        end = start
        if cells.get("end"):
            parsed_end = parse_date(cells["end"])
            if parsed_end is None or parsed_end < start:
                problems.append(f"{where}: end {cells['end']!r}")
                continue
            end = parsed_end
        elif kind in SEASON_WINDOWS:
            (m2, d2) = SEASON_WINDOWS[kind][1]
            end = date(start.year, m2, d2)
            if end < start:
                end = date(start.year + 1, m2, d2)
        elif kind is EventKind.ELECTION:
            start, end = start - timedelta(days=ELECTION_DAYS), start
        factor_text = cells.get("factor", "")
        if kind is EventKind.CLOSURE:
            factor = 0.0
        elif factor_text:
            try:
                factor = float(factor_text)
            except ValueError:
                problems.append(f"{where}: factor {factor_text!r}")
                continue
            if not 0.1 <= factor <= 10.0:
                problems.append(f"{where}: factor {factor_text!r} (0.1-10)")
                continue
        elif kind in DEFAULT_FACTORS:
            factor = DEFAULT_FACTORS[kind]
        else:
            problems.append(f"{where}: kind 'other' needs a factor")
            continue
        events.append(KnownEvent(kind, start, end, factor))
    if problems:
        raise ForecastInputInvalid(
            [
                Problem(
                    "invalid-events",
                    "イベントファイルに誤りがある行があります",
                    "rows of the events file that cannot be used",
                    tuple(problems),
                )
            ],
            source=source,
        )
    return EventSet(tuple(events))
