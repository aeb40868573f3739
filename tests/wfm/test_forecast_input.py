"""Bad input is reported with a typed error that says what is wrong, never forecast silently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.wfm.forecast_data import synthetic_counts, write_history
from wfm.forecast.calendar import CityCalendar
from wfm.forecast.errors import ForecastInputInvalid
from wfm.forecast.eventlog import OfferedCall, history_from_event_log
from wfm.forecast.events import parse_events_csv
from wfm.forecast.history import build_history, parse_history_csv, read_history_csv
from wfm.forecast.service import forecast_range

FIRST = date(2021, 4, 1)
LAST = date(2021, 6, 30)


def _csv(counts: dict[date, int], tmp_path: Path, order: str = "date,weekday,calls") -> str:
    return write_history(tmp_path / "h.csv", counts, order=order).read_text(encoding="utf-8")


def _codes(exc: pytest.ExceptionInfo[ForecastInputInvalid]) -> set[str]:
    assert exc.value.error_id == "forecast-input-invalid"
    assert exc.value.status_code == 422
    return {p.code for p in exc.value.problems}


@pytest.mark.req("F-2.3.1")
def test_column_order_may_differ_and_weekday_is_optional(tmp_path: Path) -> None:
    counts = synthetic_counts(FIRST, LAST)
    for order in ("calls,weekday,date", "calls,date"):
        history = parse_history_csv(_csv(counts, tmp_path, order))
        assert dict(history.counts) == counts
        assert history.last == LAST


@pytest.mark.req("F-2.3.1")
def test_missing_calls_column_is_reported() -> None:
    with pytest.raises(ForecastInputInvalid) as exc:
        parse_history_csv("date,weekday,count\n2021-04-01,Thu,700\n")
    assert _codes(exc) == {"missing-columns"}
    assert exc.value.problems[0].items == ("calls",)


@pytest.mark.req("F-2.3.1")
def test_weekday_that_contradicts_the_date_is_reported(tmp_path: Path) -> None:
    text = _csv(synthetic_counts(FIRST, LAST), tmp_path).replace("2021-04-05,Mon", "2021-04-05,Tue")
    with pytest.raises(ForecastInputInvalid) as exc:
        parse_history_csv(text)
    assert _codes(exc) == {"weekday-mismatch"}
    assert "2021-04-05: 'Tue'" in exc.value.problems[0].items


@pytest.mark.req("F-2.3.1")
def test_unparseable_dates_negative_counts_and_duplicates_are_all_reported(
    tmp_path: Path,
) -> None:
    text = _csv(synthetic_counts(FIRST, LAST), tmp_path)
    text = text.replace("2021-04-06,Tue", "2021-13-06,Tue").replace(
        "2021-04-07,Wed,", "2021-04-07,Wed,-"
    )
    text += "2021-05-03,Mon,99\n"
    with pytest.raises(ForecastInputInvalid) as exc:
        parse_history_csv(text)
    assert _codes(exc) == {"unparseable-dates", "negative-counts", "duplicate-dates"}
    message = str(exc.value)
    assert "2021-05-03" in message
    assert "2021-13-06" in message
    assert "負" in message


@pytest.mark.req("F-2.3.1")
def test_gaps_are_warned_about_and_the_forecast_still_covers_every_day(tmp_path: Path) -> None:
    counts = synthetic_counts(FIRST, LAST)
    for k in range(3):
        del counts[date(2021, 5, 10) + timedelta(days=k)]
    history = parse_history_csv(_csv(counts, tmp_path))
    assert [w.code for w in history.warnings] == ["gaps"]
    assert history.warnings[0].items == ("2021-05-10..2021-05-12",)
    result = forecast_range(history=history, start=date(2021, 7, 1), end=date(2021, 7, 14))
    assert len(result.calls) == 14
    assert result.warnings == history.warnings


@pytest.mark.req("F-2.3.1")
def test_zero_business_days_are_left_out_and_too_many_zeros_are_an_error() -> None:
    counts = synthetic_counts(FIRST, LAST)
    counts[date(2021, 6, 14)] = 0
    history = build_history(counts)
    assert [w.code for w in history.warnings] == ["zero-business-days"]
    assert date(2021, 6, 14) not in history.usable(CityCalendar())
    for day in list(counts)[:40]:
        counts[day] = 0
    with pytest.raises(ForecastInputInvalid) as exc:
        build_history(counts)
    assert "too-many-zeros" in _codes(exc)


@pytest.mark.req("F-2.3.1")
def test_history_shorter_than_eight_weeks_is_an_error() -> None:
    with pytest.raises(ForecastInputInvalid) as exc:
        build_history(synthetic_counts(FIRST, FIRST + timedelta(days=40)))
    assert "history-too-short" in _codes(exc)


@pytest.mark.req("F-2.3.1")
def test_range_starting_inside_the_history_or_ending_before_start_is_rejected() -> None:
    history = build_history(synthetic_counts(FIRST, LAST))
    with pytest.raises(ForecastInputInvalid) as exc:
        forecast_range(history=history, start=LAST, end=LAST + timedelta(days=5))
    assert _codes(exc) == {"start-before-history-end"}
    assert "2021-06-30" in str(exc.value)
    with pytest.raises(ForecastInputInvalid) as exc:
        forecast_range(history=history, start=date(2021, 7, 10), end=date(2021, 7, 1))
    assert _codes(exc) == {"end-before-start"}


@pytest.mark.req("F-2.3.1")
def test_bad_event_rows_are_reported_with_their_line_numbers() -> None:
    text = "date,kind,factor\n2022-02-01,tax_notice,\n2022-02-02,lottery,\n2022-02-03,other,\n"
    with pytest.raises(ForecastInputInvalid) as exc:
        parse_events_csv(text)
    assert _codes(exc) == {"invalid-events"}
    items = exc.value.problems[0].items
    assert len(items) == 2
    assert "line 3" in items[0]
    assert "line 4" in items[1]


@pytest.mark.req("F-2.3.1")
def test_shift_jis_history_from_a_spreadsheet_is_read(tmp_path: Path) -> None:
    counts = synthetic_counts(FIRST, LAST)
    names = "月火水木金土日"
    lines = ["date,weekday,calls"] + [
        f"{d:%Y/%m/%d},{names[d.weekday()]},{c}" for d, c in sorted(counts.items())
    ]
    path = tmp_path / "sjis.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    assert dict(read_history_csv(path).counts) == counts


@pytest.mark.req("F-2.3.1")
def test_event_log_is_counted_per_line_and_japan_time_day() -> None:
    jst_midnight = datetime(2021, 4, 1, 15, 0, tzinfo=UTC)  # 2021-04-02 00:00 JST
    calls = [
        OfferedCall(jst_midnight + timedelta(days=k, hours=1), "main")
        for k in range(70)
        for _ in range(3)
    ]
    calls.append(OfferedCall(jst_midnight - timedelta(minutes=1), "main"))
    calls.append(OfferedCall(jst_midnight + timedelta(hours=2), "covid"))
    history = history_from_event_log(calls, line="main")
    assert history.first == date(2021, 4, 1)
    assert history.counts[date(2021, 4, 1)] == 1
    assert history.counts[date(2021, 4, 2)] == 3
