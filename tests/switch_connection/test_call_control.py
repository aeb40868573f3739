"""Call-control command strings, -ERR mapping, validation and reconciliation (no network)."""

from __future__ import annotations

import asyncio

import pytest

from switch.connection.channels import ChannelRow, KnownChannel, parse_show_channels
from switch.connection.control import CallControl, Originated
from switch.connection.errors import (
    CommandFailed,
    InvalidCallArgument,
    NoSuchChannel,
    OriginateFailed,
)
from switch.connection.reconcile import reconcile

A = "11111111-1111-4111-8111-111111111111"
B = "22222222-2222-4222-8222-222222222222"
C = "33333333-3333-4333-8333-333333333333"


class Recorder:
    """Records bgapi calls and answers from a script."""

    def __init__(self, *replies: str) -> None:
        self.sent: list[str] = []
        self._replies = list(replies)

    async def bgapi(self, command: str, arg: str | None = None) -> str:
        self.sent.append(f"{command} {arg}" if arg else command)
        return self._replies.pop(0) if self._replies else "+OK\n"


def run(recorder: Recorder, call: str, **kwargs: object) -> object:
    async def main() -> object:
        return await getattr(CallControl(recorder), call)(**kwargs)

    return asyncio.run(main())


@pytest.mark.req("F-1.1.1", "F-1.1.3")
@pytest.mark.parametrize(
    ("call", "kwargs", "expected"),
    [
        ("bridge", {"uuid": A, "other_uuid": B}, [f"uuid_bridge {A} {B}"]),
        ("transfer", {"uuid": A, "destination": "2001"}, [f"uuid_transfer {A} 2001 XML default"]),
        (
            "transfer",
            {"uuid": A, "destination": "2001", "leg": "-bleg"},
            [f"uuid_transfer {A} -bleg 2001 XML default"],
        ),
        ("kill", {"uuid": A}, [f"uuid_kill {A} NORMAL_CLEARING"]),
        ("answer", {"uuid": A}, [f"uuid_answer {A}"]),
        (
            "broadcast",
            {"uuid": A, "path": "local_stream://moh"},
            [f"uuid_broadcast {A} local_stream://moh aleg"],
        ),
        (
            "record_start",
            {"uuid": A, "path": "/var/rec/a.wav"},
            [f"uuid_setvar {A} RECORD_STEREO true", f"uuid_record {A} start /var/rec/a.wav"],
        ),
        ("record_stop", {"uuid": A}, [f"uuid_record {A} stop all"]),
        ("hold", {"uuid": A}, [f"uuid_hold {A}"]),
        ("hold", {"uuid": A, "on": False}, [f"uuid_hold off {A}"]),
        ("setvar", {"uuid": A, "name": "menu", "value": "年金"}, [f"uuid_setvar {A} menu 年金"]),
        (
            "conference_join",
            {"uuid": A, "room": "room1", "flags": ("mute", "deaf")},
            [f"uuid_transfer {A} conference:room1@default+flags{{mute|deaf}} inline"],
        ),
        (
            "consult_complete",
            {"customer_uuid": A, "agent_uuid": B, "consult_uuid": C},
            [
                f"uuid_bridge {A} {C}",
                f"uuid_setvar {A} park_after_bridge false",
                f"uuid_kill {B} NORMAL_CLEARING",
            ],
        ),
        (
            "consult_cancel",
            {"customer_uuid": A, "agent_uuid": B, "consult_uuid": C},
            [
                f"uuid_kill {C} NORMAL_CLEARING",
                f"uuid_bridge {A} {B}",
                f"uuid_setvar {A} park_after_bridge false",
                f"uuid_setvar {B} park_after_bridge false",
            ],
        ),
    ],
)
def test_call_control_sends_exact_commands(
    call: str, kwargs: dict[str, object], expected: list[str]
) -> None:
    recorder = Recorder()
    run(recorder, call, **kwargs)
    assert recorder.sent == expected


@pytest.mark.req("F-1.1.1")
def test_originate_for_an_agent_phone_auto_answers() -> None:
    recorder = Recorder(f"+OK {A}\n")
    result = run(
        recorder,
        "originate",
        uuid=A,
        endpoint="user/agent101",
        auto_answer=True,
        caller_id_name="山田 太郎",
        caller_id_number="0312345678",
    )
    assert recorder.sent == [
        "originate {origination_uuid='" + A + "',originate_timeout='60',"
        "origination_caller_id_name='山田 太郎',origination_caller_id_number='0312345678',"
        "sip_auto_answer='true'}user/agent101 &park()"
    ]
    assert result == Originated(uuid=A)


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    ("mode", "extra"),
    [
        ("listen", ""),
        ("whisper", ",eavesdrop_whisper_bleg='true'"),
        ("barge", ",eavesdrop_whisper_bleg='true',eavesdrop_whisper_aleg='true'"),
    ],
)
def test_eavesdrop_modes(mode: str, extra: str) -> None:
    recorder = Recorder(f"+OK {B}\n")
    run(recorder, "eavesdrop", uuid=A, supervisor_uuid=B, endpoint="user/sv1", mode=mode)
    assert recorder.sent == [
        "originate {origination_uuid='" + B + "',originate_timeout='60',"
        "sip_auto_answer='true',eavesdrop_enable_dtmf='false'" + extra + "}user/sv1"
        f" &eavesdrop({A})"
    ]


