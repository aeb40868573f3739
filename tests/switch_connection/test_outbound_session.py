"""Outbound-socket sessions driven by the recorded FreeSWITCH session (OUTBOUND_SESSION_STREAM)."""

from __future__ import annotations

import asyncio
import re

import pytest

from switch.connection.errors import SessionGone
from switch.connection.outbound import OutboundServer, OutboundSession, SessionState
from switch.esl.frames import FrameReader
from tests.switch.esl_captures import capture
from tests.switch_connection.fakeswitch import event_frame

B_LEG = "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f"
EXECUTE = "sendmsg\ncall-command: execute\nexecute-app-name: "
STREAM = "OUTBOUND_SESSION_STREAM_bridge__danbarua-NEventSocket.txt"
_APP_UUID = re.compile(rb"Application-UUID: ([0-9a-f-]{36})")
_EVENT_UUID = re.compile(r"Event-UUID: ([0-9a-f-]{36})")
_APP_NAME = re.compile(r"execute-app-name: (\S+)")
_APPLICATION = re.compile(rb"\nApplication: (\S+)\n")


def recorded_frames() -> list[bytes]:
    """The recorded server->client stream cut into its frames, bytes untouched."""
    data = capture(STREAM)
    frames = FrameReader().feed(data)
    offsets = [f.offset for f in frames] + [len(data)]
    return [data[offsets[i] : offsets[i + 1]] for i in range(len(frames))]


def echo_event_uuid(frame: bytes, executing: dict[str, str]) -> bytes:
    """Put the client's Event-UUID where FreeSWITCH echoes it (Application-UUID, same length)."""
    app = _APPLICATION.search(frame)
    if app is None or app.group(1).decode() not in executing:
        return frame
    event_uuid = executing.pop(app.group(1).decode())
    return _APP_UUID.sub(b"Application-UUID: " + event_uuid.encode(), frame)


