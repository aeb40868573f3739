"""FAQ usage (F-2.1.6): opening and citing are counted, logged as faq.used, and rank entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cms import service as events
from cms.events import EventType
from crm.faq import service as faq
from crm.faq.exceptions import FaqNotFound
from crm.faq.service import UsageKind
from realtime.db import Database

AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.req("F-2.1.6")
def test_usage_is_counted_logged_and_listed_as_most_referenced(
    db: Database, small_faq: bytes
) -> None:
    with db.session() as s:
        faq.import_csv(s, data=small_faq, actor="admin")
    uses = [("T013", UsageKind.OPEN)] * 3 + [("T012", UsageKind.CITE)] * 2
    uses += [("T001", UsageKind.OPEN)]
    for faq_id, kind in uses:
        with db.session() as s:
            faq.record_usage(s, faq_id=faq_id, kind=kind, agent="agent1", contact_id="c1", at=AT)
    with db.session() as s:
        top = faq.most_referenced(s, limit=2)
        logged = list(events.read(s, types=[EventType.FAQ_USED]))
    assert [(r.faq_id, r.opened, r.cited) for r in top] == [("T012", 0, 2), ("T013", 3, 0)]
    assert top[0].question == "粗大ごみを出したいです。"
    assert len(logged) == len(uses)
    assert [json.loads(e.payload)["faq_id"] for e in logged] == [u[0] for u in uses]
    assert {(e.agent, e.contact_id) for e in logged} == {("agent1", "c1")}


@pytest.mark.req("F-2.1.6", "F-2.1.3")
def test_usage_reorders_near_equal_entries_but_not_a_clearly_better_match(
    db: Database, small_faq: bytes
) -> None:
    with db.session() as s:
        faq.import_csv(s, data=small_faq, actor="admin")
        fees = [r.faq_id for r in faq.search(s, query="手数料", limit=3)]
        resident = [r.faq_id for r in faq.search(s, query="住民票", limit=3)]
    assert fees[:2] == ["T001", "T002"]
    assert resident[:2] == ["T001", "T015"]
    for faq_id in ("T002", "T015", "T009"):
        for _ in range(10):
            with db.session() as s:
                faq.record_usage(s, faq_id=faq_id, kind=UsageKind.CITE)
    with db.session() as s:
        fees_after = [r.faq_id for r in faq.search(s, query="手数料", limit=3)]
        resident_after = [r.faq_id for r in faq.search(s, query="住民票", limit=3)]
    assert fees_after == ["T002", "T001", "T009"]
    assert resident_after[:2] == ["T001", "T015"]


@pytest.mark.req("F-2.1.6")
def test_usage_of_an_unknown_entry_is_refused_and_not_logged(db: Database) -> None:
    with pytest.raises(FaqNotFound), db.session() as s:
        faq.record_usage(s, faq_id="NOPE", kind=UsageKind.OPEN)
    with db.session() as s:
        assert list(events.read(s, types=[EventType.FAQ_USED])) == []
        assert faq.most_referenced(s) == []
