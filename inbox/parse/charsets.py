"""Charset aliasing and robust decoding of Japanese mail text.

Real clients label text with names Python does not know (``Windows-31J``, ``x-sjis``,
``cp50220``), put CP932 extensions (①, ㈱, 髙) inside ISO-2022-JP, or send no label at all.
Every function here returns text; none raises on bad bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

ISO2022JP = "iso-2022-jp"
"""Pseudo-codec name: the layered ISO-2022-JP decoder in :func:`decode_iso2022jp`."""

EUCJP = "euc-jp"
"""Pseudo-codec name: EUC-JP with the NEC/IBM extensions of eucJP-ms and CP51932."""

_ALIASES: dict[str, str] = {
    # Shift_JIS family: every real sender means Microsoft's CP932 superset.
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "shiftjis": "cp932",
    "sjis": "cp932",
    "s-jis": "cp932",
    "x-sjis": "cp932",
    "x-shift-jis": "cp932",
    "x-shift_jis": "cp932",
    "csshiftjis": "cp932",
    "ms_kanji": "cp932",
    "ms-kanji": "cp932",
    "windows-31j": "cp932",
    "csWindows31J".lower(): "cp932",
    "cp932": "cp932",
    "ms932": "cp932",
    "ibm-943": "cp932",
    "ibm943": "cp932",
    "x-ms-cp932": "cp932",
    "windows-932": "cp932",
    "shift_jisx0213": "shift_jisx0213",
    "shift_jis-2004": "shift_jis_2004",
    # EUC-JP family.
    "euc-jp": EUCJP,
    "euc_jp": EUCJP,
    "eucjp": EUCJP,
    "x-euc-jp": EUCJP,
    "x-euc": EUCJP,
    "ujis": EUCJP,
    "x-eucjp": EUCJP,
    "cseucpkdfmtjapanese": EUCJP,
    "euc-jp-ms": EUCJP,
    "eucjp-ms": EUCJP,
    "eucjp-win": EUCJP,
    "cp51932": EUCJP,
    "windows-51932": EUCJP,
    "euc-jis-2004": "euc_jis_2004",
    "euc-jisx0213": "euc_jisx0213",
    # ISO-2022-JP family (Microsoft's CP5022x are ISO-2022-JP with CP932 extensions).
    "iso-2022-jp": ISO2022JP,
    "iso2022jp": ISO2022JP,
    "iso_2022_jp": ISO2022JP,
    "csiso2022jp": ISO2022JP,
    "iso-2022-jp-ms": ISO2022JP,
    "iso-2022-jp-ext": ISO2022JP,
    "iso-2022-jp-1": ISO2022JP,
    "iso-2022-jp-2": ISO2022JP,
    "csiso2022jp2": ISO2022JP,
    "cp50220": ISO2022JP,
    "cp50221": ISO2022JP,
    "cp50222": ISO2022JP,
    "x-cp50220": ISO2022JP,
    "x-cp50221": ISO2022JP,
    "x-cp50222": ISO2022JP,
    "jis": ISO2022JP,
    "x-jis": ISO2022JP,
    "iso-2022-jp-3": "iso2022_jp_3",
    "iso-2022-jp-2004": "iso2022_jp_2004",
    # Common mislabels.
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "x-utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}

_ESC = 0x1B


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the decoder that produced it and what went wrong on the way."""

    text: str
    codec: str
    warnings: list[str] = field(default_factory=list)


def normalize_charset(label: str | None) -> str | None:
    """Map a MIME charset label to a decoder name, or None when the label is absent/unknown."""
    if label is None:
        return None
    name = label.strip().strip("\"'").lower()
    if "*" in name:  # RFC 2231 language suffix: iso-2022-jp*ja
        name = name.split("*", 1)[0]
    if not name:
        return None
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        python_name = codecs.lookup(name).name
    except LookupError:
        return None
    if python_name in {"shift_jis", "cp932"}:
        return "cp932"
    if python_name == "euc_jp":
        return EUCJP
    if python_name in {"iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext"}:
        return ISO2022JP
    if python_name == "ascii":
        return "utf-8"
    return python_name


