"""The model: day types, closure handling, events and backtest accuracy."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest

from tests.wfm.forecast_data import SHARED_HISTORY, synthetic_counts
from wfm.forecast.backtest import run_backtest
from wfm.forecast.calendar import CityCalendar
from wfm.forecast.events import EventKind, EventSet, parse_events_csv
from wfm.forecast.history import build_history, read_history_csv
from wfm.forecast.linalg import ridge
from wfm.forecast.service import forecast_range


def _history(last: date = date(2021, 12, 31)):
    return build_history(synthetic_counts(date(2021, 4, 1), last))


@pytest.mark.req("F-2.3.1")
def test_ridge_recovers_coefficients_and_falls_back_to_the_prior() -> None:
    rows = [[1.0, float(i % 2), 0.0] for i in range(40)]
    targets = [2.0 + 0.5 * r[1] for r in rows]
    beta = ridge(
        rows=rows,
        targets=targets,
        weights=[1.0] * 40,
        penalties=[1e-6, 1e-6, 1.0],
        priors=[0.0, 0.0, 0.3],
    )
    assert beta[0] == pytest.approx(2.0, abs=1e-6)
    assert beta[1] == pytest.approx(0.5, abs=1e-6)
    assert beta[2] == pytest.approx(0.3)


@pytest.mark.req("F-2.3.1")
def test_calendar_counts_business_days_lost_before_a_break() -> None:
    cal = CityCalendar()
    after_closure = cal.info(date(2022, 1, 4))
    assert after_closure.business
    assert after_closure.after_yearend
    assert after_closure.first_after_break
    assert after_closure.missed_before == 4
    assert cal.info(date(2021, 9, 21)).missed_before == 1  # Tuesday after 敬老の日
    assert cal.info(date(2021, 9, 22)).second_missed == 1
    assert cal.info(date(2021, 12, 28)).missed_after == 4  # 12/29-31 and 1/3
    assert not cal.info(date(2022, 3, 21)).business  # 春分の日
    assert not cal.info(date(2021, 8, 9)).business  # substitute holiday


@pytest.mark.req("F-2.3.1")
def test_holidays_are_predicted_far_below_the_surrounding_business_days() -> None:
    result = forecast_range(history=_history(), start=date(2022, 1, 1), end=date(2022, 4, 30))
    cal = CityCalendar()
    for holiday in (date(2022, 1, 10), date(2022, 2, 11), date(2022, 2, 23), date(2022, 3, 21)):
        same_weekday = [holiday + timedelta(days=k) for k in (7, 14)]
        neighbours = [result.calls[d] for d in same_weekday if cal.info(d).business]
        assert neighbours, holiday
        assert result.calls[holiday] < 0.4 * min(neighbours), holiday
    for closed in (date(2022, 1, 1), date(2022, 1, 2), date(2022, 1, 3)):
        assert result.calls[closed] < 0.4 * result.calls[date(2022, 1, 11)]


@pytest.mark.req("F-2.3.1")
def test_first_day_after_the_yearend_closure_is_the_peak_of_january() -> None:
    result = forecast_range(history=_history(), start=date(2022, 1, 1), end=date(2022, 2, 28))
    cal = CityCalendar()
    mondays = [v for d, v in result.calls.items() if d.weekday() == 0 and cal.info(d).business]
    others = [v for d, v in result.calls.items() if d != date(2022, 1, 4)]
    assert result.calls[date(2022, 1, 4)] > max(others)
    assert result.calls[date(2022, 1, 4)] > 1.25 * statistics.median(mondays)


@pytest.mark.req("F-2.3.1")
def test_events_raise_the_forecast_and_default_seasons_can_be_switched_off() -> None:
    history = _history()
    plain = forecast_range(
        history=history, start=date(2022, 2, 1), end=date(2022, 3, 31), default_seasons=False
    )
    seasonal = forecast_range(history=history, start=date(2022, 2, 1), end=date(2022, 3, 31))
    assert seasonal.calls[date(2022, 3, 1)] > plain.calls[date(2022, 3, 1)]
    assert seasonal.calls[date(2022, 3, 24)] > 1.15 * plain.calls[date(2022, 3, 24)]
    # Outside the seasons nothing changes beyond the refit of the history (< 1 %).
    assert seasonal.calls[date(2022, 2, 8)] == pytest.approx(
        plain.calls[date(2022, 2, 8)], rel=0.01
    )
    events = parse_events_csv("kind,date,factor\ntax_notice,2022-02-07,1.5\nother,2022-02-22,0.5\n")
    mailed = forecast_range(
        history=history, start=date(2022, 2, 1), end=date(2022, 2, 28), events=events,
        default_seasons=False,
    )  # fmt: skip
    lift = [mailed.calls[d] / plain.calls[d] for d in (date(2022, 2, 7), date(2022, 2, 14))]
    assert lift[0] == pytest.approx(1.5, abs=0.02)
    assert 1.0 < lift[1] < lift[0]
    assert mailed.calls[date(2022, 2, 22)] < 0.55 * plain.calls[date(2022, 2, 22)]


@pytest.mark.req("F-2.3.1")
def test_entered_closure_makes_the_next_business_day_a_catch_up_day() -> None:
    events = parse_events_csv("date,kind,end\n2022-02-02,closure,2022-02-03\n")
    assert events.events[0].kind is EventKind.CLOSURE
    closed = forecast_range(
        history=_history(), start=date(2022, 1, 31), end=date(2022, 2, 10), events=events
    )
    normal = forecast_range(history=_history(), start=date(2022, 1, 31), end=date(2022, 2, 10))
    assert closed.calls[date(2022, 2, 2)] < 0.4 * normal.calls[date(2022, 2, 2)]
    assert closed.calls[date(2022, 2, 4)] > 1.1 * normal.calls[date(2022, 2, 4)]


@pytest.mark.req("F-2.3.1")
def test_model_beats_same_weekday_last_week_in_the_backtest_on_synthetic_history() -> None:
    result = run_backtest(_history(date(2021, 10, 31)), horizon=7, first_origin=date(2021, 7, 15))
    scores = {m.name: m.overall for m in result.methods}
    assert scores["model"] is not None
    assert scores["same weekday last week"] is not None
    assert scores["model"].wape < scores["same weekday last week"].wape


@pytest.mark.req("F-2.3.1")
def test_backtest_on_the_city_history_meets_the_benchmark_goal() -> None:
    if not SHARED_HISTORY.exists():
        pytest.skip(f"shared data not available at {SHARED_HISTORY}")
    history = read_history_csv(SHARED_HISTORY)
    events = EventSet().with_default_seasons(history.first, history.last)
    result = run_backtest(history, horizon=7, first_origin=date(2021, 7, 15), events=events)
    scores = {m.name: m.overall for m in result.methods}
    model, naive, regression = (
        scores["model"], scores["same weekday last week"], scores["calendar regression"]
    )  # fmt: skip
    assert model is not None
    assert naive is not None
    assert regression is not None
    assert model.wape <= 0.08
    assert abs(model.bias) <= 0.02
    assert model.wape < regression.wape < naive.wape
