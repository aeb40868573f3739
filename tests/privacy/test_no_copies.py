"""No copies (N-PRIV-3): a citizen's details are kept only where the register says, sealed.

A citizen asks for a call-back by phone and writes a mail with their name, address, phone and an
attachment named after them. Then every file the system wrote (database and its WAL, journal,
media, spools) and every log line is searched for those details in clear: there is none, while
the agent can still open each one where the register says it is.
"""

from __future__ import annotations

import asyncio
import json
import logging
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import pytest
from sqlmodel import select

from crm.workqueue.models import WorkItem
from crm.workqueue.service import number_box
from inbox.intake.privacy import inbox_box
from inbox.intake.queue import list_items
from inbox.scan.models import ScanVerdict
from tests.callpath.harness import CALLER, Rig, running, scenario, until
from tests.callpath_callback.support import callback_item, configure
from tests.inbox_intake import dovecot
from tests.inbox_intake.conftest import count_messages, mailbox_config

NAME = "山田花子"
ADDRESS = "東京都みどり区桜町3丁目14番15号"
PHONE = "090-4455-7731"
EMAIL = "hanako.yamada.7731@example.jp"


def _citizen_mail() -> bytes:
    mail = EmailMessage()
    mail["From"] = formataddr((NAME, EMAIL))
    mail["To"] = "public@city.example.lg.jp"
    mail["Subject"] = "住民票の写しについて"
    mail["Message-ID"] = "<privacy-1@example.jp>"
    mail.set_content(
        f"{NAME}です。\n住所は{ADDRESS}です。\n日中は{PHONE}にお電話ください。\n",
        charset="utf-8",
        cte="8bit",
    )
    mail.add_attachment(
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        maintype="application",
        subtype="pdf",
        filename=f"{NAME}_申請書.pdf",
    )
    return mail.as_bytes()


def _needles() -> dict[str, list[bytes]]:
    digits = PHONE.replace("-", "")
    return {
        "name": [NAME.encode()],
        "address": [ADDRESS.encode(), "桜町3丁目14番15号".encode()],
        "phone": [PHONE.encode(), digits.encode()],
        "email": [EMAIL.encode()],
        "caller": [CALLER.encode(), ("+81" + CALLER[1:]).encode()],
    }


def _plain_copies(root: Path, log_text: str) -> list[str]:
    found: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for kind, variants in _needles().items():
            if any(v in data for v in variants):
                found.append(f"{kind} in {path.relative_to(root)}")
    for kind, variants in _needles().items():
        if any(v.decode() in log_text for v in variants):
            found.append(f"{kind} in the log")
    return found


async def _request_callback(rig: Rig) -> str:
    await configure(rig, callback_after_s=60)
    call = await rig.call(digits="1")
    contact = await rig.contact_of(call)
    await rig.event("callback.offered", contact)
    await call.wait(2).press("1")
    await rig.event("callback.requested", contact)
    item = await callback_item(rig, contact)
    await until(lambda: contact not in rig.path.calls, what="the call to be finished")
    return item.id


@pytest.mark.req("N-PRIV-3", "N-PRIV-1")
@scenario
async def test_a_citizens_details_are_nowhere_in_clear_yet_open_where_the_register_says(
    tmp_path: Path,
    callpath_db: Path,
    imap_server: dovecot.Dovecot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    box = mailbox_config(imap_server, "public")
    async with running(tmp_path, callpath_db, imap_mailboxes=[box]) as rig:
        db = rig.ctx.db
        item_id = await _request_callback(rig)
        await asyncio.to_thread(imap_server.append, "public", [_citizen_mail()])
        await until(lambda: count_messages(db) == 1, within=30, what="the mail")

        def verdicts() -> list[ScanVerdict]:
            with db.session() as session:
                return list(session.exec(select(ScanVerdict)))

        await until(lambda: any(v.filename for v in verdicts()), within=30, what="the scan")
        secret = rig.ctx.settings.secret_key.get_secret_value()
        # What the register says is kept is there, and opens for the agent.
        with db.session() as session:
            (mail,) = list_items(session, box=inbox_box(secret), include_taken=True)
            callback = session.get(WorkItem, item_id)
            assert callback is not None
            sealed_number = callback.callback_number_enc
        assert mail.sender_address == EMAIL
        assert PHONE in json.dumps(mail.parsed, ensure_ascii=False)
        assert sealed_number is not None
        assert number_box(secret).open(sealed_number) == CALLER
        assert [v.filename for v in verdicts() if v.filename] == ["添付ファイル.pdf"]
    # Nowhere else, in any file the server wrote or any line it logged.
    assert _plain_copies(tmp_path, caplog.text) == []
