"""Query parameters of the recording routes: periods with dates or times, durations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from starlette.requests import Request

from crm.interactions.models import Outcome
from mediastore.recordings.service import RecordingFilter
from realtime.errors import ValidationFailed
from realtime.timeutil import JST

_TIME_HINT = "YYYY-MM-DD または YYYY-MM-DDTHH:MM 形式で入力してください。"


def moment(value: str | None, name: str, *, upper: bool) -> datetime | None:
    """A date (whole day in Japan time; an upper bound includes that day) or a date-time."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1) if upper else day, time(), JST)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(fields={name: _TIME_HINT}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)


def seconds(value: str | None, name: str) -> float | None:
    """A duration in seconds (0 to a day)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 86400:
        raise ValidationFailed(fields={name: "0〜86400の秒数で指定してください。"})
    return number


def criteria(request: Request) -> RecordingFilter:
    """The search filter from the query string, or a 422 naming the bad fields."""
    q = request.query_params
    start = moment(q.get("from"), "from", upper=False)
    end = moment(q.get("to"), "to", upper=True)
    if start and end and end <= start:
        raise ValidationFailed(fields={"to": "終了は開始より後にしてください。"})
    outcome = q.get("outcome") or None
    if outcome and outcome not in {o.value for o in Outcome}:
        raise ValidationFailed(fields={"outcome": "指定できない値です。"})
    words = (q.get("q") or "").strip()
    if len(words) > 200:
        raise ValidationFailed(fields={"q": "検索語は200文字以内で入力してください。"})
    return RecordingFilter(
        start=start,
        end=end,
        agent=q.get("agent") or None,
        line=q.get("line") or None,
        menu=q.get("menu") or None,
        min_duration_s=seconds(q.get("min_duration"), "min_duration"),
        max_duration_s=seconds(q.get("max_duration"), "max_duration"),
        outcome=outcome,
        words=words or None,
        include_deleted=(q.get("include_deleted") or "").lower() in ("1", "true", "yes"),
    )
