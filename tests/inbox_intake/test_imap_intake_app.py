"""The intake as a background subsystem of the server: started and stopped with the app."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from realtime.app import create_app
from realtime.db import Database
from tests.inbox_intake.conftest import count_messages, mailbox_config
from tests.inbox_intake.mails import varied


@pytest.mark.req("F-1.6.1", "F-1.6.2")
def test_server_runs_the_intake_and_reports_it_ready(imap_server, intake_settings):
    settings = intake_settings(
        [mailbox_config(imap_server, "public"), mailbox_config(imap_server, "liaison")]
    )
    imap_server.append("liaison", varied(2, tag="app"))
    db = Database(settings.effective_database_url)
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        imap_server.append("public", varied(3, tag="app"))
        deadline = time.monotonic() + 30
        while count_messages(db) < 5:
            assert time.monotonic() < deadline, "the server's intake did not take the mail"
            time.sleep(0.05)
        ready = client.get("/readyz").json()
        assert ready["checks"]["imap-intake"] == "ok"
    assert count_messages(db, "public") == 3
    assert count_messages(db, "liaison") == 2
    db.dispose()


@pytest.mark.req("F-1.6.1")
def test_server_without_mailboxes_has_no_intake(tmp_path):
    from tests.support.app import make_app, make_settings

    app = make_app(make_settings(tmp_path))
    assert all(s.name != "imap-intake" for s in app.ctx.extras["subsystems"])
    app.ctx.db.dispose()
