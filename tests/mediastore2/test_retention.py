"""Retention: per-line/category periods, the deletion job, holds, manual deletion, disposal log."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from crm.pii.guard import PersonalDataFound
from mediastore.recordings.ingest import ingest_recording
from mediastore.recordings.models import Recording
from mediastore.retention import service as retention
from mediastore.retention.models import DisposalRecord
from mediastore.retention.subsystem import build as build_retention
from mediastore.store.store import MediaStore
from mediastore.transcripts.models import TranscriptSegment
from realtime.audit.models import AuditEntry
from realtime.audit.service import verify
from realtime.auth.permissions import Role
from realtime.db import Database
from tests.mediastore2.conftest import T0, Web, close_interaction, meta

REPO = Path(__file__).resolve().parents[2]
COVID_LINE = "0120567000"
JSON = {"Accept": "application/json"}


def _ingest(db: Database, store: MediaStore, wav: Any, contact: str, **kw: Any) -> Recording:
    return ingest_recording(
        database=db, store=store, path=wav(), metadata=meta(contact_id=contact, **kw)
    )


def _disposals(db: Database) -> list[DisposalRecord]:
    with db.session() as session:
        return list(session.exec(select(DisposalRecord).order_by(col(DisposalRecord.id))).all())


@pytest.mark.req("N-PRIV-2", "N-DATA-2")
def test_the_job_erases_by_line_and_category_period_after_closing_and_logs_each_erasure(
    db: Database, store: MediaStore, wav: Any
) -> None:
    with db.session() as session:
        retention.set_policy(
            session, line=COVID_LINE, category="", days=30, note="COVID", actor="admin"
        )
        retention.set_policy(
            session, line="", category="国民健康保険", days=90, note="", actor="admin"
        )
    covid = _ingest(db, store, wav, "c-covid", did=COVID_LINE)
    kokuho = _ingest(db, store, wav, "c-kokuho")
    plain = _ingest(db, store, wav, "c-plain")
    unsaved = _ingest(db, store, wav, "c-unsaved")
    close_interaction(db, contact_id="c-covid", line=COVID_LINE, saved_at=T0)
    close_interaction(db, contact_id="c-kokuho", category="国民健康保険", saved_at=T0)
    close_interaction(db, contact_id="c-plain", saved_at=T0)

    early = retention.run_retention(
        database=db, store=store, now=T0 + timedelta(days=29, hours=23), default_days=365
    )
    assert early.erased == []
    month = retention.run_retention(
        database=db, store=store, now=T0 + timedelta(days=31), default_days=365
    )
    assert [e["recording_id"] for e in month.erased] == [covid.id]
    assert month.erased[0]["rule"] == f"retention:{COVID_LINE}/*:30d"
    quarter = retention.run_retention(
        database=db, store=store, now=T0 + timedelta(days=91), default_days=365
    )
    assert [e["recording_id"] for e in quarter.erased] == [kokuho.id]
    year = retention.run_retention(
        database=db, store=store, now=T0 + timedelta(days=366), default_days=365
    )
    assert sorted(e["recording_id"] for e in year.erased) == sorted([plain.id, unsaved.id])
    assert store.list_ids() == []
    records = _disposals(db)
    assert [r.recording_id for r in records] == [covid.id, kokuho.id] + [
        e["recording_id"] for e in year.erased
    ]
    assert all(r.actor == "system" and r.file_present for r in records)
    assert records[0].clock_started_at == T0
    assert records[0].file_length == covid.file_length
    with db.session() as session:
        rows = {r.id: r for r in session.exec(select(Recording)).all()}
        erased = session.exec(
            select(AuditEntry).where(AuditEntry.action == "recording.erase")
        ).all()
        assert verify(session).ok
    assert all(r.deleted_at is not None for r in rows.values())
    assert rows[covid.id].deleted_reason == f"retention:{COVID_LINE}/*:30d"
    assert len(erased) == 4


@pytest.mark.req("N-PRIV-2", "N-DATA-2")
def test_a_hold_stops_deletion_until_it_is_cleared(
    sqlite_db: Database, store: MediaStore, wav: Any
) -> None:
    row = _ingest(sqlite_db, store, wav, "c-1")
    with sqlite_db.session() as session:
        retention.set_hold(
            session, recording_id=row.id, hold=True, reason="苦情申立て中", actor="sv1"
        )
    later = T0 + timedelta(days=400)
    report = retention.run_retention(database=sqlite_db, store=store, now=later, default_days=365)
    assert (report.erased, report.held) == ([], [row.id])
    assert store.exists(file_id=row.file_id)
    with sqlite_db.session() as session, pytest.raises(Exception, match="recording-on-hold"):
        retention.delete_manually(
            session, store=store, recording_id=row.id, reason="不要", actor="sv1"
        )
    with sqlite_db.session() as session:
        retention.set_hold(session, recording_id=row.id, hold=False, reason="", actor="sv1")
    report = retention.run_retention(database=sqlite_db, store=store, now=later, default_days=365)
    assert [e["recording_id"] for e in report.erased] == [row.id]


@pytest.mark.req("N-PRIV-3")
def test_a_hold_or_deletion_reason_with_personal_data_is_refused_and_nothing_changes(
    sqlite_db: Database, store: MediaStore, wav: Any
) -> None:
    row = _ingest(sqlite_db, store, wav, "c-1")
    with sqlite_db.session() as session, pytest.raises(PersonalDataFound) as held:
        retention.set_hold(
            session, recording_id=row.id, hold=True, reason="佐藤花子様 苦情", actor="sv1"
        )
    assert set(held.value.findings) == {"reason"}
    with sqlite_db.session() as session, pytest.raises(PersonalDataFound):
        retention.delete_manually(
            session, store=store, recording_id=row.id, reason="本人 03-5555-0101 依頼", actor="sv1"
        )
    with sqlite_db.session() as session:
        kept = session.get(Recording, row.id)
        assert kept is not None
        assert (kept.hold, kept.hold_reason, kept.deleted_at) == (False, "", None)
    assert store.exists(file_id=row.file_id)
    assert _disposals(sqlite_db) == []


@pytest.mark.req("N-PRIV-2", "N-DATA-2", "N-SEC-3")
def test_erasure_overwrites_the_wrapped_key_removes_the_transcript_and_survives_a_missing_file(
    sqlite_db: Database, store: MediaStore, wav: Any
) -> None:
    gone = _ingest(sqlite_db, store, wav, "c-gone")
    kept = _ingest(sqlite_db, store, wav, "c-kept", start=T0 + timedelta(days=300))
    with sqlite_db.session() as session:
        session.add(
            TranscriptSegment(
                recording_id=gone.id, channel="agent", start_s=0, end_s=1, text="x", words="[]"
            )
        )
    store.path_for(gone.file_id).unlink()  # lost before the job (e.g. a disk fault)
    report = retention.run_retention(
        database=sqlite_db, store=store, now=T0 + timedelta(days=366), default_days=365
    )
    assert [e["recording_id"] for e in report.erased] == [gone.id]
    assert _disposals(sqlite_db)[0].file_present is False
    assert store.list_ids() == [kept.file_id]
    with sqlite_db.session() as session:
        assert session.exec(select(TranscriptSegment)).all() == []

    linked = store.path_for(kept.file_id).parent / "copy-of-kept"
    os.link(store.path_for(kept.file_id), linked)  # a hard link shares the data blocks
    with sqlite_db.session() as session:
        retention.delete_manually(
            session, store=store, recording_id=kept.id, reason="誤録音", actor="sv1"
        )
    header = linked.read_bytes()[:221]
    assert header[129:221] == bytes(92)  # the wrapped data key is gone from the blocks too
    assert store.list_ids() == []


@pytest.mark.req("N-PRIV-2", "N-DATA-2")
def test_an_orphaned_file_from_a_crash_before_the_catalogue_commit_is_erased_and_logged(
    sqlite_db: Database, store: MediaStore
) -> None:
    store.write(file_id="rec-orphan-1", chunks=[b"RIFF" + bytes(100)])
    store.write(file_id="fax-1", chunks=[b"not a recording"])
    assert retention.sweep_orphans(database=sqlite_db, store=store, min_age_s=3600) == []
    assert retention.sweep_orphans(database=sqlite_db, store=store, min_age_s=0) == ["rec-orphan-1"]
    assert store.list_ids() == ["fax-1"]
    assert [(r.rule, r.file_id) for r in _disposals(sqlite_db)] == [("orphan", "rec-orphan-1")]


@pytest.mark.req("N-PRIV-2", "N-DATA-2", "N-SEC-1")
def test_administrators_set_policies_and_supervisors_hold_and_delete_with_a_reason(
    web: Web,
) -> None:
    row = web.ingest(contact_id="c-1", agent="op1")
    admin, admin_token = web.client("admin1", Role.SYSTEM_ADMIN)
    created = admin.post(
        "/api/media/retention/policies",
        json={"line": COVID_LINE, "days": 30, "note": "新型コロナ専用回線"},
        headers={"X-CSRF-Token": admin_token, **JSON},
    )
    assert created.status_code == 200, created.text
    bad = admin.post(
        "/api/media/retention/policies",
        json={"days": 0},
        headers={"X-CSRF-Token": admin_token, **JSON},
    )
    assert bad.status_code == 422
    listed = admin.get("/api/media/retention/policies", headers=JSON).json()
    assert [(p["line"], p["days"]) for p in listed["policies"]] == [(COVID_LINE, 30)]

    sv, sv_token = web.client("sv1", Role.SUPERVISOR)
    headers = {"X-CSRF-Token": sv_token, **JSON}
    assert (
        sv.post("/api/media/retention/policies", json={"days": 5}, headers=headers).status_code
        == 403
    )
    no_reason = sv.post(f"/api/media/recordings/{row.id}/delete", json={}, headers=headers)
    assert no_reason.status_code == 422
    held = sv.post(
        f"/api/media/recordings/{row.id}/hold",
        json={"hold": True, "reason": "係争"},
        headers=headers,
    )
    assert held.json()["hold"] is True
    refused = sv.post(
        f"/api/media/recordings/{row.id}/delete", json={"reason": "誤録音"}, headers=headers
    )
    assert refused.status_code == 409
    sv.post(f"/api/media/recordings/{row.id}/hold", json={"hold": False}, headers=headers)
    done = sv.post(
        f"/api/media/recordings/{row.id}/delete", json={"reason": "誤録音"}, headers=headers
    )
    assert done.status_code == 200, done.text
    assert sv.get(f"/api/media/recordings/{row.id}/audio", headers=JSON).status_code == 410
    log = admin.get("/api/media/retention/disposals", headers=JSON).json()["disposals"]
    assert [(d["recording_id"], d["rule"], d["reason"], d["actor"]) for d in log] == [
        (row.id, "manual", "誤録音", "sv1")
    ]
    with web.db.session() as session:
        actions = [
            e.action
            for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
            if e.action.startswith(("recording.", "retention."))
        ]
    assert actions == [
        "retention.policy.set",
        "recording.hold.set",
        "recording.hold.clear",
        "recording.erase",
    ]


@pytest.mark.req("N-PRIV-2", "N-DATA-2")
def test_the_scheduler_and_the_cli_run_the_same_job(web: Web, tmp_path: Path) -> None:
    web.ingest(contact_id="c-old", start=T0 - timedelta(days=800))
    assert build_retention(web.app.ctx) is None  # development key only: run by command
    settings = web.app.ctx.settings.model_copy(
        update={"media_master_keys": SecretStr("k1:" + base64.b64encode(bytes(32)).decode())}
    )
    scheduler = build_retention(SimpleNamespace(settings=settings, db=web.db))  # type: ignore[arg-type]
    assert scheduler is not None
    scheduler.store = lambda: web.store
    report = scheduler.run_now()
    assert len(report.erased) == 1

    web.ingest(contact_id="c-old-2", start=T0 - timedelta(days=800))
    data_dir = web.app.ctx.settings.data_dir
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MADOGUCHI_DATA_DIR": str(data_dir),
        "DATABASE_URL": web.app.ctx.settings.effective_database_url,
    }
    code = (
        "import argparse,sys\n"
        "from mediastore.cli import register\n"
        "p=argparse.ArgumentParser(); register(p.add_subparsers(dest='c', required=True))\n"
        "a=p.parse_args(['media','retention','run']); sys.exit(a.handler(a))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["erased"]) == 1
    assert out["failed"] == {}
    assert web.store.list_ids() == []
