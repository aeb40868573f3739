"""A DID configured as a fax line (F-1.5.1-F-1.5.3): the call path receives the fax with rxfax
into the fax folder the inbox's fax intake reads, logs no call, and the fax reaches the queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from crm.workqueue.models import WorkItem
from inbox.fax.models import FaxDocument
from realtime.audit.models import AuditEntry
from switch.callpath.fax import already_received
from switch.esl.event import EslEvent
from tests.callpath.harness import ADMIN_TOTP, running, scenario, until

FAX_DID = "0339811280"


@pytest.mark.req("F-1.5.1", "F-1.5.2", "F-1.5.3")
@scenario
async def test_call_to_a_fax_line_is_received_as_a_fax_not_as_a_call(
    tmp_path: Path, callpath_db: Path
) -> None:
    async with running(tmp_path, callpath_db) as rig:
        admin = await rig.staff("admin", ADMIN_TOTP)
        line = {"did": "03-3981-1280", "name_ja": "FAX", "kind": "fax"}
        bad = await admin.post_json("/api/callpath/lines", {**line, "kind": "modem"})
        assert bad.status_code == 422
        assert "kind" in bad.json()["fields"]
        survey = await admin.post_json("/api/callpath/lines", {**line, "survey_percent": 10})
        assert survey.status_code == 422
        assert "survey_percent" in survey.json()["fields"]
        operator = await rig.staff("op1")
        forbidden = await operator.post_json("/api/callpath/lines", line)
        assert forbidden.status_code == 403
        saved = await admin.post_json("/api/callpath/lines", line)
        assert saved.status_code == 200, saved.text
        config = await admin.http.get("/api/callpath/config")
        (stored,) = [x for x in config.json()["lines"] if x["did"] == FAX_DID]
        assert (stored["kind"], stored["survey_percent"]) == ("fax", 0)
        call = await rig.fs.call(did=FAX_DID, caller="0339810000", fax_pages=2)

        def fax() -> FaxDocument | None:
            with rig.ctx.db.session() as session:
                found: FaxDocument | None = session.exec(select(FaxDocument)).first()
                return found

        document: FaxDocument = await until(fax, what="the fax to be taken in")
        assert (document.did, document.pages, document.source) == (FAX_DID, 2, "freeswitch")
        assert (tmp_path / "fax-in" / f"{call.uuid}.tif").exists()
        with rig.ctx.db.session() as session:
            item = session.get(WorkItem, document.work_item_id)
        assert item is not None
        assert item.kind == "fax"
        await until(lambda: not call.channel.alive, what="the fax call to end")
        assert call.uuid not in rig.path.seen  # no call contact: the fax intake owns it
        channels = {e.channel for e in rig.events() if e.line in (FAX_DID, "fax")}
        assert "call" not in channels
        received = [e for e in rig.events() if e.type == "contact.received"]
        assert [e.channel for e in received] == ["fax"]
        with rig.ctx.db.session() as session:
            entries = session.exec(
                select(AuditEntry).where(col(AuditEntry.action) == "callpath-line-saved")
            ).all()
        mine = [e for e in entries if e.actor == "admin"]
        assert [e.target for e in mine] == [FAX_DID]
        assert '"kind": "fax"' in mine[0].detail


@pytest.mark.req("F-1.5.1")
def test_fax_already_received_by_the_dialplan_is_recognised_from_the_channel_data() -> None:
    done = EslEvent([("Unique-ID", "u1"), ("variable_fax_result_code", "0")])
    fresh = EslEvent([("Unique-ID", "u2"), ("Caller-Destination-Number", FAX_DID)])
    assert already_received(done)
    assert not already_received(fresh)
    assert not already_received(None)