async def play_freeswitch(
    port: int, script: list[tuple[str, list[int | bytes]]], frames: list[bytes]
) -> list[str]:
    """Connect like the socket application; answer each expected command with recorded frames."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received: list[str] = []
    executing: dict[str, str] = {}
    for expected, replies in script:
        command = (await reader.readuntil(b"\n\n")).decode().rstrip("\n")
        received.append(command)
        assert command.startswith(expected), (expected, command)
        app, event_uuid = _APP_NAME.search(command), _EVENT_UUID.search(command)
        if app is not None and event_uuid is not None:
            executing[app.group(1)] = event_uuid.group(1)
        for item in replies:
            frame = frames[item] if isinstance(item, int) else item
            if b"CHANNEL_EXECUTE_COMPLETE" in frame[:200]:
                frame = echo_event_uuid(frame, executing)
            writer.write(frame)
        await writer.drain()
    writer.close()
    return received


@pytest.mark.req("F-1.1.1", "F-1.1.3")
def test_recorded_bridge_session_walks_the_state_machine() -> None:
    frames = recorded_frames()
    assert len(frames) == 27
    sessions: list[OutboundSession] = []
    gone: list[BaseException] = []

    async def handler(session: OutboundSession) -> None:
        sessions.append(session)
        assert session.state is SessionState.CONNECTED
        await session.answer()
        assert session.state.value == "answered"
        played = await session.playback("ivr/8000/ivr-call_being_transferred.wav")
        assert played == "FILE PLAYED"
        await session.subscribe("DTMF")
        await session.execute("spandsp_start_dtmf")
        assert await session.api("uuid_exists", session.uuid) == "+OK\n"
        bridge = asyncio.create_task(
            session.bridge(
                "user/1003", {"origination_uuid": "9bc34cb7-1d0a-4c89-8d47-9dc25faa160f"}
            )
        )
        await session.wait_for_state(SessionState.BRIDGED, within=5)
        await session.api("uuid_setvar", f"{session.uuid} madoguchi_menu 2")
        done = await bridge
        assert done.get("Application") == "bridge"
        assert session.state.value == "hung_up"
        try:
            await session.playback("ivr/8000/ivr-thank_you.wav")
        except SessionGone as exc:
            gone.append(exc)

    script: list[tuple[str, list[int | bytes]]] = [
        ("connect", [0]),
        ("myevents plain", [1]),
        ("linger", [2]),
        (
            "sendmsg\ncall-command: execute\nexecute-app-name: answer\nevent-lock: true",
            [3, 4, 5, 6],
        ),
        (
            "sendmsg\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: ivr/",
            [7, 8],
        ),
        ("event plain DTMF", [9]),
        ("sendmsg\ncall-command: execute\nexecute-app-name: spandsp_start_dtmf", [10, 11]),
        ("api uuid_exists 78b86350-4fb8-4d2b-a629-1eeafd7d2f74", [12]),
        (
            "sendmsg\ncall-command: execute\nexecute-app-name: bridge\n"
            "execute-app-arg: {origination_uuid='9bc34cb7-1d0a-4c89-8d47-9dc25faa160f'}user/1003",
            [13, 14, 15, 16, 17],
        ),
        ("api uuid_setvar", [18, 19, 20, 21, 22, 23, 24]),
        ("exit", [25, 26]),
    ]

    async def main() -> list[str]:
        server = OutboundServer(handler, host="127.0.0.1", port=0)
        await server.start()
        try:
            received = await play_freeswitch(server.port, script, frames)
            await asyncio.wait_for(_closed(sessions), 5)
            return received
        finally:
            await server.stop()

    received = asyncio.run(main())
    session = sessions[0]
    assert session.uuid == "78b86350-4fb8-4d2b-a629-1eeafd7d2f74"
    assert session.history == [
        SessionState.CONNECTING,
        SessionState.CONNECTED,
        SessionState.ANSWERED,
        SessionState.BRIDGED,
        SessionState.HUNG_UP,
        SessionState.CLOSED,
    ]
    # CHANNEL_UNBRIDGE after the hangup (FreeSWITCH's order, as recorded) neither revives
    # the call nor counts as an invalid transition.
    assert session.metrics.invalid_transitions == 0
    assert len(gone) == 1
    assert received[-1] == "exit"
    assert session.metrics.malformed_frames == 0


async def _closed(sessions: list[OutboundSession]) -> None:
    while not sessions:  # noqa: ASYNC110 - the session appears when the handler starts
        await asyncio.sleep(0)
    await sessions[0].wait_closed()
    assert sessions[0].state is SessionState.CLOSED


@pytest.mark.req("F-1.1.1")
def test_play_and_get_digits_returns_the_collected_digits() -> None:
    frames = recorded_frames()
    body = frames[8].split(b"\n\n", 1)[1]
    body = body.replace(b"Application: playback", b"Application: play_and_get_digits")
    body = body.replace(b"\n\n", b"\nvariable_madoguchi_digits: 2\n\n", 1)
    collected = event_frame(body)
    results: list[str] = []

    async def handler(session: OutboundSession) -> None:
        results.append(
            await session.play_and_get_digits(
                file="ivr/menu.wav", min_digits=1, max_digits=1, tries=3, timeout_ms=5000
            )
        )

    script: list[tuple[str, list[int | bytes]]] = [
        ("connect", [0]),
        ("myevents", [1]),
        ("linger", [2]),
        (
            "sendmsg\ncall-command: execute\nexecute-app-name: play_and_get_digits\n"
            "execute-app-arg: 1 1 3 5000 # ivr/menu.wav silence_stream://250 "
            "madoguchi_digits \\d+\n",
            [7, collected],
        ),
        ("exit", [25, 26]),
    ]

    async def main() -> None:
        server = OutboundServer(handler, host="127.0.0.1", port=0)
        await server.start()
        try:
            await play_freeswitch(server.port, script, frames)
        finally:
            await server.stop()

    asyncio.run(main())
    assert results == ["2"]


@pytest.mark.req("N-REL-1")
def test_socket_dying_mid_frame_ends_the_session_cleanly() -> None:
    frames = recorded_frames()
    outcome: list[BaseException] = []
    sessions: list[OutboundSession] = []

    async def handler(session: OutboundSession) -> None:
        sessions.append(session)
        try:
            await session.answer()
        except SessionGone as exc:
            outcome.append(exc)

    async def main() -> None:
        server = OutboundServer(handler, host="127.0.0.1", port=0)
        await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            for reply in ([0], [1], [2]):
                await reader.readuntil(b"\n\n")
                writer.write(frames[reply[0]])
            await reader.readuntil(b"\n\n")
            writer.write(frames[4][:300])
            await writer.drain()
            writer.close()
            await asyncio.wait_for(_closed(sessions), 5)
        finally:
            await server.stop()

    asyncio.run(main())
    assert len(outcome) == 1
    assert sessions[0].metrics.partial_frames == 1
    assert sessions[0].history[-1] is SessionState.CLOSED
