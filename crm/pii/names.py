"""Personal names: before an honorific, after a label, in name contexts; katakana full names."""

from __future__ import annotations

import re

from crm.pii.charclass import is_hiragana, is_kanji, is_katakana
from crm.pii.name_lexicon import (
    HIRAGANA_STOP,
    KATAKANA_STOP,
    KATAKANA_STOP_PARTS,
    ORG_TAILS,
    PLACEHOLDERS,
    STOP_SUFFIXES,
    STOP_WORDS,
    TITLE_WORDS,
)
from crm.pii.surnames import KANA_SURNAMES, KANJI_SURNAMES, MAX_SURNAME_LEN

_HONORIFIC = re.compile(r"様|さま|さん|氏|君|くん|ちゃん|殿|先生")
# Honorific followed by these characters is part of another word (様式, 氏名, 君主, 殿堂).
_NOT_HONORIFIC_BEFORE = {
    "様": "式子相態々",
    "氏": "名神子族",
    "君": "主臨子",
    "殿": "堂下",
    "さま": "ざ",
}
# Honorifics that only count after a known surname (宮殿, 音楽先生 are not names).
_LEXICON_ONLY = frozenset({"殿", "先生"})
_COLON_LABEL = re.compile(
    r"(?:お名前|御名前|カナ氏名|本人氏名|氏名|名前|フリガナ|ふりがな|相談者名?|申請者名?|契約者名?|"
    r"届出人|申出人|依頼者名?|通報者名?|発信者名?|代理人名?|請求者名?|世帯主名?|名義人)\s*[:=]\s*"
)
_LATIN_STOP = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "madam", "staff", "user"})
_WA_LABEL = re.compile(r"(?:お名前|名前|氏名)(?:は|が|\s)\s*")
# Titles and words that make a kanji run starting with a known surname a person (高橋課長, 山田宅).
_RUN_TITLES = tuple(t for t in TITLE_WORDS if t not in ("先生", "担当"))
_CONTEXT_AFTER = re.compile(
    r"(?:と(?:名乗|いう|言う|申)|から(?:の)?(?:電話|架電|入電|問い?合わ?せ|連絡|メール|苦情|相談|通報)|"
    r"より(?:電話|入電|架電|問い?合わ?せ|連絡|通報)|あて|宛|名義|本人|"
    r"の(?:お(?:母|父|子|孫|兄|姉)|奥|ご(?:主人|家族|本人|長男|長女)|息子|娘|妻|夫|長男|長女))"
)
_KATAKANA_NAME = re.compile(r"[ァ-ヺー]{2,}(?:[ ・][ァ-ヺー]{2,})+")
_NAME_CHARS = re.compile(
    r"[ぁ-ゖァ-ヺー・々〆ヶ一-鿿]+(?: [ぁ-ゖァ-ヺー・々〆ヶ一-鿿]+)?"
    r"|[A-Za-z][A-Za-z.'\-]*(?: [A-Za-z][A-Za-z.'\-]*){0,2}"
)
# Latin-letter names before an honorific (John Smith様, YAMADA TARO様), not acronyms (NTTさん).
_LATIN_NAME_BEFORE = re.compile(r"(?:[A-Za-z][A-Za-z.'\-]* ){0,2}[A-Za-z][A-Za-z.'\-]*$")


def _is_org(rest: str, *, strict: bool) -> bool:
    """Whether the kanji after a surname (or a whole run) names a role, kin or organisation."""
    if rest in STOP_WORDS or rest[-1] in STOP_SUFFIXES:
        return True
    tails = ORG_TAILS if strict else tuple(t for t in ORG_TAILS if len(t) > 1 or t in "寺荘")
    return rest.endswith(tails) or any(rest.endswith(w) for w in STOP_WORDS if len(w) > 1)


def _split_run(run: str, *, need_lexicon: bool) -> tuple[int, int] | None:
    """The part of a kanji run before an honorific or context word that is a person's name."""
    if not run or run in STOP_WORDS or run[0] == "御":
        return None
    n = len(run)
    for i in range(n):
        for size in range(min(MAX_SURNAME_LEN, n - i), 0, -1):
            if size == 1 and i > 0:
                break
            if run[i : i + size] not in KANJI_SURNAMES:
                continue
            rest = run[i + size :]
            if not rest:
                return i, n
            if rest.startswith(TITLE_WORDS):
                return i, i + size
            if _is_org(rest, strict=True):
                return None
            return (i, n) if len(rest) <= 3 else (i, i + size)
    if need_lexicon:
        return None
    if _is_org(run, strict=False) or not 2 <= n <= 6:
        return None
    return 0, n


