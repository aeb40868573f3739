"""The contact event log: typed, append-only, idempotent, durable, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cms import service as events
from cms.eventdoc import render
from cms.events import PAYLOADS, Channel, EventType
from cms.exceptions import InvalidEvent
from realtime import migrate
from realtime.db import Database

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Any:
    migrate.upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


def _call(contact: str, kind: EventType, seconds: float, **payload: Any) -> events.NewEvent:
    return events.NewEvent(
        type=kind,
        occurred_at=T0 + timedelta(seconds=seconds),
        contact_id=contact,
        channel=Channel.CALL,
        line="0339811111",
        payload=payload,
    )


@pytest.mark.req("F-2.4.1", "F-1.1.2", "F-1.3.2")
def test_a_call_journey_is_read_back_in_order_with_typed_payloads(db: Database) -> None:
    journey = [
        _call("c1", EventType.CONTACT_RECEIVED, 0),
        _call("c1", EventType.IVR_MENU_CHOSEN, 5, menu="juminhyo", digits="1"),
        _call("c1", EventType.QUEUE_JOINED, 6, skill="general"),
        _call("c1", EventType.CONTACT_ANSWERED, 14, speed_of_answer_s=8.0),
        _call("c1", EventType.CONTACT_ENDED, 150, by="caller", talk_s=136.0),
    ]
    with db.session() as session:
        for e in journey:
            events.append(session, event=e)
        rows = list(events.read(session, contact_id="c1"))
    assert [r.type for r in rows] == [e.type.value for e in journey]
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert events.payload_of(rows[1]) == {"menu": "juminhyo", "digits": "1"}
    assert rows[3].occurred_at == T0 + timedelta(seconds=14)


@pytest.mark.req("F-2.4.1")
def test_appending_the_same_event_twice_stores_it_once(db: Database) -> None:
    event = _call("c2", EventType.CONTACT_RECEIVED, 0)
    with db.session() as session:
        first = events.append(session, event=event)
        second = events.append(session, event=event)
        assert first.seq == second.seq
        assert (
            events.append_many(
                session, events=[event, _call("c2", EventType.CONTACT_ENDED, 9, by="caller")]
            )
            == 1
        )
        assert len(list(events.read(session, contact_id="c2"))) == 2


@pytest.mark.req("F-2.4.1", "N-PRIV-1")
def test_an_event_with_an_unknown_payload_field_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(InvalidEvent):
        events.append(
            session, event=_call("c3", EventType.CONTACT_RECEIVED, 0, caller_number="09012345678")
        )


@pytest.mark.req("F-2.4.1")
def test_a_naive_timestamp_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(InvalidEvent):
        events.append(
            session,
            event=events.NewEvent(
                type=EventType.CONTACT_RECEIVED, occurred_at=datetime(2026, 1, 1)
            ),
        )


@pytest.mark.req("F-2.4.1", "N-SEC-2")
def test_the_database_refuses_to_change_or_delete_events(db: Database) -> None:
    with db.session() as session:
        events.append(session, event=_call("c4", EventType.CONTACT_RECEIVED, 0))
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE contact_event SET line = 'x'"))
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM contact_event"))


@pytest.mark.req("F-2.4.1")
def test_an_acknowledged_event_survives_the_process_being_killed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    migrate.upgrade(url)
    script = (
        "import os, sys\n"
        "from datetime import UTC, datetime\n"
        "from cms import service as s\n"
        "from cms.events import EventType\n"
        "from realtime.db import Database\n"
        f"db = Database({url!r})\n"
        "with db.session() as session:\n"
        "    s.append(session, event=s.NewEvent(type=EventType.CONTACT_RECEIVED,\n"
        "             occurred_at=datetime.now(UTC), contact_id='k1', event_id='e-kill-1'))\n"
        "print('acked', flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert "acked" in proc.stdout
    assert proc.returncode == -9
    db = Database(url)
    with db.session() as session:
        assert [r.event_id for r in events.read(session, contact_id="k1")] == ["e-kill-1"]
    db.dispose()


@pytest.mark.req("F-2.4.1")
def test_every_event_type_has_a_payload_model_and_a_description() -> None:
    assert set(PAYLOADS) == set(EventType)


@pytest.mark.req("F-2.4.1")
def test_docs_events_md_is_the_generated_catalogue() -> None:
    assert (ROOT / "docs" / "events.md").read_text(encoding="utf-8") == render(), (
        "run: madoguchi events doc > docs/events.md"
    )
