"""Scripted calls through an outbound-socket app: digits, bridge, recording, fax, and captures."""

from __future__ import annotations

import asyncio
import struct
import wave
from pathlib import Path

import pytest

from switch.esl import EslEvent, Frame, FrameReader
from switch.standin import FreeSwitchStandIn
from tests.switch_standin.client import EslClient, capture, outbound_app

PAGD = b"1 1 3 5000 # menu.wav invalid.wav choice \\d"


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]


def execute(app: bytes, arg: bytes = b"") -> bytes:
    lines = b"sendmsg\ncall-command: execute\nexecute-app-name: " + app + b"\n"
    if arg:
        lines += b"execute-app-arg: " + arg + b"\n"
    return lines + b"event-lock: true\n\n"


class Recorder:
    """Collects every frame an outbound app received, in order."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.done = asyncio.Event()

    def events(self, name: str) -> list[EslEvent]:
        out = []
        for frame in self.frames:
            event = EslEvent.from_frame(frame)
            if frame.is_event and event is not None and event.name == name:
                out.append(event)
        return out


async def ivr_app(
    client: EslClient, seen: Recorder, then: list[bytes], subscribe: bytes = b"myevents\n\n"
) -> None:
    """connect, myevents, linger, answer, play_and_get_digits, then ``then`` commands."""
    client.writer.write(b"connect\n\n")
    seen.frames.append(await client.frame())
    for command in [
        subscribe,
        b"linger\n\n",
        execute(b"answer"),
        execute(b"play_and_get_digits", PAGD),
        *then,
    ]:
        client.writer.write(command)
    try:
        while True:
            frame = await client.frame()
            seen.frames.append(frame)
            if frame.raw_header("Content-Disposition") == "linger":
                client.writer.write(b"exit\n\n")
    except EOFError:
        pass
    finally:
        seen.done.set()


@pytest.mark.req("F-1.1.1")
def test_scripted_call_reaches_outbound_app_and_digits_arrive(tmp_path: Path) -> None:
    async def scenario() -> None:
        seen = Recorder()
        server, port = await outbound_app(lambda c: ivr_app(c, seen, []))
        fs = FreeSwitchStandIn(outbound=("127.0.0.1", port), scale=0.01, media_dir=tmp_path)
        await fs.start()
        call = await fs.call(did="0339811111", caller="09012345678")
        await call.wait(2).press("1").hangup_after(40)
        await asyncio.wait_for(seen.done.wait(), 5)
        connect = seen.frames[0]
        assert connect.carries_channel_data
        data = EslEvent.from_frame(connect)
        assert data is not None
        assert data.name == "CHANNEL_DATA"
        assert data.destination_number == "0339811111"
        assert data.caller_id_number == "09012345678"
        assert connect.raw_header("Reply-Text") == "%2BOK%0A"
        replies = [f.header("Reply-Text") for f in seen.frames if f.content_type == "command/reply"]
        assert replies[:4] == ["+OK\n", "+OK Events Enabled", "+OK will linger", "+OK"]
        done = [
            e
            for e in seen.events("CHANNEL_EXECUTE_COMPLETE")
            if e.get("Application") == "play_and_get_digits"
        ]
        assert done[0].get("variable_choice") == "1"
        assert [e.get("DTMF-Digit") for e in seen.events("DTMF")] == ["1"]
        kinds = [
            f.raw_header("Content-Disposition")
            for f in seen.frames
            if f.content_type == "text/disconnect-notice"
        ]
        assert kinds == ["linger", "disconnect"]
        server.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("F-1.1.1")
def test_outbound_bridge_to_agent_and_hangup_order_matches_the_recorded_session(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        seen = Recorder()
        events = (
            b"event plain CHANNEL_CREATE CHANNEL_PROGRESS CHANNEL_ANSWER CHANNEL_BRIDGE "
            b"CHANNEL_UNBRIDGE CHANNEL_HANGUP DTMF CHANNEL_EXECUTE_COMPLETE\n\n"
        )
        then = [
            execute(b"bridge", b"{origination_uuid=9bc34cb7-1d0a-4c89-8d47-9dc25faa160f}user/1001")
        ]
        server, port = await outbound_app(lambda c: ivr_app(c, seen, then, events))
        fs = FreeSwitchStandIn(outbound=("127.0.0.1", port), scale=0.01, media_dir=tmp_path)
        await fs.start()
        fs.register_agent("1001", answer_delay=1)
        call = await fs.call(did="0339811111", caller="09012345678")
        await call.wait(1).press("2").hangup_after(30)
        await asyncio.wait_for(seen.done.wait(), 5)
        order = [
            (EslEvent.from_frame(f) or EslEvent([])).name or f.content_type
            for f in seen.frames[1:]
            if f.content_type != "command/reply"
        ]
        wanted = (
            "CHANNEL_CREATE",
            "CHANNEL_PROGRESS",
            "CHANNEL_ANSWER",
            "CHANNEL_BRIDGE",
            "CHANNEL_HANGUP",
            "CHANNEL_UNBRIDGE",
            "text/disconnect-notice",
        )
        real = [
            (EslEvent.from_frame(f) or EslEvent([])).name or f.content_type
            for f in FrameReader().feed(
                capture("OUTBOUND_SESSION_STREAM_bridge__danbarua-NEventSocket.txt")
            )[1:]
            if f.content_type != "command/reply"
        ]
        real_order = [n for n in real if n in wanted]
        ours = [n for n in order if n in wanted]
        assert ours[-len(real_order) + 1 :] == real_order[1:], (ours, real_order)
        assert "CHANNEL_UNBRIDGE" in order
        assert order.index("CHANNEL_UNBRIDGE") > order.index("CHANNEL_BRIDGE")
        bridge = seen.events("CHANNEL_BRIDGE")[0]
        assert bridge.get("Bridge-A-Unique-ID") == call.uuid
        assert bridge.get("Bridge-B-Unique-ID") == "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f"
        compare_with_captures(seen.frames)
        server.close()
        await fs.stop()

    run(scenario())


def names(frame: Frame) -> list[str]:
    """Header names of an event frame, variables left out (they are call-specific)."""
    event = EslEvent.from_frame(frame)
    assert event is not None
    return [k for k, _ in event.raw_items() if not k.startswith("variable_")]


def capture_frame(name: str) -> Frame:
    frames = FrameReader().feed(capture(name))
    return frames[0]


def compare_with_captures(frames: list[Frame]) -> None:
    """For each captured event type, the stand-in's frame has the same header names in order."""
    by_key: dict[tuple[str, str | None], Frame] = {}
    for frame in frames:
        event = EslEvent.from_frame(frame)
        if frame.is_event and event is not None and event.name:
            by_key.setdefault((event.name, event.get("Call-Direction")), frame)
    cases = {
        "CHANNEL_CREATE__danbarua-NEventSocket.txt": ("CHANNEL_CREATE", "outbound"),
        "CHANNEL_PROGRESS__danbarua-NEventSocket.txt": ("CHANNEL_PROGRESS", "outbound"),
        "CHANNEL_ANSWER__danbarua-NEventSocket.txt": ("CHANNEL_ANSWER", "inbound"),
        "CHANNEL_EXECUTE_COMPLETE__danbarua-NEventSocket.txt": (
            "CHANNEL_EXECUTE_COMPLETE",
            "inbound",
        ),
        "CHANNEL_BRIDGE__danbarua-NEventSocket.txt": ("CHANNEL_BRIDGE", "inbound"),
        "CHANNEL_HANGUP__danbarua-NEventSocket.txt": ("CHANNEL_HANGUP", "inbound"),
        "CHANNEL_UNBRIDGE__danbarua-NEventSocket.txt": ("CHANNEL_UNBRIDGE", "inbound"),
    }
    for capture_name, key in cases.items():
        real = capture_frame(capture_name)
        ours = by_key[key]
        assert [n for n, _ in ours.raw_headers] == [n for n, _ in real.raw_headers]
        assert names(ours) == names(real), capture_name
    connect_real = capture_frame("CONNECT_REPLY_CHANNEL_DATA__danbarua-NEventSocket.txt")
    assert names(frames[0]) == names(connect_real)


