"""Each KPI as a small pure function over contact records.

Every value keeps its numerator and denominator, so the groups of a report add up exactly to the
total; a value whose denominator is 0 is ``None`` with a reason, never a division by zero.
Formulas and their readings of 別紙3 are in docs/kpi.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cms.kpi.contacts import ContactFacts, waited_within
from cms.kpi.settings import KpiSettings

Unit = Literal["percent", "seconds", "count", "score"]
Facts = Sequence[ContactFacts]
NO_DENOMINATOR = "no-contacts"
"""Reason given when nothing could be measured: the value is unknown, not zero."""


@dataclass(frozen=True, slots=True)
class KpiValue:
    """One measured value: ``value = numerator / denominator`` (×100 for percent)."""

    unit: Unit
    numerator: float
    denominator: float | None
    value: float | None
    reason: str | None = None
    target: str | None = None
    met: bool | None = None


def count(n: int) -> KpiValue:
    """A plain count."""
    return KpiValue("count", float(n), None, float(n))


def ratio(
    numerator: float,
    denominator: float,
    *,
    unit: Unit,
    target: str | None = None,
    check: Callable[[float], bool] | None = None,
) -> KpiValue:
    """A rate (percent) or an average (seconds); ``None`` with a reason when nothing to divide."""
    if denominator <= 0:
        return KpiValue(unit, numerator, denominator, None, NO_DENOMINATOR, target, None)
    value = numerator / denominator * (100.0 if unit == "percent" else 1.0)
    return KpiValue(
        unit, numerator, denominator, value, None, target, check(value) if check else None
    )


def _answered(facts: Facts) -> list[ContactFacts]:
    return [f for f in facts if f.answered]


def calls_in_service(facts: Facts) -> list[ContactFacts]:
    """Calls that reached service: all calls except those that only heard closed guidance."""
    return [f for f in facts if not f.closed_guidance]


def abandoned_waiting(f: ContactFacts) -> bool:
    """Hung up while waiting for an operator (放棄呼): in the queue or while offered."""
    return f.abandoned and f.abandon_stage in ("queue", "offered")


def service_level(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-P1 目標内応答時間率: calls answered within the threshold ÷ calls of the chosen base."""
    within = sum(1 for f in facts if f.answered and waited_within(f.wait_s, s.answer_threshold))
    waiting = [f for f in facts if f.answered or abandoned_waiting(f)]
    if s.service_level_base == "answered":
        base = sum(1 for f in waiting if f.answered)
    elif s.service_level_base == "offered_minus_short_abandons":
        base = sum(
            1
            for f in waiting
            if f.answered or not waited_within(f.abandon_wait_s, s.answer_threshold)
        )
    else:
        base = len(waiting)
    goal = s.answer_target_percent
    return ratio(
        within,
        base,
        unit="percent",
        target=f">= {goal} %" if goal is not None else None,
        check=(lambda v: v >= goal) if goal is not None else None,
    )


