"""The hub over a real network: uvicorn on loopback, real python-socketio clients, real sign-in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import socketio
from sqlmodel import col, select

from realtime.audit.models import AuditEntry
from realtime.auth import service as auth
from realtime.auth.permissions import Role
from tests.realtime.conftest import LiveServer
from tests.realtime.live import Browser, HubClient, sign_in
from tests.support.app import add_user

NAMESPACES = ("/agent", "/supervisor", "/admin")


def rejections(server: LiveServer) -> list[dict[str, Any]]:
    """The socket-rejected audit entries, oldest first, with their detail decoded."""
    with server.app.ctx.db.session() as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action) == "socket-rejected")
            .order_by(col(AuditEntry.seq))
        ).all()
        return [
            {
                "actor": r.actor,
                "outcome": r.outcome,
                "target": r.target,
                "detail": json.loads(r.detail),
            }
            for r in rows
        ]


@pytest.mark.req("N-SEC-1")
def test_connect_without_cookie_is_refused_on_every_namespace_and_audited(
    live_server: LiveServer,
) -> None:
    async def scenario() -> list[Any]:
        return [await HubClient(live_server.url, ns).refused() for ns in NAMESPACES]

    refusals = asyncio.run(scenario())

    for data in refusals:
        assert data["data"]["error"] == "not-authenticated"
        assert data["message"] == data["data"]["message"]
    audited = rejections(live_server)
    assert [(a["target"], a["detail"]["error"], a["outcome"]) for a in audited] == [
        (ns, "not-authenticated", "denied") for ns in NAMESPACES
    ]


@pytest.mark.req("N-SEC-1")
def test_operator_gets_agent_snapshot_and_is_refused_supervisor_and_admin(
    live_server: LiveServer,
) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)

    async def scenario() -> tuple[dict[str, Any], list[Any]]:
        browser = await sign_in(live_server.url, "op1")
        agent = HubClient(live_server.url, "/agent", cookie=browser.cookie_header)
        try:
            await agent.connect()
            snapshot = await agent.next("snapshot")
            refused = [
                await HubClient(live_server.url, ns, cookie=browser.cookie_header).refused()
                for ns in ("/supervisor", "/admin")
            ]
        finally:
            await agent.close()
            await browser.aclose()
        return snapshot, refused

    snapshot, refused = asyncio.run(scenario())

    assert snapshot["namespace"] == "/agent"
    assert snapshot["user"] == {"display_name": "op1 様", "roles": ["operator"]}
    assert snapshot["announcements"] == []
    assert [r["data"]["error"] for r in refused] == ["permission-denied"] * 2
    audited = rejections(live_server)
    assert [(a["target"], a["detail"]["error"]) for a in audited] == [
        ("/supervisor", "permission-denied"),
        ("/admin", "permission-denied"),
    ]
    assert {a["actor"] for a in audited} == {"op1"}


@pytest.mark.req("N-SEC-1")
def test_socket_from_a_foreign_origin_is_refused(live_server: LiveServer) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)

    async def scenario() -> tuple[bool, dict[str, Any]]:
        browser = await sign_in(live_server.url, "op1")
        try:
            hostile = HubClient(
                live_server.url,
                "/agent",
                cookie=browser.cookie_header,
                headers={"Origin": "http://evil.example"},
            )
            try:
                await hostile.connect()
                hostile_connected = True
            except socketio.exceptions.ConnectionError:
                hostile_connected = False
            finally:
                await hostile.close()
            own = HubClient(
                live_server.url,
                "/agent",
                cookie=browser.cookie_header,
                headers={"Origin": live_server.url},
            )
            try:
                await own.connect()
                snapshot = await own.next("snapshot")
            finally:
                await own.close()
        finally:
            await browser.aclose()
        return hostile_connected, snapshot

    hostile_connected, snapshot = asyncio.run(scenario())

    assert hostile_connected is False
    assert snapshot["user"]["display_name"] == "op1 様"


@pytest.mark.req("N-SEC-1")
def test_unknown_and_reserved_events_are_refused_with_an_error_and_audited(
    live_server: LiveServer,
) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)

    async def scenario() -> list[Any]:
        browser = await sign_in(live_server.url, "op1")
        agent = HubClient(live_server.url, "/agent", cookie=browser.cookie_header)
        try:
            await agent.connect()
            await agent.next("snapshot")
            return [
                await agent.call("take_over_the_world", {"x": 1}),
                await agent.call("announce", {"text": "not on /agent"}),
                # Socket.IO's lifecycle names must not reach the connect/disconnect code.
                await agent.call("connect", "not an environ"),
                await agent.call("connect", {"HTTP_COOKIE": "madoguchi_session=forged"}),
                await agent.call("disconnect", None),
            ]
        finally:
            await agent.close()
            await browser.aclose()

    answers = asyncio.run(scenario())

    assert [a["error"] for a in answers] == ["unknown-event"] * 5
    assert all(isinstance(a["message"], str) and a["message"] for a in answers)
    audited = rejections(live_server)
    assert [
        (a["actor"], a["target"], a["detail"]["error"], a["detail"]["event"]) for a in audited
    ] == [
        ("op1", "/agent", "unknown-event", name)
        for name in ("take_over_the_world", "announce", "connect", "connect", "disconnect")
    ]


@pytest.mark.req("N-SEC-1")
def test_leader_announcement_reaches_operator_desk_and_supervisor_room(
    live_server: LiveServer,
) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)
    add_user(live_server.app, "lead1", Role.LEADER)

    async def scenario() -> tuple[Any, Any, Any]:
        operator = await sign_in(live_server.url, "op1")
        leader = await sign_in(live_server.url, "lead1")
        desk = HubClient(live_server.url, "/agent", cookie=operator.cookie_header)
        board = HubClient(live_server.url, "/supervisor", cookie=leader.cookie_header)
        try:
            await desk.connect()
            await desk.next("snapshot")
            await board.connect()
            await board.next("snapshot")
            answer = await board.call("announce", {"text": "  本日は15時に窓口を閉じます  "})
            return answer, await desk.next("announcement"), await board.next("announcement")
        finally:
            await desk.close()
            await board.close()
            await operator.aclose()
            await leader.aclose()

    answer, on_desk, on_board = asyncio.run(scenario())

    assert answer["ok"] is True
    assert answer["announcement"]["text"] == "本日は15時に窓口を閉じます"
    assert answer["announcement"]["author"] == "lead1"
    assert on_desk == answer["announcement"] == on_board


@pytest.mark.req("N-SEC-1")
def test_announce_with_invalid_text_is_answered_with_validation_error(
    live_server: LiveServer,
) -> None:
    add_user(live_server.app, "lead1", Role.LEADER)

    async def scenario() -> list[Any]:
        leader = await sign_in(live_server.url, "lead1")
        board = HubClient(live_server.url, "/supervisor", cookie=leader.cookie_header)
        try:
            await board.connect()
            await board.next("snapshot")
            return [
                await board.call("announce", {"text": "   "}),
                await board.call("announce", "just a string"),
                await board.call("announce", {"text": "あ" * 501}),
            ]
        finally:
            await board.close()
            await leader.aclose()

    answers = asyncio.run(scenario())

    assert [a["error"] for a in answers] == ["validation-failed"] * 3
    assert all("text" in a["fields"] for a in answers)


@pytest.mark.req("N-SEC-1")
def test_signing_out_closes_the_sessions_open_socket(live_server: LiveServer) -> None:
    add_user(live_server.app, "lead1", Role.LEADER)
    add_user(live_server.app, "op1", Role.OPERATOR)

    async def scenario() -> tuple[Any, Any, list[Any]]:
        leader: Browser = await sign_in(live_server.url, "lead1")
        board = HubClient(live_server.url, "/supervisor", cookie=leader.cookie_header)
        other = await sign_in(live_server.url, "op1")
        desk = HubClient(live_server.url, "/agent", cookie=other.cookie_header)
        try:
            await board.connect()
            await desk.connect()
            await board.next("snapshot")
            await leader.sign_out()
            ended = await board.next("session_ended")
            closed = await board.next("disconnect")
            return ended, closed, desk.pending("disconnect")
        finally:
            await board.close()
            await desk.close()
            await leader.aclose()
            await other.aclose()

    ended, closed, other_closed = asyncio.run(scenario())

    assert ended == {}
    assert closed is True
    assert other_closed == []  # another user's socket stays up


@pytest.mark.req("N-SEC-1")
def test_reconnect_gets_a_full_snapshot_with_announcements_sent_while_away(
    live_server: LiveServer,
) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)
    add_user(live_server.app, "lead1", Role.LEADER)

    async def scenario() -> tuple[Any, Any, Any]:
        operator = await sign_in(live_server.url, "op1")
        leader = await sign_in(live_server.url, "lead1")
        try:
            first = HubClient(live_server.url, "/agent", cookie=operator.cookie_header)
            await first.connect()
            before = await first.next("snapshot")
            await first.close()
            sent = []
            for text in ("一つ目のお知らせ", "二つ目のお知らせ"):
                response = await leader.post_json("/api/announcements", {"text": text})
                assert response.status_code == 201, response.text
                sent.append(response.json()["announcement"])
            again = HubClient(live_server.url, "/agent", cookie=operator.cookie_header)
            try:
                await again.connect()
                after = await again.next("snapshot")
                resynced = await again.call("resync")
            finally:
                await again.close()
        finally:
            await operator.aclose()
            await leader.aclose()
        return before, after, (sent, resynced)

    before, after, (sent, resynced) = asyncio.run(scenario())

    assert before["announcements"] == []
    assert after["announcements"] == list(reversed(sent))  # newest first
    assert after["user"]["display_name"] == "op1 様"
    assert resynced["announcements"] == after["announcements"]
    assert resynced["namespace"] == "/agent"


@pytest.mark.req("N-SEC-1")
def test_disabled_user_cannot_use_an_open_socket(live_server: LiveServer) -> None:
    add_user(live_server.app, "op1", Role.OPERATOR)

    async def scenario() -> Any:
        operator = await sign_in(live_server.url, "op1")
        desk = HubClient(live_server.url, "/agent", cookie=operator.cookie_header)
        try:
            await desk.connect()
            assert (await desk.call("resync"))["namespace"] == "/agent"
            with live_server.app.ctx.db.session() as session:
                # As another process would: this process's sweep has not run yet.
                auth.disable_user(session, username="op1", actor="test")
            return await desk.call("resync")
        finally:
            await desk.close()
            await operator.aclose()

    answer = asyncio.run(scenario())

    assert answer["error"] == "session-expired"
    assert [(a["target"], a["detail"]["event"]) for a in rejections(live_server)] == [
        ("/agent", "resync")
    ]


@pytest.mark.req("N-SEC-1")
def test_a_session_revoked_by_another_process_loses_its_socket_to_the_sweep(
    sweeping_server: LiveServer,
) -> None:
    add_user(sweeping_server.app, "op1", Role.OPERATOR)

    async def scenario() -> tuple[Any, Any]:
        operator = await sign_in(sweeping_server.url, "op1")
        desk = HubClient(sweeping_server.url, "/agent", cookie=operator.cookie_header)
        try:
            await desk.connect()
            await desk.next("snapshot")
            with sweeping_server.app.ctx.db.session() as session:
                auth.revoke_session(session, session_id=operator.session_token_id)
            return await desk.next("session_ended"), await desk.next("disconnect")
        finally:
            await desk.close()
            await operator.aclose()

    ended, closed = asyncio.run(scenario())
    assert ended == {}
    assert closed is True


@pytest.mark.req("N-SEC-1", "F-2.1.7")
def test_disabling_a_user_in_the_admin_screen_closes_their_socket(
    sweeping_server: LiveServer,
) -> None:
    import pyotp

    secret = pyotp.random_base32()
    add_user(sweeping_server.app, "admin", Role.SYSTEM_ADMIN, totp_secret=secret)
    add_user(sweeping_server.app, "op1", Role.OPERATOR)

    async def scenario() -> Any:
        operator = await sign_in(sweeping_server.url, "op1")
        admin = await sign_in(sweeping_server.url, "admin", totp_secret=secret)
        desk = HubClient(sweeping_server.url, "/agent", cookie=operator.cookie_header)
        try:
            await desk.connect()
            await desk.next("snapshot")
            response = await admin.post_form("/admin/users/op1/disable", {})
            assert response.status_code == 303
            return await desk.next("disconnect")
        finally:
            await desk.close()
            await operator.aclose()
            await admin.aclose()

    assert asyncio.run(scenario()) is True
