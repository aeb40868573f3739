"""Small request helpers shared by the CRM routes: JSON bodies, the signed-in user, periods."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request

from realtime.errors import MalformedJson, NotAuthenticated, ValidationFailed
from realtime.http.guard import current_principal
from realtime.timeutil import JST


async def json_body(request: Request) -> dict[str, Any]:
    """The JSON object body; an empty body is an empty object; anything else a clear 400."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise MalformedJson() from exc
    if not isinstance(data, dict):
        raise MalformedJson()
    return data


async def username(request: Request) -> str:
    """The signed-in user's name (the guard has already let the request through)."""
    principal = await current_principal(request)
    if principal is None:
        raise NotAuthenticated()
    return principal.username


def period(request: Request) -> tuple[datetime | None, datetime | None]:
    """``from`` and ``to`` (dates in Japan time, both inclusive) as a UTC [start, end)."""
    start = _day(request.query_params.get("from"), "from")
    last = _day(request.query_params.get("to"), "to")
    if start and last and last < start:
        raise ValidationFailed(fields={"to": "終了日は開始日以降の日付にしてください。"})
    return (
        datetime.combine(start, time(), JST) if start else None,
        datetime.combine(last + timedelta(days=1), time(), JST) if last else None,
    )


def page_params(request: Request) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1-100, default 20)."""
    return (
        _int(request.query_params.get("page"), "page", default=1, low=1, high=100000),
        _int(request.query_params.get("per_page"), "per_page", default=20, low=1, high=100),
    )


def flag(value: Any) -> bool:
    """A JSON or query flag: true, 1, "true", "1", "yes"."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def optional_int(value: Any, name: str) -> int | None:
    """An integer field that may be absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(fields={name: "整数で指定してください。"})
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(fields={name: "整数で指定してください。"}) from None


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            fields={name: "日付は YYYY-MM-DD 形式で入力してください。"}
        ) from None


def _int(value: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ValidationFailed(fields={name: f"{low}〜{high}の整数で指定してください。"})
    return number
