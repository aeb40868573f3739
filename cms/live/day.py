"""Any date on demand: the wallboard's figures of a day as they stood when it ended (or now)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from cms.kpi.contacts import ContactFold
from cms.kpi.errors import PeriodInFuture
from cms.kpi.settings import KpiSettings
from cms.kpi.source import read_rows
from cms.live.figures import LiveFigures, SpanFigures, day_start, half_hour_rows, live_figures


@dataclass(frozen=True)
class DayFigures:
    """A day's live figures (at its end, or now for today) and its 48 half hours."""

    figures: LiveFigures
    half_hours: list[tuple[dt.datetime, SpanFigures]]
    complete: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            **self.figures.to_dict(),
            "complete": self.complete,
            "half_hours": [
                {"start": start.isoformat(), **span.to_dict()} for start, span in self.half_hours
            ],
        }


def day_figures(
    session: Session,
    *,
    day: dt.date,
    now: dt.datetime,
    settings: KpiSettings,
    near: dt.timedelta,
    item_window: dt.timedelta,
) -> DayFigures:
    """Fold the events of ``day`` (and ``item_window`` before, for unreplied mail) up to its end."""
    start = day_start(day)
    end = start + dt.timedelta(days=1)
    if start > now:
        raise PeriodInFuture(end=end, now=now)
    as_of = min(now, end)
    fold = ContactFold()
    fold.add_all(read_rows(session, start=start - item_window, end=as_of))
    facts = fold.facts(settings=settings)
    return DayFigures(
        figures=live_figures(facts, now=as_of, settings=settings, near=near, day=day),
        half_hours=half_hour_rows(facts, day=day, settings=settings),
        complete=as_of == end,
    )
