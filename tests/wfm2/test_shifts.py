"""Shift patterns, contracts and the CP-SAT schedule within Japanese working-time limits."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from wfm.shifts.contracts import AgentContract
from wfm.shifts.demand import requirement_from_forecast, shape_from_counts
from wfm.shifts.errors import ScheduleInfeasible, ShiftInputInvalid
from wfm.shifts.labour import required_break_min
from wfm.shifts.patterns import ShiftKind, generate_patterns, make_pattern
from wfm.shifts.solver import Requirement, ScheduleResult, Weights, solve_schedule
from wfm.staffing.errors import StaffingTargetImpossible
from wfm.staffing.requirement import StaffingTarget

pytestmark = pytest.mark.req("F-2.3.1")

OPEN, CLOSE = 8 * 60 + 30, 17 * 60 + 15


def _shape(rng: random.Random, slots: int) -> list[float]:
    """A city-hall-like day: a morning peak, a lunch dip, an afternoon peak, random noise."""
    base = [
        1.0 + 0.8 * (2 <= i <= 6) + 0.5 * (9 <= i <= 13) - 0.4 * (i in (7, 8)) for i in range(slots)
    ]
    return [b * rng.uniform(0.8, 1.2) for b in base]


def _check_labour_law(result: ScheduleResult, contracts: list[AgentContract]) -> None:
    by_agent = {c.agent_id: c for c in contracts}
    worked: dict[str, set[date]] = {}
    for a in result.assignments:
        contract = by_agent[a.agent_id]
        p = a.pattern
        assert p.work_min <= min(480, contract.max_daily_min)
        assert p.break_min >= required_break_min(p.work_min)
        assert p.kind is contract.kind
        assert contract.earliest_start_min <= p.start_min
        assert p.end_min <= contract.latest_end_min
        assert a.day.weekday() in contract.available_weekdays
        assert a.day not in worked.setdefault(a.agent_id, set()), "two shifts on one day"
        worked[a.agent_id].add(a.day)
    for (agent, _block), minutes in result.weekly_minutes().items():
        assert minutes <= min(2400, by_agent[agent].max_weekly_min)
    span = (result.last_day - result.first_day).days + 1
    for agent, days in worked.items():
        for start in range(span - 6):
            window = {result.first_day + timedelta(days=start + k) for k in range(7)}
            assert len(days & window) <= 6, f"{agent} has no rest day in a week"


def test_breaks_follow_the_labour_standards_act() -> None:
    assert (
        make_pattern(code="a", kind=ShiftKind.PART_TIME, start_min=540, work_min=360).break_min == 0
    )
    assert (
        make_pattern(code="b", kind=ShiftKind.PART_TIME, start_min=540, work_min=390).break_min
        == 45
    )
    full = make_pattern(code="c", kind=ShiftKind.FULL_TIME, start_min=510, work_min=480)
    assert full.break_min == 45
    assert full.end_min == 510 + 525
    assert full.start_min + 60 <= full.break_start_min <= full.end_min - 60 - 45
    assert full.worked_in(0, 24 * 60) == 480
    with pytest.raises(ShiftInputInvalid) as err:
        make_pattern(code="d", kind=ShiftKind.FULL_TIME, start_min=480, work_min=540)
    assert "8 時間" in err.value.message
    with pytest.raises(ShiftInputInvalid):
        make_pattern(code="e", kind=ShiftKind.FULL_TIME, start_min=480, work_min=420, break_min=30)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_week_covers_the_requirement_within_weekly_hours_and_rest_days(seed: int) -> None:
    rng = random.Random(seed)
    patterns = generate_patterns(open_min=OPEN, close_min=CLOSE)
    slots = (CLOSE - OPEN) // 30
    first = date(2026, 12, 7) + timedelta(days=rng.randrange(7))
    days = [first + timedelta(days=i) for i in range(7)]
    shape = _shape(rng, slots)
    per_day = {
        d: [0] * slots if d.weekday() >= 5 else [max(1, round(2.5 * s)) for s in shape]
        for d in days
    }
    contracts = [AgentContract(f"ft{i}") for i in range(6)] + [
        AgentContract(
            f"pt{i}", kind=ShiftKind.PART_TIME, max_weekly_min=1200, max_days_per_week=4,
            preferred_rest_weekdays=frozenset({rng.randrange(5)}),
        )
        for i in range(4)
    ]  # fmt: skip
    result = solve_schedule(
        requirement=Requirement(OPEN, 30, per_day), contracts=contracts, patterns=patterns,
        time_limit_s=10,
    )  # fmt: skip
    _check_labour_law(result, contracts)
    need = sum(c.required for c in result.coverage) * 30
    assert result.under_min <= 0.03 * need, (result.under_min, need, result.warnings)
    assert all(a.day.weekday() < 5 for a in result.assignments), "nobody works a closed day"


def test_a_month_keeps_a_rest_day_in_every_seven_days() -> None:
    patterns = generate_patterns(open_min=OPEN, close_min=CLOSE)
    slots = (CLOSE - OPEN) // 30
    days = [date(2027, 2, 1) + timedelta(days=i) for i in range(28)]
    per_day = {d: [3] * slots for d in days}  # open every day: the law must force rest days
    contracts = [AgentContract(f"a{i}", max_days_per_week=6) for i in range(5)]
    result = solve_schedule(
        requirement=Requirement(OPEN, 30, per_day), contracts=contracts, patterns=patterns,
        time_limit_s=10,
    )  # fmt: skip
    _check_labour_law(result, contracts)
    assert result.under_min > 0
    assert result.warnings


def test_under_coverage_weighs_more_than_over_coverage() -> None:
    only_full = [make_pattern(code="F", kind=ShiftKind.FULL_TIME, start_min=540, work_min=480)]
    day = date(2026, 12, 7)
    need = [1, 1] + [0] * 15  # one agent for 09:00-10:00 only
    requirement = Requirement(540, 30, {day: need})
    staffed = solve_schedule(requirement=requirement, contracts=[AgentContract("a")],
                             patterns=only_full, time_limit_s=5)  # fmt: skip
    assert staffed.under_min == 0
    assert len(staffed.assignments) == 1
    cheap_gap = solve_schedule(requirement=requirement, contracts=[AgentContract("a")],
                               patterns=only_full, weights=Weights(under=2, over=1),
                               time_limit_s=5)  # fmt: skip
    assert cheap_gap.assignments == ()
    assert cheap_gap.under_min == 60
    with pytest.raises(ShiftInputInvalid) as err:
        Weights(under=1, over=1).check()
    assert "不足の重み" in err.value.message


def test_contracts_that_cannot_hold_are_reported_by_agent() -> None:
    patterns = generate_patterns(open_min=OPEN, close_min=CLOSE)
    slots = (CLOSE - OPEN) // 30
    days = [date(2026, 12, 7) + timedelta(days=i) for i in range(7)]
    tight = AgentContract(
        "suzuki", kind=ShiftKind.PART_TIME, min_weekly_min=1500, max_weekly_min=2000,
        available_weekdays=frozenset({0, 1}),
    )  # fmt: skip
    with pytest.raises(ScheduleInfeasible) as err:
        solve_schedule(requirement=Requirement(OPEN, 30, {d: [1] * slots for d in days}),
                       contracts=[tight, AgentContract("tanaka")], patterns=patterns)  # fmt: skip
    assert len(err.value.problems) == 1
    assert "suzuki" in err.value.problems[0]
    assert err.value.status_code == 422


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("max_weekly_min", {"max_weekly_min": 2460}),
        ("max_daily_min", {"max_daily_min": 540}),
        ("max_days_per_week", {"max_days_per_week": 7}),
        ("available_weekdays", {"available_weekdays": frozenset()}),
    ],
)
def test_contracts_beyond_the_law_are_refused(field: str, changes: dict[str, object]) -> None:
    with pytest.raises(ShiftInputInvalid) as err:
        AgentContract("x", **changes).check()  # type: ignore[arg-type]
    assert err.value.field == field


def test_requirement_input_errors_are_named() -> None:
    day = date(2026, 12, 7)
    bad = [
        Requirement(480, 30, {day: [1, -1]}),
        Requirement(480, 30, {day: [1, 2], day + timedelta(days=1): [1]}),
        Requirement(23 * 60, 30, {day: [1, 1, 1]}),
        Requirement(480, 30, {day: [1], day + timedelta(days=3): [1]}),
    ]
    for requirement in bad:
        with pytest.raises(ShiftInputInvalid):
            solve_schedule(requirement=requirement, contracts=[AgentContract("a")],
                           patterns=generate_patterns(open_min=480, close_min=1080))  # fmt: skip


def test_requirement_from_the_forecast_uses_the_staffing_table() -> None:
    shape = shape_from_counts(
        {
            "08:00": 29,
            "09:00": 77,
            "10:00": 92,
            "11:00": 93,
            "12:00": 63,
            "13:00": 62,
            "14:00": 81,
            "15:00": 86,
            "16:00": 82,
            "17:00": 27,
        }
    )
    assert abs(sum(shape.values()) - 1) < 1e-9
    assert min(shape) == 480
    assert max(shape) == 17 * 60 + 30
    day = date(2026, 12, 7)
    req = requirement_from_forecast(daily_calls={day: 1200.0, day + timedelta(days=1): 600.0},
                                    shape=shape, aht_s=180, patience_s=120,
                                    target=StaffingTarget())  # fmt: skip
    busy, quiet = req.per_day[day], req.per_day[day + timedelta(days=1)]
    assert len(busy) == 20
    assert all(b >= q for b, q in zip(busy, quiet, strict=True))
    assert max(busy) > max(quiet) > 0
    with pytest.raises(StaffingTargetImpossible) as err:
        requirement_from_forecast(
            daily_calls={day: 1200.0}, shape=shape, aht_s=180, patience_s=120,
            target=StaffingTarget(service_level=1.0),
        )  # fmt: skip
    assert "100%" in err.value.message
