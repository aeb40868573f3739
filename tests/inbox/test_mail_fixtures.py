"""Whole mails as real clients write them: every JSON field the agent's screen relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inbox.parse.message import parse_message
from tests.inbox import make_mails as mm

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("name", sorted(mm.BUILDERS))
def test_committed_fixture_matches_its_generator(name: str, mail_bytes) -> None:
    assert mail_bytes(name) == mm.BUILDERS[name]()


@pytest.mark.req("F-1.6.1")
def test_outlook_iso2022jp_with_cp932_extensions(mail_bytes) -> None:
    mail = parse_message(mail_bytes("outlook_iso2022jp.eml"))
    assert mail.subject == mm.OUTLOOK_SUBJECT
    assert mail.sender == "髙橋 一郎 <ichiro@takahashi-koumuten.example.co.jp>"
    assert mail.text == mm.OUTLOOK_BODY.strip("\n")
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        (mm.OUTLOOK_ATTACHMENT, "application/pdf")
    ]
    assert mail.attachments[0].size == len(b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n")
    assert mail.date == "2024-04-09T09:15:32+09:00"
    assert mail.warnings == []
    assert not mail.is_auto


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("name", "subject", "body"),
    [
        ("sjis_windows31j.eml", mm.SJIS_SUBJECT, mm.SJIS_BODY),
        ("sjis_xsjis.eml", "ごみカレンダー", mm.XSJIS_BODY),
        ("eucjp.eml", mm.EUC_SUBJECT, mm.EUC_BODY),
        ("utf8_base64.eml", "児童手当", mm.UTF8_BODY),
        ("utf8_qp.eml", "保育園", mm.UTF8_QP_BODY),
        ("nocharset_cp932.eml", mm.NOCHARSET_CP932_SUBJECT, mm.NOCHARSET_CP932_BODY),
        ("nocharset_iso2022jp.eml", mm.NOCHARSET_JIS_SUBJECT, mm.NOCHARSET_JIS_BODY),
        ("split_subject.eml", mm.SPLIT_SUBJECT, "件名が三つの符号化語に分かれています。"),
    ],
)
def test_japanese_charsets_decode_subject_and_body(name, subject, body, mail_bytes) -> None:
    mail = parse_message(mail_bytes(name))
    assert mail.subject == subject
    assert mail.text == body.strip("\n")
    assert mail.warnings == []


@pytest.mark.req("F-1.6.1")
def test_threading_headers_and_utc_date(mail_bytes) -> None:
    mail = parse_message(mail_bytes("utf8_base64.eml"))
    assert mail.sender == "佐藤 美咲 <misaki@example.com>"
    assert mail.message_id == "<CAF=utf8b64@mail.gmail.com>"
    assert mail.in_reply_to == "<reply-1@city.example.lg.jp>"
    assert mail.references == ["<first-1@example.com>", "<reply-1@city.example.lg.jp>"]
    assert mail.date == "2024-04-13T08:00:00+00:00"


@pytest.mark.req("F-1.6.1")
def test_rfc2231_file_names_with_continuations(mail_bytes) -> None:
    mail = parse_message(mail_bytes("rfc2231_filename.eml"))
    assert [a.filename for a in mail.attachments] == [mm.RFC2231_FILENAME, mm.RFC2231_SECOND]
    assert mail.attachments[0].size == len(b"%PDF-1.7\n" + b"x" * 1000 + b"\n%%EOF\n")
    assert mail.text == "添付の書類をご確認ください。"


@pytest.mark.req("F-1.6.1")
def test_html_only_mail_gives_safe_text(mail_bytes) -> None:
    mail = parse_message(mail_bytes("html_only.eml"))
    assert mail.html_only
    for line in mm.HTML_TEXT_LINES:
        assert line in mail.text
    for hidden in (
        "document",
        "cookie",
        "alert",
        "color",
        "秘密",
        "コメント",
        "ノースクリプト",
        "steal",
        "javascript",
        "<",
        ">",
    ):
        assert hidden not in mail.text
    assert "土日&祝日は休み です。" in mail.text


@pytest.mark.req("F-1.6.1")
def test_alternative_prefers_plain_text_and_lists_all_recipients(mail_bytes) -> None:
    mail = parse_message(mail_bytes("alternative.eml"))
    assert mail.text == mm.ALT_PLAIN
    assert not mail.html_only
    assert mail.to == ["info@city.example.lg.jp", "市民課 <shiminka@city.example.lg.jp>"]


@pytest.mark.req("F-1.6.1")
def test_empty_plain_alternative_falls_back_to_html() -> None:
    raw = (
        b"From: a@example.jp\r\nContent-Type: multipart/alternative; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\n \r\n--B\r\nContent-Type: text/html\r\n\r\n"
        b"<p>HTML\xe3\x81\xa0\xe3\x81\x91</p>\r\n--B--\r\n"
    )
    mail = parse_message(raw)
    assert mail.text == "HTMLだけ"
    assert mail.html_only


@pytest.mark.req("F-1.6.1")
def test_forward_from_city_mail_system_shows_original_sender_and_subject(mail_bytes) -> None:
    mail = parse_message(mail_bytes("forward_rfc822.eml"))
    assert mail.forwarded is not None
    assert mail.forwarded.public() == {
        "subject": mm.FWD_ORIGINAL_SUBJECT,
        "from": mm.FWD_ORIGINAL_FROM,
    }
    assert mm.FWD_ORIGINAL_BODY.strip() in mail.text
    assert "市民の方からのメールを転送します。" in mail.text
    assert mail.attachments[0].content_type == "message/rfc822"


@pytest.mark.req("F-1.6.1")
def test_inline_outlook_forward_in_japanese(mail_bytes) -> None:
    mail = parse_message(mail_bytes("forward_inline_outlook.eml"))
    assert mail.forwarded is not None
    assert mail.forwarded.subject == mm.INLINE_ORIGINAL_SUBJECT
    assert mail.forwarded.sender == mm.INLINE_ORIGINAL_FROM


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("marker", "from_label", "subject_label"),
    [
        ("-----Original Message-----", "From", "Subject"),
        ("---------- Forwarded message ---------", "From", "Subject"),
        ("-------- 転送メッセージ --------", "差出人", "件名"),
        ("-----元のメッセージ-----", "差出人", "件名"),
    ],
)
def test_inline_forward_markers_of_common_clients(marker, from_label, subject_label) -> None:
    body = (
        f"転送します。\n\n{marker}\n{from_label}: 中村 <n@example.jp>\n"
        f"Date: Mon, 1 Apr 2024\n{subject_label}： 水道料金\n\n本文\n"
    )
    raw = b"From: s@city.example.lg.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    mail = parse_message(raw + body.encode())
    assert mail.forwarded is not None
    assert (mail.forwarded.sender, mail.forwarded.subject) == ("中村 <n@example.jp>", "水道料金")


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("name", ["autoreply.eml", "dsn_bounce.eml", "list_mail.eml"])
def test_machine_sent_mail_is_auto(name: str, mail_bytes) -> None:
    mail = parse_message(mail_bytes(name))
    assert mail.is_auto
    assert mail.auto_reasons


@pytest.mark.req("F-1.6.1")
def test_bounce_keeps_the_human_readable_report_and_no_forward(mail_bytes) -> None:
    mail = parse_message(mail_bytes("dsn_bounce.eml"))
    assert "could not" in mail.text
    assert mail.forwarded is None
    assert [a.content_type for a in mail.attachments] == [
        "message/delivery-status",
        "message/rfc822",
    ]


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("header", "auto"),
    [
        ("Auto-Submitted: auto-generated", True),
        ("Auto-Submitted: no", False),
        ("X-Autoreply: yes", True),
        ("X-Autorespond: vacation", True),
        ("Precedence: bulk", True),
        ("Precedence: junk", True),
        ("List-Unsubscribe: <mailto:u@example.jp>", True),
        ("Return-Path: <>", True),
        ("X-Auto-Response-Suppress: OOF", True),
        ("Subject: Automatic reply: お問い合わせ", True),
        ("Subject: Out of Office: 質問", True),
        ("Subject: 【不在】お問い合わせ", True),
        ("Subject: 不在者投票について", False),
        ("Subject: 不在票が入っていました", False),
        ("Subject: Re: 自動車税の質問", False),
        ("From: postmaster@example.jp", True),
        ("X-Priority: 3", False),
    ],
)
def test_auto_detection_headers(header: str, auto: bool) -> None:
    raw = f"{header}\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n".encode()
    if not header.startswith("From:"):
        raw = b"From: person@example.jp\r\n" + raw
    assert parse_message(raw).is_auto is auto


@pytest.mark.req("F-1.6.1")
def test_cli_prints_exactly_the_documented_keys(tmp_path: Path, mail_bytes) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(mail_bytes("outlook_iso2022jp.eml"))
    code = (
        "import argparse, sys\n"
        "from inbox.cli import register\n"
        "p = argparse.ArgumentParser(prog='madoguchi')\n"
        "register(p.add_subparsers(dest='command', required=True))\n"
        "a = p.parse_args(sys.argv[1:])\n"
        "sys.exit(a.handler(a))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "mail", "parse", str(path)],
        cwd=REPO,
        capture_output=True,
        env={"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "①㈱髙橋" in out  # ensure_ascii=False
    assert '\n  "subject"' in out  # indent 2
    data = json.loads(out)
    assert list(data) == [
        "subject",
        "from",
        "to",
        "date",
        "message_id",
        "in_reply_to",
        "references",
        "text",
        "attachments",
        "is_auto",
        "forwarded",
        "warnings",
    ]
    assert {"filename", "content_type", "size"} <= set(data["attachments"][0])
    assert data["subject"] == mm.OUTLOOK_SUBJECT


@pytest.mark.req("F-1.6.1")
def test_cli_reports_empty_file_with_error_id(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "inbox.cli", "mail", "parse", str(path)],
        cwd=REPO,
        capture_output=True,
        env={"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"},
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stderr.decode())["error"] == "mail-unparseable"


@pytest.mark.req("F-1.6.1")
def test_markerless_outlook_header_block_is_a_forward_but_a_lone_field_is_not() -> None:
    head = b"From: s@city.example.lg.jp\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    block = (
        "転送します。\n\n差出人: 井上 <inoue@example.jp>\n送信日時: 2024年5月1日 9:00\n"
        "宛先: 窓口\n件名: 保育料の減免\n\n本文\n"
    )
    mail = parse_message(head + block.encode())
    assert mail.forwarded is not None
    assert (mail.forwarded.sender, mail.forwarded.subject) == (
        "井上 <inoue@example.jp>",
        "保育料の減免",
    )
    lone = "お世話になります。\n\n件名: について質問です\n\nよろしくお願いします。\n"
    assert parse_message(head + lone.encode()).forwarded is None


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("header", "iso"),
    [
        ("Date: Mon, 1 Apr 2024 10:00:00 JST", "2024-04-01T10:00:00+09:00"),
        ("Date: Mon, 1 Apr 2024 10:00:00 -0000", "2024-04-01T10:00:00+00:00"),
        ("Date: 1 Apr 2024 10:00 -0500", "2024-04-01T10:00:00-05:00"),
        ("Date: 2024年4月1日", None),
        ("X-No-Date: 1", None),
    ],
)
def test_dates_are_iso_8601_with_offset_or_null(header: str, iso: str | None) -> None:
    assert parse_message(f"{header}\r\n\r\nx".encode()).date == iso
