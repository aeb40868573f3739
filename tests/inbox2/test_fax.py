"""Faxes: a real stand-in FreeSWITCH receives with rxfax and sends with txfax over ESL; fax-to-mail
deliveries come through a real Dovecot. Each lands in the work queue as kind fax, sorted by DID,
with a PDF of the right page size and square-pixel page images."""

from __future__ import annotations

import asyncio
import io
import json
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sqlmodel import col, select

from cms.models import ContactEvent
from crm.workqueue.models import WorkItem
from inbox.fax.convert import FaxUnreadable, convert_tiff
from inbox.fax.models import FaxDocument
from inbox.fax.send import send_fax
from inbox.fax.service import IncomingFax, receive_fax
from inbox.fax.switch import FaxReceiver
from inbox.intake.subsystem import build_intake
from inbox.sorting import service as sorting
from inbox.sorting.rules import validate_rule
from mediastore.store.config import store_from_settings
from realtime import migrate
from realtime.db import Database
from switch.connection.outbound import OutboundSession
from switch.standin.media import write_fax_tiff
from tests.inbox2.conftest import citizen_mail, inbox_config, make_connector
from tests.inbox_intake.conftest import mailbox_config
from tests.support.app import make_settings
from tests.switch_integration.rig import rig, scenario, until

FAX_DID = "0339811280"
PT_WIDE = Decimal(1728) / Decimal(204) * 72
PT_TALL = Decimal(1143) / Decimal(98) * 72


def _tiff(tmp_path: Path, pages: int) -> bytes:
    path = tmp_path / f"sample-{pages}.tif"
    write_fax_tiff(path, pages=pages)
    return path.read_bytes()


def _media(settings, file_id: str) -> bytes:
    return b"".join(store_from_settings(settings).read_all(file_id=file_id))


def _assert_fax_pdf(pdf: bytes, pages: int) -> None:
    doc = pikepdf.open(io.BytesIO(pdf))
    assert len(doc.pages) == pages
    for page in doc.pages:
        _x0, _y0, width, height = (Decimal(str(v)) for v in page.mediabox)
        assert abs(width - PT_WIDE) < Decimal("0.01")  # 215 mm: the fax line width
        assert abs(height - PT_TALL) < Decimal("0.01")  # 98 dpi rows, not 204


@pytest.mark.req("F-1.5.1")
def test_fax_tiff_becomes_pdf_at_204x98_page_size_and_square_pixel_pages(tmp_path):
    converted = convert_tiff(_tiff(tmp_path, 3))
    _assert_fax_pdf(converted.pdf, 3)
    for png in converted.pngs:
        with Image.open(io.BytesIO(png)) as image:
            # 1143 rows at 98 dpi stretched to 204 dpi: the page keeps its A4 shape
            assert image.size == (1728, round(1143 * 204 / 98))
    assert [p.dpi for p in converted.pages] == [(204.0, 98.0)] * 3


@pytest.mark.req("F-1.5.1")
def test_corrupt_tiff_is_refused_with_a_japanese_reason(tmp_path):
    good = _tiff(tmp_path, 2)
    for broken in (good[:600], b"II*\x00" + b"\xff" * 40, b"not a tiff at all"):
        with pytest.raises(FaxUnreadable) as refused:
            convert_tiff(broken)
        assert "FAX" in refused.value.reason


def _database(tmp_path: Path):
    settings = make_settings(tmp_path / "data")
    migrate.upgrade(settings.effective_database_url)
    return settings, Database(settings.effective_database_url)


def _fax_rule(db: Database) -> None:
    with db.session() as session:
        sorting.create_rule(
            session,
            rule=validate_rule(
                name="子育てFAX", field="fax_did", pattern="03-3981-1280", skill="kosodate"
            ),
            actor="admin1",
        )


@pytest.mark.req("F-1.5.1", "F-1.5.2", "F-2.1.5", "S-M2")
@scenario
async def test_fax_received_by_freeswitch_lands_in_the_queue_sorted_by_did(tmp_path: Path) -> None:
    settings, db = _database(tmp_path)
    _fax_rule(db)
    connector = make_connector(settings, inbox_config())
    fax_dir = tmp_path / "fax"

    async def receive(session: OutboundSession) -> None:
        await session.execute("rxfax", str(fax_dir / f"{session.uuid}.tif"))
        await session.hangup()

    def take(session, fax: IncomingFax):
        return receive_fax(
            session, fax=fax, media=connector.media, box=connector.box, scanner=connector.scanner
        )

    receiver = FaxReceiver(db=db, take=take)
    try:
        async with rig(tmp_path / "media", handler=receive) as r:
            assert receiver.register(r.client)
            assert not receiver.register(r.client)  # registering twice is a no-op
            call = await r.fs.call(did=FAX_DID, caller="0339810000", fax_pages=2)
            event = await r.log.wait_for("spandsp::rxfaxresult", call.uuid)
            await until(lambda: receiver.received == 1)
            again = await receiver.handle(event)  # the same event twice: taken once
            assert again is not None
            assert again.already
        with db.session() as session:
            (fax,) = session.exec(select(FaxDocument)).all()
            item = session.get(WorkItem, fax.work_item_id)
            events = list(
                session.exec(select(ContactEvent).where(col(ContactEvent.channel) == "fax"))
            )
        assert fax.source == "freeswitch"
        assert fax.did == FAX_DID
        assert fax.state == "queued"
        assert fax.pages == 2
        assert connector.box.open(fax.remote_sealed) == "+81 3 3981 0000"
        assert item is not None
        assert (item.kind, item.skill, item.line) == ("fax", "kosodate", "fax")
        assert item.received_at == fax.received_at
        assert (item.due_at - item.received_at).total_seconds() == 24 * 3600
        assert [e.type for e in events] == ["contact.received"]
        assert "3981 0000" not in events[0].payload
        original = _media(settings, fax.original_file_id)
        assert original == (fax_dir / f"{call.uuid}.tif").read_bytes()
        _assert_fax_pdf(_media(settings, fax.pdf_file_id), 2)
        assert len(json.loads(fax.page_file_ids)) == 2
    finally:
        db.dispose()


