"""E-mail and fax service levels: the 24-hour reply, unprocessed items, processing time."""

from __future__ import annotations

import datetime as dt

import pytest

from cms.events import Channel, EventType
from cms.kpi.settings import KpiSettings
from tests.cms_kpi.builders import DAY, Journal, jst, report_of

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.mark.req("S-M1")
def test_a_mail_answered_at_23_59_is_on_time_and_at_24_01_is_late() -> None:
    j = Journal()
    j.item("in-time", jst(DAY, 9), taken_after=10 * M, reply_after=23 * H + 59 * M)
    j.item("late", jst(DAY, 9, 30), taken_after=10 * M, reply_after=24 * H + M)
    j.item("exact", jst(DAY, 10), taken_after=10 * M, reply_after=24 * H)
    rate = report_of(j).total.items.on_time_reply_rate
    assert (rate.numerator, rate.denominator) == (2, 3)  # exactly 24:00 is still 以内
    assert rate.met is False


@pytest.mark.req("S-M1")
def test_the_reply_is_judged_by_its_timestamps_not_by_the_writers_flag() -> None:
    j = Journal()
    j.add(EventType.CONTACT_RECEIVED, jst(DAY, 9), "f", channel=Channel.EMAIL, line="box")
    j.add(
        EventType.ITEM_REPLIED,
        jst(DAY, 9) + 30 * H,
        "f",
        channel=Channel.EMAIL,
        line="box",
        within_24h=True,
    )
    assert report_of(j).total.items.on_time_reply_rate.value == 0.0


@pytest.mark.req("S-M2")
def test_items_unreplied_for_24_hours_are_unprocessed_and_younger_ones_pending() -> None:
    j = Journal()
    j.item("done", jst(DAY, 9), reply_after=2 * H)
    j.item("old", jst(DAY, 9))
    j.item("young", jst(DAY, 20))
    j.item("forwarded", jst(DAY, 9), forward_to="D030")
    at_8 = report_of(j, now=jst(DAY + dt.timedelta(days=1), 8, 59)).total.items
    assert (at_8.unprocessed_beyond_target.value, at_8.pending_within_target.value) == (0, 2)
    at_9 = report_of(j, now=jst(DAY + dt.timedelta(days=1), 9, 0)).total.items
    assert (at_9.unprocessed_beyond_target.value, at_9.pending_within_target.value) == (1, 1)
    assert at_9.unprocessed_beyond_target.met is False
    later = report_of(j).total.items
    assert later.unprocessed_beyond_target.value == 2
    assert later.transfers_to_staff.value == 1


@pytest.mark.req("S-M3", "S-M4")
def test_item_quality_measures_count_every_received_item() -> None:
    j = Journal()
    j.item("a", jst(DAY, 9), taken_after=H, reply_after=3 * H)
    j.item("b", jst(DAY, 9), taken_after=H, reply_after=3 * H, channel=Channel.FAX)
    j.item("c", jst(DAY, 9), taken_after=H, forward_to="D030")
    j.item("d", jst(DAY, 9))
    j.add(
        EventType.QA_VIOLATION_FLAGGED,
        jst(DAY, 15),
        "b",
        channel=Channel.FAX,
        line="0339811280",
        violation="misinformation",
    )
    items = report_of(j).total.items
    assert (items.emails_received.value, items.faxes_received.value) == (3, 1)
    assert (items.violation_rate.numerator, items.violation_rate.denominator) == (1, 4)
    fcr = items.first_contact_resolution
    assert (fcr.numerator, fcr.denominator, fcr.value) == (2, 4, 50.0)


@pytest.mark.req("S-M5")
def test_item_processing_time_runs_from_receipt_to_start_or_to_reply() -> None:
    j = Journal()
    j.item("a", jst(DAY, 9), taken_after=2 * H, reply_after=5 * H)
    j.item("b", jst(DAY, 9), taken_after=7 * H, reply_after=9 * H)
    j.item("c", jst(DAY, 9))
    items = report_of(j).total.items
    assert items.processing_time.value == (2 + 7) / 2 * 3600
    assert (items.started_within_target.numerator, items.started_within_target.denominator) == (
        1,
        2,
    )
    to_reply = report_of(j, settings=KpiSettings(item_time="to_reply")).total.items
    assert to_reply.processing_time.value == (5 + 9) / 2 * 3600


@pytest.mark.req("S-M1", "S-M2")
def test_mail_is_kept_apart_from_the_phone_figures() -> None:
    j = Journal()
    j.item("a", jst(DAY, 9), taken_after=H, reply_after=2 * H)
    j.call("c", jst(DAY, 9), wait=5)
    total = report_of(j).total
    assert total.phone.calls_received.value == 1
    assert total.items.items_received.value == 1
    assert total.total_inquiries.value == 2
