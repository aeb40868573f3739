"""Alert rules (N-SEC-4): each condition raised once until it clears; cheap audit verification."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cms.kpi.contacts import ContactFold
from cms.live.figures import LiveFigures, live_figures
from realtime.audit import service as audit
from realtime.monitoring import rules, store
from realtime.monitoring.models import AuditCheckpoint
from realtime.timeutil import utcnow
from tests.cms_kpi.builders import DAY, Journal, jst
from tests.monitoring.test_live_kpis import NEAR, SETTINGS


def _condition(subject: str) -> store.Condition:
    return store.Condition("disk_space", subject, "warning", f"{subject} が少なくなっています。")


@pytest.mark.req("N-SEC-4", "N-REL-1")
def test_a_condition_is_raised_once_then_cleared_when_it_stops(session: Session) -> None:
    now = utcnow()
    kinds = {"disk_space"}
    first = store.reconcile(session, kinds=kinds, firing=[_condition("data")], now=now, mail=True)
    session.commit()
    assert [a.subject for a in first.raised] == ["data"]
    for _ in range(3):  # still firing: no new alert, no storm
        again = store.reconcile(
            session, kinds=kinds, firing=[_condition("data")], now=now, mail=True
        )
        session.commit()
        assert not again
    assert len(store.open_alerts(session)) == 1
    other_kind = store.reconcile(session, kinds={"audit_chain"}, firing=[], now=now, mail=True)
    assert not other_kind.cleared  # a rule that did not look clears nothing of another kind
    gone = store.reconcile(session, kinds=kinds, firing=[], now=now, mail=True)
    session.commit()
    assert [a.subject for a in gone.cleared] == ["data"]
    assert gone.cleared[0].cleared_at is not None
    assert gone.cleared[0].open_key is None
    back = store.reconcile(session, kinds=kinds, firing=[_condition("data")], now=now, mail=True)
    session.commit()
    assert len(back.raised) == 1
    assert back.raised[0].id != first.raised[0].id


@pytest.mark.req("N-SEC-4")
def test_subsystem_is_down_only_after_n_consecutive_failed_checks() -> None:
    watch = rules.SubsystemWatch(after_runs=3)
    assert watch.observe({"imap": "unavailable", "database": "ok"}) == []
    assert watch.observe({"imap": "unavailable", "database": "ok"}) == []
    down = watch.observe({"imap": "unavailable", "database": "ok"})
    assert [(c.kind, c.subject, c.severity) for c in down] == [
        ("subsystem_down", "imap", "critical")
    ]
    assert watch.observe({"imap": "ok", "database": "ok"}) == []
    assert watch.observe({"imap": "unavailable", "database": "ok"}) == []  # counting restarts


@pytest.mark.req("N-SEC-4")
def test_repeated_signin_failures_alert_per_user_and_overall(session: Session) -> None:
    for _ in range(6):
        audit.record(session, actor="op7", action="sign-in", outcome="failure", target="op7")
    for i in range(3):
        audit.record(session, actor=f"x{i}", action="sign-in", outcome="failure", target=f"x{i}")
    audit.record(session, actor="op8", action="sign-in", target="op8")  # a success
    session.commit()
    found = rules.signin_failures(
        session,
        now=utcnow(),
        window=dt.timedelta(minutes=10),
        max_per_user=5,
        max_overall=8,
    )
    assert {(c.subject, c.severity) for c in found} == {
        ("user:op7", "warning"),
        ("all", "critical"),
    }
    later = rules.signin_failures(
        session,
        now=utcnow() + dt.timedelta(minutes=11),
        window=dt.timedelta(minutes=10),
        max_per_user=5,
        max_overall=8,
    )
    assert later == []


@pytest.mark.req("N-SEC-4")
def test_audit_chain_is_verified_incrementally_and_a_forged_entry_is_caught(
    session: Session,
) -> None:
    for i in range(5):
        audit.record(session, actor="admin", action="settings-changed", target=str(i))
    session.commit()
    first = rules.verify_new_entries(session, now=utcnow())
    session.commit()
    assert (first.checked, first.first_bad_seq) == (5, None)
    point = session.get(AuditCheckpoint, 1)
    assert point is not None
    assert point.seq == 5
    for i in range(2):
        audit.record(session, actor="admin", action="settings-changed", target=f"n{i}")
    session.commit()
    second = rules.verify_new_entries(session, now=utcnow())
    session.commit()
    assert (second.checked, second.first_bad_seq) == (2, None)  # only the new entries
    assert rules.audit_chain_broken(second) == []
    head = audit.current_head(session)
    session.execute(
        text(
            "INSERT INTO audit_entry (seq, at, actor, action, outcome, target, ip, detail,"
            " prev_hash, entry_hash) VALUES (:seq, :at, 'intruder', 'sign-in', 'success', '',"
            " '', '{}', :prev, :hash)"
        ),
        {"seq": head.seq + 1, "at": utcnow(), "prev": head.entry_hash, "hash": "f" * 64},
    )
    session.commit()
    broken = rules.verify_new_entries(session, now=utcnow())
    session.commit()
    assert broken.first_bad_seq == head.seq + 1
    assert broken.reason == "entry content changed"
    alert = rules.audit_chain_broken(broken)
    assert [(c.kind, c.severity) for c in alert] == [("audit_chain", "critical")]
    still = rules.verify_new_entries(session, now=utcnow())
    assert still.first_bad_seq == head.seq + 1  # stays broken on the next run


@pytest.mark.req("N-SEC-4")
def test_disk_filling_compares_free_space_with_both_thresholds(tmp_path: Path) -> None:
    folders = {"data": tmp_path, "media": tmp_path / "not-yet-created" / "media"}
    assert rules.disk_filling(folders, min_free_percent=0.0, min_free_bytes=0) == []
    full = rules.disk_filling(folders, min_free_percent=0.0, min_free_bytes=2**62)
    assert [(c.subject, c.severity) for c in full] == [
        ("data", "critical"),
        ("media", "critical"),
    ]
    assert full[0].detail["free_bytes"] > 0


def _figures(journal: Journal, now: dt.datetime) -> LiveFigures:
    fold = ContactFold()
    fold.add_all(journal.rows())
    return live_figures(fold.facts(settings=SETTINGS), now=now, settings=SETTINGS, near=NEAR)


@pytest.mark.req("N-SEC-4", "F-2.4.3")
def test_service_level_falling_needs_below_target_and_a_downward_trend() -> None:
    j = Journal()
    for i in range(6):  # 09:00-09:30: all answered within 15 s
        j.call(f"p{i}", jst(DAY, 9, i), wait=5.0)
    for i in range(6):  # 09:30-: two of six within 15 s
        j.call(f"c{i}", jst(DAY, 9, 31 + i), wait=5.0 if i < 2 else 60.0)
    figures = _figures(j, jst(DAY, 9, 50))
    falling = rules.service_level_falling(figures, target=80.0, min_calls=5, already_open=False)
    assert [(c.kind, c.detail["service_level"]) for c in falling] == [
        ("service_level", pytest.approx(33.3))
    ]
    few = rules.service_level_falling(figures, target=80.0, min_calls=7, already_open=False)
    assert few == []
    low_target = rules.service_level_falling(figures, target=30.0, min_calls=5, already_open=True)
    assert low_target == []


@pytest.mark.req("N-SEC-4")
def test_queue_wait_and_items_due_conditions() -> None:
    floor = {
        "queues": [
            {"id": "juminhyo", "name": "住民票", "waiting": 3, "longest_wait_s": 130.0},
            {"id": "zei", "name": "税", "waiting": 1, "longest_wait_s": 20.0},
        ],
        "agents": [],
    }
    waits = rules.queue_wait_over(floor, threshold_s=120.0)
    assert [c.subject for c in waits] == ["juminhyo"]
    j = Journal()
    now = jst(DAY, 12)
    j.item("m1", now - dt.timedelta(hours=25))
    j.item("m2", now - dt.timedelta(hours=21))
    due = rules.items_due(_figures(j, now), near_hours=20)
    assert {(c.subject, c.severity) for c in due} == {("over", "critical"), ("near", "warning")}
