"""FrameReader: incremental framing of the recorded outbound session, and malformed input."""

from __future__ import annotations

import random

import pytest

from switch.esl import EslEvent, EslProtocolError, Frame, FrameReader
from switch.esl.encode import api_response, command_reply, event_frame, serialize_event
from tests.switch.esl_captures import capture

STREAM = "OUTBOUND_SESSION_STREAM_bridge__danbarua-NEventSocket.txt"


def _summary(frames: list[Frame]) -> list[tuple[tuple[tuple[str, str], ...], bytes, int]]:
    return [(f.raw_headers, f.body, f.offset) for f in frames]


def _whole(data: bytes) -> list[Frame]:
    reader = FrameReader()
    frames = reader.feed(data)
    reader.close()
    return frames


@pytest.mark.req("F-1.1.1")
def test_outbound_session_stream_yields_every_frame_in_order():
    frames = _whole(capture(STREAM))
    types = [f.content_type for f in frames]
    assert len(frames) == 27
    assert types[:4] == ["command/reply"] * 4
    assert types.count("text/event-plain") == 14
    assert types.count("command/reply") == 9
    assert types.count("api/response") == 2
    assert types[-1] == "text/disconnect-notice"
    names = [e.name for f in frames if (e := EslEvent.from_frame(f)) is not None]
    assert names[0] == "CHANNEL_DATA"
    assert names[1:4] == ["CHANNEL_PROGRESS_MEDIA", "CHANNEL_ANSWER", "CHANNEL_EXECUTE_COMPLETE"]
    assert frames[1].header("Reply-Text") == "+OK event listener enabled plain"


@pytest.mark.req("F-1.1.1", "N-REL-1")
def test_stream_fed_one_byte_at_a_time_gives_the_same_frames():
    data = capture(STREAM)
    expected = _summary(_whole(data))
    reader = FrameReader()
    got: list[Frame] = []
    for i in range(len(data)):
        got += reader.feed(data[i : i + 1])
    reader.close()
    assert _summary(got) == expected


@pytest.mark.req("F-1.1.1", "N-REL-1")
def test_every_frame_split_at_every_byte_boundary_gives_the_same_frame():
    data = capture(STREAM)
    frames = _whole(data)
    ends = [f.offset for f in frames[1:]] + [len(data)]
    for frame, end in zip(frames, ends, strict=True):
        chunk = data[frame.offset : end]
        for cut in range(len(chunk) + 1):
            reader = FrameReader()
            got = reader.feed(chunk[:cut]) + reader.feed(chunk[cut:])
            reader.close()
            assert len(got) == 1, (frame.offset, cut)
            assert (got[0].raw_headers, got[0].body) == (frame.raw_headers, frame.body)


@pytest.mark.req("N-REL-1")
def test_stream_in_random_chunks_gives_the_same_frames():
    data = capture(STREAM)
    expected = _summary(_whole(data))
    rng = random.Random(20260127)
    for _ in range(50):
        reader = FrameReader()
        got: list[Frame] = []
        pos = 0
        while pos < len(data):
            size = rng.randint(1, 9000)
            got += reader.feed(data[pos : pos + size])
            pos += size
        reader.close()
        assert _summary(got) == expected


@pytest.mark.req("N-REL-1")
def test_many_frames_in_one_chunk_and_stray_blank_lines_between_them():
    event = event_frame(serialize_event([("Event-Name", "HEARTBEAT")]))
    data = b"\n" + command_reply("+OK") + api_response("+OK done\n") + b"\n\n" + event * 3
    frames = _whole(data)
    assert [f.content_type for f in frames] == [
        "command/reply",
        "api/response",
        "text/event-plain",
        "text/event-plain",
        "text/event-plain",
    ]
    assert frames[0].offset == 1
    assert frames[1].body == b"+OK done\n"


def _feed_and_close(reader: FrameReader, *chunks: bytes) -> None:
    for chunk in chunks:
        reader.feed(chunk)
    reader.close()


def _error(data: bytes, **limits: int) -> EslProtocolError:
    reader = FrameReader(**limits)
    with pytest.raises(EslProtocolError) as info:
        _feed_and_close(reader, data)
    return info.value


@pytest.mark.req("N-REL-1")
def test_header_line_without_colon_is_a_protocol_error_at_its_offset():
    good = command_reply("+OK")
    err = _error(good + b"Content-Type: api/response\ngarbage line\n\n")
    assert err.offset == len(good) + len(b"Content-Type: api/response\n")
    assert err.excerpt == b"garbage line"
    assert [f.content_type for f in err.frames] == ["command/reply"]


