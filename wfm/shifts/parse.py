"""JSON bodies of the shift routes into checked domain objects (clear Japanese errors)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from wfm.shifts.contracts import ALL_WEEKDAYS, AgentContract
from wfm.shifts.demand import requirement_from_forecast, shape_from_counts
from wfm.shifts.errors import ShiftInputInvalid
from wfm.shifts.labour import MAX_DAILY_WORK_MIN, MAX_WEEKLY_WORK_MIN
from wfm.shifts.patterns import ShiftKind, ShiftPattern, make_pattern, parse_hhmm
from wfm.shifts.solver import Requirement, Weights
from wfm.staffing.requirement import StaffingTarget

MAX_ITEMS = 500


def _int(body: Mapping[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShiftInputInvalid("整数で指定してください。", field=name, value=value)
    return value


def _number(body: Mapping[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShiftInputInvalid("数値で指定してください。", field=name, value=value)
    return float(value)


def _kind(value: Any) -> ShiftKind:
    try:
        return ShiftKind(str(value))
    except ValueError:
        raise ShiftInputInvalid(
            "勤務形態は full_time か part_time です。", field="kind", value=value
        ) from None


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ShiftInputInvalid(
            "日付は YYYY-MM-DD 形式で指定してください。", field=name, value=value
        ) from None


def _weekdays(value: Any, name: str, default: frozenset[int]) -> frozenset[int]:
    if value is None:
        return default
    if not isinstance(value, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d in ALL_WEEKDAYS for d in value
    ):
        raise ShiftInputInvalid(
            "曜日は 0(月)〜6(日)の整数の一覧で指定してください。", field=name, value=value
        )
    return frozenset(value)


def pattern_from_json(body: Mapping[str, Any]) -> ShiftPattern:
    """{code, kind, start: "09:00", work_min, break_offset_min?, break_min?}."""
    if not isinstance(body, Mapping):
        raise ShiftInputInvalid("パターンはオブジェクトで指定してください。", field="patterns")
    brk = body.get("break_min")
    return make_pattern(
        code=str(body.get("code", "")),
        kind=_kind(body.get("kind")),
        start_min=parse_hhmm(str(body.get("start", "")), field="start"),
        work_min=_int(body, "work_min"),
        break_offset_min=_int(body, "break_offset_min", 0),
        break_min=None if brk is None else _int(body, "break_min"),
    )


def patterns_from_json(body: Mapping[str, Any]) -> list[ShiftPattern]:
    """{"patterns": [...]} as checked patterns."""
    items = body.get("patterns")
    if not isinstance(items, list) or not 0 < len(items) <= MAX_ITEMS:
        raise ShiftInputInvalid(
            f"patterns は 1〜{MAX_ITEMS} 件の一覧で指定してください。", field="patterns"
        )
    return [pattern_from_json(item) for item in items]


def contract_from_json(agent_id: str, body: Mapping[str, Any]) -> AgentContract:
    """A contract body (minutes, weekday lists, 'HH:MM' window, ISO dates off)."""
    off = body.get("unavailable_days", [])
    if not isinstance(off, list) or len(off) > 366:
        raise ShiftInputInvalid("休暇日は日付の一覧で指定してください。", field="unavailable_days")
    contract = AgentContract(
        agent_id=agent_id,
        kind=_kind(body.get("kind", "full_time")),
        max_weekly_min=_int(body, "max_weekly_min", MAX_WEEKLY_WORK_MIN),
        min_weekly_min=_int(body, "min_weekly_min", 0),
        max_daily_min=_int(body, "max_daily_min", MAX_DAILY_WORK_MIN),
        max_days_per_week=_int(body, "max_days_per_week", 5),
        available_weekdays=_weekdays(
            body.get("available_weekdays"), "available_weekdays", ALL_WEEKDAYS
        ),
        earliest_start_min=parse_hhmm(
            str(body.get("earliest_start", "00:00")), field="earliest_start"
        ),
        latest_end_min=parse_hhmm(str(body.get("latest_end", "24:00")), field="latest_end"),
        preferred_rest_weekdays=_weekdays(
            body.get("preferred_rest_weekdays"), "preferred_rest_weekdays", frozenset()
        ),
        unavailable_days=frozenset(_day(d, "unavailable_days").isoformat() for d in off),
    )
    contract.check()
    return contract


def target_from_json(body: Mapping[str, Any]) -> StaffingTarget:
    """{service_level, answer_within_s, max_occupancy, max_abandon_rate, shrinkage} (fractions)."""
    base = StaffingTarget()
    return StaffingTarget(
        service_level=_number(body, "service_level", base.service_level),
        answer_within_s=_number(body, "answer_within_s", base.answer_within_s),
        max_occupancy=_number(body, "max_occupancy", base.max_occupancy),
        max_abandon_rate=(
            None
            if body.get("max_abandon_rate", 0.1) is None
            else _number(body, "max_abandon_rate", 0.1)
        ),
        shrinkage=_number(body, "shrinkage", base.shrinkage),
    )


def requirement_from_json(body: Mapping[str, Any]) -> Requirement:
    """Either explicit agents per slot per day, or a forecast to turn into a requirement.

    Explicit: {"first_slot": "08:00", "slot_min": 30, "requirement": {"2026-12-01": [..]}}.
    Forecast: {"forecast": {"daily_calls": {date: calls}, "profile": {"HH:MM": count},
    "aht_s": 180, "patience_s": 120, "target": {...}}}.
    """
    forecast = body.get("forecast")
    if isinstance(forecast, Mapping):
        calls = forecast.get("daily_calls")
        profile = forecast.get("profile")
        if not isinstance(calls, Mapping) or not isinstance(profile, Mapping):
            raise ShiftInputInvalid(
                "forecast には daily_calls と profile を指定してください。", field="forecast"
            )
        daily = {_day(k, "daily_calls"): _number(calls, k) for k in calls}
        patience = forecast.get("patience_s")
        target = forecast.get("target", {})
        if not isinstance(target, Mapping):
            raise ShiftInputInvalid("target はオブジェクトです。", field="target")
        return requirement_from_forecast(
            daily_calls=daily,
            shape=shape_from_counts({str(k): _number(profile, k) for k in profile}),
            aht_s=_number(forecast, "aht_s", 180.0),
            patience_s=None if patience is None else _number(forecast, "patience_s"),
            target=target_from_json(target),
        )
    raw = body.get("requirement")
    if not isinstance(raw, Mapping):
        raise ShiftInputInvalid(
            "requirement(日付ごとの必要人数)か forecast を指定してください。", field="requirement"
        )
    per_day: dict[date, list[int]] = {}
    for key, row in raw.items():
        if not isinstance(row, list):
            raise ShiftInputInvalid("必要人数は整数の一覧です。", field="requirement", value=key)
        per_day[_day(key, "requirement")] = row
    requirement = Requirement(
        first_slot_min=parse_hhmm(str(body.get("first_slot", "08:00")), field="first_slot"),
        slot_min=_int(body, "slot_min", 30),
        per_day=per_day,
    )
    requirement.check()
    return requirement


def weights_from_json(body: Mapping[str, Any]) -> Weights:
    """{"under": 10, "over": 1, "rest_preference": 2}."""
    base = Weights()
    weights = Weights(
        under=_int(body, "under", base.under),
        over=_int(body, "over", base.over),
        rest_preference=_int(body, "rest_preference", base.rest_preference),
    )
    weights.check()
    return weights
