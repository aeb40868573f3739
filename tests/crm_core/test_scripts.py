"""Talk scripts (F-2.1.2): imported from the city's CSV, looked up for the screen pop, edited by
administrators only and audited (F-2.1.7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from crm.faq.exceptions import CsvImportFailed
from crm.scripts import service as scripts
from realtime import migrate
from realtime.audit.models import AuditEntry
from realtime.auth.permissions import Role
from realtime.db import Database
from tests.support.app import add_user, signin

SHARED_SCRIPTS = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "faq" / "talk_scripts.csv"
)

SMALL = """script_id,work_type,title,steps
S01,代表・総合案内,代表電話の受付,名乗る / 用件を伺い復唱する / FAQで回答する
S04,税,税に関する問い合わせ,名乗る / 税目と年度を確認する / 個別の税額は折り返しを案内する
S09,苦情・意見,苦情・ご意見の受付,お詫びする / 内容を記録する（日時/場所） / 担当課へ取り次ぐ
"""


def _import(db: Database, text: str, *, encoding: str = "utf-8") -> scripts.ScriptImport:
    with db.session() as session:
        return scripts.import_csv(session, data=text.encode(encoding), actor="admin1")


@pytest.mark.req("F-2.1.2")
def test_import_splits_steps_and_upserts_by_id(db: Database) -> None:
    first = _import(db, SMALL)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    with db.session() as session:
        s09 = scripts.get_script(session, script_id="S09")
    assert s09.steps == ["お詫びする", "内容を記録する（日時/場所）", "担当課へ取り次ぐ"]
    again = _import(db, SMALL.replace("FAQで回答する", "FAQを検索して回答する"), encoding="cp932")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert again.encoding == "shift_jis"


@pytest.mark.req("F-2.1.2")
def test_the_city_file_imports_whole(db: Database) -> None:
    if not SHARED_SCRIPTS.is_file():
        pytest.skip(f"shared data not available: {SHARED_SCRIPTS}")
    data = SHARED_SCRIPTS.read_bytes()
    rows = data.decode("utf-8").strip().splitlines()[1:]
    with db.session() as session:
        result = scripts.import_csv(session, data=data, actor="admin1")
    assert result.created == len(rows)
    with db.session() as session:
        listed = scripts.list_scripts(session)
    assert len(listed) == len(rows)
    assert all(len(s.steps) >= 2 for s in listed)


@pytest.mark.req("F-2.1.2")
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("script_id,work_type,title\nS01,税,題\n", "見出し行"),
        ("script_id,work_type,title,steps\nS01,税,題,\n", "手順"),
        ("script_id,work_type,title,steps\nS01,税,題,a\nS01,税,題,b\n", "重複"),
        ("script_id,work_type,title,steps\nS 01,税,題,a\n", "スクリプトID"),
        ("script_id,work_type,title,steps\nS01,税,題\n", "列の数"),
        ("", "空"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_line_named(
    db: Database, text: str, needle: str
) -> None:
    good = "script_id,work_type,title,steps\nS77,ごみ,粗大ごみ,受付する\n"
    body = text if not text or "S01" not in text else text + good.split("\n", 1)[1]
    with pytest.raises(CsvImportFailed) as info:
        _import(db, body)
    assert any(needle in p.describe() for p in info.value.problems), info.value.problems
    with db.session() as session:
        assert scripts.list_scripts(session) == []


@pytest.mark.req("F-2.1.2", "F-2.1.1")
def test_the_screen_pop_finds_the_menus_script_then_the_work_types(db: Database) -> None:
    _import(db, SMALL)
    with db.session() as session:
        scripts.save_script(
            session,
            script_id="S04",
            data={
                "work_type": "税",
                "menu": "3",
                "title": "税に関する問い合わせ",
                "steps": ["名乗る", "税目と年度を確認する"],
                "confirm_items": ["税目", "年度"],
                "handoff_criteria": ["個別の税額・納付状況"],
            },
            actor="admin1",
        )
    with db.session() as session:
        by_menu = scripts.script_for(session, menu="3")
        by_work = scripts.script_for(session, menu="9", work_type="苦情・意見")
        nothing = scripts.script_for(session, menu="9", work_type="存在しない業務")
    assert by_menu is not None
    assert by_menu.script_id == "S04"
    assert by_menu.confirm_items == ["税目", "年度"]
    assert by_work is not None
    assert by_work.script_id == "S09"
    assert nothing is None


@pytest.mark.req("F-2.1.2", "F-2.1.7")
def test_reimporting_keeps_menus_and_items_the_admin_set(db: Database) -> None:
    _import(db, SMALL)
    with db.session() as session:
        scripts.save_script(
            session,
            script_id="S01",
            data={
                "work_type": "代表・総合案内",
                "menu": "0",
                "title": "代表",
                "steps": "a / b",
                "confirm_items": ["用件"],
            },
            actor="admin1",
        )
    _import(db, SMALL)
    with db.session() as session:
        kept = scripts.get_script(session, script_id="S01")
    assert kept.menu == "0"
    assert kept.confirm_items == ["用件"]
    assert kept.steps == ["名乗る", "用件を伺い復唱する", "FAQで回答する"]


@pytest.mark.req("F-2.1.2", "F-2.1.7", "N-SEC-1")
def test_only_administrators_edit_scripts_and_every_change_is_audited(web: Any) -> None:
    secret = pyotp.random_base32()
    add_user(web, "admin1", Role.SYSTEM_ADMIN, totp_secret=secret)
    add_user(web, "op1", Role.OPERATOR)
    with TestClient(web, base_url="http://testserver") as admin:
        token = signin(admin, "admin1", totp_secret=secret)
        headers = {"X-CSRF-Token": token, "Content-Type": "text/csv"}
        imported = admin.post("/api/crm/scripts/import", content=SMALL.encode(), headers=headers)
        assert imported.status_code == 200
        assert imported.json()["created"] == 3
        changed = admin.put(
            "/api/crm/scripts/S04",
            json={"version": 1, "work_type": "税", "menu": "3", "title": "税", "steps": ["名乗る"]},
            headers={"X-CSRF-Token": token},
        )
        assert changed.status_code == 200
        assert changed.json()["version"] == 2
        stale = admin.put(
            "/api/crm/scripts/S04",
            json={"version": 1, "work_type": "税", "title": "税", "steps": ["x"]},
            headers={"X-CSRF-Token": token},
        )
        assert stale.status_code == 409
        empty = admin.put(
            "/api/crm/scripts/S05",
            json={"work_type": "", "steps": []},
            headers={"X-CSRF-Token": token},
        )
        assert empty.status_code == 422
        assert set(empty.json()["fields"]) == {"work_type", "title", "steps"}
    with TestClient(web, base_url="http://testserver") as op:
        token = signin(op, "op1")
        pop = op.get("/api/crm/screen-pop/script", params={"menu": "3"})
        assert pop.json()["script"]["script_id"] == "S04"
        refused = op.put(
            "/api/crm/scripts/S04",
            json={"work_type": "税", "title": "改ざん", "steps": ["x"]},
            headers={"X-CSRF-Token": token},
        )
        assert refused.status_code == 403
    with web.ctx.db.session() as session:
        actions = [
            e.action
            for e in session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.actor) == "admin1")
                .order_by(col(AuditEntry.seq))
            )
        ]
    assert "talk-scripts-imported" in actions
    assert "talk-script-changed" in actions


@pytest.mark.req("F-2.1.2")
def test_the_scripts_command_imports_and_shows_through_a_subprocess(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    migrate.upgrade(url)
    csv_file = tmp_path / "talk.csv"
    csv_file.write_text(SMALL, encoding="utf-8")
    env = {"DATABASE_URL": url, "MADOGUCHI_DATA_DIR": str(tmp_path), "PYTHONPATH": "."}
    root = Path(__file__).resolve().parents[2]
    base = [sys.executable, "-m", "crm.scripts.cli", "scripts"]
    done = subprocess.run(
        [*base, "import", str(csv_file), "--actor", "admin1"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "新規 3 件" in done.stdout
    shown = subprocess.run(
        [*base, "show", "--work-type", "税", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["script_id"] == "S04"
    bad = tmp_path / "bad.csv"
    bad.write_text("script_id,title\nS1,x\n", encoding="utf-8")
    refused = subprocess.run(
        [*base, "import", str(bad)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2
    assert "見出し行" in refused.stderr
