"""The scanning hook's built-in policy: dangerous types, disguised programs, macros, encrypted
archives, scripted PDFs and oversized files are quarantined with a reason; ordinary files pass."""

from __future__ import annotations

import io
import zipfile

import pytest

from inbox.scan.scanner import ClamdScanner, PolicyScanner, ScanChain, parse_clamd_address
from inbox.scan.service import FileQuarantined, require_clean, scan_and_record
from realtime import migrate
from realtime.db import Database


def _zip(entries: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    raw = bytearray(out.getvalue())
    if encrypted:  # set the "encrypted" flag bit in every local and central header
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (found := raw.find(signature, start)) >= 0:
                raw[found + offset] |= 0x01
                start = found + 4
    return bytes(raw)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100


@pytest.mark.req("N-SEC-5")
@pytest.mark.parametrize(
    ("filename", "data", "reason_part"),
    [
        ("invoice.pdf.exe", b"anything", ".exe"),
        ("SCREEN.SCR", b"anything", ".scr"),
        ("run.js", b"WScript.Echo(1)", ".js"),
        ("macro.vbs", b"MsgBox 1", ".vbs"),
        ("report.docm", b"PK", ".docm"),
        ("申請書.pdf", b"MZ\x90\x00" + b"\x00" * 60, "Windows の実行ファイル"),
        ("tool.bin", b"\x7fELF" + b"\x00" * 60, "ELF"),
        ("old.doc", OLE + b"_VBA_PROJECT" + b"\x00" * 10, "マクロ"),
        ("sheet.xlsx", _zip({"xl/vbaProject.bin": b"x", "[Content_Types].xml": b"<x/>"}), "マクロ"),
        ("photos.zip", _zip({"a.jpg": b"x"}, encrypted=True), "暗号化"),
        ("photos.zip", _zip({"docs/readme.txt": b"x", "docs/山田.exe": b"MZ"}), "（.exe）"),
        ("form.pdf", PDF + b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", "JavaScript"),
        ("big.pdf", PDF + b"0" * 2048, "大きすぎます"),
    ],
)
def test_dangerous_or_oversized_files_are_quarantined_with_a_reason(filename, data, reason_part):
    result = PolicyScanner(max_bytes=1024).scan(
        data=data, filename=filename, content_type="application/octet-stream"
    )
    assert not result.clean
    assert reason_part in result.reason
    assert "山田" not in result.reason  # a name inside an archive is not repeated
    assert result.scanner == "policy"


@pytest.mark.req("N-SEC-5")
@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("住民票.pdf", PDF),
        ("map.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("list.xlsx", _zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"})),
        ("old.doc", OLE),
        ("fax.tif", b"II*\x00" + b"\x00" * 64),
        ("note.txt", "こんにちは".encode()),
    ],
)
def test_ordinary_files_pass_the_policy(filename, data):
    assert PolicyScanner(max_bytes=1024).scan(data=data, filename=filename, content_type="").clean


@pytest.mark.req("N-SEC-5")
def test_unreachable_clamd_quarantines_instead_of_passing(tmp_path):
    chain = ScanChain([PolicyScanner(), ClamdScanner(f"unix:{tmp_path / 'no-clamd.sock'}")])
    result = chain.scan(data=PDF, filename="a.pdf", content_type="application/pdf")
    assert not result.clean
    assert result.scanner == "clamd"
    assert "clamd" in result.reason
    assert parse_clamd_address("tcp:127.0.0.1:3310") == ("tcp", ("127.0.0.1", 3310))
    with pytest.raises(ValueError, match="unix:/path or tcp:host:port"):
        parse_clamd_address("127.0.0.1")


@pytest.mark.req("N-SEC-5")
def test_only_files_with_a_clean_verdict_may_be_opened(tmp_path):
    url = f"sqlite:///{tmp_path / 'scan.sqlite3'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.session() as session:
            scanner = PolicyScanner()
            scan_and_record(session, scanner=scanner, file_key="m#2", data=PDF, filename="a.pdf")
            scan_and_record(session, scanner=scanner, file_key="m#3", data=b"MZ", filename="x.exe")
            session.commit()
            assert require_clean(session, file_key="m#2").verdict == "clean"
            with pytest.raises(FileQuarantined) as bad:
                require_clean(session, file_key="m#3")
            assert ".exe" in bad.value.reason
            with pytest.raises(FileQuarantined) as unscanned:
                require_clean(session, file_key="m#4")
            assert "検査" in unscanned.value.reason
    finally:
        db.dispose()