def _jis_pair_to_sjis(j1: int, j2: int) -> bytes:
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5E else 0xB0)
    s2 = (j2 + (0x20 if j2 >= 0x60 else 0x1F)) if j1 & 1 else j2 + 0x7E
    return bytes((s1, s2))


_JIS_ESCAPES: dict[bytes, str] = {
    b"\x1b(B": "ascii",
    b"\x1b(J": "roman",
    b"\x1b(I": "kana",
    b"\x1b$@": "kanji",
    b"\x1b$B": "kanji",
    b"\x1b&@\x1b$B": "kanji",
}


def _iso2022jp_as_cp932(data: bytes) -> str:
    """Decode ISO-2022-JP the way Microsoft's CP50220/50221/50222 write it.

    JIS X 0208 byte pairs (including NEC row 13 and NEC-selected IBM rows 89-92) are converted
    arithmetically to Shift_JIS and decoded as CP932. Raises UnicodeDecodeError on anything that
    is not plain ISO-2022-JP structure, so the caller can try the next decoder.
    """
    out = bytearray()
    mode = "ascii"
    shifted = False
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if b == _ESC:
            for seq, new_mode in _JIS_ESCAPES.items():
                if data.startswith(seq, i):
                    mode = new_mode
                    i += len(seq)
                    break
            else:
                raise UnicodeDecodeError("iso-2022-jp", data, i, i + 1, "unsupported escape")
            continue
        if b == 0x0E:  # SO: half-width katakana (CP50222)
            shifted = True
            i += 1
            continue
        if b == 0x0F:  # SI
            shifted = False
            i += 1
            continue
        if b in (0x0A, 0x0D):
            out.append(b)
            i += 1
            continue
        if b >= 0x80:
            raise UnicodeDecodeError("iso-2022-jp", data, i, i + 1, "8-bit byte")
        if shifted or mode == "kana":
            if 0x21 <= b <= 0x5F:
                out.append(b + 0x80)
            else:
                out.append(b)
            i += 1
        elif mode == "kanji":
            if b < 0x21 or b == 0x7F:  # whitespace/control inside kanji mode: pass through
                out.append(b)
                i += 1
                continue
            if i + 1 >= n or not 0x21 <= data[i + 1] <= 0x7E or b > 0x7E:
                raise UnicodeDecodeError("iso-2022-jp", data, i, i + 2, "truncated pair")
            out += _jis_pair_to_sjis(b, data[i + 1])
            i += 2
        else:
            out.append(b)
            i += 1
    return out.decode("cp932")


def decode_iso2022jp(data: bytes) -> Decoded:
    """Decode ISO-2022-JP as Outlook and other real clients send it; never raises."""
    if b"\x0e" not in data:  # Python passes SO/SI (CP50222 half-width kana) through as text
        try:
            return Decoded(data.decode("iso2022_jp"), "iso2022_jp")
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(_iso2022jp_as_cp932(data), "cp5022x")
    except UnicodeDecodeError:
        pass
    for codec in ("iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3"):
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    text = _iso2022jp_replace(data)
    return Decoded(text, "cp5022x", ["ISO-2022-JP の一部を復号できず、置換文字にしました"])


def _iso2022jp_replace(data: bytes) -> str:
    """Last resort: decode line by line so one bad line does not spoil the rest."""
    lines = data.split(b"\n")
    parts: list[str] = []
    for line in lines:
        try:
            parts.append(_iso2022jp_as_cp932(line))
        except UnicodeDecodeError:
            parts.append(line.decode("iso2022_jp", errors="replace"))
    return "\n".join(parts)


