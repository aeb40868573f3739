"""Japanese working-time limits (労働基準法 32, 34, 35) used as hard constraints."""

from __future__ import annotations

from typing import Final

MAX_DAILY_WORK_MIN: Final = 8 * 60
"""Art. 32(2): at most 8 hours of work a day (no overtime agreement assumed)."""

MAX_WEEKLY_WORK_MIN: Final = 40 * 60
"""Art. 32(1): at most 40 hours of work a week."""

MAX_CONSECUTIVE_DAYS: Final = 6
"""Art. 35: at least one rest day a week, so never more than six working days in a row."""


def required_break_min(work_min: int) -> int:
    """Art. 34: a break of 45 minutes for more than 6 hours' work, 60 for more than 8 hours."""
    if work_min > 8 * 60:
        return 60
    if work_min > 6 * 60:
        return 45
    return 0
