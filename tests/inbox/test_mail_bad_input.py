"""Bad input never crashes the parser or loses the raw message; it ends queued or quarantined."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inbox.parse.errors import MailUnparseable
from inbox.parse.message import parse_message
from inbox.parse.triage import Action, BounceStormGuard, triage
from tests.inbox import make_mails as mm

NOW = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
OWN = frozenset({"soudan@city.example.lg.jp"})


@pytest.mark.req("F-1.6.1")
def test_thirty_megabyte_attachment_parses_fast_with_exact_size(tmp_path: Path) -> None:
    size = 30 * 1024 * 1024
    path = tmp_path / "big.eml"
    path.write_bytes(mm.big_attachment_mail(size))
    raw = path.read_bytes()
    started = time.perf_counter()
    mail = parse_message(raw)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0
    (attachment,) = mail.attachments
    assert (attachment.filename, attachment.size, attachment.oversized) == (
        "zumen.pdf",
        size,
        True,
    )
    assert mail.text == "大きな図面を添付します。"
    assert any("zumen.pdf" in w for w in mail.warnings)


@pytest.mark.req("F-1.6.1")
def test_attachment_under_the_limit_is_not_oversized() -> None:
    raw = mm.big_attachment_mail(3 * 1024 * 1024)
    (attachment,) = parse_message(raw, max_attachment_bytes=4 * 1024 * 1024).attachments
    assert attachment.size == 3 * 1024 * 1024
    assert not attachment.oversized


@pytest.mark.req("F-1.6.1")
def test_broken_mime_yields_what_could_be_parsed_with_warnings(mail_bytes) -> None:
    mail = parse_message(mail_bytes("broken_mime.eml"))
    assert mail.text.startswith(mm.BROKEN_TEXT)
    assert mail.date is None
    names = [a.filename for a in mail.attachments]
    assert names == ["data.bin", "cut.png"]
    assert mail.attachments[0].size == len(b"ABCDEFGHIJKL")
    joined = "\n".join(mail.warnings)
    for fragment in ("終端", "quoted-printable", "base64", "日付"):
        assert fragment in joined


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("name", sorted(mm.BUILDERS))
def test_any_truncation_of_a_real_mail_parses_without_raising(name: str, mail_bytes) -> None:
    raw = mail_bytes(name)
    step = max(1, len(raw) // 97)
    for cut in range(1, len(raw), step):
        mail = parse_message(raw[:cut])
        assert isinstance(mail.text, str)


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    "raw",
    [
        b"no headers at all, just text",
        b"\r\n\r\nbody after blank line",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary parameter",
        b'Content-Type: multipart/mixed; boundary="Z"\r\n\r\nno delimiter lines',
        b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: x-weird\r\n\r\nabc",
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!",
        b"Subject: =?utf-8?B?!!!?= =?x?Q?=ZZ?=\r\nDate: Mon, 99 Foo 2024 99:99 +9999\r\n\r\n",
        b'Content-Type: multipart/mixed; boundary="A"\r\n\r\n'
        + b'--A\r\nContent-Type: multipart/mixed; boundary="A"\r\n\r\n' * 200,
    ],
)
def test_malformed_messages_never_raise(raw: bytes) -> None:
    mail = parse_message(raw)
    assert mail.raw_size == len(raw)


@pytest.mark.req("F-1.6.1")
def test_calendar_and_csv_parts_are_attachments_not_body_text() -> None:
    raw = (
        b'From: a@example.jp\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe6\x9c\xac\xe6\x96\x87\r\n"
        b"--M\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"
        b"--M\r\nContent-Type: text/csv\r\n\r\na,b\r\n--M--\r\n"
    )
    mail = parse_message(raw)
    assert mail.text == "本文"
    assert [a.content_type for a in mail.attachments] == ["text/calendar", "text/csv"]


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"   "])
def test_empty_input_raises_typed_error(raw: bytes) -> None:
    with pytest.raises(MailUnparseable) as caught:
        parse_message(raw)
    assert caught.value.public()["error"] == "mail-unparseable"


@pytest.mark.req("F-1.6.2")
def test_unknown_charset_is_queued_with_a_clear_reason(mail_bytes) -> None:
    raw = mail_bytes("unknown_charset.eml")
    result = triage(raw=raw, received_at=NOW, own_addresses=OWN)
    assert result.action is Action.QUEUE
    assert result.raw is raw
    assert result.mail is not None
    assert result.mail.text == mm.UNKNOWN_CHARSET_TEXT
    assert any("x-unknown" in r for r in result.reasons)


@pytest.mark.req("F-1.6.2")
def test_corrupt_tiff_is_queued_and_flagged_but_a_sound_one_is_not(mail_bytes) -> None:
    bad = triage(raw=mail_bytes("corrupt_tiff.eml"), received_at=NOW, own_addresses=OWN)
    assert bad.action is Action.QUEUE
    assert bad.mail is not None
    assert bad.mail.attachments[0].corrupt
    assert any("TIFF" in r for r in bad.reasons)
    good = triage(raw=mail_bytes("good_tiff.eml"), received_at=NOW, own_addresses=OWN)
    assert good.mail is not None
    assert not good.mail.attachments[0].corrupt
    assert good.reasons == []


@pytest.mark.req("F-1.6.2")
def test_oversized_and_broken_mail_are_queued_with_reasons(mail_bytes) -> None:
    big = mm.big_attachment_mail(25 * 1024 * 1024)
    result = triage(raw=big, received_at=NOW, own_addresses=OWN)
    assert result.action is Action.QUEUE
    assert result.raw is big
    assert any("大きすぎます" in r for r in result.reasons)
    broken = triage(raw=mail_bytes("broken_mime.eml"), received_at=NOW, own_addresses=OWN)
    assert broken.action is Action.QUEUE
    assert broken.reasons


@pytest.mark.req("F-1.6.2")
def test_mail_loop_is_quarantined_with_raw_kept(mail_bytes) -> None:
    raw = mail_bytes("mail_loop.eml")
    result = triage(raw=raw, received_at=NOW, own_addresses=OWN)
    assert result.action is Action.QUARANTINE
    assert result.raw is raw
    assert not result.answerable
    assert any("ループ" in r for r in result.reasons)


@pytest.mark.req("F-1.6.2")
def test_hop_count_alone_detects_a_loop() -> None:
    def mail(hops: int) -> bytes:
        hop = b"Received: from a by b; Mon, 1 Apr 2024 10:00:00 +0900\r\n"
        return hop * hops + b"From: x@example.jp\r\n\r\nbody\r\n"

    assert triage(raw=mail(31), received_at=NOW).action is Action.QUARANTINE
    assert triage(raw=mail(12), received_at=NOW).action is Action.QUEUE


@pytest.mark.req("F-1.6.2")
def test_bounce_storm_is_quarantined_after_the_limit_within_the_window(mail_bytes) -> None:
    raw = mail_bytes("dsn_bounce.eml")
    guard = BounceStormGuard(limit=5, window=timedelta(minutes=10))
    actions = [
        triage(raw=raw, received_at=NOW + timedelta(seconds=i), storm_guard=guard).action
        for i in range(8)
    ]
    assert actions == [Action.QUEUE] * 5 + [Action.QUARANTINE] * 3
    later = triage(raw=raw, received_at=NOW + timedelta(hours=1), storm_guard=guard)
    assert later.action is Action.QUEUE
    assert not later.answerable


@pytest.mark.req("F-1.6.2")
def test_single_bounce_is_queued_but_never_answerable(mail_bytes) -> None:
    result = triage(raw=mail_bytes("dsn_bounce.eml"), received_at=NOW, own_addresses=OWN)
    assert result.action is Action.QUEUE
    assert not result.answerable
    assert any("自動返信はしません" in r for r in result.reasons)


@pytest.mark.req("F-1.6.2")
def test_citizen_mail_is_queued_and_answerable(mail_bytes) -> None:
    result = triage(raw=mail_bytes("outlook_iso2022jp.eml"), received_at=NOW, own_addresses=OWN)
    assert (result.action, result.answerable, result.reasons) == (Action.QUEUE, True, [])


@pytest.mark.req("F-1.6.2")
def test_empty_message_is_quarantined_not_raised() -> None:
    result = triage(raw=b"", received_at=NOW)
    assert result.action is Action.QUARANTINE
    assert result.mail is None
    assert result.raw == b""
    assert result.reasons
