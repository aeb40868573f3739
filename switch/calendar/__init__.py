"""The business calendar: live hours, switchboard hours, holidays, closures, emergency mode.

Pure logic over plain data (``model``); ``service.decide`` answers "what is open on this line
at this moment, and which guidance plays" for the IVR (F-1.2.1, N-BCP-1).
"""

from switch.calendar.errors import HolidayDataUnavailable, NaiveDatetimeError, UnknownLine
from switch.calendar.model import (
    AnnualClosure,
    CalendarConfig,
    Closure,
    EmergencyState,
    LineHours,
    Service,
    ServiceWindow,
    default_config,
)
from switch.calendar.service import (
    CalendarDecision,
    Guidance,
    business_days,
    decide,
    first_business_day_after_break,
    is_city_business_day,
)

__all__ = [
    "AnnualClosure",
    "CalendarConfig",
    "CalendarDecision",
    "Closure",
    "EmergencyState",
    "Guidance",
    "HolidayDataUnavailable",
    "LineHours",
    "NaiveDatetimeError",
    "Service",
    "ServiceWindow",
    "UnknownLine",
    "business_days",
    "decide",
    "default_config",
    "first_business_day_after_break",
    "is_city_business_day",
]
