"""Intraday profiles (timestamps, hourly and half-hourly CSV) and the re-forecast of today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from realtime.timeutil import JST
from wfm.intraday.errors import IntradayInputInvalid
from wfm.intraday.profile import profile_from_timestamps, read_profile_csv
from wfm.intraday.reforecast import reforecast_from_calls, reforecast_rest_of_day

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "hourly_profiles.csv"


@pytest.mark.req("F-2.3.1")
def test_profile_from_timestamps_counts_japan_time_half_hours_per_weekday() -> None:
    # 2024-06-03 is a Monday. 23:50 UTC on Sunday is 08:50 JST on Monday.
    stamps = [datetime(2024, 6, 2, 23, 50, tzinfo=UTC)] * 3
    stamps += [datetime(2024, 6, 3, 9, 5, tzinfo=JST)] * 1
    stamps += [datetime(2024, 6, 4, 10, 40, tzinfo=JST)] * 2  # Tuesday
    profile = profile_from_timestamps(timestamps=stamps)
    monday = profile.for_weekday(0)
    assert monday[17] == pytest.approx(0.75)  # 08:30-09:00
    assert monday[18] == pytest.approx(0.25)
    assert sum(profile.for_weekday(1)) == pytest.approx(1.0)
    assert profile.for_weekday(1)[21] == 1.0
    assert profile.for_weekday(5) == profile.pooled  # no Saturday sample


@pytest.mark.req("F-2.3.1")
def test_hourly_csv_is_split_evenly_into_half_hours(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("hour_start,2024-06-03_mon,2024-06-05_wed\n08:00,30,10\n09:00,10,30\n")
    profile = read_profile_csv(path)
    assert profile.for_weekday(0)[16:20] == pytest.approx((0.375, 0.375, 0.125, 0.125))
    assert profile.for_weekday(2)[16:20] == pytest.approx((0.125, 0.125, 0.375, 0.375))
    assert dict(profile.sample_days) == {0: 1, 2: 1}


@pytest.mark.req("F-2.3.1")
def test_half_hour_and_long_format_csvs_are_used_as_given(tmp_path: Path) -> None:
    wide = tmp_path / "w.csv"
    wide.write_text("time,fri\n08:00,1\n08:30,3\n")
    assert read_profile_csv(wide).for_weekday(4)[16:18] == pytest.approx((0.25, 0.75))
    long = tmp_path / "l.csv"
    long.write_text(
        "date,hour_start,calls\n2024-06-03,08:00,10\n2024-06-10,08:00,30\n2024-06-10,09:00,60\n"
    )
    monday = read_profile_csv(long).for_weekday(0)
    assert sum(monday) == pytest.approx(1.0)
    assert monday[16] == pytest.approx(0.2)  # (10 + 30) / 2 / 100


@pytest.mark.req("F-2.3.1")
def test_shared_sample_days_give_profiles_summing_to_one() -> None:
    if not SHARED.exists():
        pytest.skip(f"shared data not present: {SHARED}")
    profile = read_profile_csv(SHARED)
    assert set(profile.shares) == {0, 3}  # 2021-06-14 is a Monday, 2021-04-01 a Thursday
    for weekday in (0, 3):
        assert sum(profile.for_weekday(weekday)) == pytest.approx(1.0)
        assert all(s == 0 for s in profile.for_weekday(weekday)[:16])


@pytest.mark.req("F-2.3.1")
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("hour_start,mon\n08:15,3\n", "HH:00"),
        ("hour_start,mon\n08:00,-3\n", "0 以上"),
        ("hour_start,someday\n08:00,3\n", "曜日"),
        ("calls\n3\n", "時刻"),
        ("hour_start,mon\n08:00,0\n", "着信のある日"),
    ],
)
def test_bad_profile_csv_raises_a_typed_error(tmp_path: Path, text, fragment) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(IntradayInputInvalid) as caught:
        read_profile_csv(path)
    assert caught.value.error_id == "intraday-input-invalid"
    assert fragment in caught.value.message


FLAT = [0.0] * 16 + [1 / 22] * 22 + [0.0] * 10  # 08:00-19:00


@pytest.mark.req("F-2.3.1")
def test_early_morning_surge_is_shrunk_toward_the_forecast() -> None:
    # One half hour in, calls run at double the forecast: the ratio moves only part of the way.
    early = reforecast_rest_of_day(
        forecast_total=1100, shares=FLAT, actual=[0] * 16 + [100], prior_calls=100
    )
    assert early.raw_ratio == pytest.approx(2.0)
    assert 1.0 < early.ratio < 1.6
    late = reforecast_rest_of_day(
        forecast_total=1100, shares=FLAT, actual=[0] * 16 + [100] * 12, prior_calls=100
    )
    assert late.ratio > 1.85
    assert late.slots[:28] == tuple([0.0] * 16 + [100.0] * 12)
    assert late.day_total == pytest.approx(1200 + 10 * 50 * late.ratio)


@pytest.mark.req("F-2.3.1")
def test_on_forecast_day_keeps_its_total_and_quiet_day_never_goes_negative() -> None:
    on = reforecast_rest_of_day(forecast_total=1100, shares=FLAT, actual=[0] * 16 + [50] * 6)
    assert on.ratio == pytest.approx(1.0)
    assert on.day_total == pytest.approx(1100.0)
    quiet = reforecast_rest_of_day(forecast_total=1100, shares=FLAT, actual=[0] * 16 + [0] * 20)
    assert 0.0 < quiet.ratio < 0.2
    assert all(v >= 0 for v in quiet.slots)


@pytest.mark.req("F-2.3.1")
def test_reforecast_from_call_times_uses_todays_japan_time_slots() -> None:
    profile = profile_from_timestamps(
        timestamps=[
            datetime(2024, 6, 3, 8, 0, tzinfo=JST) + timedelta(minutes=30 * k) for k in range(22)
        ]
    )
    now = datetime(2024, 6, 10, 9, 15, tzinfo=JST)  # a Monday, halfway through 09:00-09:30
    calls = [
        datetime(2024, 6, 10, 8, 0, tzinfo=JST) + timedelta(seconds=20 * i) for i in range(200)
    ]
    calls += [datetime(2024, 6, 9, 12, 0, tzinfo=JST)] * 50  # yesterday: ignored
    result = reforecast_from_calls(
        now=now, call_times=calls, forecast_total=1100, profile=profile, prior_calls=50
    )
    assert result.current_slot == 18
    assert result.observed == pytest.approx(200.0)  # 08:00 to 09:06:40 JST
    assert result.expected == pytest.approx(1100 * 2.5 / 22)
    assert result.ratio > 1.0