def abandon_rate(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-P2 放棄呼率: abandoned while waiting ÷ calls received (in service, by default) × 100."""
    base = facts if s.abandon_base == "all" else calls_in_service(facts)
    goal = s.abandon_target_percent
    return ratio(
        sum(1 for f in base if abandoned_waiting(f)),
        len(base),
        unit="percent",
        target=f"< {goal} %",
        check=lambda v: v < goal,
    )


def violation_rate(facts: Facts, *, items: bool = False) -> KpiValue:
    """S-P3/S-M3 コンプライアンス違反発生率: flagged contacts ÷ all accepted contacts × 100."""
    base = list(facts) if items else _answered(facts)
    flagged = sum(1 for f in base if f.violations)
    return ratio(flagged, len(base), unit="percent", target="= 0 %", check=lambda v: v == 0)


def first_contact_resolution(facts: Facts, s: KpiSettings, *, items: bool = False) -> KpiValue:
    """S-P4/S-M4 一次回答率: completed in the center ÷ all accepted, switchboard work excluded."""
    if items:
        base = [f for f in facts if not f.is_switchboard]
    elif s.fcr_base == "in_service":
        base = [f for f in calls_in_service(facts) if not f.is_switchboard]
    else:
        base = [f for f in facts if f.answered and not f.is_switchboard]
    goal = s.fcr_target_percent
    return ratio(
        sum(1 for f in base if f.resolved_in_center),
        len(base),
        unit="percent",
        target=f">= {goal} % (努力目標)",
        check=lambda v: v >= goal,
    )


def average_handling_time(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-P5 平均処理時間: (talk + after-call work) ÷ handled calls, over completed calls."""
    done = [f for f in facts if f.answered and f.talk_s is not None and f.wrapup_s is not None]
    total = sum((f.talk_s or 0.0) + (f.wrapup_s or 0.0) for f in done)
    goal = s.aht_target.total_seconds()
    return ratio(
        total, len(done), unit="seconds", target=f"<= {goal:g} s", check=lambda v: v <= goal
    )


def _ended(facts: Facts) -> list[ContactFacts]:
    return [f for f in facts if f.answered and f.talk_s is not None]


def average_talk_time(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-P6 平均通話時間: talk ÷ answered calls that have ended."""
    ended = _ended(facts)
    goal = s.talk_target.total_seconds()
    return ratio(
        sum(f.talk_s or 0.0 for f in ended),
        len(ended),
        unit="seconds",
        target=f"<= {goal:g} s",
        check=lambda v: v <= goal,
    )


def average_hold_time(facts: Facts) -> KpiValue:
    """平均保留時間: hold ÷ answered calls that have ended."""
    ended = _ended(facts)
    return ratio(sum(f.hold_s for f in ended), len(ended), unit="seconds")


def average_speed_of_answer(facts: Facts) -> KpiValue:
    """平均応答時間: wait until answer ÷ answered calls."""
    waits = [f.wait_s for f in facts if f.answered and f.wait_s is not None]
    return ratio(sum(waits), len(waits), unit="seconds")


def transfers_by_switchboard(facts: Facts) -> KpiValue:
    """交換による転送件数: switchboard contacts handed to a department."""
    return count(sum(1 for f in facts if f.is_switchboard and f.handed_off))


def transfers_to_staff(facts: Facts) -> KpiValue:
    """本区職員への転送件数: inquiry contacts handed to city staff (calls and items)."""
    return count(sum(1 for f in facts if not f.is_switchboard and f.handed_off))


def open_calls(facts: Facts) -> KpiValue:
    """Calls not finished when the report was cut (not counted in the averages)."""
    return count(
        sum(
            1
            for f in facts
            if (f.answered and (f.talk_s is None or f.wrapup_s is None))
            or (not f.answered and not f.abandoned and f.ended_at is None and not f.closed_guidance)
        )
    )


def _center_item(f: ContactFacts) -> bool:
    return f.replied_at is not None or not f.handed_off


def on_time_reply_rate(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-M1 納期率: items replied within the target ÷ items replied."""
    replied = [f for f in facts if f.replied_at is not None]
    limit = s.reply_target
    within = sum(
        1 for f in replied if f.replied_at is not None and f.replied_at - f.received_at <= limit
    )
    goal = s.reply_target_percent
    return ratio(
        within, len(replied), unit="percent", target=f">= {goal} %", check=lambda v: v >= goal
    )


def unprocessed_beyond_target(facts: Facts, s: KpiSettings, *, horizon: datetime) -> KpiValue:
    """S-M2 未処理件数: the center's items unreplied for the target time or more at the horizon."""
    n = sum(
        1
        for f in facts
        if f.replied_at is None and _center_item(f) and horizon - f.received_at >= s.reply_target
    )
    return KpiValue("count", float(n), None, float(n), None, "= 0", n == 0)


def pending_items(facts: Facts, s: KpiSettings, *, horizon: datetime) -> KpiValue:
    """Items still inside the target time, unreplied at the horizon."""
    return count(
        sum(
            1
            for f in facts
            if f.replied_at is None and _center_item(f) and horizon - f.received_at < s.reply_target
        )
    )


def item_processing_time(facts: Facts, s: KpiSettings) -> KpiValue:
    """S-M5 平均処理時間: receipt to start of handling (or to reply, by setting), on average."""
    spans: list[float] = []
    for f in facts:
        end = f.answered_at if s.item_time == "to_start" else f.replied_at
        if end is not None:
            spans.append(max(0.0, (end - f.received_at).total_seconds()))
    return ratio(sum(spans), len(spans), unit="seconds")


def items_started_in_time(facts: Facts, s: KpiSettings) -> KpiValue:
    """Share of taken items whose handling started within the target (受付開始後6時間以内)."""
    started = [f for f in facts if f.answered_at is not None]
    limit = s.item_start_target
    within = sum(
        1 for f in started if f.answered_at is not None and f.answered_at - f.received_at <= limit
    )
    return ratio(within, len(started), unit="percent", target="6時間以内")


def survey_average(facts: Facts) -> KpiValue:
    """Mean satisfaction score (1-5) of the answered surveys (N-SURVEY-1)."""
    scores = [f.survey_score for f in facts if f.survey_score is not None]
    return ratio(float(sum(scores)), float(len(scores)), unit="score")
