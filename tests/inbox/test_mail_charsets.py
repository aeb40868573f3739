"""Charset aliasing and robust decoding as real Japanese clients send mail."""

from __future__ import annotations

import random

import pytest

from inbox.parse.charsets import (
    decode_iso2022jp,
    decode_text,
    detect_and_decode,
    normalize_charset,
)
from tests.inbox.make_mails import jis

# NEC row 13 (①, ㈱, №, ㍻), NEC-selected IBM extensions (髙, 﨑, ⅰ, 纊) and plain JIS X 0208.
CP932_EXTENSIONS = ["①", "⑳", "㈱", "㈲", "№", "㍻", "Ⅲ", "髙", "﨑", "ⅰ", "纊", "∵"]
SENTENCES = [
    "お問い合わせありがとうございます。",
    "住民票の写しを請求します。㈱髙橋工務店",
    "ごみ収集カレンダー①について教えてください",
    "マイナンバーカードの受け取り予約をしたいです。",
]


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("char", CP932_EXTENSIONS)
def test_iso2022jp_with_outlook_cp932_extensions_decodes_exactly(char: str) -> None:
    text = f"株式会社{char}の件"
    data = jis(text)
    decoded = decode_iso2022jp(data)
    assert decoded.text == text
    assert decoded.warnings == []


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    "data",
    [
        b"\x1b$B%+%J\x1b(I6@E\x1b(B",  # ESC ( I half-width katakana (CP50221)
        b"\x1b$B%+%J\x1b(B\x0e6@E\x0f",  # SO/SI half-width katakana (CP50222)
    ],
)
def test_iso2022jp_half_width_katakana_forms_decode(data: bytes) -> None:
    assert decode_iso2022jp(data).text == "カナｶﾀﾅ"


@pytest.mark.req("F-1.6.1")
def test_stdlib_iso2022jp_rejects_what_outlook_sends() -> None:
    with pytest.raises(UnicodeDecodeError):
        jis("㈱髙橋").decode("iso2022_jp")


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("Windows-31J", "cp932"),
        ("x-sjis", "cp932"),
        ("Shift_JIS", "cp932"),
        ("shift-jis", "cp932"),
        ("sjis", "cp932"),
        ("MS932", "cp932"),
        ("csWindows31J", "cp932"),
        ("x-euc-jp", "euc-jp"),
        ("EUC-JP", "euc-jp"),
        ("cp51932", "euc-jp"),
        ("cp50220", "iso-2022-jp"),
        ("CP50221", "iso-2022-jp"),
        ("iso-2022-jp-ms", "iso-2022-jp"),
        ('"ISO-2022-JP"', "iso-2022-jp"),
        ("iso-2022-jp*ja", "iso-2022-jp"),
        ("us-ascii", "utf-8"),
        ("x-unknown", None),
        ("", None),
    ],
)
def test_charset_labels_map_to_a_working_decoder(label: str, codec: str | None) -> None:
    assert normalize_charset(label) == codec


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("label", ["Windows-31J", "x-sjis", "shift_jis", "ms932", "sjis"])
def test_shift_jis_aliases_decode_cp932_extensions(label: str) -> None:
    text = "①㈱髙橋 ﾊﾝｶｸ"
    assert decode_text(text.encode("cp932"), label).text == text


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("label", ["euc-jp", "x-euc-jp", "cp51932"])
def test_euc_jp_decodes_including_nec_row_13(label: str) -> None:
    plain = "国民健康保険の手続き"
    assert decode_text(plain.encode("euc_jp"), label).text == plain
    # CP51932 writes ① in NEC row 13 (0xADA1), which Python's euc_jp cannot decode.
    with_ext = b"\xad\xa1" + "番窓口".encode("euc_jp")
    assert decode_text(with_ext, label).text == "①番窓口"


def _encodings() -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = []
    for sentence in SENTENCES:
        cases.append((sentence, jis(sentence)))
        for codec in ("utf-8", "cp932", "euc_jp"):
            try:
                cases.append((sentence, sentence.encode(codec)))
            except UnicodeEncodeError:
                continue  # EUC-JP has no ① or 髙: not every sentence exists in every codec
    return cases


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize(("sentence", "data"), _encodings())
def test_undeclared_charset_is_detected(sentence: str, data: bytes) -> None:
    result = detect_and_decode(data)
    assert result.text == sentence
    assert result.warnings == []


@pytest.mark.req("F-1.6.1")
def test_unknown_charset_falls_back_to_detection_with_a_warning() -> None:
    result = decode_text("不明な文字コード".encode("cp932"), "x-unknown")
    assert result.text == "不明な文字コード"
    assert any("x-unknown" in w for w in result.warnings)


@pytest.mark.req("F-1.6.1")
def test_mislabelled_text_is_detected_with_a_warning() -> None:
    result = decode_text("本当はシフトJIS".encode("cp932"), "utf-8")
    assert result.text == "本当はシフトJIS"
    assert result.warnings


@pytest.mark.req("F-1.6.1")
@pytest.mark.parametrize("label", [None, "utf-8", "iso-2022-jp", "euc-jp", "cp932", "x-bogus"])
def test_random_bytes_never_raise(label: str | None) -> None:
    rng = random.Random(20240401)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
        if rng.random() < 0.3:
            data = b"\x1b$B" + data
        result = decode_text(data, label)
        assert isinstance(result.text, str)
