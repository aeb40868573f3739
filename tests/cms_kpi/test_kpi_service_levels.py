"""The phone service levels of 別紙3 on a hand-computed day (docs/kpi.md, worked example)."""

from __future__ import annotations

import pytest

from cms.kpi.settings import KpiSettings
from tests.cms_kpi.builders import report_of, standard_day


@pytest.mark.req("S-P1", "F-2.4.2")
def test_answered_within_15_s_counts_15_0_s_and_counts_abandons_against_it() -> None:
    sl = report_of(standard_day()).total.phone.service_level
    # answered within 15 s: c1 (10 s), c5 (5 s), c7 (15.0 s); waited: 4 answered + 2 abandoned
    assert (sl.numerator, sl.denominator, sl.value) == (3, 6, 50.0)


@pytest.mark.req("S-P1")
def test_service_level_bases_the_city_may_choose() -> None:
    answered = report_of(standard_day(), settings=KpiSettings(service_level_base="answered"))
    assert answered.total.phone.service_level.value == 75.0
    short = report_of(
        standard_day(), settings=KpiSettings(service_level_base="offered_minus_short_abandons")
    )
    # c3 hung up after 8 s (inside 15 s) and leaves the base; c4 (40 s) stays
    assert short.total.phone.service_level.denominator == 5
    assert short.total.phone.service_level.value == pytest.approx(60.0)


@pytest.mark.req("S-P1")
def test_the_answer_clock_can_start_at_receipt_instead_of_queue_entry() -> None:
    sl = report_of(standard_day(), settings=KpiSettings(answer_clock="received")).total.phone
    # from receipt each call waited 5 s more: c1 15 s (in), c5 10 s (in), c7 20 s, c2 25 s (out)
    assert (sl.service_level.numerator, sl.service_level.denominator) == (2, 6)
    assert sl.average_speed_of_answer.value == pytest.approx((15 + 25 + 10 + 20) / 4)


@pytest.mark.req("S-P2")
def test_abandon_rate_counts_short_abandons_and_not_ivr_hang_ups() -> None:
    phone = report_of(standard_day()).total.phone
    assert phone.calls_received.value == 7
    assert phone.calls_abandoned.value == 2  # c3 after 8 s, c4 after 40 s; c6 left in the IVR
    rate = phone.abandon_rate
    assert (rate.numerator, rate.denominator) == (2, 7)
    assert rate.value == pytest.approx(200 / 7)
    assert rate.met is False


@pytest.mark.req("S-P3")
def test_compliance_violation_rate_is_flagged_contacts_over_accepted_contacts() -> None:
    rate = report_of(standard_day()).total.phone.violation_rate
    assert (rate.numerator, rate.denominator, rate.value, rate.met) == (1, 4, 25.0, False)


@pytest.mark.req("S-P4")
def test_first_contact_resolution_leaves_switchboard_calls_out() -> None:
    fcr = report_of(standard_day()).total.phone.first_contact_resolution
    # answered: c1, c2, c5, c7; c5 is switchboard work; c1 and c7 ended in the center
    assert (fcr.numerator, fcr.denominator) == (2, 3)
    assert fcr.value == pytest.approx(200 / 3)
    assert fcr.met is False


@pytest.mark.req("S-P5")
def test_average_handling_time_is_talk_plus_after_call_work_per_handled_call() -> None:
    aht = report_of(standard_day()).total.phone.average_handling_time
    assert (aht.numerator, aht.denominator) == (140 + 260 + 40 + 90, 4)
    assert aht.value == 132.5
    assert aht.met is True


@pytest.mark.req("S-P6", "R-ITEMS")
def test_average_talk_hold_and_speed_of_answer() -> None:
    phone = report_of(standard_day()).total.phone
    assert phone.average_talk_time.value == (100 + 200 + 30 + 60) / 4
    assert phone.average_hold_time.value == 20 / 4
    assert phone.average_speed_of_answer.value == (10 + 20 + 5 + 15) / 4


@pytest.mark.req("R-ITEMS")
def test_transfers_by_switchboard_and_to_city_staff_are_counted_apart() -> None:
    phone = report_of(standard_day()).total.phone
    assert phone.transfers_by_switchboard.value == 1  # c5 to D020
    assert phone.transfers_to_staff.value == 1  # c2 to D012


@pytest.mark.req("S-P1", "S-P2", "R-DAILY")
def test_the_covid_line_is_reported_alone_and_outside_the_sla() -> None:
    total = report_of(standard_day()).total
    covid = total.covid
    assert (covid.calls_received.value, covid.calls_answered.value) == (2, 1)
    assert covid.abandon_rate.value == 50.0
    assert covid.abandon_rate.target is None
    assert covid.abandon_rate.met is None
    assert total.phone.calls_received.value == 7  # the COVID calls are not in the SLA lines
    assert total.phone.average_talk_time.value == 97.5  # v1's 300 s talk is not averaged in
    assert total.total_inquiries.value == 9
