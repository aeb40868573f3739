"""Text normalisation and the features the FAQ index is built from.

Text is NFKC-normalised (full/half width), lower-cased, and katakana is folded to hiragana so
ゴミ and ごみ are the same characters. Each text yields features of four kinds:

- ``s1:`` single characters (kanji, katakana, letters, digits; not hiragana, which is mostly
  grammar) so one-character queries (犬, 税) find something;
- ``s2:`` character bigrams of the folded surface text (two-character queries: 年金, 戸籍);
- ``k2:`` character bigrams of the Sudachi reading, so kana queries (こせき, ｼﾞｭｳﾐﾝﾋｮｳ) meet
  kanji text (戸籍, 住民票) and homophone typos (住民表) still meet the right entry;
- ``w:`` Sudachi normalised forms of content words, so okurigana and spelling variants
  (申込/申し込み, 引越/引っ越し, 子ども/子供) are the same word.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache

from sudachipy import Dictionary, SplitMode, Tokenizer  # type: ignore[import-untyped]

MAX_QUERY_CHARS = 200
"""Longer queries are cut here: callers never say more, and the cost stays bounded."""

_KATA_START = 0x30A1
_KATA_END = 0x30F6
_HIRA_OFFSET = 0x60
_SPLIT = re.compile(r"[^\w\u30fc\u3005]+")
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "副詞", "代名詞"})

_local = threading.local()
_dictionary_lock = threading.Lock()


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    with _dictionary_lock:
        return Dictionary(dict="core")


def _tokenizer() -> Tokenizer:
    """One Sudachi tokenizer per thread (tokenizers are not shared across threads)."""
    tok: Tokenizer | None = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def fold_kana(text: str) -> str:
    """Katakana to hiragana (ヴ and small forms included)."""
    return "".join(
        chr(ord(c) - _HIRA_OFFSET) if _KATA_START <= ord(c) <= _KATA_END else c for c in text
    )


def prepare(text: str) -> str:
    """NFKC, lower case, whitespace collapsed; katakana kept so Sudachi still sees loanwords
    (マイナンバーカード is one word; まいなんばーかーど is not)."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def normalise(text: str) -> str:
    """NFKC, lower case, katakana folded to hiragana, whitespace collapsed."""
    return fold_kana(prepare(text))


def segments(text: str) -> list[str]:
    """The runs of word characters in normalised text (punctuation and spaces split them)."""
    return [s for s in _SPLIT.split(text) if s]


def _is_hiragana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u309f"


def _has_japanese(text: str) -> bool:
    return any("\u3041" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


@lru_cache(maxsize=4096)
def analyse(segment: str) -> tuple[tuple[str, ...], str]:
    """Content-word normalised forms and the reading (hiragana) of one prepared segment."""
    words: list[str] = []
    reading: list[str] = []
    for m in _tokenizer().tokenize(segment):
        surface = m.surface()
        pos = m.part_of_speech()[0]
        if pos in _CONTENT_POS:
            words.append(fold_kana(normalise(m.normalized_form())))
        read = m.reading_form()
        reading.append(fold_kana(read if read and _has_japanese(surface) else surface))
    return tuple(words), "".join(reading)


@lru_cache(maxsize=4096)
def lemmas(segment: str) -> frozenset[str]:
    """Dictionary and normalised forms (folded) of every content word of a prepared segment,
    so any inflection (なくしちゃった, 無くして) meets the vocabulary's base form (無くす)."""
    out: set[str] = set()
    for m in _tokenizer().tokenize(segment):
        if m.part_of_speech()[0] in _CONTENT_POS:
            out.add(fold_kana(normalise(m.dictionary_form())))
            out.add(fold_kana(normalise(m.normalized_form())))
    return frozenset(out)


_LIGHT_VERBS = frozenset({"する", "ある", "いる", "なる", "できる", "いう", "おる", "くる", "いく"})


def analyse_words(segment: str) -> list[str]:
    """The content words of a segment as written (folded), without light verbs."""
    out: list[str] = []
    for m in _tokenizer().tokenize(segment):
        if m.part_of_speech()[0] in _CONTENT_POS:
            if fold_kana(normalise(m.normalized_form())) in _LIGHT_VERBS:
                continue
            out.append(fold_kana(normalise(m.surface())))
    return out


def reading_of(segment: str) -> str:
    """The hiragana reading of a normalised segment."""
    return analyse(segment)[1]


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def features(text: str, *, with_words: bool = True, with_reading: bool = True) -> Counter[str]:
    """The feature counts of prepared (or normalised) text; character features are folded."""
    out: Counter[str] = Counter()
    for seg in segments(text):
        folded = fold_kana(seg)
        for ch in folded:
            if not _is_hiragana(ch):
                out["s1:" + ch] += 1
        for bg in _bigrams(folded):
            out["s2:" + bg] += 1
        if not (with_words or with_reading) or not _has_japanese(seg):
            if with_words and seg.isascii() and len(seg) > 1:
                out["w:" + seg] += 1
            continue
        words, reading = analyse(seg)
        if with_words:
            for w in words:
                out["w:" + w] += 1
        if with_reading:
            for bg in _bigrams(reading):
                out["k2:" + bg] += 1
    return out


def levenshtein_at_most_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def deletions(word: str) -> set[str]:
    """Every string one deletion away from ``word``."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