def _euc_as_cp932(data: bytes) -> str:
    """Decode EUC-JP with NEC row 13 and IBM rows 89-92 (CP51932/eucJP-ms) via CP932."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(b)
            i += 1
        elif b == 0x8E and i + 1 < n and 0xA1 <= data[i + 1] <= 0xDF:
            out.append(data[i + 1])
            i += 2
        elif 0xA1 <= b <= 0xFE and i + 1 < n and 0xA1 <= data[i + 1] <= 0xFE:
            out += _jis_pair_to_sjis(b - 0x80, data[i + 1] - 0x80)
            i += 2
        else:
            raise UnicodeDecodeError("euc-jp", data, i, i + 1, "not EUC-JP")
    return out.decode("cp932")


def decode_eucjp(data: bytes) -> Decoded:
    """Decode EUC-JP including the Windows extensions; never raises."""
    try:
        return Decoded(data.decode("euc_jp"), "euc_jp")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(_euc_as_cp932(data), "cp51932")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("euc_jis_2004"), "euc_jis_2004")
    except UnicodeDecodeError:
        pass
    return Decoded(
        data.decode("euc_jp", errors="replace"),
        "euc_jp",
        ["EUC-JP の一部を復号できず、置換文字にしました"],
    )


def _strict(data: bytes, codec: str) -> str | None:
    if codec == ISO2022JP:
        result = decode_iso2022jp(data)
        return None if result.warnings else result.text
    if codec == EUCJP:
        result = decode_eucjp(data)
        return None if result.warnings else result.text
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KATAKANA = re.compile(r"[\u30a0-\u30ff]")
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_JP_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff5e]")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_ODD = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plausibility(text: str) -> float:
    """How much a decoding looks like Japanese prose (higher is more plausible)."""
    if not text:
        return 0.0
    score = (
        3.0 * len(_HIRAGANA.findall(text))
        + 2.0 * len(_KATAKANA.findall(text))
        + 1.5 * len(_KANJI.findall(text))
        + 1.0 * len(_JP_PUNCT.findall(text))
        - 1.5 * len(_HALFWIDTH_KANA.findall(text))
        - 6.0 * len(_ODD.findall(text))
    )
    return score / len(text)


def detect_and_decode(data: bytes) -> Decoded:
    """Decode bytes whose charset is absent or unknown, choosing by validity then plausibility."""
    if not data:
        return Decoded("", "utf-8")
    if data.isascii() and _ESC not in data:
        return Decoded(data.decode("ascii"), "utf-8")
    candidates: list[tuple[float, int, str, str]] = []
    order = [ISO2022JP, "utf-8"] if data.isascii() else ["utf-8", "cp932", EUCJP]
    for rank, codec in enumerate(order):
        text = _strict(data, codec)
        if text is None:
            continue
        if codec in {"utf-8", ISO2022JP}:
            return Decoded(text, codec)
        candidates.append((plausibility(text), -rank, codec, text))
    if candidates:
        _, _, codec, text = max(candidates)
        return Decoded(text, codec)
    guesses = [
        ("utf-8", data.decode("utf-8", errors="replace")),
        ("cp932", data.decode("cp932", errors="replace")),
        (EUCJP, data.decode("euc_jp", errors="replace")),
    ]
    codec, text = max(guesses, key=lambda item: plausibility(item[1]))
    return Decoded(text, codec, ["文字コードを判定できず、一部を置換文字にしました"])


def decode_text(data: bytes, label: str | None) -> Decoded:
    """Decode body or header bytes labelled ``label``; unknown labels fall back to detection."""
    codec = normalize_charset(label)
    if codec is None:
        result = detect_and_decode(data)
        if label and label.strip():
            warning = f"不明な文字コード「{label.strip()}」のため自動判定しました（{result.codec}）"
            return Decoded(result.text, result.codec, [warning, *result.warnings])
        return result
    strict = _strict(data, codec)
    if strict is not None:
        return Decoded(strict, codec)
    detected = detect_and_decode(data)
    if not detected.warnings:
        warning = f"文字コード「{label}」として復号できないため自動判定しました（{detected.codec}）"
        return Decoded(detected.text, detected.codec, [warning])
    if codec == ISO2022JP:
        return decode_iso2022jp(data)
    if codec == EUCJP:
        return decode_eucjp(data)
    return Decoded(
        data.decode(codec, errors="replace"),
        codec,
        [f"文字コード「{label}」として復号できない部分を置換文字にしました"],
    )