@pytest.mark.req("F-1.5.1")
@scenario
async def test_reply_by_fax_is_sent_with_txfax_through_the_switch(tmp_path: Path) -> None:
    page = Image.new("L", (850, 1100), 255)
    for x in range(100, 700):
        page.putpixel((x, 200), 0)
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    async with rig(tmp_path / "media") as r:
        sent = await send_fax(
            r.control,
            number="03-3981-0000",
            document=buffer.getvalue(),
            out_dir=tmp_path / "fax-out",
            gateway="sofia/gateway/ntt/",
            ident="+81 3 3981 1111",
            header="Toshima",
        )
        result = await r.log.wait_for("spandsp::txfaxresult", sent.call_uuid)
    assert sent.endpoint == "sofia/gateway/ntt/0339810000"
    assert result.get("variable_fax_success") == "1"
    with Image.open(sent.tiff_path) as tiff:
        assert tiff.size[0] == 1728
        assert tuple(round(v) for v in tiff.info["dpi"]) == (204, 196)
        assert tiff.mode == "1"


@pytest.mark.req("F-1.5.1", "F-1.5.2", "N-SEC-5")
def test_fax_to_mail_attachments_become_faxes_and_bad_ones_keep_a_reason(
    imap_server, intake_settings, tmp_path, dbs
):
    good = _tiff(tmp_path, 2)
    mails = [
        citizen_mail(
            20,
            subject=f"FAX受信 着信番号:{FAX_DID} 発信:0311112222",
            sender="<fax@faxservice.example.jp>",
            attachments=[("fax.tif", "image/tiff", good)],
        ),
        citizen_mail(
            21,
            subject="FAX受信",
            sender="<fax@faxservice.example.jp>",
            headers={"X-Fax-DID": "03-3981-1280"},
            attachments=[("broken.tif", "image/tiff", good[:500])],
        ),
        citizen_mail(
            22,
            subject="FAX受信",
            sender="<fax@faxservice.example.jp>",
            to="0339811280@faxservice.example.jp",
            attachments=[
                ("doc.pdf", "application/pdf", b"%PDF-1.4\n/OpenAction << /JavaScript 1 >>\n")
            ],
        ),
    ]
    imap_server.append("public", mails)
    settings = intake_settings([mailbox_config(imap_server, "public")])
    db = Database(settings.effective_database_url)
    dbs.append(db)
    _fax_rule(db)
    connector = make_connector(
        settings, inbox_config(inbox_fax_mail_senders=["faxservice.example.jp"])
    )
    intake = build_intake(settings, db=db, after_record=connector.after_record)
    assert asyncio.run(intake.drain()) == 3
    with db.session() as session:
        faxes = list(session.exec(select(FaxDocument).order_by(col(FaxDocument.id))))
        items = {w.id: w for w in session.exec(select(WorkItem))}
    assert [f.source for f in faxes] == ["mail", "mail", "mail"]
    assert [f.did for f in faxes] == [FAX_DID, FAX_DID, FAX_DID]
    ok, broken, script = faxes
    assert ok.state == "queued"
    assert ok.pages == 2
    assert items[ok.work_item_id].kind == "fax"
    assert items[ok.work_item_id].skill == "kosodate"
    _assert_fax_pdf(_media(settings, ok.pdf_file_id), 2)
    # a corrupt TIFF is still a fax to answer, with the reason; the original is kept
    assert broken.state == "queued"
    assert broken.pages == 0
    assert any("壊れて" in r for r in json.loads(broken.reasons))
    assert _media(settings, broken.original_file_id) == good[:500]
    # a PDF that runs JavaScript is quarantined: no work item until someone looks at it
    assert script.state == "quarantined"
    assert script.work_item_id is None
    assert any("JavaScript" in r for r in json.loads(script.reasons))
    assert len(items) == 2
