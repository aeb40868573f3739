"""Encoded words (including ones split inside a character) and RFC 2231 parameters."""

from __future__ import annotations

import base64
import urllib.parse

import pytest

from inbox.parse.headers import (
    decode_header,
    parse_addresses,
    parse_msg_ids,
    parse_param_header,
)
from tests.inbox.make_mails import jis

SUBJECT = "①転入届㈱髙橋様の住所変更"


def _word(charset: str, data: bytes) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("charset", ["ISO-2022-JP", "UTF-8", "Shift_JIS"])
def test_subject_split_into_three_words_at_any_byte_decodes(charset: str) -> None:
    if charset == "ISO-2022-JP":
        data = jis(SUBJECT)
    elif charset == "UTF-8":
        data = SUBJECT.encode()
    else:
        data = SUBJECT.encode("cp932")
    for first in range(1, len(data) - 1):
        second = first + (len(data) - first) // 2
        words = [data[:first], data[first:second], data[second:]]
        raw = "\r\n ".join(_word(charset, w) for w in words if w).encode()
        assert decode_header(raw).text == SUBJECT, (first, second)


@pytest.mark.req("F-1.6.1")
def test_base64_split_between_words_without_padding_decodes() -> None:
    encoded = base64.b64encode(SUBJECT.encode()).decode().rstrip("=")
    raw = f"=?UTF-8?B?{encoded[:7]}?= =?UTF-8?B?{encoded[7:]}?=".encode()
    assert decode_header(raw).text == SUBJECT


@pytest.mark.req("F-1.6.1")
def test_text_between_words_is_kept_and_whitespace_between_words_dropped() -> None:
    raw = (
        b"Re: "
        + _word("UTF-8", "件名".encode()).encode()
        + b" "
        + _word("ISO-2022-JP", jis("①")).encode()
        + b" (2)"
    )
    assert decode_header(raw).text == "Re: 件名① (2)"


@pytest.mark.req("F-1.6.1")
def test_q_encoding_with_underscores_and_lowercase_charset() -> None:
    text = "保育園 入園"
    q = "".join(f"={b:02X}" if b != 0x20 else "_" for b in text.encode())
    assert decode_header(f"=?utf-8?q?{q}?=".encode()).text == text


@pytest.mark.req("F-1.6.1")
def test_raw_8bit_header_is_detected() -> None:
    assert decode_header("粗大ごみ".encode("cp932")).text == "粗大ごみ"
    assert decode_header(jis("ＪＩＳ件名")).text == "ＪＩＳ件名"


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("charset", ["UTF-8", "ISO-2022-JP", "Shift_JIS", "EUC-JP"])
def test_rfc2231_filename_continuations_split_anywhere(charset: str) -> None:
    name = "ファイル名①.pdf" if charset != "EUC-JP" else "ファイル名.pdf"
    data = (
        jis(name)
        if charset == "ISO-2022-JP"
        else name.encode("cp932" if charset == "Shift_JIS" else charset)
    )
    quoted = urllib.parse.quote_from_bytes(data, safe="")
    for cut in range(1, len(quoted) - 1):
        raw = (
            f"attachment;\r\n filename*0*={charset}'ja'{quoted[:cut]};\r\n"
            f" filename*1*={quoted[cut:]}"
        ).encode()
        assert parse_param_header(raw).params["filename"] == name, cut


@pytest.mark.req("F-1.6.1")
def test_rfc2231_mixes_plain_and_encoded_segments_in_any_order() -> None:
    raw = (
        b"application/pdf; name*2=.pdf; name*1*=%E5%90%8D;\r\n"
        b" name*0*=utf-8''%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB"
    )
    assert parse_param_header(raw).params["name"] == "ファイル名.pdf"


@pytest.mark.req("F-1.6.1")
def test_encoded_word_inside_quoted_filename_as_outlook_writes_it() -> None:
    raw = b'attachment;\r\n\tfilename="' + _word("iso-2022-jp", jis("申請書①.pdf")).encode() + b'"'
    parsed = parse_param_header(raw)
    assert parsed.value == "attachment"
    assert parsed.params["filename"] == "申請書①.pdf"


@pytest.mark.req("F-1.6.1")
def test_addresses_decode_names_and_keep_commas_inside_quotes() -> None:
    raw = (
        _word("UTF-8", "山田 太郎".encode()).encode()
        + b' <taro@example.jp>, "Suzuki, Hanako" <hanako@example.jp>'
    )
    addresses, warnings = parse_addresses(raw)
    assert [a.display() for a in addresses] == [
        "山田 太郎 <taro@example.jp>",
        "Suzuki, Hanako <hanako@example.jp>",
    ]
    assert warnings == []


@pytest.mark.req("F-1.6.1")
def test_message_ids_keep_angle_brackets_and_order() -> None:
    assert parse_msg_ids(b"<a@x>\r\n <b@y> <c@z>") == ["<a@x>", "<b@y>", "<c@z>"]
    assert parse_msg_ids(b"bare@host") == ["<bare@host>"]
    assert parse_msg_ids(None) == []
