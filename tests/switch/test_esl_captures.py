"""Every real capture in shared/fixtures/esl decodes to the values written in it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from switch.esl import EslEvent, EslProtocolError, FrameReader
from switch.esl.encode import serialize_event
from tests.switch.esl_captures import after_blank_line, capture

pytestmark = pytest.mark.req("F-1.1.1")


def _single_event(name: str) -> EslEvent:
    reader = FrameReader()
    frames = reader.feed(capture(name))
    reader.close()
    assert len(frames) == 1
    assert frames[0].content_type == "text/event-plain"
    event = EslEvent.from_frame(frames[0])
    assert event is not None
    return event


@pytest.mark.parametrize(
    ("name", "event_name", "unique_id", "number", "destination", "state", "answer", "seq"),
    [
        (
            "CHANNEL_ANSWER__danbarua-NEventSocket.txt",
            "CHANNEL_ANSWER",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "answered",
            5815,
        ),
        (
            "CHANNEL_BRIDGE__danbarua-NEventSocket.txt",
            "CHANNEL_BRIDGE",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "answered",
            5856,
        ),
        (
            "CHANNEL_CREATE__danbarua-NEventSocket.txt",
            "CHANNEL_CREATE",
            "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f",
            "1001",
            "1003",
            "CS_INIT",
            "ringing",
            5841,
        ),
        (
            "CHANNEL_EXECUTE_COMPLETE__danbarua-NEventSocket.txt",
            "CHANNEL_EXECUTE_COMPLETE",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "answered",
            5818,
        ),
        (
            "CHANNEL_HANGUP__danbarua-NEventSocket.txt",
            "CHANNEL_HANGUP",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "hangup",
            5864,
        ),
        (
            "CHANNEL_PROGRESS_MEDIA__danbarua-NEventSocket.txt",
            "CHANNEL_PROGRESS_MEDIA",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "early",
            5813,
        ),
        (
            "CHANNEL_PROGRESS__danbarua-NEventSocket.txt",
            "CHANNEL_PROGRESS",
            "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f",
            "1001",
            "1003",
            "CS_CONSUME_MEDIA",
            "ringing",
            5846,
        ),
        (
            "CHANNEL_UNBRIDGE__danbarua-NEventSocket.txt",
            "CHANNEL_UNBRIDGE",
            "78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            "1001",
            "3",
            "CS_EXECUTE",
            "hangup",
            5867,
        ),
        (
            "DTMF__danbarua-NEventSocket.txt",
            "DTMF",
            "3a593bc1-c0e7-4e12-9880-c5b444dc572d",
            "1001",
            "1003",
            "CS_EXCHANGE_MEDIA",
            "answered",
            7161,
        ),
    ],
)
def test_recorded_channel_event_decodes_to_its_fields(
    name, event_name, unique_id, number, destination, state, answer, seq
):
    event = _single_event(name)
    assert event.name == event_name
    assert event.unique_id == unique_id
    assert event.caller_id_number == number
    assert event.destination_number == destination
    assert event.channel_state == state
    assert event.answer_state == answer
    assert event.sequence == seq
    # The microsecond timestamp agrees with the human-readable GMT date in the same event.
    gmt = parsedate_to_datetime(event["Event-Date-GMT"])
    assert event.timestamp is not None
    assert event.timestamp.tzinfo is not None
    assert event.timestamp.replace(microsecond=0) == gmt.astimezone(UTC)


def test_recorded_answer_event_decodes_url_encoded_values():
    event = _single_event("CHANNEL_ANSWER__danbarua-NEventSocket.txt")
    assert event.caller_id_name == "Dan X-Lite"
    assert event["Channel-Name"] == "sofia/internal/1001@172.16.50.134"
    assert event["FreeSWITCH-IPv6"] == "2001:0:5ef5:79fd:1c45:341e:53ef:cd79"
    assert event.variables["sip_full_from"] == '"Dan X-Lite" <sip:1001@172.16.50.134>;tag=5996e014'
    assert event.get_array("variable_DP_MATCH") == ["3", "3"]
    sdp = event.variables["switch_r_sdp"]
    assert sdp.startswith("v=0\r\no=- 13065030757513622 1 IN IP4 172.16.50.1\r\n")
    assert sdp.count("\r\n") == 8
    assert event.timestamp == datetime(2015, 1, 6, 15, 12, 38, 395366, tzinfo=UTC)
    assert event.body is None


def test_recorded_hangup_events_carry_the_hangup_cause():
    hangup = _single_event("CHANNEL_HANGUP__danbarua-NEventSocket.txt")
    unbridge = _single_event("CHANNEL_UNBRIDGE__danbarua-NEventSocket.txt")
    assert hangup.hangup_cause == "NORMAL_CLEARING"
    assert unbridge.hangup_cause == "NORMAL_CLEARING"
    assert unbridge["Bridge-B-Unique-ID"] == "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f"


def test_recorded_execute_complete_names_the_application():
    event = _single_event("CHANNEL_EXECUTE_COMPLETE__danbarua-NEventSocket.txt")
    assert event["Application"] == "answer"
    assert event["Application-Response"] == "_none_"


def test_recorded_dtmf_digit_hash_is_decoded():
    event = _single_event("DTMF__danbarua-NEventSocket.txt")
    assert event["DTMF-Digit"] == "#"
    assert event.get_raw("DTMF-Digit") == "%23"
    assert event["DTMF-Duration"] == "800"
    assert event.caller_id_name == "Extension 1001"


def test_connect_reply_header_block_is_the_channel_data_event():
    reader = FrameReader()
    frames = reader.feed(capture("CONNECT_REPLY_CHANNEL_DATA__danbarua-NEventSocket.txt"))
    reader.close()
    assert len(frames) == 1
    frame = frames[0]
    assert frame.content_type == "command/reply"
    assert frame.body == b""
    assert frame.header("Reply-Text") == "+OK\n"
    event = EslEvent.from_frame(frame)
    assert event is not None
    assert event.name == "CHANNEL_DATA"
    assert event.unique_id == "78b86350-4fb8-4d2b-a629-1eeafd7d2f74"
    assert event["Socket-Mode"] == "async"
    assert event["Control"] == "full"
    assert event.variables["current_application_data"] == "127.0.0.1:8084 async full"


def test_api_response_capture_body_is_read_by_content_length():
    reader = FrameReader()
    frames = reader.feed(capture("API_RESPONSE__danbarua-NEventSocket.txt"))
    reader.close()
    assert [(f.content_type, f.body) for f in frames] == [("api/response", b"+OK\n")]
    assert EslEvent.from_frame(frames[0]) is None


def test_disconnect_and_linger_notices_decode():
    reader = FrameReader()
    (disconnect,) = reader.feed(capture("DISCONNECT_NOTICE_disconnect__danbarua-NEventSocket.txt"))
    (linger,) = reader.feed(capture("DISCONNECT_NOTICE_linger__danbarua-NEventSocket.txt"))
    reader.close()
    assert disconnect.content_type == "text/disconnect-notice"
    assert disconnect.header("Content-Disposition") == "disconnect"
    assert disconnect.body.startswith(b"Disconnected, goodbye.\n")
    assert len(disconnect.body) == 67
    assert linger.header("Content-Disposition") == "linger"
    assert linger.header("Linger-Time") == "-1"
    assert linger.header("Channel-Name") == "sofia/internal/1001@172.16.50.134"
    assert linger.header("Controlled-Session-UUID") == "78b86350-4fb8-4d2b-a629-1eeafd7d2f74"


def test_callstate_capture_lacks_its_last_two_bytes_and_decodes_once_completed():
    data = capture("CHANNEL_CALLSTATE__danbarua-NEventSocket.txt")
    reader = FrameReader()
    assert reader.feed(data) == []
    assert reader.pending == len(data) - len(
        b"Content-Length: 1751\nContent-Type: text/event-plain\n\n"
    )
    (frame,) = reader.feed(b"\n\n")
    reader.close()
    event = EslEvent.from_frame(frame)
    assert event is not None
    assert event.name == "CHANNEL_CALLSTATE"
    assert event["Original-Channel-Call-State"] == "HANGUP"
    assert event.channel_state == "CS_DESTROY"
    assert event.unique_id == "005f03fa-c803-428e-92cb-10534ac780dd"
    assert event.caller_id_name == "Helmut Kuper"
    assert event.destination_number == "***6"
    assert event.sequence is None


def test_background_job_doc_example_carries_the_job_result_as_body():
    data = capture("BACKGROUND_JOB__signalwire-freeswitch-docs.txt")
    reader = FrameReader()
    assert reader.feed(data) == []  # the page's outer Content-Length (625) is not byte-exact
    event = EslEvent.from_plain(after_blank_line(data))
    assert event.name == "BACKGROUND_JOB"
    assert event.job_uuid == "7f4db78a-17d7-11dd-b7a0-db4edd065621"
    assert event["Job-Command-Arg"] == "sofia/default/1005 '&park'"
    assert event.body == b"+OK 7f4de4bc-17d7-11dd-b7a0-db4edd065621\n"
    assert "Content-Length" not in event
    # 'Event-Date-timestamp' (2008 spelling): header names are case-insensitive in FreeSWITCH.
    assert event.timestamp == datetime(2008, 5, 1, 23, 37, 3, 894968, tzinfo=UTC)


def test_dtmf_doc_example_decodes_although_its_length_is_not_exact():
    data = capture("DTMF__signalwire-freeswitch-docs.txt")
    event = EslEvent.from_plain(after_blank_line(data))
    assert event.name == "DTMF"
    assert event["DTMF-Digit"] == "1"
    assert event.unique_id == "8dcbb29e-b349-462a-84ca-b0ec73681284"
    assert event.caller_id_name == "Brian West"
    assert event.variables["sip_call_id"] == "7f5751d4-f37ede8d-6a4498be@10.0.1.240"
    assert len(after_blank_line(data)) != 3419


@pytest.mark.parametrize(
    ("name", "event_name", "unique_id", "state"),
    [
        (
            "CHANNEL_CREATE__signalwire-freeswitch-docs.txt",
            "CHANNEL_CREATE",
            "89aaa4da-8a14-11de-9ab6-91a5c9f91e77",
            "CS_NEW",
        ),
        (
            "CHANNEL_BRIDGE__signalwire-freeswitch-docs.txt",
            "CHANNEL_BRIDGE",
            "071ed3fa-8af6-11de-9ab6-91a5c9f91e77",
            "CS_EXECUTE",
        ),
    ],
)
def test_doc_event_dumps_without_framing_decode(name, event_name, unique_id, state):
    event = EslEvent.from_plain(capture(name))
    assert event.name == event_name
    assert event.unique_id == unique_id
    assert event.channel_state == state
    assert event["FreeSWITCH-IPv6"] == "::1"


def test_kazoo_conference_event_decodes_subclass_and_rejects_spaced_timestamp():
    lines = capture("CUSTOM_conference-maintenance_del-member__2600hz-kazoo.txt").splitlines()
    data = b"\n".join(line.removeprefix(b"%% ") for line in lines) + b"\n"
    event = EslEvent.from_plain(data)
    assert event.name == "CUSTOM"
    assert event.subclass == "conference::maintenance"
    assert event.unique_id == "1129d710-c493-45c2-87d4-d45f42e590c7"
    assert event["Action"] == "del-member"
    assert event["Conference-Name"] == "conference_2"
    assert event.caller_id_number == "3148096307"
    assert event.answer_state == "hangup"
    assert event["Event-Date-Timestamp"] == "1319241229897 329"
    assert event.timestamp is None


def test_callcenter_doc_examples_decode_as_custom_events():
    text = capture(
        "CUSTOM_callcenter-info_DOC-EXAMPLES-ABBREVIATED__signalwire-freeswitch-docs.txt"
    )
    blocks = [
        block for block in text.split(b"\n\n") if block.lstrip(b"\n").startswith(b"Event-Subclass:")
    ]
    events = [EslEvent.from_plain(block + b"\n") for block in blocks]
    assert len(events) == 10
    assert all((e.name or "").strip() == "CUSTOM" for e in events)
    assert all(e.subclass is not None and e.subclass.strip() == "callcenter::info" for e in events)
    actions = [(e["CC-Action"] or "").strip() for e in events]
    assert actions[0] == "agent-status-change"
    assert actions.count("member-queue-end") == 2
    start = events[actions.index("member-queue-start")]
    assert start["CC-Member-CID-Name"] == "CHOUINARD MO"
    assert start["CC-Queue"] == "support@default"


def test_fax_variable_excerpt_decodes_into_variables():
    lines = capture("FAX_CHANNEL_VARIABLES_txfax_failed_excerpt__fusionpbx.txt").splitlines()
    data = b"\n".join(line.removeprefix(b"\t--") for line in lines if line.startswith(b"\t--"))
    event = EslEvent.from_plain(data + b"\n")
    assert event.variables["fax_success"] == "0"
    assert event.variables["fax_result_code"] == "49"
    assert event.variables["fax_result_text"] == "The call dropped prematurely"
    assert event.variables["fax_local_station_id"] == "SpanDSP Fax Ident"
    assert event.name is None


def test_hangup_complete_doc_dump_is_decoded_text_not_wire_format():
    data = capture("CHANNEL_HANGUP_COMPLETE__signalwire-freeswitch-docs.txt")
    body = data.split(b"RECV EVENT\n", 1)[1]
    # The page shows decoded values: the multi-line SDP is not a header line and is refused.
    with pytest.raises(EslProtocolError) as info:
        EslEvent.from_plain(body)
    assert info.value.excerpt.startswith(b"o=Z 0 0 IN IP4")
    # Re-encoded as FreeSWITCH would put them on the wire, the values decode back.
    pairs = []
    for line in body.decode().split("\n"):
        if line.startswith("variable_switch_r_sdp"):
            break
        name, _, value = line.partition(": ")
        pairs.append((name, value.rstrip(" ")))
    event = EslEvent.from_plain(serialize_event(pairs))
    assert event.name == "CHANNEL_HANGUP_COMPLETE"
    assert event.unique_id == "e5a82e39-6dc1-4d7d-a300-aa9cd4284073"
    assert event.hangup_cause == "NORMAL_CLEARING"
    assert event.caller_id_number == "1000"
    assert event.destination_number == "3030"
    assert event["Event-Date-GMT"] == "Sat, 10 Oct 2009 00:08:26 GMT"
    assert event.timestamp == datetime(2009, 10, 10, 0, 8, 26, 952270, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    ["HEARTBEAT__EvoluxBR-greenswitch.txt", "CHANNEL_CREATE_decoded__EvoluxBR-greenswitch.txt"],
)
def test_greenswitch_captures_hold_only_prose_and_are_rejected_at_offset_zero(name):
    reader = FrameReader()
    with pytest.raises(EslProtocolError) as info:
        reader.feed(capture(name))
    assert info.value.offset == 0
    assert info.value.reason == "header line without a colon"


def test_greenswitch_log_data_capture_is_an_unterminated_line():
    reader = FrameReader()
    assert reader.feed(capture("LOG_DATA__EvoluxBR-greenswitch.txt")) == []
    with pytest.raises(EslProtocolError) as info:
        reader.close()
    assert info.value.offset == 0