def _kanji_run_start(text: str, end: int) -> int:
    i = end
    while i > 0 and is_kanji(text[i - 1]) and text[i - 1] != "〇":
        i -= 1
    return i


def _kanji_name_before(text: str, end: int, *, need_lexicon: bool) -> tuple[int, int] | None:
    start = _kanji_run_start(text, end)
    if start == end or (start > 0 and text[start - 1] in "おご"):
        return None
    run = text[start:end]
    if start >= 2 and text[start - 1] == " " and len(run) <= 3 and not _is_org(run, strict=False):
        first_start = _kanji_run_start(text, start - 1)
        first = text[first_start : start - 1]
        surname = _split_run(first, need_lexicon=True)
        if surname and surname[1] == len(first):
            return first_start + surname[0], end
        if not need_lexicon and 1 <= len(first) <= 3 and not _is_org(first, strict=False):
            return first_start, end
    found = _split_run(run, need_lexicon=need_lexicon)
    if found is None:
        return None
    return start + found[0], start + found[1]


def _is_katakana_word(word: str) -> bool:
    """Whether a katakana token is a loanword, shop or role rather than a name."""
    return word in KATAKANA_STOP or any(part in word for part in KATAKANA_STOP_PARTS)


def _katakana_name_before(text: str, end: int, *, need_lexicon: bool) -> tuple[int, int] | None:
    tokens: list[tuple[int, int]] = []
    i = end
    while i > 0 and is_katakana(text[i - 1]):
        j = i
        while j > 0 and is_katakana(text[j - 1]):
            j -= 1
        word = text[j:i]
        if _is_katakana_word(word) or (j > 0 and is_kanji(text[j - 1])):
            break
        tokens.append((j, i))
        if j >= 2 and text[j - 1] in " ・" and is_katakana(text[j - 2]):
            i = j - 1
            continue
        break
    if not tokens:
        return None
    start = tokens[-1][0]
    if need_lexicon and text[start : tokens[-1][1]] not in KANA_SURNAMES:
        return None
    if end - start < 2:
        return None
    return start, end


def _hiragana_name_before(text: str, end: int) -> tuple[int, int] | None:
    start = end
    while start > 0 and is_hiragana(text[start - 1]):
        start -= 1
    if end - start > 2 and text[start] in "のはがとにをも":
        start += 1
    word = text[start:end]
    if not 2 <= len(word) <= 4 or word[0] in "おご" or word in HIRAGANA_STOP:
        return None
    return start, end


def _kana_given_name(text: str, end: int, *, katakana: bool) -> tuple[int, int] | None:
    """A known kanji surname followed by a kana given name (山田さくら様, 山田エミリー様)."""
    is_kana = is_katakana if katakana else is_hiragana
    start = end
    while start > 0 and is_kana(text[start - 1]) and end - start < 6:
        start -= 1
    if start == end or start == 0 or not 2 <= end - start <= 5:
        return None
    surname_end = start - 1 if text[start - 1] == " " else start
    run_start = _kanji_run_start(text, surname_end)
    if run_start == surname_end:
        return None
    found = _split_run(text[run_start:surname_end], need_lexicon=True)
    if not found or run_start + found[1] != surname_end:
        return None
    if katakana and _is_katakana_word(text[start:end]):
        return None
    return run_start + found[0], end


def _latin_name_before(text: str, end: int) -> tuple[int, int] | None:
    """A romanised name before an honorific; all-capital acronyms (NTT, NPO, ALT) are not."""
    match = _LATIN_NAME_BEFORE.search(text, max(0, end - 40), end)
    if not match:
        return None
    words = match.group().split()
    letters = sum(len(w) for w in words)
    capitalised = any(w[0].isupper() and any(c.islower() for c in w) for w in words)
    shouted = len(words) >= 2 and letters >= 5 and all(w.isupper() for w in words)
    if not (capitalised or shouted) or words[-1].lower() in _LATIN_STOP:
        return None
    return match.start(), end


