"""The whole server in stand-in mode: the inbox worker registers the fax receiver on the switch's
ESL client, so a fax call ends as a fax work item without any other wiring."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from crm.workqueue.models import WorkItem
from inbox.fax.models import FaxDocument
from switch.connection.outbound import OutboundSession
from tests.support.app import BACKGROUND, make_app, make_settings
from tests.switch_integration.test_subsystem import poll_readyz

DEADLINE = 20.0


@pytest.mark.req("F-1.5.1", "F-1.5.2")
def test_server_in_standin_mode_takes_a_received_fax_into_the_queue(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path, switch_mode="standin"))
    switch = app.ctx.extras["switch"]
    fax_dir = tmp_path / "faxes"

    async def receive(session: OutboundSession) -> None:
        await session.execute("rxfax", str(fax_dir / f"{session.uuid}.tif"))
        await session.hangup()

    try:
        with TestClient(app) as client:
            # Plays FreeSWITCH's fax dialplan (rxfax before the socket app); installed after
            # start-up because the call path takes the session handler when it starts.
            switch.set_session_handler(receive)
            assert poll_readyz(client, 200)["checks"] == {
                "database": "ok",
                "switch": "ok",
                "monitor": "ok",
                **BACKGROUND,
            }
            worker = next(s for s in app.ctx.extras["subsystems"] if s.name == "inbox-worker")
            assert worker.receiver is not None

            async def call() -> None:
                await switch.standin.call(did="0339811280", caller="0339810000", fax_pages=2)

            client.portal.call(call)
            end = time.monotonic() + DEADLINE
            while worker.receiver.received < 1:
                assert time.monotonic() < end, "the fax never arrived"
                client.portal.call(anyio.sleep, 0.02)
        with app.ctx.db.session() as session:
            (fax,) = session.exec(select(FaxDocument)).all()
            item = session.get(WorkItem, fax.work_item_id)
        assert (fax.did, fax.pages, fax.state) == ("0339811280", 2, "queued")
        assert item is not None
        assert item.kind == "fax"
    finally:
        app.ctx.db.dispose()
