"""The server killed with SIGKILL mid-call and mid-mail, then restarted: the calls it held end
once in the log, every mail is one item, and the unclean restart is alerted.

The server runs as ``python -m realtime.cli serve`` (a subprocess) with ``switch_mode``
freeswitch against the FreeSWITCH stand-in running in this test's process, and a real Dovecot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from realtime.db import Database
from switch.callpath import service as callpath_service
from switch.standin import FreeSwitchStandIn
from tests.callpath.harness import MAIN
from tests.faults.invariants import (
    FaultRecord,
    alerts,
    assert_one_end_per_call,
    assert_one_item_per_message,
    call_ends,
)
from tests.faults.runner import scenario
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import count_messages, mailbox_config
from tests.inbox_intake.mails import varied
from tests.realtime.live import HubClient, ServerProcess, serve_subprocess, server_env, sign_in
from tests.support.servers import free_port

SECRET = "test-secret-" + "x" * 40
ESL_PASSWORD = "fault-suite-esl"
MAILS = 60
ALL_DAY = [[["00:00", "00:00"]] for _ in range(7)]


async def wait_for(check: Any, *, within: float = 60.0, what: str) -> Any:
    """Poll a (sync) condition off the event loop's thread until truthy."""
    deadline = time.monotonic() + within
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@contextlib.contextmanager
def quiet_exit(cm: Any) -> Iterator[None]:
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            cm.__exit__(None, None, None)


def events_of(db: Database, contact: str) -> list[str]:
    ends = call_ends(db)
    return ends.get(contact, [])


def contact_with(db: Database, type_: str, exclude: set[str]) -> str | None:
    from sqlmodel import col, select

    from cms.models import ContactEvent

    with db.session() as session:
        rows = session.exec(
            select(ContactEvent.contact_id).where(col(ContactEvent.type) == type_)
        ).all()
    found = [c for c in rows if c and c not in exclude]
    return found[0] if found else None


@pytest.mark.req("N-REL-1")
@scenario
async def test_server_killed_mid_call_and_mid_mail_restarts_without_loss_or_doubles(
    tmp_path: Path,
    callpath_db: Path,
    imap_server: dovecot.Dovecot,
    fault_record: FaultRecord,
) -> None:
    fault_record.fault = "server killed (SIGKILL) mid-call and mid-mail, restarted"
    fault_record.injected = (
        "SIGKILL of `madoguchi serve` with one call bridged, one queued and mail being taken"
    )
    data = tmp_path / "data"
    data.mkdir()
    database_file = tmp_path / "server.sqlite3"
    shutil.copyfile(callpath_db, database_file)
    url = f"sqlite:///{database_file}"
    db = Database(url)
    with db.session() as session:  # open all day, whenever the suite runs
        callpath_service.save_line(
            session,
            data={"did": MAIN, "name_ja": "代表", "root_node": "main", "hours": {"live": ALL_DAY}},
            actor="test",
        )
    outbound_port = free_port()
    fs = FreeSwitchStandIn(
        password=ESL_PASSWORD, port=0, outbound=("127.0.0.1", outbound_port), scale=0.05
    )
    await fs.start()
    fs.register_agent("1001", auto_answer=True, answer_delay=0.5)
    env = server_env(data_dir=data, database_url=url, secret_key=SECRET, redis_url=None)
    env.update(
        {
            "MADOGUCHI_SWITCH_MODE": "freeswitch",
            "MADOGUCHI_ESL_HOST": "127.0.0.1",
            "MADOGUCHI_ESL_PORT": str(fs.port),
            "MADOGUCHI_ESL_PASSWORD": ESL_PASSWORD,
            "MADOGUCHI_OUTBOUND_SOCKET": f"127.0.0.1:{outbound_port}",
            "MADOGUCHI_CALLPATH_RING_TIMEOUT_S": "600",
            "MADOGUCHI_IMAP_MAILBOXES": json.dumps([mailbox_config(imap_server, "public")]),
            "MADOGUCHI_IMAP_BACKOFF_MAX_SECONDS": "0.5",
        }
    )

    async def start(name: str) -> tuple[Any, ServerProcess]:
        cm = serve_subprocess(tmp_path / name, env)
        server: ServerProcess = await asyncio.to_thread(cm.__enter__)

        def ready() -> bool:
            try:
                return httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(ready, what=f"{name} to be ready")
        return cm, server

    try:
        first_cm, first = await start("first")
        with quiet_exit(first_cm):
            browser = await sign_in(first.url, "op1")
            desk = HubClient(first.url, "/agent", cookie=browser.cookie_header)
            await desk.connect()
            await desk.next("snapshot")
            await desk.call("ready", {})
            talking_call = await fs.call(did=MAIN, caller="09011112222")
            await talking_call.wait(0.5).press("1")
            pop = await desk.next("screen_pop", 30)
            talking = str(pop["contact_id"])
            await desk.call("accept", {})
            await wait_for(
                lambda: contact_with(db, "contact.answered", set()) == talking,
                what="the call to be answered",
            )
            waiting_call = await fs.call(did=MAIN, caller="09033334444")
            await waiting_call.wait(0.5).press("1")
            queued = await wait_for(
                lambda: contact_with(db, "queue.joined", {talking}), what="the second call"
            )
            await asyncio.to_thread(imap_server.append, "public", varied(MAILS, tag="kill"))
            await wait_for(lambda: count_messages(db) >= 3, what="mail being taken")
            first.proc.kill()  # SIGKILL: no clean-up of any kind
            killed_at = time.monotonic()
            await asyncio.to_thread(first.proc.wait, 30)
            taken_before = count_messages(db)
            await desk.close()
            await browser.aclose()
        assert first.proc.returncode == -9
        assert 0 < taken_before < MAILS, "the kill must land in the middle of the mail"
        assert events_of(db, talking) == []
        assert events_of(db, queued) == []
        # FreeSWITCH hangs up the caller whose outbound socket closed; the bridged call goes on.
        assert talking_call.uuid in fs.server.switch.channels

        second_cm, _second = await start("second")
        with quiet_exit(second_cm):
            await wait_for(lambda: count_messages(db) == MAILS, what="the rest of the mail")
            await wait_for(lambda: events_of(db, queued), what="the queued call to be closed")
            await wait_for(lambda: events_of(db, talking), what="the bridged call to be closed")
            await wait_for(lambda: alerts(db, "server_restart"), what="the restart alert")
            fault_record.recovery_s = round(time.monotonic() - killed_at, 3)
            fault_record.detected_by = (
                "run marker of a dead process -> server_restart; open calls closed from the log"
            )
            assert events_of(db, queued) == ["contact.abandoned"]
            assert events_of(db, talking) == ["contact.ended"]
            fs.server.switch.hangup(talking_call.channel, "NORMAL_CLEARING")  # later, in FS
            # Its recording (started by the killed process) is stored by this one, once.
            await wait_for(
                lambda: contact_with(db, "recording.stored", set()) == talking,
                what="the recording of the call that outlived the first process",
            )
            assert not list((data / "recordings-spool").glob("*.wav"))
            fault_record.held("recording stored")
            assert_one_end_per_call(db, at_least=2)
            fault_record.held("one end per call")
            assert_one_item_per_message(db, expected=MAILS)
            fault_record.held("one item per message")
            assert len(alerts(db, "server_restart")) == 1
            fault_record.held("alert raised")
    finally:
        await fs.stop()
        db.dispose()