def _honorific_names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _HONORIFIC.finditer(text):
        word = m.group()
        following = text[m.end() : m.end() + 1]
        if following and following in _NOT_HONORIFIC_BEFORE.get(word, ""):
            continue
        end = m.start() - 1 if m.start() > 0 and text[m.start() - 1] == " " else m.start()
        if end <= 0:
            continue
        before = text[end - 1]
        need_lexicon = word in _LEXICON_ONLY
        found: tuple[int, int] | None = None
        if is_kanji(before):
            found = _kanji_name_before(text, end, need_lexicon=need_lexicon)
        elif is_katakana(before):
            found = _kana_given_name(text, end, katakana=True) or _katakana_name_before(
                text, end, need_lexicon=need_lexicon
            )
        elif before.isascii() and before.isalpha():
            found = _latin_name_before(text, end)
        elif is_hiragana(before):
            found = _kana_given_name(text, end, katakana=False)
            if not found and word in ("ちゃん", "くん") and end == m.start():
                found = _hiragana_name_before(text, end)
        if found:
            spans.append(found)
    return spans


def _clean_label_value(value: str) -> tuple[int, int] | None:
    """The name at the start of a labelled value (cut at an honorific or a trailing particle)."""
    if " " in value:
        first, second = value.split(" ", 1)
        kana = all(not is_kanji(c) for c in first + second)
        if not (kana or (len(first) <= 3 and len(second) <= 4)):
            value = first
    honorific = _HONORIFIC.search(value)
    if honorific:
        value = value[: honorific.start()]
    value = value.rstrip(" ")
    if value and (is_kanji(value[0]) or is_katakana(value[0]) or value[0].isascii()):
        k = 0
        while k < len(value) and not is_hiragana(value[k]):
            k += 1
        value = value[:k].rstrip(" ")
    if not value or value.startswith(PLACEHOLDERS):
        return None
    return 0, len(value)


def _label_names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _COLON_LABEL.finditer(text):
        value = _NAME_CHARS.match(text, m.end())
        if value:
            cleaned = _clean_label_value(value.group())
            if cleaned:
                spans.append((m.end(), m.end() + cleaned[1]))
    for m in _WA_LABEL.finditer(text):
        pos = m.end()
        if pos < len(text) and is_kanji(text[pos]):
            end = pos
            while end < len(text) and is_kanji(text[end]):
                end += 1
            found = _split_run(text[pos:end], need_lexicon=True)
            if found and found[0] == 0:
                spans.append((pos, pos + found[1]))
        elif pos < len(text) and is_katakana(text[pos]):
            end = pos
            while end < len(text) and (is_katakana(text[end]) or text[end] in " ・"):
                end += 1
            word = text[pos:end].rstrip(" ・")
            if not _is_katakana_word(word) and len(word) >= 2:
                spans.append((pos, pos + len(word)))
    return spans


def _context_names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _CONTEXT_AFTER.finditer(text):
        end = m.start()
        if end <= 0:
            continue
        if is_kanji(text[end - 1]):
            found = _kanji_name_before(text, end, need_lexicon=True)
        elif is_katakana(text[end - 1]):
            found = _katakana_name_before(text, end, need_lexicon=True)
        else:
            found = None
        if found:
            spans.append(found)
    return spans


def _titled_names(text: str) -> list[tuple[int, int]]:
    """Known surnames followed by a title in the same kanji run (高橋課長, 山田本人, 佐藤宅)."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < n:
        if not is_kanji(text[i]):
            i += 1
            continue
        j = i
        while j < n and is_kanji(text[j]):
            j += 1
        if i == 0 or text[i - 1] not in "おご":
            run = text[i:j]
            found = _split_run(run, need_lexicon=True)
            if found and run[found[1] :].startswith(_RUN_TITLES):
                spans.append((i + found[0], i + found[1]))
        i = j
    return spans


def _katakana_full_names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _KATAKANA_NAME.finditer(text):
        tokens = re.split(r"[ ・]", m.group())
        if tokens[0] in KANA_SURNAMES and not any(_is_katakana_word(t) for t in tokens):
            spans.append((m.start(), m.end()))
    return spans


def find_names(text: str) -> list[tuple[int, int]]:
    """Spans of personal names in NFKC-normalised text."""
    return (
        _honorific_names(text)
        + _label_names(text)
        + _context_names(text)
        + _titled_names(text)
        + _katakana_full_names(text)
    )
