"""FAQ and departments CSV import: upsert, audit, Shift_JIS, per-row errors, unknown departments."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from crm.departments import service as departments
from crm.faq import service as faq
from crm.faq.exceptions import CsvImportFailed
from crm.faq.models import FaqEntry
from realtime.audit import service as audit
from realtime.audit.models import AuditEntry
from realtime.db import Database
from tests.crm_faq.conftest import shared_file

HEADER = "faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff\n"


def _count(db: Database) -> int:
    with db.session() as s:
        return len(list(s.exec(select(FaqEntry))))


def _audits(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as s:
        return [e for e in audit.recent(s, limit=100) if e.action == action]


@pytest.mark.req("F-2.1.3")
def test_the_city_faq_and_departments_import_and_export_round_trip(sqlite_db: Database) -> None:
    faq_csv = shared_file("faq.csv").read_bytes()
    dept_csv = shared_file("departments.csv").read_bytes()
    with sqlite_db.session() as s:
        d = departments.import_csv(s, data=dept_csv, actor="admin")
        r = faq.import_csv(s, data=faq_csv, actor="admin", source="faq.csv")
    expected_rows = list(csv.DictReader(io.StringIO(faq_csv.decode("utf-8"))))
    dept_rows = list(csv.DictReader(io.StringIO(dept_csv.decode("utf-8"))))
    assert (d.created, r.created, r.updated) == (len(dept_rows), len(expected_rows), 0)
    assert r.warnings == []
    with sqlite_db.session() as s:
        exported = list(csv.DictReader(io.StringIO(faq.export_csv(s))))
        tree = faq.categories(s)
        entry = faq.get(s, faq_id=expected_rows[0]["faq_id"])
    assert exported == expected_rows
    assert sum(c.count for c in tree) == len(expected_rows)
    assert entry.question == expected_rows[0]["question"]


@pytest.mark.req("F-2.1.3", "F-2.1.7")
def test_importing_the_same_file_twice_updates_in_place_and_is_audited(
    db: Database, small_faq: bytes
) -> None:
    with db.session() as s:
        first = faq.import_csv(s, data=small_faq, actor="admin", source="faq_small.csv")
    with db.session() as s:
        second = faq.import_csv(s, data=small_faq, actor="admin", source="faq_small.csv")
    changed = small_faq.decode().replace("1通300円です。本人確認", "1通350円です。本人確認")
    with db.session() as s:
        third = faq.import_csv(s, data=changed.encode(), actor="admin")
        entry = faq.get(s, faq_id="T001")
    assert (first.created, second.created, second.unchanged) == (16, 0, 16)
    assert (third.updated, third.unchanged) == (1, 15)
    assert "350円" in entry.answer
    assert _count(db) == 16
    entries = _audits(db, "faq-imported")
    assert len(entries) == 3
    details = [json.loads(e.detail) for e in reversed(entries)]
    assert [(d["created"], d["updated"]) for d in details] == [(16, 0), (0, 0), (0, 1)]


@pytest.mark.req("F-2.1.3")
def test_broken_rows_are_each_reported_and_nothing_is_imported(db: Database) -> None:
    broken = (
        HEADER
        + "B001,cat,sub,質問です,回答です,D01,kw,no\n"
        + "B002,cat,sub,,回答です,D01,kw,no\n"
        + "B003,cat,sub,質問,回答,D01,kw,maybe\n"
        + "B001,cat,sub,重複,回答,D01,kw,no\n"
        + "B005,cat,sub,列が足りない\n"
        + "ＩＤ　空白,cat,sub,質問,回答,D01,kw,no\n"
    )
    with pytest.raises(CsvImportFailed) as caught, db.session() as s:
        faq.import_csv(s, data=broken.encode(), actor="admin")
    problems = {(p.line, p.column) for p in caught.value.problems}
    assert problems == {
        (3, "question"),
        (4, "needs_handoff"),
        (5, "faq_id"),
        (6, ""),
        (7, "faq_id"),
    }
    assert all(p.message_ja for p in caught.value.problems)
    assert caught.value.public()["error"] == "csv-import-failed"
    assert _count(db) == 0
    assert _audits(db, "faq-imported") == []


@pytest.mark.req("F-2.1.3")
def test_a_shift_jis_file_is_detected_and_imported(db: Database, small_faq: bytes) -> None:
    sjis = small_faq.decode("utf-8").encode("cp932")
    with db.session() as s:
        result = faq.import_csv(s, data=sjis, actor="admin")
        entry = faq.get(s, faq_id="T012")
    assert (result.encoding, result.created) == ("shift_jis", 16)
    assert entry.question == "粗大ごみを出したいです。"


@pytest.mark.req("F-2.1.3")
def test_unreadable_bytes_and_wrong_headers_are_refused_clearly(sqlite_db: Database) -> None:
    cases = {
        b"\xff\xfe\x00\x00garbage\x81": "文字コード",
        b"id,question\nA,B\n": "見出し行",
        b"": "空",
        HEADER.encode(): "データ行",
        (HEADER + 'Q1,c,c,"unterminated,answer,D01,k,no\n').encode(): "",
    }
    for data, words in cases.items():
        with pytest.raises(CsvImportFailed) as caught, sqlite_db.session() as s:
            faq.import_csv(s, data=data, actor="admin")
        assert words in caught.value.problems[0].message_ja
    assert _count(sqlite_db) == 0


@pytest.mark.req("F-2.1.3")
def test_an_unknown_department_is_kept_with_a_warning(
    db: Database, small_faq: bytes, small_departments: bytes
) -> None:
    with db.session() as s:
        departments.import_csv(s, data=small_departments, actor="admin")
        result = faq.import_csv(s, data=small_faq, actor="admin")
        kept = faq.get(s, faq_id="T007")
    warned = {w.faq_id for w in result.warnings}
    assert kept.dept_id == "X08"
    assert "T007" in warned
    assert "T001" not in warned
    assert all("X" in w.message_ja for w in result.warnings)


@pytest.mark.req("F-2.1.3")
def test_departments_upsert_and_refuse_broken_rows_whole(
    db: Database, small_departments: bytes
) -> None:
    with db.session() as s:
        first = departments.import_csv(s, data=small_departments, actor="admin")
    moved = small_departments.decode().replace("2104", "2199")
    with db.session() as s:
        second = departments.import_csv(s, data=moved.encode("cp932"), actor="admin")
        d = departments.get(s, dept_id="X04")
    assert (first.created, second.updated, second.unchanged, second.encoding) == (
        4,
        1,
        3,
        "shift_jis",
    )
    assert (d.extension, d.display_name) == ("2199", "区民部 区民課 マイナンバー係")
    bad = "dept_id,bu,ka,kakari,extension,handles\nX09,部,課,係,内線,x\nX01,部,,,1,x\n"
    with pytest.raises(CsvImportFailed) as caught, db.session() as s:
        departments.import_csv(s, data=bad.encode(), actor="admin")
    assert {(p.line, p.column) for p in caught.value.problems} == {(2, "extension"), (3, "ka")}
    with db.session() as s:
        assert len(departments.list_all(s)) == 4


@pytest.mark.req("F-2.1.3")
def test_departments_are_found_by_what_they_handle(
    sqlite_db: Database, small_departments: bytes
) -> None:
    with sqlite_db.session() as s:
        departments.import_csv(s, data=small_departments, actor="admin")
        by_duty = [d.dept_id for d in departments.find(s, query="印鑑登録証明書")]
        by_width = [d.dept_id for d in departments.find(s, query="ﾏｲﾅﾝﾊﾞｰ")]
        nothing = departments.find(s, query="😀")
    assert (by_duty, by_width, nothing) == (["X02"], ["X04"], [])
