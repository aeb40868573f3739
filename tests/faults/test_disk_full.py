"""A full disk: the data folder (SQLite and the spool on it) and the media folder (the raw copy
of incoming mail), each a real small file system filled to ENOSPC."""

from __future__ import annotations

import asyncio
import io
import json
import wave
from pathlib import Path

import pytest

from mediastore.store.config import store_from_settings
from realtime.monitoring import incidents
from tests.callpath.harness import running, until
from tests.faults.disk import small_disk
from tests.faults.invariants import (
    FaultRecord,
    alerts,
    assert_no_duplicate_pops,
    assert_one_end_per_call,
    assert_one_item_per_message,
)
from tests.faults.runner import scenario
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import count_messages, mailbox_config
from tests.inbox_intake.mails import varied


@pytest.mark.req("N-REL-1")
@scenario
async def test_full_data_disk_holds_the_call_log_until_space_is_back(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = "disk full (data folder)"
    fault_record.injected = "tmpfs under the data folder and SQLite filled to ENOSPC"
    with small_disk(tmp_path / "data", "24m") as disk:
        async with running(disk.path, callpath_db) as rig:
            faults = incidents.of(rig.ctx)
            op1 = await rig.desk("op1")
            await op1.ready()
            await asyncio.to_thread(disk.fill)
            call = await rig.call(digits="1")
            await until(
                lambda: faults.is_open("disk_write", "data"), within=30, what="the disk alert"
            )
            await asyncio.to_thread(disk.free)
            contact = await rig.contact_of(call)
            pop = await op1.pop()
            await until(
                lambda: not faults.is_open("disk_write", "data"), within=30, what="the recovery"
            )
            incident = next(i for i in faults.history if i.kind == "disk_write")
            fault_record.detected_by = "SQLite 'database or disk is full' on a write -> disk_write"
            fault_record.recovery_s = incident.recovery_s
            await call.hangup()
            await rig.event("contact.abandoned", contact)
            assert_one_end_per_call(rig.ctx.db)
            fault_record.held("one end per call")
            later = [(op1.username, p["contact_id"]) for p in op1.socket.pending("screen_pop")]
            assert_no_duplicate_pops([(op1.username, pop["contact_id"]), *later])
            fault_record.held("no duplicate pop")
            await until(lambda: bool(alerts(rig.ctx.db, "disk_write")), what="the stored alert")
            fault_record.held("alert raised and cleared")


@pytest.mark.req("N-REL-1")
@scenario
async def test_full_media_disk_keeps_mail_on_the_server_until_space_is_back(
    tmp_path: Path,
    callpath_db: Path,
    imap_server: dovecot.Dovecot,
    fault_record: FaultRecord,
) -> None:
    fault_record.fault = "disk full (media folder)"
    fault_record.injected = "tmpfs under the media folder filled to ENOSPC while mail arrives"
    with small_disk(tmp_path / "media", "2m") as disk:
        box = mailbox_config(imap_server, "public")
        async with running(
            tmp_path, callpath_db, imap_mailboxes=[box], imap_backoff_max_seconds=0.5
        ) as rig:
            db = rig.ctx.db
            faults = incidents.of(rig.ctx)
            await asyncio.to_thread(disk.fill)
            await asyncio.to_thread(imap_server.append, "public", varied(4, tag="full"))
            await until(
                lambda: faults.is_open("disk_write", "media"), within=30, what="the disk alert"
            )
            assert count_messages(db) == 0
            await asyncio.to_thread(disk.free)
            await until(lambda: count_messages(db) == 4, within=30, what="the mail")
            await until(
                lambda: not faults.is_open("disk_write", "media"), within=30, what="recovery"
            )
            incident = next(i for i in faults.history if i.kind == "disk_write")
            fault_record.detected_by = "IMAP intake alert (media-storage-full) -> disk_write"
            fault_record.recovery_s = incident.recovery_s
            assert_one_item_per_message(db, expected=4)
            fault_record.held("one item per message")
            await until(lambda: bool(alerts(db, "disk_write")), what="the stored alert")
            fault_record.held("alert raised and cleared")


@pytest.mark.req("N-REL-1", "N-REL-2")
@scenario
async def test_full_media_disk_keeps_the_call_recording_until_space_is_back(
    tmp_path: Path, callpath_db: Path, fault_record: FaultRecord
) -> None:
    fault_record.fault = "disk full (media folder, call recording)"
    fault_record.injected = "tmpfs under the media folder filled to ENOSPC before a call ends"
    with small_disk(tmp_path / "media", "2m") as disk:
        async with running(tmp_path, callpath_db) as rig:
            faults = incidents.of(rig.ctx)
            spool = tmp_path / "recordings-spool"
            op1 = await rig.desk("op1")
            await op1.ready()
            call = await rig.call(digits="1")
            contact = await rig.contact_of(call)
            pop = await op1.pop()
            await op1.accept()
            await rig.event("contact.answered", contact)
            await asyncio.to_thread(disk.fill)
            await call.wait(2).hangup()
            await rig.event("contact.ended", contact)
            await until(
                lambda: faults.is_open("disk_write", "media"), within=30, what="the disk alert"
            )
            plain = spool / f"{contact}.wav"
            assert plain.is_file()  # nothing lost: the switch's file waits in the spool
            assert "recording.stored" not in rig.types(contact)
            # the spool sweep leaves a recording that waits for its retry alone
            assert await rig.path.recorder.adopt_spooled(idle_s=0) == 0
            await asyncio.to_thread(disk.free)
            stored = await rig.event("recording.stored", contact, within=60)
            await until(
                lambda: not faults.is_open("disk_write", "media"), within=30, what="the recovery"
            )
            incident = next(i for i in faults.history if i.kind == "disk_write")
            fault_record.detected_by = "media-storage-full on storing the recording -> disk_write"
            fault_record.recovery_s = incident.recovery_s
            recording_id = json.loads(stored.payload)["recording_id"]
            store = store_from_settings(rig.ctx.settings)
            with store.read_all(file_id=recording_id) as stream:
                data = b"".join(stream)
            with wave.open(io.BytesIO(data), "rb") as wav:
                assert wav.getnchannels() == 2
                assert wav.getnframes() > 0
            assert not plain.exists()
            assert rig.types(contact).count("recording.stored") == 1
            fault_record.held("recording stored once")
            assert_one_end_per_call(rig.ctx.db)
            fault_record.held("one end per call")
            assert_no_duplicate_pops([(op1.username, pop["contact_id"])])
            fault_record.held("no duplicate pop")
            await until(lambda: bool(alerts(rig.ctx.db, "disk_write")), what="the stored alert")
            fault_record.held("alert raised and cleared")
