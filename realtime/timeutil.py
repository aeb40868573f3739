"""Time helpers: everything stored in UTC, shown in Japan time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes read back from SQLite as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_jst(value: datetime) -> str:
    """A timestamp as Japan time for people: 2026-11-27 09:15:02."""
    return as_utc(value).astimezone(JST).strftime("%Y-%m-%d %H:%M:%S")
