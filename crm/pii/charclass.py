"""Character classes shared by the detectors (all applied to NFKC-normalised text)."""

from __future__ import annotations

KANJI_DIGITS = "〇一二三四五六七八九"
# Dash-like characters people type between digits; NFKC leaves all but the full-width one as is.
DASHES = r"\-‐‑‒–—―−ー"
DIGIT_CLASS = "0-9"
NUMERAL_CLASS = "0-9〇一二三四五六七八九十百千"


def is_kanji(ch: str) -> bool:
    """CJK ideograph, iteration mark or small ke (々, ヶ) as they appear in names and places."""
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
        or ch in "々〆ヶ〇"
    )


def is_katakana(ch: str) -> bool:
    """Full-width katakana including the long-vowel mark (NFKC has widened half-width ones)."""
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー" or ch == "ヽ" or ch == "ヾ"


def is_hiragana(ch: str) -> bool:
    """Hiragana letters."""
    return "\u3041" <= ch <= "\u3096"


def is_ascii_alnum(ch: str) -> bool:
    """ASCII letter or digit."""
    return ch.isascii() and ch.isalnum()
