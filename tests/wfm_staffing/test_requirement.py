"""Agents required for a target, shrinkage, impossible targets, patience from the event log."""

from __future__ import annotations

import json
import random

import pytest

from wfm.staffing.erlang import erlang_a_metrics, erlang_c_metrics
from wfm.staffing.errors import (
    PatienceSampleTooSmall,
    StaffingInputInvalid,
    StaffingTargetImpossible,
)
from wfm.staffing.patience import WaitRecord, estimate_patience, records_from_events
from wfm.staffing.requirement import (
    StaffingTarget,
    required_agents_erlang_a,
    required_agents_erlang_c,
    scheduled_staff,
)
from wfm.staffing.table import Interval, format_staffing_table, staffing_table

PLAIN = StaffingTarget(
    service_level=0.8, answer_within_s=20, max_occupancy=1.0, max_abandon_rate=None,
    shrinkage=0.3,
)  # fmt: skip


@pytest.mark.req("F-2.3.1")
def test_textbook_example_needs_14_agents_and_20_scheduled_with_30_percent_shrinkage() -> None:
    # 100 calls in 30 min, AHT 180 s, 80 % in 20 s (the widely published Erlang C example).
    result = required_agents_erlang_c(calls=100, period_s=1800, aht_s=180, target=PLAIN)
    assert (result.agents, result.scheduled) == (14, 20)
    below = erlang_c_metrics(calls=100, period_s=1800, aht_s=180, agents=13, answer_within_s=20)
    assert below.service_level < 0.8 <= result.metrics.service_level
    assert result.binding == ("service_level",)


@pytest.mark.req("F-2.3.1")
@pytest.mark.parametrize("calls", [3.0, 40.0, 170.0, 2500.0])
def test_erlang_a_requirement_is_the_smallest_count_meeting_every_limit(calls) -> None:
    target = StaffingTarget()
    result = required_agents_erlang_a(
        calls=calls, period_s=1800, aht_s=180, patience_s=90, target=target
    )
    m = result.metrics
    assert m.service_level >= 0.8
    assert m.occupancy <= 0.85
    assert m.p_abandon <= 0.10
    fewer = erlang_a_metrics(
        calls=calls, period_s=1800, aht_s=180, agents=result.agents - 1, answer_within_s=15,
        patience_s=90,
    )  # fmt: skip
    assert fewer.service_level < 0.8 or fewer.occupancy > 0.85 or fewer.p_abandon > 0.10


@pytest.mark.req("F-2.3.1")
def test_occupancy_cap_can_be_the_binding_limit() -> None:
    loose = StaffingTarget(service_level=0.2, max_occupancy=0.7, shrinkage=0.0)
    result = required_agents_erlang_c(calls=1000, period_s=1800, aht_s=180, target=loose)
    assert result.agents == 143  # ceil(100 E / 0.7)
    assert result.binding == ("occupancy",)


@pytest.mark.req("F-2.3.1")
def test_scheduled_staff_rounds_up_without_floating_point_surprises() -> None:
    assert scheduled_staff(agents=14, shrinkage=0.3) == 20
    assert scheduled_staff(agents=15, shrinkage=0.3) == 22
    assert scheduled_staff(agents=0, shrinkage=0.3) == 0


@pytest.mark.req("F-2.3.1")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_level": 1.0}, "service_level"),
        ({"max_abandon_rate": 0.0}, "max_abandon_rate"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
    ],
)
def test_impossible_targets_say_what_is_wrong_in_japanese(change, field) -> None:
    target = StaffingTarget(**change)
    with pytest.raises(StaffingTargetImpossible) as caught:
        required_agents_erlang_a(calls=170, period_s=3600, aht_s=180, patience_s=60, target=target)
    assert caught.value.error_id == "staffing-target-impossible"
    assert caught.value.data["field"] == field
    assert "達成できません" in caught.value.message or "ありません" in caught.value.message


@pytest.mark.req("F-2.3.1")
def test_a_target_beyond_the_agent_cap_is_reported_as_impossible() -> None:
    target = StaffingTarget(max_agents=5)
    with pytest.raises(StaffingTargetImpossible) as caught:
        required_agents_erlang_c(calls=170, period_s=3600, aht_s=180, target=target)
    assert "5 人" in caught.value.message
    assert caught.value.public()["error"] == "staffing-target-impossible"


@pytest.mark.req("F-2.3.1")
def test_percent_given_as_whole_number_is_rejected_with_a_hint() -> None:
    with pytest.raises(StaffingInputInvalid) as caught:
        required_agents_erlang_c(
            calls=170, period_s=3600, aht_s=180, target=StaffingTarget(service_level=80)
        )
    assert "0.8" in caught.value.message


@pytest.mark.req("F-2.3.1")
def test_patience_estimate_recovers_the_simulated_mean_patience() -> None:
    rng = random.Random(7)
    records = []
    for _ in range(20_000):
        patience = rng.expovariate(1 / 75.0)
        offered_wait = rng.expovariate(1 / 40.0)
        records.append(WaitRecord(min(patience, offered_wait), patience < offered_wait))
    estimate = estimate_patience(records=records)
    assert estimate.mean_patience_s == pytest.approx(75.0, rel=0.05)
    assert estimate.ci_low_s < 75.0 < estimate.ci_high_s


@pytest.mark.req("F-2.3.1")
def test_patience_needs_enough_abandonments() -> None:
    records = [WaitRecord(30.0, False)] * 500 + [WaitRecord(20.0, True)] * 5
    with pytest.raises(PatienceSampleTooSmall) as caught:
        estimate_patience(records=records, min_abandoned=30)
    assert caught.value.error_id == "patience-sample-too-small"
    assert caught.value.abandoned == 5


@pytest.mark.req("F-2.3.1")
def test_event_log_rows_give_queue_waits_and_skip_ivr_abandons() -> None:
    events: list[dict[str, object]] = [
        {"type": "contact.answered", "payload": {"speed_of_answer_s": 12.0}},
        {"type": "contact.abandoned", "payload": json.dumps({"stage": "queue", "waited_s": 40})},
        {"type": "contact.abandoned", "payload": {"stage": "ivr", "waited_s": 5.0}},
        {"type": "contact.ended", "payload": {"by": "caller"}},
    ]
    assert records_from_events(events=events) == [
        WaitRecord(12.0, False),
        WaitRecord(40.0, True),
    ]


@pytest.mark.req("F-2.3.1", "F-2.3.3")
def test_staffing_table_gives_both_models_per_interval_and_follows_erlang_a() -> None:
    intervals = [Interval("09:00", 85.0, 180.0), Interval("09:30", 0.0, 180.0)]
    rows = staffing_table(intervals=intervals, target=StaffingTarget(), patience_s=120.0)
    busy, idle = rows
    assert busy.erlang_a is not None
    assert busy.erlang_a.agents <= busy.erlang_c.agents
    assert busy.scheduled == busy.erlang_a.scheduled
    assert (idle.erlang_c.agents, idle.scheduled) == (0, 0)
    text = format_staffing_table(rows)
    assert "09:00" in text
    assert "配置" in text
    # What-if (F-2.3.3): a longer AHT needs more staff.
    slower = staffing_table(
        intervals=[Interval("09:00", 85.0, 240.0)], target=StaffingTarget(), patience_s=120.0
    )
    assert slower[0].scheduled > busy.scheduled
