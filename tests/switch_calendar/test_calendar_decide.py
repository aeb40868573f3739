"""decide(): live and switchboard hours, holidays, year-end, closures, emergency, per-DID hours."""

from __future__ import annotations

import datetime as dt

import pytest

from switch.calendar import (
    CalendarConfig,
    Closure,
    EmergencyState,
    LineHours,
    NaiveDatetimeError,
    Service,
    ServiceWindow,
    UnknownLine,
    decide,
    default_config,
)
from switch.calendar.model import COVID_DID, FAX_DID, MAIN_DID, WEEKDAYS_MON_FRI, weekly

CONFIG = default_config()
JST = dt.timezone(dt.timedelta(hours=9), "JST")


def jst(text: str) -> dt.datetime:
    """An aware Japan-time moment from ``YYYY-MM-DDTHH:MM[:SS]``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("moment", "live_open"),
    [
        ("2025-05-07T07:59:59", False),
        ("2025-05-07T08:00:00", True),
        ("2025-05-07T18:59:59", True),
        ("2025-05-07T19:00:00", False),
        ("2025-05-10T08:00:00", True),  # Saturday
        ("2025-05-11T18:59:59", True),  # Sunday
        ("2025-05-06T12:00:00", True),  # 振替休日: live service runs every day
        ("2025-05-11T03:00:00", False),
    ],
)
def test_live_service_is_open_8_to_19_half_open_every_day(moment: str, live_open: bool) -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=jst(moment))
    assert decision.live_open is live_open


def test_last_microsecond_before_19_is_open() -> None:
    at = jst("2025-05-07T18:59:59").replace(microsecond=999_999)
    assert decide(CONFIG, did=MAIN_DID, at=at).live_open


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("moment", "switchboard_open"),
    [
        ("2025-05-07T08:29:59", False),
        ("2025-05-07T08:30:00", True),
        ("2025-05-07T17:14:59", True),
        ("2025-05-07T17:15:00", False),
        ("2025-05-09T12:00:00", True),  # Friday
        ("2025-05-10T12:00:00", False),  # Saturday
        ("2025-05-11T12:00:00", False),  # Sunday
    ],
)
def test_switchboard_is_open_weekdays_830_to_1715(moment: str, switchboard_open: bool) -> None:
    assert decide(CONFIG, did=MAIN_DID, at=jst(moment)).switchboard_open is switchboard_open


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("moment", "holiday"),
    [
        ("2025-05-06T10:00:00", "振替休日"),
        ("2026-09-22T10:00:00", "国民の休日"),
        ("2025-11-24T10:00:00", "振替休日"),
        ("2025-07-21T10:00:00", "海の日"),
    ],
)
def test_switchboard_is_closed_on_public_holidays(moment: str, holiday: str) -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=jst(moment))
    assert decision.live_open
    assert not decision.switchboard_open
    assert decision.guidance == "holiday"
    assert holiday in decision.reason_ja
    assert decision.next_live_open is None


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("moment", "guidance", "switchboard_open"),
    [
        ("2025-12-26T10:00:00", "normal", True),  # Friday before the break
        ("2025-12-29T10:00:00", "year_end", False),  # Monday, first closed day
        ("2025-12-31T10:00:00", "year_end", False),
        ("2026-01-01T10:00:00", "year_end", False),  # 元日 inside year-end: year_end wins
        ("2026-01-03T10:00:00", "year_end", False),
        ("2026-01-05T10:00:00", "normal", True),  # first weekday after the break
        ("2024-12-27T10:00:00", "normal", True),
        ("2024-12-30T10:00:00", "year_end", False),
        ("2025-01-03T10:00:00", "year_end", False),  # Friday, still closed
        ("2021-12-28T10:00:00", "normal", True),  # 12/28 Tuesday open
        ("2022-01-04T10:00:00", "normal", True),  # 1/4 Tuesday open
    ],
)
def test_year_end_closure_closes_switchboard_but_not_live(
    moment: str, guidance: str, switchboard_open: bool
) -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=jst(moment))
    assert decision.live_open
    assert decision.switchboard_open is switchboard_open
    assert decision.guidance == guidance


@pytest.mark.req("F-1.2.2")
def test_year_end_after_hours_points_to_next_morning() -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=jst("2026-01-03T20:00:00"))
    assert not decision.live_open
    assert decision.guidance == "year_end"
    assert decision.next_live_open == jst("2026-01-04T08:00:00")


@pytest.mark.req("F-1.2.1", "F-1.2.2")
@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2025-05-07T07:59:59", "2025-05-07T08:00:00"),
        ("2025-05-07T19:00:00", "2025-05-08T08:00:00"),
        ("2025-05-07T23:59:59", "2025-05-08T08:00:00"),
        ("2025-05-08T00:00:00", "2025-05-08T08:00:00"),
    ],
)
def test_next_live_open_is_the_next_window_start(moment: str, expected: str) -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=jst(moment))
    assert decision.guidance == "out_of_hours"
    assert decision.next_live_open == jst(expected)
    assert "8:00" in decision.reason_ja


@pytest.mark.req("F-1.2.1")
def test_utc_moment_is_evaluated_in_japan_time() -> None:
    at = dt.datetime(2025, 1, 6, 23, 30, tzinfo=dt.UTC)  # 08:30 JST on Tuesday 7 January
    decision = decide(CONFIG, did=MAIN_DID, at=at)
    assert decision.at == jst("2025-01-07T08:30:00")
    assert decision.at.utcoffset() == dt.timedelta(hours=9)
    assert decision.live_open
    assert decision.switchboard_open
    assert decision.guidance == "normal"


def test_utc_evening_before_is_still_out_of_hours_in_japan() -> None:
    at = dt.datetime(2025, 1, 6, 22, 59, 59, tzinfo=dt.UTC)  # 07:59:59 JST
    decision = decide(CONFIG, did=MAIN_DID, at=at)
    assert not decision.live_open
    assert decision.next_live_open == jst("2025-01-07T08:00:00")


@pytest.mark.parametrize(
    "offset_hours",
    [-5, 0, 5.5, 14],
)
def test_same_instant_in_any_offset_gives_the_same_decision(offset_hours: float) -> None:
    instant = jst("2025-05-07T08:30:00")
    other = instant.astimezone(dt.timezone(dt.timedelta(hours=offset_hours)))
    assert decide(CONFIG, did=MAIN_DID, at=other) == decide(CONFIG, did=MAIN_DID, at=instant)


def test_naive_datetime_raises_a_typed_error() -> None:
    naive = dt.datetime(2025, 5, 7, 10, 0)
    with pytest.raises(NaiveDatetimeError) as caught:
        decide(CONFIG, did=MAIN_DID, at=naive)
    assert caught.value.error_id == "naive-datetime"
    assert caught.value.value == naive
    assert caught.value.public()["message"] == "日時にタイムゾーンが指定されていません。"


@pytest.mark.parametrize("did", ["03-3981-1111", "+81-3-3981-1111", "03 3981 1111"])
def test_did_is_found_in_any_common_notation(did: str) -> None:
    assert decide(CONFIG, did=did, at=jst("2025-05-07T10:00:00")).did == MAIN_DID


def test_unknown_did_raises_with_the_known_numbers() -> None:
    with pytest.raises(UnknownLine) as caught:
        decide(CONFIG, did="0312345678", at=jst("2025-05-07T10:00:00"))
    assert caught.value.did == "0312345678"
    assert MAIN_DID in caught.value.known


@pytest.mark.req("F-1.2.1")
def test_admin_closure_closes_switchboard_and_keeps_live() -> None:
    config = CONFIG.with_closures(Closure(date=dt.date(2025, 5, 7), reason="庁舎電気設備点検"))
    decision = decide(config, did=MAIN_DID, at=jst("2025-05-07T10:00:00"))
    assert decision.live_open
    assert not decision.switchboard_open
    assert decision.guidance == "closure"
    assert "庁舎電気設備点検" in decision.reason_ja
    other_day = decide(config, did=MAIN_DID, at=jst("2025-05-08T10:00:00"))
    assert other_day.switchboard_open
    assert other_day.guidance == "normal"


@pytest.mark.req("F-1.2.1")
def test_admin_closure_may_stop_live_service_for_maintenance() -> None:
    closure = Closure(
        date=dt.date(2025, 5, 10),
        reason="システムメンテナンス",
        services=frozenset({Service.LIVE, Service.SWITCHBOARD}),
    )
    config = CONFIG.with_closures(closure)
    decision = decide(config, did=MAIN_DID, at=jst("2025-05-10T10:00:00"))
    assert not decision.live_open
    assert decision.guidance == "closure"
    assert decision.next_live_open == jst("2025-05-11T08:00:00")
    assert "システムメンテナンス" in decision.reason_ja


def test_closure_for_one_line_leaves_other_lines_alone() -> None:
    closure = Closure(
        date=dt.date(2025, 5, 7),
        reason="専用ダイヤル休止",
        services=frozenset({Service.LIVE, Service.SWITCHBOARD}),
        dids=frozenset({"03-4566-2466"}),
    )
    config = CONFIG.with_closures(closure)
    at = jst("2025-05-07T10:00:00")
    covid = decide(config, did=COVID_DID, at=at)
    main = decide(config, did=MAIN_DID, at=at)
    assert (covid.live_open, covid.guidance) == (False, "closure")
    assert (main.live_open, main.switchboard_open, main.guidance) == (True, True, "normal")


@pytest.mark.req("N-BCP-1")
@pytest.mark.parametrize(
    ("moment", "live_open", "switchboard_open"),
    [
        ("2025-05-07T10:00:00", True, True),
        ("2025-05-07T21:00:00", False, False),
        ("2025-05-06T10:00:00", True, False),  # holiday
    ],
)
def test_emergency_overrides_guidance_and_keeps_open_services(
    moment: str, live_open: bool, switchboard_open: bool
) -> None:
    state = EmergencyState(
        active=True,
        since=jst("2025-05-01T06:00:00"),
        message_key="earthquake",
        overflow_number="06-1234-5678",
    )
    config = CONFIG.with_emergency(state)
    decision = decide(config, did=MAIN_DID, at=jst(moment))
    assert decision.guidance == "emergency"
    assert decision.emergency == state
    assert decision.emergency is not None
    assert decision.emergency.overflow_number == "0612345678"
    assert decision.live_open is live_open
    assert decision.switchboard_open is switchboard_open
    assert "緊急体制" in decision.reason_ja
    assert "0612345678" in decision.reason_ja


@pytest.mark.req("N-BCP-1")
def test_emergency_takes_effect_from_its_start() -> None:
    since = jst("2025-05-07T10:00:00")
    config = CONFIG.with_emergency(
        EmergencyState(active=True, since=since, message_key="typhoon", overflow_number=None)
    )
    before = decide(config, did=MAIN_DID, at=since - dt.timedelta(seconds=1))
    at_start = decide(config, did=MAIN_DID, at=since)
    assert (before.guidance, before.emergency) == ("normal", None)
    assert at_start.guidance == "emergency"
    assert at_start.emergency is not None
    assert at_start.emergency.overflow_number is None


@pytest.mark.req("N-BCP-1")
def test_inactive_emergency_leaves_normal_guidance() -> None:
    config = CONFIG.with_emergency(EmergencyState.inactive())
    decision = decide(config, did=MAIN_DID, at=jst("2025-05-07T10:00:00"))
    assert decision.guidance == "normal"
    assert decision.emergency is None


def _covid_line_with_short_hours() -> CalendarConfig:
    short = LineHours(
        did=COVID_DID,
        name_ja="新型コロナウイルス相談",
        live=weekly([ServiceWindow(dt.time(9, 0), dt.time(17, 0))], WEEKDAYS_MON_FRI),
        holidays_close_live=True,
    )
    return CONFIG.with_line(short)


@pytest.mark.req("F-1.2.1")
@pytest.mark.parametrize(
    ("moment", "main_live", "covid_live"),
    [
        ("2025-05-07T08:30:00", True, False),
        ("2025-05-07T09:00:00", True, True),
        ("2025-05-07T16:59:59", True, True),
        ("2025-05-07T17:00:00", True, False),
        ("2025-05-10T10:00:00", True, False),  # Saturday
        ("2025-05-06T10:00:00", True, False),  # holiday closes this line's live service
    ],
)
def test_each_did_has_its_own_hours(moment: str, main_live: bool, covid_live: bool) -> None:
    config = _covid_line_with_short_hours()
    assert decide(config, did=MAIN_DID, at=jst(moment)).live_open is main_live
    assert decide(config, did=COVID_DID, at=jst(moment)).live_open is covid_live


def test_per_did_next_live_open_skips_weekend_and_holiday() -> None:
    config = _covid_line_with_short_hours()
    decision = decide(config, did=COVID_DID, at=jst("2025-05-02T17:00:00"))  # Friday
    # 5/3-5/6 are holidays, 5/3-5/4 a weekend: the line reopens Wednesday 5/7 at 9:00
    assert decision.next_live_open == jst("2025-05-07T09:00:00")
    assert decision.switchboard_open is False


def test_fax_line_takes_faxes_all_day_without_live_service() -> None:
    for moment in ("2025-05-07T03:00:00", "2026-01-01T23:59:59", "2025-05-06T12:00:00"):
        decision = decide(CONFIG, did=FAX_DID, at=jst(moment))
        assert decision.intake_open
        assert not decision.live_open
        assert not decision.switchboard_open
        assert decision.next_live_open is None


def test_split_live_windows_reopen_after_the_break() -> None:
    line = LineHours(
        did=MAIN_DID,
        name_ja="区代表",
        live=weekly(
            [
                ServiceWindow(dt.time(13, 0), dt.time(19, 0)),
                ServiceWindow(dt.time(8, 0), dt.time(12, 0)),
            ]
        ),
    )
    config = CONFIG.with_line(line)
    lunch = decide(config, did=MAIN_DID, at=jst("2025-05-07T12:30:00"))
    assert not lunch.live_open
    assert lunch.next_live_open == jst("2025-05-07T13:00:00")
    assert decide(config, did=MAIN_DID, at=jst("2025-05-07T13:00:00")).live_open


def test_decision_at_keeps_japan_offset_for_display() -> None:
    decision = decide(CONFIG, did=MAIN_DID, at=dt.datetime(2025, 5, 7, 1, 0, tzinfo=dt.UTC))
    assert decision.at.astimezone(JST).hour == 10
    assert "2025年5月7日（水）10:00" in decision.reason_ja
