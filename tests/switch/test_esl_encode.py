"""The encoder writes bytes exactly as FreeSWITCH does: round trips over the recorded frames."""

from __future__ import annotations

import json

import pytest

from switch.esl import EslEvent, FrameReader
from switch.esl.encode import (
    api_response,
    auth_request,
    bgapi_reply,
    connect_reply,
    disconnect_notice,
    encode_event_json,
    encode_event_plain,
    encode_frame,
    event_frame,
    linger_notice,
    log_data,
    rude_rejection,
    serialize_event,
)
from switch.esl.urlcodec import SWITCH_URL_UNSAFE, url_decode, url_encode
from tests.switch.esl_captures import byte_exact_captures, capture

pytestmark = pytest.mark.req("F-1.1.1")


@pytest.mark.parametrize("name", byte_exact_captures())
def test_byte_exact_capture_reencodes_to_identical_bytes(name):
    data = capture(name)
    if name.startswith("CHANNEL_CALLSTATE"):
        data += b"\n\n"  # that capture lost its last two bytes (see its note line)
    reader = FrameReader()
    frames = reader.feed(data)
    reader.close()
    assert frames
    assert b"".join(encode_frame(frame) for frame in frames) == data


def test_event_reencoded_from_decoded_values_not_from_raw_text():
    (frame,) = FrameReader().feed(capture("CHANNEL_BRIDGE__danbarua-NEventSocket.txt"))
    event = EslEvent.from_frame(frame)
    assert event is not None
    rebuilt = serialize_event([(k, v) for k, v in event.items()])
    assert rebuilt == frame.body
    assert b"Caller-Caller-ID-Name: Dan%20X-Lite\n" in rebuilt


def test_url_encode_escapes_exactly_what_switch_url_encode_escapes():
    for byte in range(256):
        char = chr(byte)
        keep = 0x20 <= byte <= 0x7E and char not in SWITCH_URL_UNSAFE
        expected = char if keep else "%" + format(byte, "02X")
        assert url_encode(bytes([byte])) == expected, byte
    assert url_encode("sofia/default/1005 '&park'") == "sofia/default/1005%20'%26park'"
    assert url_encode("2001:0:5ef5::1") == "2001%3A0%3A5ef5%3A%3A1"
    assert url_encode("a+b") == "a%2Bb"


def test_url_encode_without_double_encoding_keeps_upper_case_escapes():
    assert url_encode("100%41", double_encode=False) == "100%41"
    assert url_encode("100%4a", double_encode=False) == "100%254a"
    assert url_encode("100%", double_encode=False) == "100%25"
    assert url_encode("100%41") == "100%2541"


def test_url_decode_never_treats_plus_as_space():
    assert url_decode("%2BOK%0A") == "+OK\n"
    assert url_decode("+OK") == "+OK"
    assert url_decode("a%zzb") == "a%zzb"


def test_event_with_body_is_serialized_with_inner_content_length():
    payload = serialize_event(
        [("Event-Name", "BACKGROUND_JOB"), ("Job-UUID", "j-1"), ("Job-Command", "status")],
        "+OK 応答\n",
    )
    body = "+OK 応答\n".encode()
    assert payload.endswith(b"Content-Length: %d\n\n" % len(body) + body)
    event = EslEvent.from_plain(payload)
    assert event.job_uuid == "j-1"
    assert event.body == body
    assert encode_event_plain(event) == payload


def test_empty_value_is_written_as_undef_and_no_body_ends_with_a_blank_line():
    assert serialize_event([("A", ""), ("B", "x")]) == b"A: _undef_\nB: x\n\n"


def test_json_event_round_trips_through_the_same_event_api():
    (frame,) = FrameReader().feed(capture("CHANNEL_ANSWER__danbarua-NEventSocket.txt"))
    plain = EslEvent.from_frame(frame)
    assert plain is not None
    wire = event_frame(encode_event_json(plain), "json")
    (json_frame,) = FrameReader().feed(wire)
    assert json_frame.content_type == "text/event-json"
    event = EslEvent.from_frame(json_frame)
    assert event is not None
    assert event.items() == plain.items()
    assert event.caller_id_name == "Dan X-Lite"
    assert event.get_array("variable_DP_MATCH") == ["3", "3"]
    assert json.loads(json_frame.body)["variable_DP_MATCH"] == ["3", "3"]
    assert encode_frame(json_frame) == wire


def test_json_event_body_comes_from_the_body_key():
    data = b'{"Event-Name":"BACKGROUND_JOB","Job-UUID":"j-2","Content-Length":"4","_body":"+OK\\n"}'
    event = EslEvent.from_json(data)
    assert event.name == "BACKGROUND_JOB"
    assert event.body == b"+OK\n"
    assert "Content-Length" not in event
    assert encode_event_json(event) == data


def test_reply_and_notice_frames_match_mod_event_socket_formats():
    assert auth_request() == b"Content-Type: auth/request\n\n"
    assert bgapi_reply("u-1") == (
        b"Content-Type: command/reply\nReply-Text: +OK Job-UUID: u-1\nJob-UUID: u-1\n\n"
    )
    assert api_response("") == b"Content-Type: api/response\nContent-Length: 14\n\n-ERR no reply\n"
    assert rude_rejection() == (
        b"Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n"
    )
    assert disconnect_notice("bye\n") == (
        b"Content-Type: text/disconnect-notice\nContent-Length: 4\n\nbye\n"
    )
    stream = capture("OUTBOUND_SESSION_STREAM_bridge__danbarua-NEventSocket.txt")
    assert disconnect_notice(controlled_session_uuid="78b86350-4fb8-4d2b-a629-1eeafd7d2f74") in (
        stream
    )
    assert (
        linger_notice(
            controlled_session_uuid="78b86350-4fb8-4d2b-a629-1eeafd7d2f74",
            channel_name="sofia/internal/1001@172.16.50.134",
            linger_time=-1,
        )
        in stream
    )


def test_log_data_frame_decodes_back():
    wire = log_data(
        "接続しました\n",
        level=7,
        text_channel=0,
        log_file="mod_sofia.c",
        log_func="sofia_reg",
        log_line=42,
    )
    (frame,) = FrameReader().feed(wire)
    assert frame.content_type == "log/data"
    assert frame.body.decode() == "接続しました\n"
    assert frame.header("Log-Line") == "42"
    assert encode_frame(frame) == wire


def test_connect_reply_reproduces_the_recorded_one():
    (frame,) = FrameReader().feed(capture("CONNECT_REPLY_CHANNEL_DATA__danbarua-NEventSocket.txt"))
    event = EslEvent.from_frame(frame)
    assert event is not None
    channel = [
        (k, v)
        for k, v in event.items()
        if k not in {"Content-Type", "Reply-Text", "Socket-Mode", "Control"}
    ]
    assert connect_reply(channel, async_mode=True, full=True) == frame.head + b"\n\n"
