"""Mail faults with the whole server: the IMAP connection reset (real Dovecot) and SMTP 4xx on
alert mail (real aiosmtpd)."""

from __future__ import annotations

import asyncio
import email
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from realtime.monitoring import incidents
from tests.callpath.harness import running, until
from tests.faults.invariants import FaultRecord, alerts, assert_one_item_per_message
from tests.faults.runner import scenario
from tests.inbox2.conftest import Relay, smtp_relay
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import count_messages, mailbox_config
from tests.inbox_intake.mails import varied


@pytest.mark.req("N-REL-1")
@scenario
async def test_imap_connection_reset_alerts_and_takes_each_message_once(
    tmp_path: Path,
    callpath_db: Path,
    imap_server: dovecot.Dovecot,
    fault_record: FaultRecord,
) -> None:
    fault_record.fault = "IMAP connection reset"
    fault_record.injected = "Dovecot's IMAP session processes killed (SIGKILL) mid-run"
    box = mailbox_config(imap_server, "public")
    async with running(
        tmp_path, callpath_db, imap_mailboxes=[box], imap_backoff_max_seconds=0.5
    ) as rig:
        db = rig.ctx.db
        faults = incidents.of(rig.ctx)
        await asyncio.to_thread(imap_server.append, "public", varied(3, tag="before"))
        await until(lambda: count_messages(db) == 3, within=30, what="the first mail")
        killed = await asyncio.to_thread(imap_server.kill_sessions)
        assert killed >= 1
        await asyncio.to_thread(imap_server.append, "public", varied(3, tag="during"))
        await until(lambda: faults.is_open("imap_link", "public"), within=30, what="the alert")
        await until(
            lambda: not faults.is_open("imap_link", "public"), within=30, what="the recovery"
        )
        await until(lambda: count_messages(db) == 6, within=30, what="the mail after the reset")
        incident = next(i for i in faults.history if i.kind == "imap_link")
        fault_record.detected_by = f"IMAP intake alert ({incident.detail['kind']}) -> imap_link"
        fault_record.recovery_s = incident.recovery_s
        await until(lambda: bool(alerts(db, "imap_link")), what="the stored alert")
        assert_one_item_per_message(db, expected=6)
        fault_record.held("one item per message")
        fault_record.held("alert raised and cleared")


def subjects(relay: Relay) -> list[str]:
    out = []
    for _rcpt, raw in relay.messages:
        message = email.message_from_bytes(raw)
        out.append(str(make_header(decode_header(message["Subject"]))))
    return out


@pytest.mark.req("N-REL-1")
@scenario
async def test_smtp_4xx_on_alert_mail_is_retried_alerted_and_sent_once(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault_record.fault = "SMTP 4xx"
    fault_record.injected = "aiosmtpd answers 451 to the first two RCPTs"
    async with smtp_relay(Relay(refuse=2)) as relay:
        monkeypatch.setenv("MADOGUCHI_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MADOGUCHI_SMTP_PORT", str(relay.port))
        monkeypatch.setenv("MADOGUCHI_REPORT_FROM", "madoguchi@city.example.lg.jp")
        monkeypatch.setenv("MADOGUCHI_MONITOR_ALERT_RECIPIENTS", "ops@city.example.lg.jp")
        monkeypatch.setenv("MADOGUCHI_MONITOR_MAIL_RETRY_SECONDS", "[0.3, 0.3, 0.3]")
        async with running(tmp_path, callpath_db) as rig:
            db = rig.ctx.db
            faults = incidents.of(rig.ctx)
            rig.fs.drop_esl()  # a fault whose alert is mailed
            await until(lambda: faults.is_open("mail_send", "smtp"), within=30, what="4xx alert")
            await until(
                lambda: not faults.is_open("mail_send", "smtp"), within=30, what="mail sent"
            )
            incident = next(i for i in faults.history if i.kind == "mail_send")
            fault_record.detected_by = "alert mailer: 451 is temporary -> mail_send, retried"
            fault_record.recovery_s = incident.recovery_s

            def all_mailed() -> bool:
                stored = [a for a in alerts(db, "switch_link") + alerts(db, "mail_send")]
                return len(stored) == 2 and all(a.mail_state == "sent" for a in stored)

            await until(all_mailed, within=30, what="both alert mails to be sent")
            sent = subjects(relay)
            assert relay.rcpt_calls >= 3
            assert len(sent) == len(set(sent)) == 2, sent  # each alert mailed exactly once
            assert any("switch_link" in s or "交換機" in s for s in sent), sent
            fault_record.held("each alert mailed once")
            fault_record.held("alert raised and cleared")