@pytest.mark.req("F-1.1.1")
def test_txfax_originates_with_fax_variables() -> None:
    recorder = Recorder(f"+OK {A}\n")
    run(
        recorder,
        "send_fax",
        uuid=A,
        endpoint="sofia/gateway/trunk/0359801111",
        tiff_path="/var/fax/out.tiff",
        ident="0359801111",
        header="Toshima City",
    )
    assert recorder.sent == [
        "originate {origination_uuid='" + A + "',originate_timeout='60',fax_ident='0359801111',"
        "fax_header='Toshima City'}sofia/gateway/trunk/0359801111 &txfax(/var/fax/out.tiff)"
    ]


@pytest.mark.req("F-1.1.1", "F-1.1.3")
def test_err_replies_become_typed_errors() -> None:
    with pytest.raises(NoSuchChannel) as gone:
        run(Recorder("-ERR No such channel!\n"), "kill", uuid=A)
    assert gone.value.reason == "No such channel!"
    with pytest.raises(OriginateFailed) as busy:
        run(Recorder("-ERR USER_BUSY\n"), "originate", uuid=A, endpoint="user/1001")
    assert busy.value.reason == "USER_BUSY"
    with pytest.raises(CommandFailed) as usage:
        run(Recorder("-USAGE: <uuid> [cause]\n"), "kill", uuid=A)
    assert not isinstance(usage.value, NoSuchChannel)


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("kill", {"uuid": f"{A} {B}"}),
        ("kill", {"uuid": A, "cause": "X\nbgapi system"}),
        ("setvar", {"uuid": A, "name": "a", "value": "${system(rm -rf /)}"}),
        ("originate", {"uuid": A, "endpoint": "user/1001", "caller_id_name": "x',y='1"}),
        ("originate", {"uuid": A, "endpoint": "user/1001", "caller_id_name": "a}user/999"}),
        ("originate", {"uuid": A, "endpoint": "user/1001", "caller_id_number": "03-1234"}),
        ("originate", {"uuid": A, "endpoint": "user/1001 &system(x)"}),
        ("broadcast", {"uuid": A, "path": "a.wav both"}),
    ],
)
def test_untrusted_values_are_refused_before_sending(call: str, kwargs: dict[str, object]) -> None:
    recorder = Recorder()
    with pytest.raises(InvalidCallArgument):
        run(recorder, call, **kwargs)
    assert recorder.sent == []


def _row(uuid: str, callstate: str, epoch: int = 1) -> ChannelRow:
    return ChannelRow(
        uuid, "inbound", epoch, "sofia/x", "CS_EXECUTE", "n", "1", "1000", callstate, uuid
    )


@pytest.mark.req("N-REL-1")
def test_reconcile_reports_missed_creations_answers_holds_and_hangups() -> None:
    known = {
        A: KnownChannel(A, "RINGING", 1),
        B: KnownChannel(B, "ACTIVE", 1),
        C: KnownChannel(C, "HELD", 1),
    }
    d = "44444444-4444-4444-8444-444444444444"
    e = "55555555-5555-4555-8555-555555555555"
    rows = [_row(A, "ACTIVE"), _row(C, "ACTIVE"), _row(d, "HELD", 2), _row(e, "RINGING", 3)]
    events = reconcile(known, rows, ended={e}, connection=2)
    assert [(ev.name, ev.unique_id) for ev in events] == [
        ("CHANNEL_ANSWER", A),
        ("CHANNEL_UNHOLD", C),
        ("CHANNEL_CREATE", d),
        ("CHANNEL_ANSWER", d),
        ("CHANNEL_HOLD", d),
        ("CHANNEL_HANGUP_COMPLETE", B),
    ]
    assert all(ev.synthetic and ev.connection == 2 for ev in events)
    assert reconcile(known, [_row(A, "RINGING"), _row(B, "ACTIVE"), _row(C, "HELD")]) == []


@pytest.mark.req("N-REL-1")
def test_show_channels_json_is_parsed_including_the_empty_form() -> None:
    assert parse_show_channels('{"row_count":0}') == []
    text = (
        '{"row_count":1,"rows":[{"uuid":"' + A + '","direction":"inbound",'
        '"created":"2024-01-01 09:00:00","created_epoch":"1704067200","name":"sofia/internal/1001",'
        '"state":"CS_EXECUTE","cid_name":"山田","cid_num":"1001","ip_addr":"10.0.0.1",'
        '"dest":"1000","callstate":"ACTIVE","call_uuid":"' + A + '"}]}'
    )
    (row,) = parse_show_channels(text)
    assert (row.uuid, row.created_epoch, row.cid_name, row.callstate) == (
        A,
        1704067200,
        "山田",
        "ACTIVE",
    )
