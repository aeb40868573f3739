"""Call-backs and satisfaction scores in the KPI report (R-ITEMS, N-SURVEY-1)."""

from __future__ import annotations

import datetime as dt

import pytest

from cms.events import Channel, EventType
from cms.kpi.render import render_text
from tests.cms_kpi.builders import DAY, Journal, jst, report_of


@pytest.mark.req("R-ITEMS", "N-SURVEY-1")
def test_report_counts_callbacks_by_result_and_averages_survey_scores_per_group() -> None:
    j = Journal()
    sec = dt.timedelta(seconds=1)
    for n, (hour, score) in enumerate([(9, 4), (9, 5), (10, 2)]):
        cid = f"s{n}"
        at = jst(DAY, hour)
        j.call(cid, at, wait=10)
        j.add(EventType.SURVEY_OFFERED, at + 200 * sec, cid, mode="sampled")
        j.add(EventType.SURVEY_ANSWERED, at + 210 * sec, cid, score=score, mode="sampled")
    j.call("unanswered", jst(DAY, 10, 30), wait=10)
    j.add(EventType.SURVEY_OFFERED, jst(DAY, 10, 35), "unanswered", mode="handoff")
    for cid, reached in (("cb1", True), ("cb2", False), ("cb3", None)):
        at = jst(DAY, 11)
        j.call(cid, at)
        j.add(EventType.CALLBACK_OFFERED, at + 10 * sec, cid, waited_s=5.0)
        j.add(EventType.CALLBACK_REQUESTED, at + 20 * sec, cid, channel=Channel.CALLBACK)
        j.add(EventType.CONTACT_ENDED, at + 21 * sec, cid, by="system")
        if reached is not None:
            outcome = "reached" if reached else "wrong_number"
            j.add(
                EventType.CALLBACK_RESULT,
                at + 3600 * sec,
                cid,
                channel=Channel.CALLBACK,
                result=outcome,
                attempt=1,
            )
            j.add(
                EventType.CALLBACK_COMPLETED,
                at + 3700 * sec,
                cid,
                channel=Channel.CALLBACK,
                reached=reached,
            )
    report = report_of(j, by=("hour",))
    phone = report.total.phone
    assert phone.survey_answers.value == 3
    assert phone.survey_average.value == pytest.approx(11 / 3)
    assert (phone.survey_average.numerator, phone.survey_average.denominator) == (11.0, 3.0)
    assert phone.callbacks_requested.value == 3
    assert (phone.callbacks_reached.value, phone.callbacks_unreached.value) == (1, 1)
    assert phone.calls_abandoned.value == 0  # leaving the queue for a call-back is no abandon
    assert phone.open_calls.value == 0
    by_hour = {g.key["hour"]: g.phone for g in report.groups}
    assert by_hour[9].survey_average.value == 4.5
    assert by_hour[10].survey_answers.value == 1
    assert by_hour[11].survey_average.value is None
    assert by_hour[11].survey_average.reason == "no-contacts"
    assert report.diagnostics.contacts_in_period == 7
    assert "区分" in render_text(report)
