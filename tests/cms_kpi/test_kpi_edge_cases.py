"""Contacts across midnight, open contacts, events out of order or repeated, missing receipts."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from cms.events import EventType
from cms.kpi.report import KpiReport
from cms.kpi.source import EventRow
from tests.cms_kpi.builders import DAY, Journal, jst, report_of, standard_day

NEXT = DAY + dt.timedelta(days=1)


@pytest.mark.req("S-P1", "S-P5", "R-ITEMS")
def test_a_call_across_midnight_belongs_to_the_day_it_was_received() -> None:
    j = Journal()
    # rings 23:59:50 JST, queued at once, answered 00:00:05 (15 s), talk 115 s, wrap-up 20 s
    j.call("m1", jst(DAY, 23, 59, 50), queue_after=0, wait=15, talk=115, wrapup=20)
    by_day = report_of(j, first=DAY, last=NEXT, by=("day",))
    received = {g.key["day"]: g.phone.calls_received.value for g in by_day.groups}
    assert received == {"2026-11-02": 1, "2026-11-03": 0}
    group = by_day.groups[0].phone
    assert group.service_level.value == 100.0
    assert group.average_handling_time.value == 135.0
    assert by_day.groups[0].key["day"] == "2026-11-02"
    # a report of the first day alone still sees the end, which falls on the next day
    alone = report_of(j, first=DAY).total.phone
    assert alone.average_handling_time.value == 135.0
    assert alone.open_calls.value == 0
    # and the next day's report does not count it
    assert report_of(j, first=NEXT).total.phone.calls_received.value == 0


@pytest.mark.req("S-P5", "S-P6")
def test_a_call_without_its_end_is_open_and_kept_out_of_the_averages() -> None:
    j = Journal()
    j.call("a", jst(DAY, 9), wait=5, talk=100, wrapup=20)
    j.call("b", jst(DAY, 9, 5), wait=5, talk=500, ended=False)
    j.call("c", jst(DAY, 9, 10), wait=5, talk=80, wrapup=None)
    phone = report_of(j).total.phone
    assert phone.calls_answered.value == 3
    assert phone.open_calls.value == 2  # b has not ended; c has no wrap-up yet
    assert phone.average_handling_time.value == 120.0  # only a is complete
    assert phone.average_talk_time.value == 90.0  # a and c have ended


@pytest.mark.req("F-2.4.2", "S-P1", "S-P2", "S-P4", "S-P5")
def test_events_out_of_order_or_repeated_give_the_same_report() -> None:
    j = standard_day()
    j.call("m1", jst(DAY, 23, 59, 50), queue_after=0, wait=15, talk=115, wrapup=20)
    rows = j.rows()
    expected = _figures(report_of(j, rows=rows))
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert _figures(report_of(j, rows=shuffled)) == expected
    # the same facts written again under new event ids (a retrying writer) change nothing
    top = len(rows)
    repeated = shuffled + [_again(r, top + i + 1) for i, r in enumerate(rows)]
    random.Random(11).shuffle(repeated)
    assert _figures(report_of(j, rows=repeated)) == expected


def _figures(report: KpiReport) -> dict[str, Any]:
    data = report.to_dict()
    return {"groups": data["groups"], "total": data["total"]}


def _again(row: EventRow, seq: int) -> EventRow:
    return row._replace(seq=seq)


@pytest.mark.req("F-2.4.2")
def test_a_contact_whose_receipt_is_missing_is_reported_not_guessed() -> None:
    j = Journal()
    j.call("ok", jst(DAY, 9), wait=5)
    j.call("lost", jst(DAY, 9, 30), wait=5)
    rows = [r for r in j.rows() if not (r.contact_id == "lost" and r.type == "contact.received")]
    report = report_of(j, rows=rows)
    assert report.total.phone.calls_received.value == 1
    assert report.diagnostics.contacts_without_receipt == 1


@pytest.mark.req("F-2.4.2")
def test_a_contact_received_before_the_period_is_not_counted_in_it() -> None:
    j = Journal()
    j.call("early", jst(DAY, 23, 59), wait=120, talk=30)  # answered 00:01:05 next day
    j.call("late", jst(NEXT, 9), wait=5)
    report = report_of(j, first=NEXT)
    assert report.total.phone.calls_received.value == 1
    assert report.diagnostics.contacts_without_receipt == 0


@pytest.mark.req("S-P2", "S-P1")
def test_an_answer_wins_over_a_stray_abandon_of_the_same_call() -> None:
    j = Journal()
    j.call("x", jst(DAY, 9), wait=5)
    j.add(EventType.CONTACT_ABANDONED, jst(DAY, 9, 5), "x", stage="queue", waited_s=300)
    phone = report_of(j).total.phone
    assert phone.calls_abandoned.value == 0
    assert phone.service_level.value == 100.0


@pytest.mark.req("S-P2")
def test_calls_that_only_heard_closed_guidance_are_not_in_the_abandon_base() -> None:
    j = Journal()
    j.call("a", jst(DAY, 9), wait=5)
    j.call("b", jst(DAY, 9, 1), abandon_after=30)
    j.add(EventType.CONTACT_RECEIVED, jst(DAY, 20), "night")
    j.add(EventType.IVR_GUIDANCE_PLAYED, jst(DAY, 20, 0, 1), "night", guidance="out_of_hours")
    j.add(EventType.CONTACT_ENDED, jst(DAY, 20, 0, 30), "night", by="system")
    phone = report_of(j).total.phone
    assert phone.calls_received.value == 3
    assert (phone.abandon_rate.numerator, phone.abandon_rate.denominator) == (1, 2)
    assert phone.open_calls.value == 0


@pytest.mark.req("S-P5", "R-ITEMS")
def test_hold_counts_once_whether_reported_by_pieces_or_in_total() -> None:
    j = Journal()
    j.call("h", jst(DAY, 9), wait=5, talk=60, hold=30)
    rows = j.rows()
    retrieved = next(r for r in rows if r.type == "contact.retrieved")
    rows.append(retrieved._replace(seq=len(rows) + 1))  # the same retrieve written twice
    assert report_of(j, rows=rows).total.phone.average_hold_time.value == 30.0


@pytest.mark.req("S-P2")
def test_a_caller_who_hangs_up_in_the_queue_without_an_abandon_event_is_an_abandon() -> None:
    j = Journal()
    j.call("q", jst(DAY, 9), wait=None)
    j.add(EventType.CONTACT_ENDED, jst(DAY, 9, 1), "q", by="caller")
    j.call("s", jst(DAY, 9, 5), wait=None)
    j.add(EventType.CONTACT_ENDED, jst(DAY, 9, 6), "s", by="system")
    phone = report_of(j).total.phone
    assert phone.calls_abandoned.value == 1
    assert phone.abandon_rate.value == 50.0


@pytest.mark.req("S-P1", "S-P2", "R-ITEMS")
def test_a_call_transferred_to_another_queue_is_one_inquiry_not_two() -> None:
    j = Journal()
    # c1: answered by op1 after 10 s, who hands it to the tax queue after 40 s of talk
    j.call("c1", jst(DAY, 10), queue_after=0, wait=10, talk=40, wrapup=20)
    j.add(
        EventType.CONTACT_TRANSFERRED,
        jst(DAY, 10, 0, 50),
        "c1",
        agent="op1",
        kind="queue",
        destination="tax",
    )
    # the continuation: a new contact naming c1, answered by op2 after 30 s (outside 15 s)
    j.add(EventType.CONTACT_RECEIVED, jst(DAY, 10, 0, 51), "c1-t", transferred_from="c1")
    j.add(EventType.QUEUE_JOINED, jst(DAY, 10, 0, 51), "c1-t", queue="tax")
    j.add(
        EventType.CONTACT_ANSWERED, jst(DAY, 10, 1, 21), "c1-t", agent="op2", speed_of_answer_s=30
    )
    j.add(EventType.CONTACT_ENDED, jst(DAY, 10, 2, 21), "c1-t", by="caller", talk_s=60, hold_s=0)
    report = report_of(j, first=DAY)
    phone = report.total.phone
    assert phone.calls_received.value == 1
    assert phone.calls_answered.value == 1
    assert phone.service_level.value == 100.0  # the citizen's wait was c1's 10 s
    assert phone.transfers_to_staff.value == 0  # stayed inside the center
    assert report.diagnostics.other_contacts == 1
