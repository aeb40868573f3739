"""The inbound ESL client against a loopback server replaying real FreeSWITCH capture bytes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from switch.connection.client import Backoff, ClientConfig, EslClient
from switch.connection.events import RECONCILED_HEADER, SwitchEvent
from tests.switch_connection.fakeswitch import (
    Conn,
    FakeSwitch,
    api_response,
    background_job,
    capture_event,
    event_frame,
    on_switch,
    with_header,
)

CREATE = "CHANNEL_CREATE__danbarua-NEventSocket.txt"
FAST = Backoff(initial=0.01, factor=2.0, maximum=0.05, jitter=0.0)


def make_client(fake: FakeSwitch, **overrides: object) -> EslClient:
    params: dict[str, object] = {
        "host": "127.0.0.1",
        "port": fake.port,
        "password": "ClueCon",
        "backoff": FAST,
        "silence_timeout": 5.0,
        "command_timeout": 5.0,
        "connect_timeout": 2.0,
    }
    params.update(overrides)
    return EslClient(ClientConfig(**params))  # type: ignore[arg-type]


async def until(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Wait for a condition by yielding to the loop (no fixed sleeps)."""

    async def poll() -> None:
        # The client's state changes come from another thread: yield until it shows.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0)

    await asyncio.wait_for(poll(), within)


@pytest.mark.req("F-1.1.1")
@on_switch
async def test_client_authenticates_subscribes_and_reconciles(switch: FakeSwitch) -> None:
    client = make_client(switch, events=["CHANNEL_CREATE"])
    await client.start()
    try:
        await client.wait_connected(5)
        cmds = switch.all_commands()
        assert cmds[0] == "auth ClueCon"
        assert cmds[1] == "event plain CHANNEL_CREATE BACKGROUND_JOB HEARTBEAT"
        assert cmds[2] == "api show channels as json"
        assert client.metrics.connects == 1
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_wrong_password_is_counted_and_retried_with_backoff(switch: FakeSwitch) -> None:
    client = make_client(switch, password="wrong")
    await client.start()
    try:
        await until(lambda: client.metrics.auth_failures >= 3)
        assert not client.connected
        assert all(c == "auth wrong" for c in switch.all_commands())
        assert len(switch.conns) >= 3
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_rude_rejection_is_counted_not_raised(switch: FakeSwitch) -> None:
    switch.rude = True
    client = make_client(switch)
    await client.start()
    try:
        await until(lambda: client.metrics.rude_rejections >= 2)
        assert not client.connected
        assert switch.all_commands() == []
    finally:
        await client.stop()


@pytest.mark.req("F-1.1.1")
@on_switch
async def test_two_bgapis_answered_out_of_order_match_by_job_uuid(switch: FakeSwitch) -> None:
    jobs: list[tuple[Conn, str, str]] = []

    def on_command(conn: Conn, command: str) -> bytes | None:
        if command.startswith("bgapi "):
            job = command.split("Job-UUID: ", 1)[1].strip()
            jobs.append((conn, command.split("\n")[0], job))
        return None

    switch.on_command = on_command
    client = make_client(switch)
    await client.start()
    try:
        await client.wait_connected(5)
        first = asyncio.create_task(client.bgapi("status"))
        second = asyncio.create_task(client.bgapi("version"))
        await until(lambda: len(jobs) == 2)
        by_cmd = {cmd: (conn, job) for conn, cmd, job in jobs}
        conn, version_job = by_cmd["bgapi version"]
        _, status_job = by_cmd["bgapi status"]
        conn.send(background_job(version_job, "FreeSWITCH Version 1.10.12\n"))
        conn.send(background_job(status_job, "UP 0 years, 1 day\n"))
        assert await second == "FreeSWITCH Version 1.10.12\n"
        assert await first == "UP 0 years, 1 day\n"
    finally:
        await client.stop()


@pytest.mark.req("F-1.1.1")
@on_switch
async def test_api_returns_the_response_body(switch: FakeSwitch) -> None:
    switch.on_command = lambda conn, cmd: (
        api_response("+OK\n") if cmd == "api uuid_exists 1234-abcd" else None
    )
    client = make_client(switch)
    await client.start()
    try:
        await client.wait_connected(5)
        assert await client.api("uuid_exists", "1234-abcd") == "+OK\n"
        text = await client.api("nosuch")
        assert text.startswith("-ERR")
        assert client.metrics.error_replies == 1
    finally:
        await client.stop()


@pytest.mark.req("F-1.1.1")
@on_switch
async def test_capture_events_stream_into_asyncio_and_handlers_once(switch: FakeSwitch) -> None:
    client = make_client(switch)
    seen: list[SwitchEvent] = []

    def handler(event: SwitchEvent) -> None:
        seen.append(event)

    assert client.add_handler("CHANNEL_CREATE", handler)
    assert not client.add_handler("CHANNEL_CREATE", handler)
    await client.start()
    try:
        await client.wait_connected(5)
        switch.conns[-1].send(event_frame(capture_event(CREATE)))
        await until(lambda: len(seen) == 1)
        event = seen[0]
        assert event.name == "CHANNEL_CREATE"
        assert f"Unique-ID: {event.unique_id}\n".encode() in capture_event(CREATE)
        assert event.unique_id in client.channels.live
        assert not event.synthetic
    finally:
        await client.stop()


HOSTILE_NAMES = [
    "Evil%0AUnique-ID: forged-uuid",
    "Evil\nUnique-ID: forged-uuid",
    "a%3Ab: Unique-ID: forged-uuid",
    "Name: Unique-ID: forged-uuid",
    "山田 太郎\nUnique-ID: forged-uuid",
]


