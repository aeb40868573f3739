"""The intake against a real Dovecot that restarts, drops connections and refuses logins."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, func, select

from inbox.intake.alerts import IntakeAlert, IntakeAlerts
from inbox.intake.subsystem import build_intake
from inbox.models import InboxMessage
from realtime.audit.models import AuditEntry
from realtime.db import Database
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import (
    USERS,
    count_messages,
    eventually,
    mailbox_config,
    received_events,
)
from tests.inbox_intake.mails import varied


def assert_each_uid_once(db: Database, mailbox: str, expected: int) -> None:
    with db.session() as session:
        rows = list(session.exec(select(InboxMessage).where(col(InboxMessage.mailbox) == mailbox)))
    keys = [(r.uidvalidity, r.uid) for r in rows]
    assert len(keys) == expected
    assert len(set(keys)) == expected
    queued = [r for r in rows if r.state == "queued"]
    events = [e for e in received_events(db) if e.line == mailbox]
    assert sorted(e.event_id for e in events) == sorted(str(r.event_id) for r in queued)


def audit_count(db: Database, action: str) -> int:
    with db.session() as session:
        stmt = select(func.count()).select_from(AuditEntry)
        return int(session.exec(stmt.where(col(AuditEntry.action) == action)).one())


@pytest.mark.req("F-1.6.1")
def test_mail_arriving_during_idle_is_taken_without_polling(imap_server, intake_settings):
    # polling every 10 minutes: only the server's IDLE push can bring the mail in time
    settings = intake_settings([mailbox_config(imap_server, "public", poll_seconds=600)])
    db = Database(settings.effective_database_url)

    async def scenario() -> None:
        intake = build_intake(settings, db=db)
        worker = intake.workers[0]
        await intake.start()
        try:
            await eventually(worker.connected.is_set)
            await asyncio.to_thread(imap_server.append, "public", varied(3, tag="idle"))
            await eventually(lambda: count_messages(db) == 3, within=15)
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert_each_uid_once(db, "public", 3)
    db.dispose()


@pytest.mark.req("F-1.6.1")
def test_server_without_idle_is_polled(intake_settings):
    if not dovecot.available():
        pytest.skip("Dovecot (Debian package dovecot-imapd) is not installed or we are not root")
    no_idle = "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS"
    with dovecot.dovecot_server(USERS, extra=no_idle) as server:
        settings = intake_settings([mailbox_config(server, "public", poll_seconds=0.2)])
        db = Database(settings.effective_database_url)

        async def scenario() -> None:
            intake = build_intake(settings, db=db)
            worker = intake.workers[0]
            await intake.start()
            try:
                await eventually(worker.connected.is_set)
                await asyncio.to_thread(server.append, "public", varied(2, tag="poll"))
                await eventually(lambda: count_messages(db) == 2, within=15)
            finally:
                await intake.stop()

        asyncio.run(scenario())
        assert_each_uid_once(db, "public", 2)
        db.dispose()


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_server_restart_mid_run_loses_and_repeats_nothing(imap_server, intake_settings):
    settings = intake_settings(
        [mailbox_config(imap_server, "public"), mailbox_config(imap_server, "liaison")],
        imap_backoff_max_seconds=0.5,
    )
    db = Database(settings.effective_database_url)
    seen: list[IntakeAlert] = []
    alerts = IntakeAlerts(db=db, hooks=[seen.append])

    async def scenario() -> None:
        intake = build_intake(settings, db=db, alerts=alerts, backoff_base=0.05)
        await intake.start()
        try:
            await asyncio.to_thread(imap_server.append, "public", varied(4, tag="a"))
            await asyncio.to_thread(imap_server.append, "liaison", varied(2, tag="b"))
            await eventually(lambda: count_messages(db) == 6)
            await asyncio.to_thread(imap_server.stop)
            await eventually(lambda: alerts.count(mailbox="public", kind="connect-failed") >= 1)
            await asyncio.to_thread(imap_server.start)
            await asyncio.to_thread(imap_server.append, "public", varied(3, tag="c"))
            await eventually(lambda: count_messages(db) == 9)
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert_each_uid_once(db, "public", 7)
    assert_each_uid_once(db, "liaison", 2)
    kinds = {a.kind for a in seen if a.mailbox == "public"}
    assert "connection-lost" in kinds
    assert "connect-failed" in kinds
    assert audit_count(db, "imap-connection-lost") >= 1
    db.dispose()


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_connection_reset_is_retried_and_alerted(imap_server, intake_settings):
    settings = intake_settings(
        [mailbox_config(imap_server, "public")], imap_backoff_max_seconds=0.5
    )
    db = Database(settings.effective_database_url)
    alerts = IntakeAlerts(db=db)

    async def scenario() -> None:
        intake = build_intake(settings, db=db, alerts=alerts, backoff_base=0.05)
        worker = intake.workers[0]
        await intake.start()
        try:
            await eventually(worker.connected.is_set)
            await asyncio.to_thread(imap_server.append, "public", varied(2, tag="r1"))
            await eventually(lambda: count_messages(db) == 2)
            killed = await asyncio.to_thread(imap_server.kill_sessions)
            assert killed >= 1
            await eventually(lambda: alerts.count(mailbox="public", kind="connection-lost") == 1)
            await eventually(lambda: worker.stats.connects == 2)
            await asyncio.to_thread(imap_server.append, "public", varied(2, tag="r2"))
            await eventually(lambda: count_messages(db) == 4)
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert_each_uid_once(db, "public", 4)
    db.dispose()


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_login_failure_is_retried_alerted_and_audited_once(imap_server, intake_settings):
    settings = intake_settings(
        [mailbox_config(imap_server, "public", password="not-the-password")],
        imap_backoff_max_seconds=0.2,
    )
    db = Database(settings.effective_database_url)
    seen: list[IntakeAlert] = []
    alerts = IntakeAlerts(db=db, hooks=[seen.append])
    imap_server.append("public", varied(2, tag="late"))

    async def scenario() -> None:
        intake = build_intake(settings, db=db, alerts=alerts, backoff_base=0.05)
        await intake.start()
        try:
            await eventually(lambda: alerts.count(mailbox="public", kind="login-failed") >= 2)
            assert count_messages(db) == 0
            # the administrator fixes the password on the server side: the retry gets in
            await asyncio.to_thread(imap_server.set_password, "public", "not-the-password")
            await eventually(lambda: count_messages(db) == 2, within=60)
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert_each_uid_once(db, "public", 2)
    login_alerts = [a for a in seen if a.kind == "login-failed"]
    assert len(login_alerts) >= 2
    assert [a.attempt for a in login_alerts[:2]] == [1, 2]
    assert all("not-the-password" not in a.reason for a in login_alerts)
    assert audit_count(db, "imap-login-failed") == 1  # once per interval, not per attempt
    db.dispose()


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_failure_outside_imap_is_alerted_and_the_message_taken_on_retry(
    imap_server, intake_settings
):
    settings = intake_settings([mailbox_config(imap_server, "public")])
    db = Database(settings.effective_database_url)
    alerts = IntakeAlerts(db=db)
    failures = {"left": 1}

    async def storage_fails_once(step: str, _uid: int) -> None:
        if step == "stored-raw" and failures["left"]:
            failures["left"] -= 1
            raise OSError("disk went away")

    imap_server.append("public", varied(3, tag="flaky"))

    async def scenario() -> None:
        intake = build_intake(
            settings, db=db, alerts=alerts, step_hook=storage_fails_once, backoff_base=0.05
        )
        await intake.start()
        try:
            await eventually(lambda: count_messages(db) == 3)
            await intake.ready()  # the loop survived the failure
        finally:
            await intake.stop()

    asyncio.run(scenario())
    assert alerts.count(mailbox="public", kind="intake-failed") == 1
    assert audit_count(db, "imap-intake-failed") == 1
    assert_each_uid_once(db, "public", 3)
    db.dispose()


@pytest.mark.req("F-1.6.1", "N-REL-1")
def test_new_mail_announced_between_commands_is_not_lost_to_a_long_idle(imap_server):
    """aioimaplib drops an EXISTS that arrives while no command is pending; the server then
    counts the mail as announced, so a plain IDLE would sleep for its full 29 minutes."""
    from inbox.intake.client import ImapSession
    from realtime.settings import ImapMailbox

    box = ImapMailbox.model_validate(mailbox_config(imap_server, "public", idle_seconds=600))

    async def scenario() -> bool:
        session = ImapSession(box)
        try:
            selected = await session.open()
            assert selected.idle, "this Dovecot offers IDLE"
            # The server's bytes arrive while nothing is pending (as after a command completes).
            session._client.protocol.data_received(b"* 3 EXISTS\r\n")
            return await asyncio.wait_for(session.wait_for_mail(), timeout=5)
        finally:
            await session.close()

    assert asyncio.run(scenario()) is True