@pytest.mark.req("F-1.1.1")
def test_replies_and_notices_are_framed_like_the_captures(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        ours = await c.send(b"api uuid_setvar 00000000-0000-0000-0000-000000000000 a b\n\n")
        real = capture_frame("API_RESPONSE__danbarua-NEventSocket.txt")
        assert [n for n, _ in ours.raw_headers] == [n for n, _ in real.raw_headers]
        bye = await c.send(b"exit\n\n")
        assert [n for n, _ in bye.raw_headers] == ["Content-Type", "Reply-Text"]
        notice = await c.frame()
        real_notice = capture_frame("DISCONNECT_NOTICE_disconnect__danbarua-NEventSocket.txt")
        assert notice.body == real_notice.body
        c.close()
        await fs.stop()

    run(scenario())


@pytest.mark.req("F-1.1.1")
def test_uuid_record_writes_stereo_wav_with_record_events(tmp_path: Path) -> None:
    async def scenario() -> None:
        fs = FreeSwitchStandIn(media_dir=tmp_path, scale=0.01)
        await fs.start()
        c = await EslClient.connect(fs.port)
        await c.login()
        await c.send(b"event plain RECORD_START RECORD_STOP\n\n")
        call = await fs.call(did="0339811111", caller="09012345678")
        await c.send(f"api uuid_answer {call.uuid}\n\n".encode())
        path = tmp_path / "rec" / "call.wav"
        ok = await c.send(f"api uuid_setvar {call.uuid} RECORD_STEREO true\n\n".encode())
        assert ok.body == b"+OK\n"
        start = await c.send(f"api uuid_record {call.uuid} start {path}\n\n".encode())
        assert start.body == b"+OK Success\n"
        _, started = await c.event("RECORD_START")
        assert started.get("Record-File-Path") == str(path)
        await call.wait(3)
        stop = await c.send(f"api uuid_record {call.uuid} stop {path}\n\n".encode())
        assert stop.body == b"+OK Success\n"
        _, stopped = await c.event("RECORD_STOP")
        assert stopped.get("Record-File-Path") == str(path)
        seconds = int(stopped.get("variable_record_seconds") or "0")
        assert 3 <= seconds <= 4
        with wave.open(str(path), "rb") as wav:
            assert wav.getnchannels() == 2
            assert wav.getframerate() == 8000
            assert wav.getsampwidth() == 2
            assert wav.getnframes() == int(stopped.get("variable_record_samples") or "-1")
        again = await c.send(f"api uuid_record {call.uuid} stop {path}\n\n".encode())
        assert again.body == b"-ERR Cannot stop record session!\n"
        c.close()
        await fs.stop()

    run(scenario())


def tiff_pages(data: bytes) -> list[dict[int, int]]:
    """Each IFD's SHORT/LONG tags, and resolution numerators, read with struct."""
    assert data[:4] == b"II*\x00"
    (offset,) = struct.unpack_from("<I", data, 4)
    pages = []
    while offset:
        (count,) = struct.unpack_from("<H", data, offset)
        tags: dict[int, int] = {}
        for i in range(count):
            tag, kind, _, value = struct.unpack_from("<HHII", data, offset + 2 + 12 * i)
            if kind == 3:
                value &= 0xFFFF
            if kind == 5:
                value = struct.unpack_from("<I", data, value)[0]
            tags[tag] = value
        pages.append(tags)
        (offset,) = struct.unpack_from("<I", data, offset + 2 + 12 * count)
    return pages


@pytest.mark.req("F-1.5.1")
def test_fax_reception_writes_multipage_tiff_and_fires_rxfaxresult(tmp_path: Path) -> None:
    async def scenario() -> None:
        seen = Recorder()
        fax = tmp_path / "fax" / "in.tif"
        then = [
            b"event plain CUSTOM spandsp::rxfaxresult\n\n",
            execute(b"rxfax", str(fax).encode()),
            execute(b"hangup"),
        ]

        async def app(client: EslClient) -> None:
            client.writer.write(b"connect\n\n")
            seen.frames.append(await client.frame())
            for command in then:
                client.writer.write(command)
            try:
                while True:
                    seen.frames.append(await client.frame())
            except EOFError:
                seen.done.set()

        server, port = await outbound_app(app)
        fs = FreeSwitchStandIn(outbound=("127.0.0.1", port), scale=0.01, media_dir=tmp_path)
        await fs.start()
        await fs.call(did="0339815555", caller="0339810000", fax_pages=3)
        await asyncio.wait_for(seen.done.wait(), 5)
        results = [EslEvent.from_frame(f) for f in seen.frames if f.is_event]
        fax_events = [e for e in results if e is not None and e.subclass == "spandsp::rxfaxresult"]
        assert len(fax_events) == 1
        result = fax_events[0]
        assert result.name == "CUSTOM"
        assert result.get("variable_fax_success") == "1"
        assert result.get("variable_fax_result_code") == "0"
        assert result.get("variable_fax_document_total_pages") == "3"
        assert result.destination_number == "0339815555"
        pages = tiff_pages(fax.read_bytes())
        assert len(pages) == 3
        assert all(p[282] == 204 and p[283] == 98 and p[258] == 1 for p in pages)
        assert [p[297] for p in pages] == [0, 1, 2]
        server.close()
        await fs.stop()

    run(scenario())
