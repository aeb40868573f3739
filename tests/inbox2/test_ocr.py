"""OCR is optional: without tesseract the fax is taken as it is; a recognised text suggests the
FAQ category that matches it best."""

from __future__ import annotations

import pytest

from crm.faq import service as faq
from inbox.fax.convert import convert_tiff
from inbox.fax.ocr import ocr_category, ocr_pages, suggest_category, tesseract_with_japanese
from realtime import migrate
from realtime.db import Database
from switch.standin.media import write_fax_tiff

FAQ_CSV = """faq_id,category1,category2,question,answer,dept_id,keywords,needs_handoff
F0001,住民票・印鑑登録,住民票,住民票の写しは？,区民課証明係で取得できます。,D02,住民票 写し,no
F0061,国民健康保険,加入・脱退,国保の加入手続きは？,資格係で手続きします。,D10,国保 加入,yes
""".encode()


@pytest.mark.req("F-1.5.1")
def test_without_tesseract_ocr_is_skipped_and_suggests_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on this PATH
    write_fax_tiff(tmp_path / "f.tif", pages=1)
    converted = convert_tiff((tmp_path / "f.tif").read_bytes())
    assert tesseract_with_japanese() is None
    assert ocr_pages(converted.pngs) is None
    url = f"sqlite:///{tmp_path / 'ocr.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.session() as session:
            assert ocr_category(session, converted) == ""
    finally:
        db.dispose()


@pytest.mark.req("F-1.5.1")
def test_recognised_text_suggests_the_best_matching_faq_category(tmp_path):
    url = f"sqlite:///{tmp_path / 'faq.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.session() as session:
            faq.import_csv(session, data=FAQ_CSV, actor="test")
            assert suggest_category(session, text="国保に加入したいので\n手続きを教えて") == (
                "国民健康保険"
            )
            assert suggest_category(session, text="住民票の写しを 1 通") == "住民票・印鑑登録"
            assert suggest_category(session, text="   ") == ""
    finally:
        db.dispose()
