"""The half-yearly personal-data report (個人情報特記事項 第11条): what is held, what was erased,
who opened personal data, and the security events of a period, from the system's own records."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cms.reports import privacy
from crm.workqueue.models import WorkItem
from mediastore.recordings.ingest import ingest_recording
from mediastore.retention import service as retention
from mediastore.store.store import MediaStore
from realtime.audit import service as audit
from realtime.db import Database
from realtime.monitoring.models import Alert
from realtime.timeutil import JST, utcnow
from tests.mediastore2.conftest import meta

REPO = Path(__file__).resolve().parents[2]


def _callback(item_id: str, *, sealed: str | None, completed: dt.datetime | None) -> WorkItem:
    now = utcnow()
    return WorkItem(
        id=item_id,
        kind="callback",
        state="done" if completed else "queued",
        contact_id=f"c-{item_id}",
        received_at=now,
        due_at=now + dt.timedelta(hours=4),
        created_at=now,
        updated_at=now,
        completed_at=completed,
        callback_number_enc=sealed,
    )


def _alert(kind: str, at: dt.datetime) -> Alert:
    return Alert(
        kind=kind, severity="warning", subject="op9", detail="{}", message_ja="-", raised_at=at,
        mail_state="off",
    )  # fmt: skip


@pytest.mark.req("N-PRIV-3", "N-PRIV-2")
def test_the_privacy_report_counts_what_is_held_erased_and_opened_in_the_period(
    sqlite_db: Database, store: MediaStore, wav: Callable[..., Path], tmp_path: Path
) -> None:
    kept = ingest_recording(
        database=sqlite_db, store=store, path=wav(), metadata=meta(contact_id="c-1")
    )
    gone = ingest_recording(
        database=sqlite_db, store=store, path=wav(), metadata=meta(contact_id="c-2")
    )
    now = utcnow()
    with sqlite_db.session() as session:
        retention.delete_manually(
            session, store=store, recording_id=gone.id, reason="対応完了", actor="sv1"
        )
        for _ in range(3):
            audit.record(session, actor="qa1", action="recording.play", target=kept.id)
        audit.record(session, actor="sv1", action="recording.download", target=kept.id)
        audit.record(session, actor="op1", action="callback-number-shown", target="w-1")
        audit.record(session, actor="admin", action="user-created", target="op7")
        session.add(_callback("w-1", sealed="sealed-number", completed=None))
        session.add(_callback("w-2", sealed=None, completed=now))
        session.add(_alert("signin_failures", now))
        session.add(_alert("signin_failures", now - dt.timedelta(days=400)))
        session.add(_alert("disk_space", now))
    today = now.astimezone(JST).date()
    with sqlite_db.session() as session:
        report = privacy.build(session, first_day=today - dt.timedelta(days=1), last_day=today)
        earlier = privacy.build(
            session, first_day=dt.date(2025, 4, 1), last_day=dt.date(2025, 9, 30)
        )
    held = dict(report.held)
    assert held["通話録音（暗号化）"] == 1
    assert held["折り返し架電の電話番号（未完了の依頼）"] == 1
    erased = dict(report.erased)
    assert erased["通話録音（理由を付けた手動削除）"] == 1
    assert erased["折り返し架電の電話番号（対応完了で消去）"] == 1
    assert report.access == [
        ("折り返し先番号の表示", "op1", 1),
        ("録音のダウンロード", "sv1", 1),
        ("録音の再生", "qa1", 3),
    ]
    assert dict(report.security) == {"監査ログの改ざん検知": 0, "サインイン失敗の多発": 1}
    assert report.audit_intact
    text = privacy.render(report)
    assert "| 録音の再生 | qa1 | 3 |" in text
    assert "異常なし" in text
    assert earlier.access == []
    assert all(n == 0 for _label, n in earlier.erased)
    assert dict(earlier.security)["サインイン失敗の多発"] == 0
    assert dict(earlier.held) == held  # what is held is as of now, whatever the period

    out = tmp_path / "report.md"
    done = subprocess.run(
        [
            sys.executable, "-m", "realtime.cli", "report", "privacy",
            "--from", (today - dt.timedelta(days=1)).isoformat(), "--to", today.isoformat(),
            "--out", str(out), "--database-url", sqlite_db.url,
        ],
        env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == text
    backwards = subprocess.run(
        [
            sys.executable, "-m", "realtime.cli", "report", "privacy",
            "--from", today.isoformat(), "--to", "2025-01-01", "--out", str(tmp_path / "x.md"),
            "--database-url", sqlite_db.url,
        ],
        env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert backwards.returncode == 2
    assert not (tmp_path / "x.md").exists()