@pytest.mark.req("N-REL-1")
def test_header_line_without_colon_is_reported_before_the_block_ends():
    reader = FrameReader()
    assert reader.feed(b"Content-Type: api/response\n") == []
    with pytest.raises(EslProtocolError) as info:
        reader.feed(b"no colon here\nCont")
    assert info.value.offset == len(b"Content-Type: api/response\n")


@pytest.mark.req("N-REL-1")
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"-1", "negative Content-Length"),
        (b"abc", "non-numeric Content-Length"),
        (b"", "non-numeric Content-Length"),
        (b"1e3", "non-numeric Content-Length"),
        (b"0x10", "non-numeric Content-Length"),
        ("\u0663".encode(), "non-numeric Content-Length"),
    ],
)
def test_bad_content_length_is_a_protocol_error(value, reason):
    err = _error(b"Content-Type: api/response\nContent-Length: " + value + b"\n\nxyz")
    assert err.reason == reason
    assert err.offset == len(b"Content-Type: api/response\n")


@pytest.mark.req("N-REL-1")
def test_conflicting_content_lengths_are_a_protocol_error():
    err = _error(b"Content-Length: 3\nContent-Type: api/response\nContent-Length: 4\n\nabcd")
    assert err.reason == "conflicting Content-Length headers"


@pytest.mark.req("N-REL-1")
def test_header_block_over_64_kib_is_a_protocol_error_without_waiting_for_its_end():
    reader = FrameReader()
    line = b"X-Filler: " + b"a" * 1000 + b"\n"
    with pytest.raises(EslProtocolError) as info:
        _feed_and_close(reader, *[line] * 70)
    assert info.value.reason == "header block larger than the limit"
    assert info.value.offset == 64 * 1024


@pytest.mark.req("N-REL-1")
def test_body_over_16_mib_is_refused_as_soon_as_its_length_is_read():
    err = _error(b"Content-Type: api/response\nContent-Length: %d\n\n" % (16 * 1024 * 1024 + 1))
    assert err.reason == "body larger than the limit"


@pytest.mark.req("N-REL-1")
def test_body_of_exactly_the_limit_is_accepted():
    reader = FrameReader(max_body_bytes=10)
    (frame,) = reader.feed(b"Content-Type: api/response\nContent-Length: 10\n\n0123456789")
    assert frame.body == b"0123456789"


@pytest.mark.req("N-REL-1")
def test_reader_stays_failed_after_a_protocol_error():
    reader = FrameReader()
    with pytest.raises(EslProtocolError):
        reader.feed(b"bad\n")
    with pytest.raises(EslProtocolError):
        reader.feed(command_reply("+OK"))


@pytest.mark.req("N-REL-1")
def test_truncated_stream_is_reported_at_the_start_of_the_cut_frame():
    good = command_reply("+OK")
    reader = FrameReader()
    assert len(reader.feed(good + b"Content-Type: api/response\nContent-Length: 10\n\n0123")) == 1
    with pytest.raises(EslProtocolError) as info:
        reader.close()
    assert info.value.offset == len(good)


@pytest.mark.req("N-REL-1")
def test_malformed_event_body_is_a_protocol_error():
    with pytest.raises(EslProtocolError) as info:
        EslEvent.from_plain(b"Event-Name: CUSTOM\nno colon\n\n", offset=100)
    assert info.value.offset == 100 + len(b"Event-Name: CUSTOM\n")
    with pytest.raises(EslProtocolError):
        EslEvent.from_plain(b"Event-Name: BACKGROUND_JOB\nContent-Length: 9\n\n+OK\n")
    with pytest.raises(EslProtocolError):
        EslEvent.from_plain(b"Event-Name: BACKGROUND_JOB\nContent-Length: x\n\n+OK\n")
    with pytest.raises(EslProtocolError):
        EslEvent.from_json(b"[1, 2]")
    with pytest.raises(EslProtocolError):
        EslEvent.from_json(b"{not json")


@pytest.mark.req("F-1.1.1")
def test_unknown_content_type_and_unknown_event_are_still_decoded():
    frames = _whole(b"Content-Type: text/x-future\nContent-Length: 2\n\nhi")
    assert frames[0].content_type == "text/x-future"
    assert frames[0].body == b"hi"
    event = EslEvent.from_plain(serialize_event([("Event-Name", "SOMETHING_NEW"), ("A", "b")]))
    assert event.name == "SOMETHING_NEW"
    assert event.unique_id is None
    assert event.timestamp is None
    assert dict(event.variables) == {}
