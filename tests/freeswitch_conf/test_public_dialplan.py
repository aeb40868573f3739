"""The public dialplan's decisions, destination by destination (FreeSWITCH's hunt rules)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.freeswitch_conf.conftest import ENV, make_dialplan
from tests.freeswitch_conf.dialplan_eval import Channel, Dialplan
from tests.freeswitch_conf.dialplan_run import World, run_call

JST = ZoneInfo("Asia/Tokyo")
WEEKDAY_10 = datetime(2026, 11, 27, 10, 0, tzinfo=JST)  # a Friday
SOCKET = ("socket", "127.0.0.1:8084 async full")
TO_DEGRADED = ("transfer", "degraded XML madoguchi_degraded")

MAIN_FORMS = ["0339811111", "+81339811111", "81339811111"]
COVID_FORMS = ["0345662466", "+81345662466", "81345662466"]
FAX_FORMS = ["0339811280", "+81339811280", "81339811280"]

HOSTILE_CALLER_IDS = [
    ("0339811280", "fax"),
    ('"><action application="bridge"/>', "x"),
    ("0339811111\n0339811280", "line\r\nbreak"),
    ("${system(rm -rf /)}", "$${madoguchi_esl_password}"),
    ("+81345662466", "0345662466"),
    ("' OR 1=1 --", "🙂 名前"),
    ("", ""),
]


def call(dialplan: Dialplan, destination: str, **kwargs: object) -> Channel:
    channel = Channel(destination_number=destination, context="public", now=WEEKDAY_10)
    for key, value in kwargs.items():
        setattr(channel, key, value)
    return channel


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("destination", MAIN_FORMS)
def test_main_did_goes_to_our_socket_then_degraded_fallback(dialplan: Dialplan, destination):
    result = dialplan.hunt(call(dialplan, destination))
    pairs = result.pairs()
    assert result.extensions[-1] == "madoguchi_main_line"
    assert ("set", "madoguchi_line=main") in pairs
    assert pairs.index(SOCKET) < pairs.index(TO_DEGRADED)
    assert pairs[-1] == TO_DEGRADED
    assert result.variables["madoguchi_did"] == "0339811111"


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("destination", COVID_FORMS)
def test_covid_did_goes_to_our_socket_marked_as_covid_line(dialplan: Dialplan, destination):
    result = dialplan.hunt(call(dialplan, destination))
    pairs = result.pairs()
    assert result.extensions[-1] == "madoguchi_covid19_line"
    assert ("set", "madoguchi_line=covid19") in pairs
    assert ("set", "madoguchi_line=main") not in pairs
    assert pairs.index(SOCKET) < pairs.index(TO_DEGRADED)
    assert result.variables["madoguchi_did"] == "0345662466"


@pytest.mark.req("F-1.5.1")
@pytest.mark.parametrize("destination", FAX_FORMS)
def test_fax_did_receives_with_t38_then_hands_to_our_socket(dialplan: Dialplan, destination):
    pairs = dialplan.hunt(call(dialplan, destination)).pairs()
    apps = [app for app, _ in pairs]
    assert ("set", "madoguchi_line=fax") in pairs
    assert ("set", "fax_enable_t38=true") in pairs
    assert ("set", "fax_enable_t38_request=true") in pairs
    assert apps.index("answer") < apps.index("rxfax") < apps.index("socket")
    assert pairs.index(("set", "fax_enable_t38_request=true")) < apps.index("rxfax")
    assert SOCKET in pairs


@pytest.mark.req("F-1.5.1")
def test_fax_file_is_named_by_call_uuid_in_the_fax_directory(dialplan: Dialplan):
    channel = call(dialplan, "0339811280", uuid="4c7e1d2a-0000-4000-8000-00000000f4a1")
    run = run_call(dialplan, channel, World(socket_reachable=True))
    rxfax = run.first("rxfax")
    assert rxfax.data == f"{dialplan.globals['madoguchi_fax_dir']}/{channel.uuid}.tif"
    assert run.ended_by == "socket"


@pytest.mark.req("F-1.5.1")
def test_fax_is_still_received_when_our_server_is_down(dialplan: Dialplan):
    run = run_call(dialplan, call(dialplan, "0339811280"), World(socket_reachable=False))
    assert "rxfax" in run.apps()
    assert run.ended_by == "hangup"


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    "destination",
    [
        "0312345678",
        "0339811112",
        "10339811111",
        "03398111119",
        "0339811111x",
        "*0339811111",
        "+810339811111",
        "degraded",
        "guidance",
        "",
        "1001",
    ],
)
def test_unknown_destinations_are_rejected(dialplan: Dialplan, destination):
    result = dialplan.hunt(call(dialplan, destination))
    assert result.pairs() == [("hangup", "UNALLOCATED_NUMBER")]
    assert not any(app == "socket" for app, _ in result.pairs())


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("destination", [MAIN_FORMS[0], COVID_FORMS[1], FAX_FORMS[0], "0312345678"])
@pytest.mark.parametrize(("number", "name"), HOSTILE_CALLER_IDS)
def test_caller_id_does_not_change_the_decision(dialplan: Dialplan, destination, number, name):
    plain = dialplan.hunt(call(dialplan, destination, caller_id_number="0312345678"))
    hostile = dialplan.hunt(
        call(dialplan, destination, caller_id_number=number, caller_id_name=name)
    )
    assert hostile.extensions == plain.extensions
    assert hostile.pairs() == plain.pairs()


@pytest.mark.req("N-BCP-2")
@pytest.mark.parametrize(
    ("hour", "prompt", "cause"),
    [
        (8, "degraded_open.wav", "NORMAL_TEMPORARY_FAILURE"),
        (18, "degraded_open.wav", "NORMAL_TEMPORARY_FAILURE"),
        (19, "degraded_closed.wav", "NORMAL_CLEARING"),
        (7, "degraded_closed.wav", "NORMAL_CLEARING"),
        (23, "degraded_closed.wav", "NORMAL_CLEARING"),
    ],
)
def test_server_unreachable_plays_static_guidance_by_hours(dialplan: Dialplan, hour, prompt, cause):
    now = datetime(2026, 11, 28, hour, 30, tzinfo=JST)
    run = run_call(dialplan, call(dialplan, "0339811111", now=now), World(socket_reachable=False))
    apps = run.apps()
    assert apps.index("socket") < apps.index("transfer") < apps.index("playback")
    playback = run.first("playback")
    assert playback.data == f"{dialplan.globals['madoguchi_prompts_dir']}/{prompt}"
    assert run.steps[-1].application == "hangup"
    assert run.steps[-1].data == cause
    assert "bridge" not in apps


@pytest.mark.req("N-BCP-2")
def test_server_reachable_means_nothing_after_the_socket_runs(dialplan: Dialplan):
    run = run_call(dialplan, call(dialplan, "0345662466"), World(socket_reachable=True))
    assert run.ended_by == "socket"
    assert run.apps()[-1] == "socket"


@pytest.mark.req("N-BCP-2")
def test_forward_mode_sends_calls_to_the_remote_site_via_the_carrier():
    dialplan = make_dialplan({**ENV, "MADOGUCHI_DEGRADED_MODE": "forward"})
    run = run_call(dialplan, call(dialplan, "+81339811111"), World(socket_reachable=False))
    bridge = run.first("bridge")
    assert bridge.data == f"sofia/gateway/carrier/{ENV['MADOGUCHI_REMOTE_SITE_NUMBER']}"
    assert run.ended_by == "bridge"
    assert run.variables["effective_caller_id_number"] == "0339811111"


@pytest.mark.req("N-BCP-2")
def test_failed_forward_falls_back_to_guidance():
    dialplan = make_dialplan({**ENV, "MADOGUCHI_DEGRADED_MODE": "forward"})
    world = World(socket_reachable=False, bridge_answers=False)
    run = run_call(dialplan, call(dialplan, "0339811111"), world)
    apps = run.apps()
    assert apps.index("bridge") < apps.index("playback")
    assert run.ended_by == "hangup"


@pytest.mark.req("N-BCP-2")
@pytest.mark.parametrize("remote", ["", "abc", "12", "0662001234;transport=tcp"])
def test_forward_mode_without_a_valid_remote_number_plays_guidance(remote):
    dialplan = make_dialplan(
        {**ENV, "MADOGUCHI_DEGRADED_MODE": "forward", "MADOGUCHI_REMOTE_SITE_NUMBER": remote}
    )
    run = run_call(dialplan, call(dialplan, "0339811111"), World(socket_reachable=False))
    assert "bridge" not in run.apps()
    assert "playback" in run.apps()


@pytest.mark.req("F-1.1.1")
def test_degraded_context_is_not_reachable_from_any_sip_profile(loaded):
    doc = loaded.parse()
    contexts = {
        p.get("value") for p in doc.iter("param") if p.get("name") in {"context", "user_context"}
    } | {v.get("value") for v in doc.iter("variable") if v.get("name") == "user_context"}
    assert "madoguchi_degraded" not in contexts
    assert contexts == {"public", "default"}
