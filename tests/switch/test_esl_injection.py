"""Attacker-controlled caller names can never create headers (the greenswitch trap)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from switch.esl import EslEvent, FrameReader
from switch.esl.encode import event_frame, serialize_event
from switch.esl.urlcodec import url_encode

UUID = "78b86350-4fb8-4d2b-a629-1eeafd7d2f74"

HOSTILE_NAMES = [
    "%0AUnique-ID: attacker",
    "Mallory\nUnique-ID: attacker\nEvent-Name: CHANNEL_HANGUP",
    "a%3Ab",
    "x: y",
    "Name: value\r\n\r\nContent-Length: 5\n\nboom!",
    "山田 太郎",
    "市役所 窓口課\n: 福祉",
    "%",
    "100%",
    "%E5%B1%B1",
    "_undef_",
    "",
]


def _event_with_caller(name: str, *, double_encode: bool = True) -> tuple[EslEvent, int]:
    headers = [
        ("Event-Name", "CHANNEL_CREATE"),
        ("Caller-Caller-ID-Name", name),
        ("Unique-ID", UUID),
        ("Caller-Caller-ID-Number", "0312345678"),
    ]
    wire = event_frame(serialize_event(headers, double_encode=double_encode))
    reader = FrameReader()
    (frame,) = reader.feed(wire)
    reader.close()
    event = EslEvent.from_frame(frame)
    assert event is not None
    return event, len(headers)


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_caller_name_never_adds_headers_and_decodes_exactly(name):
    event, count = _event_with_caller(name)
    assert len(event) == count
    assert [key for key in event] == [
        "Event-Name",
        "Caller-Caller-ID-Name",
        "Unique-ID",
        "Caller-Caller-ID-Number",
    ]
    expected = name or "_undef_"  # FreeSWITCH writes an empty value as _undef_
    assert event.caller_id_name == expected
    assert event.unique_id == UUID
    assert event.name == "CHANNEL_CREATE"
    assert event.body is None


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_caller_name_without_double_encoding_still_adds_no_header(name):
    # Newer FreeSWITCH can pass an existing %XX through (switch_url_encode_opt): the value may
    # then decode differently, but it stays one value and other headers are untouched.
    event, count = _event_with_caller(name, double_encode=False)
    assert len(event) == count
    assert event.unique_id == UUID
    assert event.name == "CHANNEL_CREATE"
    assert event.caller_id_number == "0312345678"


@pytest.mark.req("F-1.1.1")
def test_decoding_the_block_before_splitting_would_inject_a_header():
    """The trap exists: greenswitch's order of operations turns %0A into a new header."""
    wire = serialize_event(
        [("Caller-Caller-ID-Name", "x%0AUnique-ID: attacker"), ("Unique-ID", UUID)],
        double_encode=False,
    )
    assert any(line == "Unique-ID: attacker" for line in unquote(wire.decode()).split("\n"))
    event = EslEvent.from_plain(wire)
    assert [key for key in event] == ["Caller-Caller-ID-Name", "Unique-ID"]
    assert event.unique_id == UUID


@pytest.mark.req("F-1.1.1")
def test_japanese_caller_name_is_utf8_percent_encoded_on_the_wire():
    wire = serialize_event([("Caller-Caller-ID-Name", "山田 太郎")])
    assert wire == b"Caller-Caller-ID-Name: %E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E\n\n"
    event = EslEvent.from_plain(wire)
    assert event.caller_id_name == "山田 太郎"
    assert event.get_bytes("Caller-Caller-ID-Name") == "山田 太郎".encode()


@pytest.mark.req("F-1.1.1")
def test_non_utf8_caller_name_keeps_its_exact_bytes():
    sjis = "山田".encode("cp932")
    wire = serialize_event([("Caller-Caller-ID-Name", sjis)])
    event = EslEvent.from_plain(wire)
    assert event.get_bytes("Caller-Caller-ID-Name") == sjis
    name = event.caller_id_name
    assert name is not None
    assert "\ufffd" in name
    assert url_encode(sjis) == "%8ER%93c"
