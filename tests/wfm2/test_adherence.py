"""Adherence: agents' state events against their shifts, and the exceptions supervisors see."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from realtime.timeutil import JST
from wfm.adherence.compute import (
    ExceptionKind,
    ScheduledShift,
    StateEvent,
    Thresholds,
    adherence_report,
)

pytestmark = pytest.mark.req("F-2.3.2")

DAY = datetime(2026, 12, 7, tzinfo=JST)


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return DAY + timedelta(hours=int(h), minutes=int(m))


def shift(agent: str) -> ScheduledShift:
    """09:00-17:45 with a break 12:45-13:30 (480 working minutes)."""
    return ScheduledShift(agent, at("09:00"), at("17:45"), at("12:45"), at("13:30"))


def test_a_punctual_agent_is_fully_adherent_and_breaks_do_not_count() -> None:
    events = [
        StateEvent("a", at("08:55"), "signed_in"),
        StateEvent("a", at("08:56"), "ready"),
        StateEvent("a", at("12:45"), "not_ready", "break"),
        StateEvent("a", at("13:30"), "ready"),
        StateEvent("a", at("17:50"), "signed_out"),
    ]
    report = adherence_report(shifts=[shift("a")], events=events, now=at("20:00"))
    row = report.agents[0]
    assert (row.scheduled_min, row.adherent_min, row.exceptions) == (480, 480, ())
    assert report.adherence == 1.0


def test_late_login_early_logout_and_long_not_ready_are_exceptions() -> None:
    events = [
        StateEvent("b", at("09:12"), "signed_in"),
        StateEvent("b", at("09:13"), "ready"),
        StateEvent("b", at("10:00"), "not_ready", "meeting"),
        StateEvent("b", at("10:25"), "on_call"),
        StateEvent("b", at("10:30"), "wrap_up"),
        StateEvent("b", at("10:32"), "ready"),
        StateEvent("b", at("11:00"), "not_ready", "toilet"),
        StateEvent("b", at("11:05"), "ready"),
        StateEvent("b", at("17:00"), "signed_out"),
    ]
    report = adherence_report(shifts=[shift("b")], events=events, now=at("18:00"))
    row = report.agents[0]
    kinds = [(x.kind, x.minutes) for x in row.exceptions]
    assert kinds == [
        (ExceptionKind.LATE_LOGIN, 12),
        (ExceptionKind.NOT_READY, 25),
        (ExceptionKind.EARLY_LOGOUT, 45),
    ]
    # 480 scheduled; out of adherence: 13 (before ready) + 25 + 5 + 45 = 88
    assert row.adherent_min == 480 - 88
    assert row.adherence == pytest.approx((480 - 88) / 480)
    allowed = adherence_report(
        shifts=[shift("b")], events=events, now=at("18:00"),
        thresholds=Thresholds(allowed_reasons=frozenset({"meeting"})),
    )  # fmt: skip
    assert allowed.agents[0].adherent_min == 480 - 88 + 25


def test_live_view_counts_only_elapsed_minutes_and_flags_absent_agents() -> None:
    events = [StateEvent("c", at("08:59"), "signed_in"), StateEvent("c", at("09:00"), "ready")]
    report = adherence_report(shifts=[shift("c"), shift("d")], events=events, now=at("10:00"))
    c, d = sorted(report.agents, key=lambda r: r.agent_id)
    assert (c.scheduled_min, c.adherent_min, c.state_now) == (60, 60, "ready")
    assert (d.scheduled_min, d.adherent_min, d.state_now) == (60, 0, "signed_out")
    assert [x.kind for x in d.exceptions] == [ExceptionKind.ABSENT]
    assert report.adherence == 0.5
    before = adherence_report(shifts=[shift("d")], events=[], now=at("09:03"))
    assert before.agents[0].exceptions == ()  # still within the 5-minute grace