@pytest.mark.req("F-1.1.1")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
@on_switch
async def test_caller_name_cannot_inject_headers_through_the_client(
    switch: FakeSwitch, name: str
) -> None:
    client = make_client(switch)
    await client.start()
    try:
        await client.wait_connected(5)
        body = capture_event(CREATE)
        genuine = next(ln for ln in body.split(b"\n") if ln.startswith(b"Unique-ID: "))
        hostile = with_header(body, "Caller-Caller-ID-Name", name)
        stream = client.events()
        switch.conns[-1].send(event_frame(hostile))
        event = await asyncio.wait_for(anext(stream), 5)
        assert event.esl.caller_id_name == name
        assert event.unique_id == genuine.split(b": ", 1)[1].decode()
        assert "forged-uuid" not in client.channels.live
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_disconnect_mid_frame_reconnects_and_reconciles(switch: FakeSwitch) -> None:
    client = make_client(switch)
    seen: list[SwitchEvent] = []
    client.add_handler("*", seen.append)
    await client.start()
    try:
        await client.wait_connected(5)
        body = capture_event(CREATE)
        frame = event_frame(body)
        conn = switch.conns[-1]
        conn.send(frame)
        await until(lambda: len(seen) == 1)
        lost_uuid = seen[0].unique_id
        assert lost_uuid is not None
        # FreeSWITCH now holds a different call; the one we knew ended while we were away.
        switch.channels = [
            {
                "uuid": "0b7c1c6e-0000-4000-8000-000000000001",
                "direction": "inbound",
                "created_epoch": "1420557157",
                "name": "sofia/internal/1001@10.0.0.1",
                "state": "CS_EXECUTE",
                "cid_name": "山田",
                "cid_num": "0312345678",
                "dest": "1000",
                "callstate": "ACTIVE",
                "call_uuid": "0b7c1c6e-0000-4000-8000-000000000001",
            }
        ]
        conn.send(frame[: len(frame) // 2])
        await until(lambda: bool(conn.writer.transport.get_write_buffer_size() == 0))
        conn.abort()
        await until(lambda: client.generation >= 2 and client.connected)
        await until(lambda: len(seen) >= 4)
        synthetic = [(e.name, e.unique_id, e.get(RECONCILED_HEADER)) for e in seen[1:]]
        assert synthetic == [
            ("CHANNEL_CREATE", "0b7c1c6e-0000-4000-8000-000000000001", "unknown-channel"),
            ("CHANNEL_ANSWER", "0b7c1c6e-0000-4000-8000-000000000001", "unknown-channel"),
            ("CHANNEL_HANGUP_COMPLETE", lost_uuid, "missing-from-switch"),
        ]
        assert lost_uuid not in client.channels.live
        assert client.metrics.partial_frames == 1
        assert client.metrics.reconciliations == 2
        assert switch.all_commands().count("api show channels as json") == 2
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_silent_connection_is_detected_and_replaced(switch: FakeSwitch) -> None:
    client = make_client(switch, silence_timeout=0.3)
    await client.start()
    try:
        await client.wait_connected(5)
        await until(lambda: client.metrics.silent_disconnects >= 1 and client.generation >= 2)
        await until(lambda: client.connected)
        assert len(switch.conns) >= 2
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_heartbeats_keep_a_quiet_connection_alive(switch: FakeSwitch) -> None:
    client = make_client(switch, silence_timeout=0.5)
    beats: list[SwitchEvent] = []
    client.add_handler("HEARTBEAT", beats.append)
    await client.start()
    try:
        await client.wait_connected(5)
        conn = switch.conns[-1]
        heartbeat = b"Event-Name: HEARTBEAT\nUp-Time: 0%20years\nEvent-Info: System%20Ready\n\n"
        for count in range(1, 6):
            conn.send(event_frame(heartbeat))
            await until(lambda n=count: len(beats) >= n)  # type: ignore[misc]
            started = asyncio.get_running_loop().time()
            await until(lambda s=started: asyncio.get_running_loop().time() - s > 0.2)  # type: ignore[misc]
        assert client.metrics.silent_disconnects == 0
        assert client.generation == 1
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_malformed_frame_drops_the_connection_and_recovers(switch: FakeSwitch) -> None:
    client = make_client(switch)
    await client.start()
    try:
        await client.wait_connected(5)
        switch.conns[-1].send(b"Content-Type: text/event-plain\nContent-Length: abc\n\n")
        await until(lambda: client.metrics.malformed_frames == 1)
        await until(lambda: client.generation >= 2 and client.connected)
    finally:
        await client.stop()


@pytest.mark.req("N-REL-1")
@on_switch
async def test_unknown_events_and_bad_event_bodies_are_counted(switch: FakeSwitch) -> None:
    client = make_client(switch)
    seen: list[SwitchEvent] = []
    client.add_handler("*", seen.append)
    await client.start()
    try:
        await client.wait_connected(5)
        conn = switch.conns[-1]
        conn.send(event_frame(b"Event-Name: SOMETHING_NEW\nX: 1\n\n"))
        conn.send(event_frame(b"Event-Name: CHANNEL_CREATE\nno colon here\n\n"))
        conn.send(b"Content-Type: text/unheard-of\n\n")
        conn.send(event_frame(b"Event-Name: HEARTBEAT\n\n"))
        await until(lambda: len(seen) == 2)
        assert [e.name for e in seen] == ["SOMETHING_NEW", "HEARTBEAT"]
        assert client.metrics.malformed_events == 1
        assert client.metrics.unknown_frames == 1
        assert client.generation == 1
    finally:
        await client.stop()
