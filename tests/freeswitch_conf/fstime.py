"""Time conditions of FreeSWITCH's XML dialplan (test support).

Transcribed from ``switch_xml_std_datetime_check`` (src/switch_xml.c) and the comparison
helpers in src/switch_utils.c. The attributes on one element are ANDed, in this order:
tz-offset, dst, date-time, year, yday, mon, mday, week, mweek, wday, hour, minute,
minute-of-day, time-of-day. The result is -1 when the element has none of them.

- ``switch_number_cmp``: a comma list of numbers and ``a-b`` ranges, inclusive; ``a > b`` wraps
  around (``hour="18-8"`` is evening and early morning).
- ``switch_dow_cmp``: days as 1-7 (Sunday = 1) or three-letter English names, single days
  and ``a-b`` ranges (no wrap-around), comma-separated.
- ``switch_tod_cmp``: ``hh:mm[:ss]-hh:mm[:ss]`` ranges, comma-separated, inclusive at both
  ends, wrapping around midnight when the start is later than the end.
- minute-of-day counts from 1 (00:00 is minute 1, 08:00 is minute 481).
- The clock is the channel's ``tod_tz_offset`` (whole hours) if numeric, else its
  ``timezone`` variable, else the host's local time. ``date-time`` compares the absolute
  instant with the range read in the host's local time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

_DOW = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def number_cmp(exp: str, val: int) -> bool:
    """``switch_number_cmp``: does ``val`` fall in the comma list of numbers/ranges."""
    for item in exp.split(","):
        low_text, sep, high_text = item.partition("-")
        low = _atoi(low_text)
        if not sep:
            if low == val:
                return True
            continue
        high = _atoi(high_text)
        if (low <= val <= high) if low <= high else (val >= low or val <= high):
            return True
    return False


def _atoi(text: str) -> int:
    text = text.strip()
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def _dow_tokens(exp: str) -> list[int | str]:
    tokens: list[int | str] = []
    i = 0
    while i < len(exp):
        ch = exp[i]
        if ch in "-,":
            tokens.append(ch)
            i += 1
        elif "1" <= ch <= "7":
            tokens.append(int(ch))
            i += 1
        elif exp[i : i + 3].lower() in _DOW:
            tokens.append(_DOW.index(exp[i : i + 3].lower()) + 1)
            i += 3
        else:
            tokens.append("error")
            break
    return tokens


def dow_cmp(exp: str, val: int) -> bool:
    """``switch_dow_cmp``: ``val`` is 1 (Sunday) to 7 (Saturday)."""
    prev: int | str | None = None
    range_start: int | str | None = None
    for token in _dow_tokens(exp):
        if token == ",":
            prev = None
            continue
        if token == "-":
            range_start = prev
        elif token == "error":
            break
        else:
            assert isinstance(token, int)
            if isinstance(range_start, int):
                if range_start <= val <= token:
                    return True
                range_start = None
            elif val == token:
                return True
        prev = token
    return False


def _seconds(hms: str) -> int:
    parts = hms.split(":")
    hours = _atoi(parts[0])
    minutes = _atoi(parts[1]) if len(parts) > 1 else 0
    secs = _atoi(parts[2]) if len(parts) > 2 else 0
    return hours * 3600 + minutes * 60 + secs


def tod_cmp(exp: str, val: int) -> bool:
    """``switch_tod_cmp``: ``val`` is seconds since midnight."""
    for item in exp.split(","):
        start_text, sep, end_text = item.partition("-")
        if not sep or ":" not in start_text or ":" not in end_text:
            continue
        start, end = _seconds(start_text), _seconds(end_text)
        if (start <= val <= end) if start <= end else (val >= start or val <= end):
            return True
    return False


def _parse_fulldate(text: str, host_tz: tzinfo) -> datetime:
    date_text, _, time_text = text.strip().partition(" ")
    year, month, day = (int(x) for x in date_text.split("-"))
    seconds = _seconds(time_text) if time_text else 0
    base = datetime(year, month, day, tzinfo=host_tz)
    return base + timedelta(seconds=seconds)


def fulldate_cmp(exp: str, now: datetime, host_tz: tzinfo) -> bool:
    """``switch_fulldate_cmp``: ``YYYY-MM-DD hh:mm[:ss]~YYYY-MM-DD hh:mm[:ss]``, comma list."""
    for item in exp.split(","):
        start_text, sep, end_text = item.partition("~")
        if not sep:
            continue
        start = _parse_fulldate(start_text, host_tz)
        end = _parse_fulldate(end_text, host_tz)
        if start <= now <= end:
            return True
    return False


def channel_clock(
    now: datetime, variables: Mapping[str, str], host_tz: tzinfo
) -> tuple[datetime, int | None]:
    """The wall clock the dialplan sees, and the tod_tz_offset in hours if one is set."""
    offset_text = variables.get("tod_tz_offset", "")
    if offset_text.lstrip("+-").isdigit():
        hours = int(offset_text)
        return now.astimezone(timezone(timedelta(hours=hours))), hours
    tzname = variables.get("timezone", "")
    if tzname:
        return now.astimezone(ZoneInfo(tzname)), None
    return now.astimezone(host_tz), None


def datetime_check(
    attrs: Mapping[str, str],
    *,
    now: datetime,
    variables: Mapping[str, str],
    host_tz: tzinfo = UTC,
) -> int:
    """``switch_xml_std_datetime_check``: 1 match, 0 no match, -1 no time attribute at all."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tm, offset = channel_clock(now, variables, host_tz)
    utcoff = tm.utcoffset() or timedelta()
    eoffset = offset if offset is not None else int(utcoff.total_seconds() / 3600)
    result = -1

    def check(name: str, test: bool) -> None:
        nonlocal result
        if result and name in attrs:
            result = 1 if test else 0

    tzoff = attrs.get("tz-offset", "")
    if "tz-offset" in attrs:
        loffset = int(tzoff) if tzoff.lstrip("+-").isdigit() else eoffset
        check("tz-offset", loffset == eoffset)
    if attrs.get("dst", ""):
        wanted = attrs["dst"].lower() in {"yes", "on", "true", "t", "enabled", "active", "allow"}
        host_dst = bool(now.astimezone(host_tz).dst())
        check("dst", host_dst and wanted)
    if "date-time" in attrs:
        check("date-time", fulldate_cmp(attrs["date-time"], now, host_tz))
    yday = tm.timetuple().tm_yday - 1
    wday = (tm.weekday() + 1) % 7  # C tm_wday: Sunday = 0
    for name, value in (
        ("year", tm.year),
        ("yday", yday + 1),
        ("mon", tm.month),
        ("mday", tm.day),
        ("week", yday // 7 + 1),
    ):
        if name in attrs:
            check(name, number_cmp(attrs[name], value))
    if "mweek" in attrs:
        firstdow = (7 - int(math.fmod(tm.day - (wday + 1), 7))) % 7  # C's % truncates
        check("mweek", number_cmp(attrs["mweek"], math.ceil((tm.day + firstdow) / 7.0)))
    if "wday" in attrs:
        check("wday", dow_cmp(attrs["wday"], wday + 1))
    if "hour" in attrs:
        check("hour", number_cmp(attrs["hour"], tm.hour))
    if "minute" in attrs:
        check("minute", number_cmp(attrs["minute"], tm.minute))
    if "minute-of-day" in attrs:
        check("minute-of-day", number_cmp(attrs["minute-of-day"], tm.hour * 60 + tm.minute + 1))
    if "time-of-day" in attrs:
        check(
            "time-of-day",
            tod_cmp(attrs["time-of-day"], tm.hour * 3600 + tm.minute * 60 + tm.second),
        )
    return result
